import assert from "node:assert/strict";
import { AppError, MASKED_SECRET, Profile } from "@spiritstream/contracts";
import { keepMaskedSecrets, maskSecrets } from "./masking.ts";
import { sampleProfile } from "./testdata/profiles.ts";

const stored = Profile.parse({
  ...sampleProfile(
    "P",
    { twitch: "live_1234567", youtube: "${YT_KEY}", kick: "", obs: "obs-pass" },
    "p1",
  ),
  input: { streamKey: "ingest-key-1", srtPassphrase: "srt-passphrase-1" },
});

Deno.test("maskSecrets() hides secrets, the SRT passphrase too, but keeps empty values and ${ENV} references", async () => {
  const masked = await maskSecrets(stored);
  const keys = masked.outputGroups.flatMap((g) => g.streamTargets.map((t) => t.streamKey));
  assert.deepEqual(keys, [MASKED_SECRET, "${YT_KEY}", ""]);
  assert.equal(masked.settings.obs.password, MASKED_SECRET);
  assert.equal(masked.settings.discord.webhookUrl, "");
  assert.equal(masked.input.streamKey, MASKED_SECRET);
  assert.equal(masked.input.srtPassphrase, MASKED_SECRET);
  assert.equal(stored.settings.obs.password, "obs-pass", "the original is untouched");
});

Deno.test("keepMaskedSecrets() restores masked values by slot and refuses orphans", async () => {
  const masked = await maskSecrets(stored);
  assert.deepEqual(await keepMaskedSecrets(masked, stored), stored);
  const orphan = structuredClone(masked);
  orphan.outputGroups[0]!.streamTargets[0]!.id = "new-target";
  await assert.rejects(keepMaskedSecrets(orphan, stored), (error) => {
    assert.ok(error instanceof AppError);
    assert.match(error.message, /"profile\.outputGroups\.0\.streamTargets\.0\.streamKey"/);
    return true;
  });
  await assert.rejects(keepMaskedSecrets(masked, null), AppError);
});
