import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { waitFor } from "@spiritstream/testing";
import type { Bus, StreamRecord, Subscription } from "./bus.ts";

/** What an adapter guarantees; steps needing a missing capability are ignored, with the reason. */
export interface BusContractFeatures {
  /** Has the durable stream (`append`, `follow`, `lastSeq`). @default true */
  stream?: boolean;
}

/** A fresh bus for one contract run. */
export interface BusContractSetup {
  bus: Bus;
  /** Another connection to the same broker (for the in-process bus: the same instance). */
  peer?: () => Promise<Bus>;
  /** Closes every bus it made and stops the broker. */
  cleanup: () => Promise<void>;
}

/** Options for {@linkcode busContract}. */
export interface BusContractOptions {
  create: () => Promise<BusContractSetup>;
  features?: BusContractFeatures;
}

/**
 * Registers the behaviour suite every Bus adapter must pass: one `Deno.test` named after the
 * adapter, one step per behaviour.
 */
export function busContract(name: string, options: BusContractOptions): void {
  const { stream = true } = options.features ?? {};
  Deno.test(`${name} bus fulfils the Bus contract`, async (t) => {
    const setup = await options.create();
    const { bus } = setup;
    let counter = 0;
    const id = () => `c${++counter}`;
    const step = (stepName: string, fn: () => Promise<void>, needsStream = false) =>
      t.step({ name: stepName, ignore: needsStream && !stream, fn });
    try {
      const peer = setup.peer ? await setup.peer() : bus;
      await step("status() is connected after creation", async () => {
        assert.equal(bus.status(), "connected");
        assert.equal(peer.status(), "connected");
        await Promise.resolve();
      });

      await step("request() returns the reply of a handler on another connection", async () => {
        const subject = `t.${id()}.echo`;
        const sub = peer.serve(subject, (data, got) => Promise.resolve({ data, subject: got }));
        await sub.ready;
        const reply = await bus.request(subject, { n: 1, list: ["a", null, true] });
        assert.deepEqual(reply, { data: { n: 1, list: ["a", null, true] }, subject });
        await sub.close();
      });

      await step("request() and serve() copy data instead of sharing it", async () => {
        const subject = `t.${id()}.copy`;
        const kept = { items: [1] };
        const sub = peer.serve(subject, (data) => {
          (data as { items: number[] }).items.push(99);
          return Promise.resolve(kept);
        });
        await sub.ready;
        const sent = { items: [1, 2] };
        const reply = await bus.request(subject, sent) as { items: number[] };
        reply.items.push(3);
        assert.deepEqual(sent, { items: [1, 2] });
        assert.deepEqual(kept, { items: [1] });
        await sub.close();
      });

      await step("request() resolves to null when the handler returns nothing", async () => {
        const subject = `t.${id()}.void`;
        const sub = peer.serve(subject, () => Promise.resolve(undefined));
        await sub.ready;
        assert.equal(await bus.request(subject, null), null);
        await sub.close();
      });

      await step("a thrown AppError reaches the caller with its code and message", async () => {
        const subject = `t.${id()}.fail`;
        const sub = peer.serve(subject, () => {
          throw new AppError("not_found", 'Profile "main" not found');
        });
        await sub.ready;
        await assert.rejects(bus.request(subject, {}), (error: unknown) => {
          assert.ok(error instanceof AppError);
          assert.equal(error.code, "not_found");
          assert.equal(error.message, 'Profile "main" not found');
          return true;
        });
        await sub.close();
      });

      await step(
        "any other error reaches the caller as internal, without its message",
        async () => {
          const subject = `t.${id()}.crash`;
          const sub = peer.serve(subject, () => {
            throw new Error("connection string postgres://admin:hunter2@db failed");
          });
          await sub.ready;
          await assert.rejects(bus.request(subject, {}), (error: unknown) => {
            assert.ok(error instanceof AppError);
            assert.equal(error.code, "internal");
            assert.equal(error.message, "Internal error");
            return true;
          });
          await sub.close();
        },
      );

      await step("request() fails with timeout when no reply comes in time", async () => {
        const subject = `t.${id()}.slow`;
        const { promise: released, resolve: release } = Promise.withResolvers<void>();
        const sub = peer.serve(subject, async () => {
          await released;
          return "late";
        });
        await sub.ready;
        await assert.rejects(bus.request(subject, {}, { timeoutMs: 200 }), (error: unknown) => {
          assert.ok(error instanceof AppError);
          assert.equal(error.code, "timeout");
          assert.equal(error.message, `Request timed out: ${subject}`);
          return true;
        });
        release();
        await sub.close();
      });

      await step("request() fails with unavailable when nobody serves the subject", async () => {
        const subject = `t.${id()}.nobody`;
        await assert.rejects(bus.request(subject, {}), (error: unknown) => {
          assert.ok(error instanceof AppError);
          assert.equal(error.code, "unavailable");
          assert.equal(error.message, `No service is answering ${subject}`);
          return true;
        });
      });

      await step("a queue group answers each request exactly once", async () => {
        const subject = `t.${id()}.work`;
        const seen: Record<string, number[]> = { a: [], b: [] };
        function member(name: "a" | "b") {
          return (data: unknown) => {
            seen[name]!.push((data as { n: number }).n);
            return Promise.resolve(name);
          };
        }
        const subs = [
          bus.serve(subject, member("a"), { queue: "workers" }),
          peer.serve(subject, member("b"), { queue: "workers" }),
        ];
        await Promise.all(subs.map((sub) => sub.ready));
        const answers: string[] = [];
        for (let n = 0; n < 20; n++) answers.push(await bus.request(subject, { n }) as string);
        const all = [...seen.a!, ...seen.b!].sort((x, y) => x - y);
        assert.deepEqual(all, Array.from({ length: 20 }, (_, n) => n));
        assert.equal(answers.filter((a) => a === "a").length, seen.a!.length);
        assert.ok(seen.a!.length > 0 && seen.b!.length > 0, "both members answer some requests");
        await Promise.all(subs.map((sub) => sub.close()));
      });

      await step("serve() on a wildcard answers the subjects it matches, only", async () => {
        const base = `t.${id()}`;
        const subs = [
          peer.serve(`${base}.*`, (_data, subject) => Promise.resolve(`one:${subject}`)),
          peer.serve(`${base}.deep.>`, (_data, subject) => Promise.resolve(`many:${subject}`)),
        ];
        await Promise.all(subs.map((sub) => sub.ready));
        assert.equal(await bus.request(`${base}.list`, {}), `one:${base}.list`);
        assert.equal(await bus.request(`${base}.deep.a.b`, {}), `many:${base}.deep.a.b`);
        await assert.rejects(
          bus.request(`${base}.list.more`, {}),
          (error: unknown) => error instanceof AppError && error.code === "unavailable",
        );
        await Promise.all(subs.map((sub) => sub.close()));
      });

      await step("publish() reaches every matching subscriber once", async () => {
        const base = `s.${id()}`;
        const got = { a: [] as string[], b: [] as string[], c: [] as string[] };
        function into(list: string[]) {
          return (data: unknown, subject: string) => {
            list.push(`${subject}=${(data as { n: number }).n}`);
          };
        }
        const subs = [
          bus.subscribe(`${base}.*`, into(got.a)),
          peer.subscribe(`${base}.>`, into(got.b)),
          peer.subscribe(`${base}.c`, into(got.c)),
        ];
        await Promise.all(subs.map((sub) => sub.ready));
        await bus.publish(`${base}.a`, { n: 1 });
        await bus.publish(`${base}.c`, { n: 2 });
        await waitFor(() => got.a.length >= 2 && got.b.length >= 2 && got.c.length >= 1, {
          what: "published messages",
        });
        assert.deepEqual(got.a, [`${base}.a=1`, `${base}.c=2`]);
        assert.deepEqual(got.b, [`${base}.a=1`, `${base}.c=2`]);
        assert.deepEqual(got.c, [`${base}.c=2`]);
        await Promise.all(subs.map((sub) => sub.close()));
      });

      await step("close() on a subscription or service stops its deliveries", async () => {
        const subject = `s.${id()}.x`;
        const closedGot: unknown[] = [];
        const openGot: unknown[] = [];
        const closing = peer.subscribe(subject, (data) => {
          closedGot.push(data);
        });
        const open = peer.subscribe(subject, (data) => {
          openGot.push(data);
        });
        const gone = `t.${id()}.gone`;
        const service = peer.serve(gone, () => Promise.resolve("here"));
        await Promise.all([closing.ready, open.ready, service.ready]);
        await closing.close();
        await service.close();
        await bus.publish(subject, 1);
        await waitFor(() => openGot.length === 1, { what: "message to the open subscription" });
        assert.deepEqual(closedGot, []);
        await assert.rejects(
          bus.request(gone, {}),
          (error: unknown) => error instanceof AppError && error.code === "unavailable",
        );
        await open.close();
      });

      await step("lastSeq() is 0 on an empty stream", async () => {
        assert.equal(await bus.lastSeq(), 0);
      }, true);

      await step("append() returns increasing sequence numbers; lastSeq() the newest", async () => {
        const subject = `ss.evt.${id()}.x`;
        const first = await bus.append(subject, { n: 1 });
        const second = await peer.append(subject, { n: 2 });
        const third = await bus.append(subject, { n: 3 });
        assert.ok(first >= 1);
        assert.ok(second > first && third > second, `${first} < ${second} < ${third}`);
        assert.equal(await bus.lastSeq(), third);
        assert.equal(await peer.lastSeq(), third);
      }, true);

      await step(
        "follow() replays from a sequence, then delivers live records, each once",
        async () => {
          const filter = `ss.evt.${id()}.>`;
          const subject = filter.replace(">", "x");
          const seqs: number[] = [];
          for (let n = 1; n <= 3; n++) seqs.push(await bus.append(subject, { n }));
          const got: StreamRecord[] = [];
          const sub = peer.follow(filter, { fromSeq: seqs[0] }, (record) => {
            got.push(record);
          });
          // Appends race the replay on purpose: the boundary must neither repeat nor skip.
          for (let n = 4; n <= 6; n++) seqs.push(await bus.append(subject, { n }));
          await sub.ready;
          for (let n = 7; n <= 8; n++) seqs.push(await bus.append(subject, { n }));
          await waitFor(() => got.length >= 8, { what: "8 followed records" });
          seqs.push(await bus.append(subject, { n: 9 }));
          await waitFor(() => got.length >= 9, { what: "the last followed record" });
          assert.deepEqual(got.map((r) => r.seq), seqs);
          assert.deepEqual(got.map((r) => r.data), seqs.map((_, i) => ({ n: i + 1 })));
          assert.ok(got.every((r) => r.subject === subject));
          await sub.close();
        },
        true,
      );

      await step("follow() from a middle sequence starts exactly there", async () => {
        const subject = `ss.evt.${id()}.x`;
        const seqs: number[] = [];
        for (let n = 1; n <= 4; n++) seqs.push(await bus.append(subject, { n }));
        const got: number[] = [];
        const sub = bus.follow(subject, { fromSeq: seqs[2] }, (record) => {
          got.push(record.seq);
        });
        await waitFor(() => got.length >= 2, { what: "2 followed records" });
        assert.deepEqual(got, seqs.slice(2));
        await sub.close();
      }, true);

      await step("follow() without fromSeq delivers only new records", async () => {
        const subject = `ss.evt.${id()}.x`;
        await bus.append(subject, { n: 1 });
        const got: unknown[] = [];
        const sub = peer.follow(subject, {}, (record) => {
          got.push(record.data);
        });
        await sub.ready;
        await bus.append(subject, { n: 2 });
        await bus.append(subject, { n: 3 });
        await waitFor(() => got.length >= 2, { what: "2 new records" });
        assert.deepEqual(got, [{ n: 2 }, { n: 3 }]);
        await sub.close();
      }, true);

      await step("follow() with a filter sees only matching subjects", async () => {
        const base = `ss.evt.${id()}`;
        const first = await bus.append(`${base}.a`, { n: 1 });
        await bus.append(`${base}.b`, { n: 2 });
        await bus.append(`${base}.a`, { n: 3 });
        await bus.append(`${base}.b.deeper`, { n: 4 });
        const only: unknown[] = [];
        const starred: unknown[] = [];
        const subs = [
          peer.follow(`${base}.a`, { fromSeq: first }, (record) => {
            only.push(record.data);
          }),
          peer.follow(`${base}.*`, { fromSeq: first }, (record) => {
            starred.push(record.data);
          }),
        ];
        await bus.append(`${base}.a`, { n: 5 });
        await waitFor(() => only.length >= 3 && starred.length >= 4, { what: "filtered records" });
        assert.deepEqual(only, [{ n: 1 }, { n: 3 }, { n: 5 }]);
        assert.deepEqual(starred, [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 5 }]);
        await Promise.all(subs.map((sub) => sub.close()));
      }, true);

      await step(
        "follow() hands records over one at a time, waiting for async handlers",
        async () => {
          const subject = `ss.evt.${id()}.x`;
          const first = await bus.append(subject, { n: 1 });
          for (let n = 2; n <= 5; n++) await bus.append(subject, { n });
          let active = 0;
          let most = 0;
          const got: number[] = [];
          const sub = bus.follow(subject, { fromSeq: first }, async (record) => {
            active++;
            most = Math.max(most, active);
            await new Promise((resolve) => setTimeout(resolve, 5));
            got.push((record.data as { n: number }).n);
            active--;
          });
          await waitFor(() => got.length >= 5, { what: "5 handled records" });
          assert.deepEqual(got, [1, 2, 3, 4, 5]);
          assert.equal(most, 1);
          await sub.close();
        },
        true,
      );

      await step("append() and follow() refuse subjects outside the event stream", async () => {
        const refused = (error: unknown) =>
          error instanceof AppError && error.code === "invalid_argument" &&
          error.message.includes("t.not.an.event");
        const before = await bus.lastSeq();
        await assert.rejects(bus.append("t.not.an.event", {}), refused);
        assert.throws(() => bus.follow("t.not.an.event", {}, () => {}), refused);
        assert.equal(await bus.lastSeq(), before);
      }, true);

      await step("close() on a follow stops its deliveries", async () => {
        const subject = `ss.evt.${id()}.x`;
        const closedGot: unknown[] = [];
        const openGot: unknown[] = [];
        const subs: Subscription[] = [
          peer.follow(subject, {}, (record) => {
            closedGot.push(record.data);
          }),
          peer.follow(subject, {}, (record) => {
            openGot.push(record.data);
          }),
        ];
        await Promise.all(subs.map((sub) => sub.ready));
        await subs[0]!.close();
        await bus.append(subject, { n: 1 });
        await waitFor(() => openGot.length === 1, { what: "record to the open follow" });
        assert.deepEqual(closedGot, []);
        await subs[1]!.close();
      }, true);

      await step("close() on the bus ends it: status closed, calls fail unavailable", async () => {
        await bus.close();
        assert.equal(bus.status(), "closed");
        await assert.rejects(
          bus.request("t.after.close", {}),
          (error: unknown) => error instanceof AppError && error.code === "unavailable",
        );
        await assert.rejects(
          bus.publish("s.after.close", {}),
          (error: unknown) => error instanceof AppError && error.code === "unavailable",
        );
        if (stream) {
          await assert.rejects(
            bus.append("ss.evt.after.close", {}),
            (error: unknown) => error instanceof AppError && error.code === "unavailable",
          );
        }
      });
    } finally {
      await setup.cleanup();
    }
  });
}
