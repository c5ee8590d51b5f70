import assert from "node:assert/strict";
import {
  codecSentence,
  explainTargetFailure,
  findCodecMismatch,
  slowSentence,
} from "./explain_failure.ts";

Deno.test("explainTargetFailure() names the target and the fix for each failure a streamer meets", () => {
  const cases: [string, string, boolean][] = [
    [
      "refused",
      "RTMP publish to rtmp://h/live/*** failed: Connection refused (os error 111)",
      false,
    ],
    ["dns", "failed: failed to lookup address information: Name or service not known", false],
    ["tls", "failed: invalid peer certificate: UnknownIssuer", false],
    ["tls", "failed: received corrupt message of type InvalidContentType", false],
    ["rejected", "RTMP publish refused by rtmp://h/live/***: NetStream.Publish.BadName", false],
    ["closed", "Connection closed by server", true],
    ["closed", "Connection reset by peer (os error 104)", true],
    [
      "passphrase",
      "SRT destination 127.0.0.1:9000 rejected the passphrase (wrong passphrase)",
      false,
    ],
    ["timeout", "RTMP publish to rtmp://h/live/*** timed out after 10000 ms", false],
  ];
  for (const [kind, raw, dropped] of cases) {
    const explained = explainTargetFailure("YouTube", raw, { dropped });
    assert.equal(explained.kind, kind, raw);
    assert.match(explained.message, /^"YouTube"/, raw);
    assert.equal(explained.cause, raw, "the raw cause is kept as it was");
  }
  assert.match(
    explainTargetFailure("A", "failed: invalid peer certificate: UnknownIssuer").message,
    /^"A": the server's TLS certificate is not trusted \(self-signed/,
  );
  assert.match(
    explainTargetFailure("A", "the TLS handshake with rtmps://h/app/*** got no answer").message,
    /^"A": the secure \(RTMPS\) connection could not be set up/,
  );
  // What the RTMPS client already explained (a private CA, a self-signed certificate) stays.
  const explained = explainTargetFailure(
    "A",
    "RTMP publish to rtmps://h/app/*** failed: TLS refused: the server presents a self-signed " +
      "certificate (a CA certificate used as its own), which is never accepted, even when " +
      "trusted: sign the server's certificate with a private CA and put that CA's PEM file in " +
      "SPIRITSTREAM_CA_FILE (invalid peer certificate: Other(CaUsedAsEndEntity))",
  );
  assert.equal(explained.kind, "tls");
  assert.match(
    explained.message,
    /^"A": the secure \(RTMPS\) connection was refused: .*self-signed/,
  );
  assert.match(explained.message, /SPIRITSTREAM_CA_FILE\.$/);
  const other = explainTargetFailure("Kick", 'Stream key variable "X" of target "Kick" is not set');
  assert.equal(other.kind, "other");
  assert.match(other.message, /^"Kick" cannot stream: Stream key variable "X"/);
});

Deno.test("findCodecMismatch() reads FFmpeg's container refusal; codecSentence() says what to pick", () => {
  const stderr = [
    "x265 [warning]: Source height < 720p; disabling lookahead-slices",
    "[flv @ 0x5564] Video codec hevc not compatible with flv",
    "Could not write header for output file #0 (incorrect codec parameters ?)",
    "encoded 0 frames",
  ];
  const mismatch = findCodecMismatch(stderr);
  assert.deepEqual(mismatch, { codec: "hevc", container: "flv" });
  assert.equal(
    codecSentence("Main", mismatch!),
    '"Main" cannot go live: HEVC cannot go into FLV (RTMP) on this FFmpeg. Choose an H.264 ' +
      "encoder for this output group (Settings → Encoders lists what works).",
  );
  assert.equal(findCodecMismatch(["encoded 0 frames"]), null);
});

Deno.test('explainTargetFailure() reads nginx\'s "Already publishing" as a key still in use, not a refused key', () => {
  const raw =
    "RTMP publish refused by rtmp://h/live/***: NetStream.Publish.BadName (Already publishing)";
  const explained = explainTargetFailure("YouTube", raw);
  assert.equal(explained.kind, "busy");
  assert.match(explained.message, /^"YouTube" still has a stream running with this key/);
  assert.doesNotMatch(explained.message, /refused the stream key/);
  assert.equal(explainTargetFailure("YouTube", "NetStream.Publish.BadName").kind, "rejected");
});

Deno.test("slowSentence() says the target is too slow, with what it takes against the stream", () => {
  assert.equal(
    slowSentence("Kick", { throughputKbps: 980, inputKbps: 4812 }),
    '"Kick" is too slow for this bitrate: it takes 980 kbit/s of the stream\'s 4.8 Mbit/s, so ' +
      "SpiritStream drops video to keep it close to live. Lower the bitrate (an output group " +
      "that re-encodes for this target) or check the upload speed of this network.",
  );
});
