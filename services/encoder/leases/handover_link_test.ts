import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { AppError } from "@spiritstream/contracts";
import { startNatsServer } from "@spiritstream/testing";
import type { HandoverLink } from "./handover_link.ts";
import { createMemoryHandoverLink } from "./memory_handover_link.ts";
import { createNatsHandoverLink } from "./nats_handover_link.ts";

/** One behaviour, every adapter: `link` for the asking side, `peer` for the answering one. */
async function handoverContract(links: { link: HandoverLink; peer: HandoverLink }): Promise<void> {
  const { link, peer } = links;
  assert.equal(await link.ask("nobody", { tenantId: "t1", to: "w1" }), "gone");

  const asked: unknown[] = [];
  const served = peer.serve("w2", (request) => {
    asked.push(request);
    return Promise.resolve(request.tenantId === "t1");
  });
  await served.ready;
  assert.equal(await link.ask("w2", { tenantId: "t1", to: "w1" }), "handed");
  assert.equal(await link.ask("w2", { tenantId: "t2", to: "w1" }), "not_owner");
  assert.deepEqual(asked, [{ tenantId: "t1", to: "w1" }, { tenantId: "t2", to: "w1" }]);

  // A worker that is there but does not answer in time: not "gone" (it may still stream).
  const stuck = peer.serve("w3", () => new Promise(() => {}));
  await stuck.ready;
  await assert.rejects(
    link.ask("w3", { tenantId: "t1", to: "w1" }),
    (error: unknown) => error instanceof AppError && error.code === "unavailable",
  );
  await stuck.close();

  await served.close();
  assert.equal(await link.ask("w2", { tenantId: "t1", to: "w1" }), "gone");
}

Deno.test("memory HandoverLink: gone, handed, not_owner, unavailable", async () => {
  const link = createMemoryHandoverLink({ timeoutMs: 300 });
  await handoverContract({ link, peer: link });
});

Deno.test("NATS HandoverLink: a worker with no subscriber is gone at once; the rest as in memory", async () => {
  const nats = await startNatsServer();
  const a = await connect({ servers: nats.url });
  const b = await connect({ servers: nats.url });
  try {
    await handoverContract({
      link: createNatsHandoverLink(a, { timeoutMs: 300 }),
      peer: createNatsHandoverLink(b),
    });
    // The process of a worker gone (its connection closed): "no responders", not a timeout.
    const dead = await connect({ servers: nats.url });
    await createNatsHandoverLink(dead).serve("w9", () => Promise.resolve(true)).ready;
    await dead.close();
    // The server drops a closed connection's subscriptions once it has seen the close.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(
      await createNatsHandoverLink(a, { timeoutMs: 5000 }).ask("w9", { tenantId: "t", to: "w1" }),
      "gone",
    );
  } finally {
    await a.close();
    await b.close();
    await nats.stop();
  }
});
