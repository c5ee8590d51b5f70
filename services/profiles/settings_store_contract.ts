import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import type { SettingsStore } from "./settings_store.ts";

/** What {@linkcode settingsStoreContract} needs: a store over a freshly migrated, empty Db. */
export type CreateSettingsStore = () => Promise<{ store: SettingsStore; cleanup(): Promise<void> }>;

/** Registers one `Deno.test` with a step per behaviour every settings store adapter must show. */
export function settingsStoreContract(name: string, create: CreateSettingsStore): void {
  Deno.test(`${name} satisfies the SettingsStore contract`, async (t) => {
    const { store, cleanup } = await create();
    try {
      await t.step("get() of a tenant that never saved returns null", async () => {
        assert.equal(await store.get("tenant-missing"), null);
      });

      await t.step("save() then get() round-trips the settings", async () => {
        const settings = {
          startMinimized: true,
          ffmpegPath: "/usr/bin/ffmpeg",
          logRetentionDays: 0,
          lastProfile: null,
          nested: { list: [1, "two", { three: false }], big: 2 ** 53 - 1 },
        };
        await store.save("tenant-a", settings);
        assert.deepEqual(await store.get("tenant-a"), settings);
      });

      await t.step("save() replaces the whole document", async () => {
        await store.save("tenant-b", { first: 1, kept: "no" });
        await store.save("tenant-b", { second: 2 });
        assert.deepEqual(await store.get("tenant-b"), { second: 2 });
      });

      await t.step("tenants are isolated", async () => {
        await store.save("tenant-c", { owner: "c" });
        await store.save("tenant-d", { owner: "d" });
        await store.save("tenant-c", { owner: "c2" });
        assert.deepEqual(await store.get("tenant-c"), { owner: "c2" });
        assert.deepEqual(await store.get("tenant-d"), { owner: "d" });
        assert.equal(await store.get("tenant-C"), null); // ids are case-sensitive
      });

      await t.step("unicode and quotes survive", async () => {
        const settings = { name: "Ünïcödé 🎥 “live” 'q' \"dq\" $1 ?1 \\ \u0001", 日本: "配信" };
        await store.save("tenant-ü 🎥", settings);
        assert.deepEqual(await store.get("tenant-ü 🎥"), settings);
      });

      await t.step("concurrent saves leave exactly one of them", async () => {
        const versions = Array.from({ length: 8 }, (_, i) => ({ version: i, pad: "x".repeat(i) }));
        await Promise.all(versions.map((settings) => store.save("tenant-race", settings)));
        const stored = await store.get("tenant-race");
        assert.ok(versions.some((settings) => JSON.stringify(settings) === JSON.stringify(stored)));
      });

      await t.step("clear() forgets one tenant's settings only", async () => {
        await store.save("tenant-f", { owner: "f" });
        await store.save("tenant-g", { owner: "g" });
        await store.clear("tenant-f");
        assert.equal(await store.get("tenant-f"), null);
        assert.deepEqual(await store.get("tenant-g"), { owner: "g" });
        await store.clear("tenant-never-saved");
      });

      await t.step("host settings are one row apart from every tenant's", async () => {
        assert.equal(await store.getHost(), null);
        await store.save("*", { owner: "tenant-star" });
        await store.saveHost({ ffmpegPath: "/usr/bin/ffmpeg" });
        await store.saveHost({ ffmpegPath: "/opt/ffmpeg/ffmpeg" });
        assert.deepEqual(await store.getHost(), { ffmpegPath: "/opt/ffmpeg/ffmpeg" });
        assert.deepEqual(await store.get("*"), { owner: "tenant-star" });
        await store.clear("*");
        await store.clear("tenant-a");
        assert.deepEqual(await store.getHost(), { ffmpegPath: "/opt/ffmpeg/ffmpeg" });
        await assert.rejects(
          store.saveHost([1] as unknown as Record<string, unknown>),
          (error: unknown) => error instanceof AppError && error.code === "invalid_argument",
        );
      });

      await t.step("an empty tenant id or a non-object is refused", async () => {
        const invalid = (pattern: RegExp) => (error: unknown) =>
          error instanceof AppError && error.code === "invalid_argument" &&
          pattern.test(error.message);
        await assert.rejects(store.get(""), invalid(/"tenantId"/));
        await assert.rejects(store.save("", {}), invalid(/"tenantId"/));
        await assert.rejects(store.clear(""), invalid(/"tenantId"/));
        await assert.rejects(
          store.save("tenant-e", [1] as unknown as Record<string, unknown>),
          invalid(/"settings"/),
        );
        await assert.rejects(store.save("tenant-e", { n: 1n }), invalid(/"settings"/));
        assert.equal(await store.get("tenant-e"), null);
      });
    } finally {
      await cleanup();
    }
  });
}
