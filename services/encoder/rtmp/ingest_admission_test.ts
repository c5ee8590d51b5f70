import assert from "node:assert/strict";
import {
  addressKey,
  IngestAdmission,
  type PendingConnection,
  STALE_MS,
} from "./ingest_admission.ts";

class Entry implements PendingConnection {
  evicted = false;
  constructor(
    readonly hostname: string,
    public progress: number,
    public lastActivityAt: number,
  ) {}
  evict(): void {
    this.evicted = true;
  }
}

Deno.test("IngestAdmission admits every newcomer and evicts the least advanced, then quietest, one", () => {
  const admission = new IngestAdmission({ maxPending: 3, maxPendingPerAddress: 8 });
  const talking = new Entry("127.0.0.1", 3, 50); // connected to our app, spoke at t=50
  const idleOld = new Entry("127.0.0.1", 0, 10);
  const idleNew = new Entry("127.0.0.1", 0, 40);
  for (const entry of [talking, idleOld, idleNew]) admission.admit(entry, 300);
  assert.equal(admission.size, 3);

  const newcomer = new Entry("127.0.0.1", 0, 100);
  admission.admit(newcomer, 300);
  assert.deepEqual([idleOld, idleNew, talking, newcomer].map((e) => e.evicted), [
    true,
    false,
    false,
    false,
  ]);
  assert.equal(admission.size, 3);

  // A handshaken connection outranks any handshaking one, however quiet.
  const handshaken = new Entry("127.0.0.1", 2, 0);
  admission.admit(handshaken, 300);
  assert.ok(idleNew.evicted && !handshaken.evicted && !talking.evicted);
  admission.admit(new Entry("127.0.0.1", 0, 200), 300);
  assert.ok(newcomer.evicted, "the newest idle one goes before any that progressed");
  assert.ok(!handshaken.evicted && !talking.evicted);
});

Deno.test("IngestAdmission ranks a connection quiet for longer than STALE_MS as one that sent nothing", () => {
  const admission = new IngestAdmission({ maxPending: 2, maxPendingPerAddress: 8 });
  const parked = new Entry("127.0.0.1", 2, 0); // handshaken, then silent
  const fresh = new Entry("127.0.0.1", 0, STALE_MS); // just accepted
  admission.admit(parked, STALE_MS);
  admission.admit(fresh, STALE_MS);
  admission.admit(new Entry("127.0.0.1", 0, STALE_MS), STALE_MS);
  assert.ok(fresh.evicted && !parked.evicted, "within STALE_MS the handshaken one stays");
  admission.admit(new Entry("127.0.0.1", 0, STALE_MS + 1), STALE_MS + 1);
  assert.ok(parked.evicted, "parked beyond STALE_MS, it goes before a fresh socket");
});

Deno.test("IngestAdmission gives each LAN address its own budget; loopback shares the global one", () => {
  const admission = new IngestAdmission({ maxPending: 10, maxPendingPerAddress: 2 });
  const other = new Entry("192.0.2.9", 0, 0); // the quietest of all, on another host
  admission.admit(other);
  const flood = [1, 2, 3, 4].map((t) => new Entry("192.0.2.66", 0, t));
  for (const entry of flood) admission.admit(entry, 300);
  assert.deepEqual(flood.map((e) => e.evicted), [true, true, false, false]);
  assert.equal(other.evicted, false, "one host over its budget evicts its own connections only");
  assert.equal(admission.size, 3);

  const local = [1, 2, 3, 4, 5].map((t) => new Entry("127.0.0.1", 0, 10 + t));
  for (const entry of local) admission.admit(entry, 300);
  assert.ok(local.every((e) => !e.evicted), "loopback is not held to the per-address budget");
  assert.equal(admission.size, 8);

  // Many addresses meet the global budget: the quietest go, wherever they come from.
  const wide = [1, 2, 3].map((i) => new Entry(`198.51.100.${i}`, 0, 100 + i));
  for (const entry of wide) admission.admit(entry, 300);
  assert.equal(admission.size, 10);
  assert.ok(other.evicted, "the quietest (t=0) was evicted for the global budget");
  assert.ok(wide.every((e) => !e.evicted));
});

Deno.test("IngestAdmission.release() forgets a connection once, so it frees its address budget", () => {
  const admission = new IngestAdmission({ maxPending: 10, maxPendingPerAddress: 1 });
  const first = new Entry("192.0.2.7", 0, 0);
  admission.admit(first, 300);
  admission.release(first);
  admission.release(first);
  const second = new Entry("192.0.2.7", 0, 1);
  admission.admit(second, 300);
  assert.equal(first.evicted, false);
  assert.equal(admission.size, 1);
});

Deno.test("addressKey() budgets loopback as null, IPv4-mapped as IPv4 and IPv6 per /64", () => {
  assert.equal(addressKey("127.0.0.1"), null);
  assert.equal(addressKey("127.5.6.7"), null);
  assert.equal(addressKey("::1"), null);
  assert.equal(addressKey("::ffff:127.0.0.1"), null);
  assert.equal(addressKey("::ffff:192.0.2.4"), "192.0.2.4");
  assert.equal(addressKey("192.0.2.4"), "192.0.2.4");
  assert.equal(addressKey("2001:db8:0:1::5"), "2001:db8:0:1::/64");
  assert.equal(addressKey("2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd"), "2001:db8:0:1::/64");
  assert.equal(addressKey("fe80::1"), "fe80:0:0:0::/64");
});

Deno.test("IngestAdmission.admit() says whether it evicted, and refuses budgets below 1 naming the field", () => {
  const admission = new IngestAdmission({ maxPending: 1, maxPendingPerAddress: 1 });
  assert.equal(admission.admit(new Entry("127.0.0.1", 0, 0), 300), false);
  assert.equal(admission.admit(new Entry("127.0.0.1", 0, 1), 300), true);
  assert.throws(
    () => new IngestAdmission({ maxPending: 64, maxPendingPerAddress: 0 }),
    /Invalid argument "maxPendingPerAddress": must be an integer ≥ 1/,
  );
  assert.throws(
    () => new IngestAdmission({ maxPending: 1.5, maxPendingPerAddress: 8 }),
    /"maxPending"/,
  );
});
