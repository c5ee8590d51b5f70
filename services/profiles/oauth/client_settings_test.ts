import assert from "node:assert/strict";
import { AppError, type RequestMeta } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import {
  type ClientOverride,
  type ClientOverrideStore,
  ClientSettings,
} from "./client_settings.ts";
import { oauthConfigFromEnv } from "./oauth_config.ts";

function meta(extra: Partial<RequestMeta> = {}): RequestMeta {
  return { requestId: "r", tenantId: "t1", userId: "u1", role: "admin", ip: null, ...extra };
}

Deno.test("ClientSettings.status: configured only with a client id (not SpiritStream's constant true)", () => {
  const none = new ClientSettings(oauthConfigFromEnv({}));
  assert.deepEqual(none.status(), { twitchConfigured: false, youtubeConfigured: false });
  const twitch = new ClientSettings(oauthConfigFromEnv({ SPIRITSTREAM_TWITCH_CLIENT_ID: "id" }));
  assert.deepEqual(twitch.status(), { twitchConfigured: true, youtubeConfigured: false });
});

Deno.test('ClientSettings.set: a tenant\'s admin is refused (host-wide secrets); the host operator sets, "" goes back to env, absent keeps', async () => {
  const saved: Partial<Record<string, ClientOverride>>[] = [];
  const store: ClientOverrideStore = {
    load: () => Promise.resolve({}),
    save: (o) => (saved.push(structuredClone(o)), Promise.resolve()),
  };
  const redactor = createRedactor();
  const settings = new ClientSettings(
    oauthConfigFromEnv({ SPIRITSTREAM_YOUTUBE_CLIENT_ID: "env-id" }),
    { store, redactor },
  );
  await assert.rejects(
    settings.set(meta(), { twitchClientId: "x" }),
    (error: unknown) =>
      error instanceof AppError && error.code === "permission_denied" &&
      /only the host operator/.test(error.message),
  );
  assert.equal(saved.length, 0);
  const operator = meta({ hostOperator: true });
  await settings.set(operator, { twitchClientId: "tw-id", twitchClientSecret: "tw-secret-123" });
  assert.equal(settings.provider("twitch").clientId, "tw-id");
  assert.equal(settings.provider("twitch").clientSecret, "tw-secret-123");
  assert.equal(redactor.scrub("secret tw-secret-123 here").includes("tw-secret-123"), false);
  await settings.set(operator, { youtubeClientId: "ui-id" });
  assert.equal(settings.provider("youtube").clientId, "ui-id");
  await settings.set(operator, { youtubeClientId: "", twitchClientSecret: null });
  assert.equal(settings.provider("youtube").clientId, "env-id");
  assert.equal(settings.provider("twitch").clientSecret, "tw-secret-123");
  assert.equal(saved.length, 3);
});
