import assert from "node:assert/strict";
import { keptRealTime, parseStreamClocks, type StreamClock } from "./real_time.ts";

const XML = `<rtmp><server><application><name>live</name><live>
<stream>
<name>s1</name>
<time>7765</time><bw_in>0</bw_in>
<bytes_in>4878791</bytes_in>
<client><id>2</id><address>127.0.0.1</address><time>7938</time><flashver>FMLE/3.0</flashver><dropped>0</dropped><avsync>-10</avsync><timestamp>7800</timestamp><publishing/><active/></client>
<client><id>5</id><address>127.0.0.1</address><time>7000</time><flashver>ngx-local-relay</flashver><dropped>4</dropped><timestamp>7790</timestamp><active/></client>
<meta><video><width>1280</width></video></meta>
<nclients>2</nclients>
<publishing/>
<active/>
</stream>
<stream>
<name>idle</name>
<time>100</time><bytes_in>10</bytes_in>
<nclients>0</nclients>
</stream>
</live></application></server></rtmp>`;

Deno.test("parseStreamClocks() reads the publisher's media clock, bytes and the relays' drops", () => {
  const clocks = parseStreamClocks(XML);
  assert.deepEqual(clocks.get("s1"), {
    name: "s1",
    publishing: true,
    mediaMs: 7800,
    bytesIn: 4878791,
    droppedByRelay: 4,
  });
  assert.deepEqual(clocks.get("idle"), {
    name: "idle",
    publishing: false,
    mediaMs: 0,
    bytesIn: 10,
    droppedByRelay: 0,
  });
});

const at = (mediaMs: number, publishing = true): StreamClock => ({
  name: "s",
  publishing,
  mediaMs,
  bytesIn: 0,
  droppedByRelay: 0,
});

Deno.test("keptRealTime(): media time ≥ 97 % of wall time, no drop, no reconnect", () => {
  const base = { wallMs: 10_000, droppedFrames: 0, reconnects: 0 };
  assert.equal(keptRealTime({ ...base, before: at(1000), after: at(11_000) }).ok, true);
  assert.equal(keptRealTime({ ...base, before: at(1000), after: at(10_700) }).ok, true);
  const behind = keptRealTime({ ...base, before: at(1000), after: at(10_000) });
  assert.equal(behind.ok, false);
  assert.equal(behind.ratio, 0.9);
  assert.match(behind.reason, /media advanced 90\.0 % of wall time/);
  assert.match(
    keptRealTime({ ...base, before: at(0), after: at(10_000), droppedFrames: 2 }).reason,
    /2 frame\(s\) dropped/,
  );
  assert.match(
    keptRealTime({ ...base, before: at(0), after: at(10_000), reconnects: 1 }).reason,
    /1 reconnect/,
  );
  // Gone, or restarted from 0 (a new session): not real time.
  assert.equal(keptRealTime({ ...base, before: at(0), after: undefined }).ok, false);
  assert.equal(keptRealTime({ ...base, before: at(0), after: at(10_000, false) }).ok, false);
  assert.equal(keptRealTime({ ...base, before: at(50_000), after: at(3000) }).ratio, 0);
  // A stricter threshold is the caller's choice.
  assert.equal(
    keptRealTime({ ...base, before: at(0), after: at(9800) }, 0.99).ok,
    false,
  );
});
