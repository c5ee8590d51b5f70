import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { SRTO } from "./libsrt.ts";
import { srtSettings } from "./srt_options.ts";

function errorOf(query: string): AppError {
  try {
    srtSettings(new URLSearchParams(query), "url");
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  }
  assert.fail(`no error for ${query}`);
}

Deno.test("srtSettings() maps FFmpeg's URL options to socket options in libsrt's units", () => {
  const settings = srtSettings(
    new URLSearchParams(
      "streamid=a%20b/c&passphrase=0123456789ab&pbkeylen=32&latency=200000&connect_timeout=1500" +
        "&maxbw=1000000&tlpktdrop=0&mode=caller&transtype=live",
    ),
    "url",
  );
  assert.deepEqual(settings, [
    { name: "streamid", option: SRTO.STREAMID, value: "a b/c", field: "url" },
    { name: "passphrase", option: SRTO.PASSPHRASE, value: "0123456789ab", field: "url" },
    { name: "pbkeylen", option: SRTO.PBKEYLEN, value: 32, field: "url" },
    { name: "latency", option: SRTO.LATENCY, value: 200, field: "url" },
    { name: "connect_timeout", option: SRTO.CONNTIMEO, value: 1500, field: "url" },
    { name: "maxbw", option: SRTO.MAXBW, value: { int64: 1000000n }, field: "url" },
    { name: "tlpktdrop", option: SRTO.TLPKTDROP, value: false, field: "url" },
  ]);
});

Deno.test("srtSettings() names the field and the option, never a secret value", () => {
  const short = errorOf("passphrase=short99");
  assert.equal(short.code, "invalid_argument");
  assert.equal(
    short.message,
    'Invalid argument "url": SRT option "passphrase" must be 10 to 79 bytes',
  );
  assert.doesNotMatch(short.message, /short99/);
  assert.match(errorOf("pbkeylen=20").message, /"pbkeylen" must be one of 0, 16, 24, 32/);
  assert.match(errorOf("latency=abc").message, /"latency" must be an integer/);
  assert.match(errorOf("tlpktdrop=maybe").message, /"tlpktdrop" must be 0 or 1/);
  assert.match(errorOf("transtype=file").message, /"transtype" must be one of live/);
  const unknown = errorOf("secretive=hunter2hunter2");
  assert.match(
    unknown.message,
    /^Invalid argument "url": SRT option "secretive" is not supported \(supported: .*streamid/,
  );
  assert.doesNotMatch(unknown.message, /hunter2/);
});
