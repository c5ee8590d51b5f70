import assert from "node:assert/strict";
import { AppError, StandbySettings } from "@spiritstream/contracts";
import { copyGroup } from "@spiritstream/testing";
import {
  addGroups,
  closeUnusedIngest,
  openIngest,
  removeAdded,
  removeGroup,
  requestRetry,
} from "./desired_changes.ts";

const tenantId = "t";
const ingest = { url: "rtmp://127.0.0.1:1935/live", streamKey: "ingest-key-123456" };
const single = (groups = [copyGroup("a", [])]) => ({
  groups,
  ingest,
  exclusive: false,
  active: new Set<string>(),
});

function isCode(code: string) {
  return (error: unknown) => error instanceof AppError && error.code === code;
}

Deno.test("addGroups() opens the ingest once and gives every group a newer generation", () => {
  const first = addGroups(null, { tenantId, request: single() });
  assert.equal(first.next.ingest?.generation, 1);
  assert.deepEqual([...first.generations], [["a", 2]]);
  const second = addGroups(first.next, { tenantId, request: single([copyGroup("b", [])]) });
  assert.equal(second.next.ingest?.generation, 1, "the same ingest keeps its generation");
  assert.deepEqual(Object.keys(second.next.groups).sort(), ["a", "b"]);
  assert.deepEqual([...second.generations], [["b", 3]]);
  assert.equal(first.next.groups.b, undefined, "the current state is not changed in place");
});

Deno.test("addGroups() refuses another ingest while other groups read this one, and a second go-live", () => {
  const { next } = addGroups(null, { tenantId, request: single() });
  const other = { ...single([copyGroup("b", [])]), ingest: { url: "rtmp://127.0.0.1:1936/live" } };
  assert.throws(() => addGroups(next, { tenantId, request: other }), isCode("failed_precondition"));
  const exclusive = { ...single([copyGroup("b", [])]), exclusive: true, active: new Set(["a"]) };
  assert.throws(() => addGroups(next, { tenantId, request: exclusive }), isCode("conflict"));
  const replaced = addGroups(next, { tenantId, request: { ...exclusive, active: new Set() } });
  assert.deepEqual(Object.keys(replaced.next.groups), ["b"], "left-over groups are replaced");
});

Deno.test("removeAdded() takes out only the groups still at the generation this call gave them", () => {
  const first = addGroups(null, {
    tenantId,
    request: single([copyGroup("a", []), copyGroup("b", [])]),
  });
  const later = addGroups(first.next, { tenantId, request: single([copyGroup("b", [])]) });
  const rolledBack = removeAdded(later.next, first.generations);
  assert.deepEqual(Object.keys(rolledBack?.groups ?? {}), ["b"], "b was replaced meanwhile");
  assert.equal(removeAdded(rolledBack!, first.generations), undefined, "nothing left to remove");
});

Deno.test("openIngest() keeps the same ingest unwritten and refuses another while groups run", () => {
  const opened = openIngest(null, { tenantId, ingest });
  assert.equal(opened.generation, 1);
  const again = openIngest(opened.next!, { tenantId, ingest });
  assert.deepEqual(again, { next: undefined, generation: 1 });
  const { next } = addGroups(opened.next!, { tenantId, request: single() });
  assert.throws(
    () => openIngest(next, { tenantId, ingest: { url: "rtmp://127.0.0.1:1936/live" } }),
    isCode("failed_precondition"),
  );
  assert.equal(closeUnusedIngest(next, 1), undefined, "groups use it: kept");
  assert.equal(closeUnusedIngest(opened.next!, 1), null, "only the failed ingest: deleted");
});

Deno.test("removeGroup() and requestRetry() touch one group; a retry of an unknown group is not_found", () => {
  const { next } = addGroups(null, {
    tenantId,
    request: single([copyGroup("a", []), copyGroup("b", [])]),
  });
  const retried = requestRetry(next, "a");
  assert.equal(retried.nonce, 1);
  assert.equal(requestRetry(retried.next, "a").nonce, 2);
  const removed = removeGroup(retried.next, "a");
  assert.deepEqual(Object.keys(removed!.groups), ["b"]);
  assert.deepEqual(removed!.retries, {});
  assert.equal(removeGroup(removed!, "a"), undefined);
  assert.throws(() => requestRetry(removed!, "a"), isCode("not_found"));
});

Deno.test("openIngest() and addGroups() take another standby slate while groups run, as a new ingest generation", () => {
  const { next } = addGroups(null, { tenantId, request: single() });
  const standby = StandbySettings.parse({ mode: "card", message: "Back soon" });
  const withSlate = openIngest(next, { tenantId, ingest: { ...ingest, standby } });
  assert.deepEqual(withSlate.next?.ingest?.spec.standby, standby);
  assert.equal(withSlate.generation, 3);
  assert.deepEqual(Object.keys(withSlate.next!.groups), ["a"], "the groups stay");
  const again = openIngest(withSlate.next!, { tenantId, ingest: { ...ingest, standby } });
  assert.equal(again.next, undefined, "the same slate changes nothing");
  const added = addGroups(withSlate.next!, {
    tenantId,
    request: { ...single([copyGroup("b", [])]), ingest: { ...ingest, standby: null } },
  });
  assert.equal(added.next.ingest?.spec.standby, null, "go-live with the slate off");
});
