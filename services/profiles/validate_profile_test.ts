import assert from "node:assert/strict";
import { AppError, MASKED_SECRET, Profile } from "@spiritstream/contracts";
import { bitrateKbps, validateProfile } from "./validate_profile.ts";
import { sampleProfile } from "./testdata/profiles.ts";

const keys = { twitch: "a", youtube: "b", kick: "c" };

Deno.test("validateProfile() accepts a passthrough group with zero sizes and a scheme-less URL", () => {
  const profile = Profile.parse(sampleProfile("Ok", keys));
  profile.outputGroups[0]!.streamTargets[0]!.url = "live.twitch.tv";
  profile.outputGroups[0]!.streamTargets[1]!.url = ""; // YouTube has a preset
  validateProfile(profile);
});

Deno.test("validateProfile() reports up to three problems, each with its path", () => {
  const profile = Profile.parse(sampleProfile("Bad", keys));
  const group = profile.outputGroups[1]!;
  group.video.fps = 0;
  group.audio.channels = 9;
  group.streamTargets[0]!.streamKey = "has space";
  profile.input.application = "a/b";
  assert.throws(() => validateProfile(profile), (error) => {
    assert.ok(error instanceof AppError && error.code === "invalid_argument");
    const parts = error.message.split("; ");
    assert.equal(parts.length, 3);
    assert.match(
      parts[0]!,
      /^Invalid argument "profile\.input\.application": must be one path segment/,
    );
    assert.match(parts[1]!, /"profile\.outputGroups\.1\.video\.fps": must be from 1 to 240/);
    assert.match(parts[2]!, /"profile\.outputGroups\.1\.audio\.channels": must be from 1 to 8/);
    return true;
  });
});

Deno.test("bitrateKbps() reads k, M and plain bit/s", () => {
  assert.equal(bitrateKbps("6000k"), 6000);
  assert.equal(bitrateKbps("8M"), 8000);
  assert.equal(bitrateKbps("0.5m"), 500);
  assert.equal(bitrateKbps("128000"), 128);
  assert.ok(Number.isNaN(bitrateKbps("fast")));
});

Deno.test("validateProfile() refuses an ingest beyond loopback without a key, naming the field", () => {
  const profile = Profile.parse(sampleProfile("Open", keys));
  validateProfile(profile); // 127.0.0.1 without a key: only this computer can publish
  profile.input.bindAddress = "0.0.0.0";
  assert.throws(() => validateProfile(profile), (error) => {
    assert.ok(error instanceof AppError && error.code === "invalid_argument");
    assert.match(
      error.message,
      /^Invalid argument "profile\.input\.streamKey": an ingest key is required because the ingest listens on "0\.0\.0\.0"/,
    );
    return true;
  });
  profile.input.streamKey = "obs-ingest-key";
  validateProfile(profile);
  profile.input.streamKey = MASKED_SECRET; // kept from the stored profile when merged
  validateProfile(profile);

  const srt = Profile.parse({ ...sampleProfile("Srt", keys), input: { type: "srt", port: 9000 } });
  validateProfile(srt);
  srt.input.bindAddress = "192.168.1.20";
  srt.input.streamKey = "not-what-srt-checks";
  assert.throws(
    () => validateProfile(srt),
    /"profile\.input\.srtPassphrase": an SRT passphrase is required/,
  );
  srt.input.srtPassphrase = "0123456789abc";
  validateProfile(srt);
});
