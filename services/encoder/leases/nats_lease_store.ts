import { AppError } from "@spiritstream/contracts";
import type { NatsConnection } from "@nats-io/transport-node";
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { type KV, type KvEntry, Kvm, KvWatchInclude } from "@nats-io/kv";
import type { LeaseStore, StoredEntry, StoreWatch } from "./lease_store.ts";

/** Options for {@linkcode createNatsLeaseStore}. */
export interface NatsLeaseStoreOptions {
  /** @default "spiritstream_encoder" */
  bucket?: string;
  /** @default 1 */
  replicas?: number;
}

/**
 * The {@linkcode LeaseStore} over a JetStream KV bucket (created on first use, one value per key,
 * file storage so desired state survives a NATS restart). Conditional writes use JetStream's
 * expected-last-subject-sequence check; its "wrong last sequence" answer is a lost race (null or
 * false), every other failure an AppError `unavailable`.
 */
export async function createNatsLeaseStore(
  nc: NatsConnection,
  options: NatsLeaseStoreOptions = {},
): Promise<LeaseStore> {
  const bucket = options.bucket ?? "spiritstream_encoder";
  let kv: KV;
  // Workers starting together race to create the bucket: the loser's JetStream answers "subjects
  // overlap with an existing stream" (or "name already in use"); by then the bucket exists.
  for (let attempt = 1;; attempt++) {
    try {
      kv = await new Kvm(nc).create(bucket, { history: 1, replicas: options.replicas ?? 1 });
      break;
    } catch (error) {
      if (attempt < 3 && error instanceof JetStreamApiError) continue;
      throw unavailable(`open the KV bucket ${bucket}`, error);
    }
  }
  const watches = new Set<StoreWatch>();

  /** Runs a conditional write; a lost compare-and-set answers `lost`. */
  async function attempt<T>(work: () => Promise<T>, on: { what: string; lost: T }): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isWrongSequence(error)) return on.lost;
      throw unavailable(on.what, error);
    }
  }

  return {
    async get(key) {
      let entry: KvEntry | null;
      try {
        entry = await kv.get(key);
      } catch (error) {
        throw unavailable(`read ${key}`, error);
      }
      return entry && entry.operation === "PUT" ? toStored(entry) : null;
    },
    create(key, value) {
      return attempt(() => kv.create(key, encode(value)), { what: `create ${key}`, lost: null });
    },
    update(key, value, revision) {
      return attempt(() => kv.update(key, encode(value), revision), {
        what: `update ${key}`,
        lost: null,
      });
    },
    put(key, value) {
      return attempt(() => kv.put(key, encode(value)), { what: `write ${key}`, lost: 0 });
    },
    delete(key, revision) {
      return attempt(async () => {
        await kv.delete(key, revision === undefined ? undefined : { previousSeq: revision });
        return true;
      }, { what: `delete ${key}`, lost: false });
    },
    async keys(prefix) {
      try {
        const found: string[] = [];
        for await (const key of await kv.keys(`${prefix}.>`)) found.push(key);
        return found;
      } catch (error) {
        throw unavailable(`list ${prefix}.*`, error);
      }
    },
    watch(prefix, onChange) {
      const iterator = kv.watch({ key: `${prefix}.>`, include: KvWatchInclude.UpdatesOnly });
      const pump = iterator.then(async (entries) => {
        for await (const entry of entries) {
          onChange(entry.key, entry.operation === "PUT" ? toStored(entry) : null);
        }
      });
      pump.catch(() => {}); // a watch ends with the connection; the owner's ticks catch up
      const handle: StoreWatch = {
        ready: iterator.then(() => {}),
        async close() {
          watches.delete(handle);
          (await iterator.catch(() => null))?.stop();
          await pump.catch(() => {});
        },
      };
      watches.add(handle);
      return handle;
    },
    async close() {
      await Promise.all([...watches].map((watch) => watch.close()));
    },
  };
}

function toStored(entry: KvEntry): StoredEntry {
  return { value: entry.json(), revision: entry.revision };
}

function encode(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function isWrongSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
      error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);
}

function unavailable(what: string, error: unknown): AppError {
  const reason = error instanceof Error ? error.message : String(error);
  return new AppError("unavailable", `Encoder lease store could not ${what}: ${reason}`, {
    cause: error,
  });
}
