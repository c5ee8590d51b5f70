import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { startNginxRtmp, startTlsFront } from "@spiritstream/testing";
import { explainTlsFailure } from "./explain_tls_failure.ts";
import { connectPublisher } from "./rtmp_publisher.ts";
import { captureLogger } from "../testdata/capture_logger.ts";

Deno.test("explainTlsFailure() turns certificate refusals into what to do, and leaves the rest", () => {
  assert.match(
    explainTlsFailure("invalid peer certificate: UnknownIssuer") ?? "",
    /not signed by an authority this computer trusts: .* set SPIRITSTREAM_CA_FILE/,
  );
  assert.match(
    explainTlsFailure("invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))") ?? "",
    /self-signed certificate .* never accepted/,
  );
  assert.match(
    explainTlsFailure("invalid peer certificate: NotValidForName") ?? "",
    /another name/,
  );
  assert.equal(explainTlsFailure("Connection refused (os error 111)"), null);
});

Deno.test("connectPublisher() to rtmps:// with a private CA: refused untrusted, naming SPIRITSTREAM_CA_FILE; live with caCerts", async () => {
  const nginx = await startNginxRtmp({ apps: 1 });
  const front = await startTlsFront(nginx.ports[0]!, { signing: "private-ca" });
  const key = "private_ca_stream_key_123";
  const url = `rtmps://localhost:${front.port}/live/${key}`;
  try {
    const { logger } = captureLogger();
    await assert.rejects(connectPublisher(url, { logger, timeoutMs: 5000 }), (error) => {
      assert.ok(error instanceof AppError);
      assert.match(error.message, /failed: TLS refused: the server's certificate is not signed/);
      assert.match(error.message, /SPIRITSTREAM_CA_FILE/);
      assert.match(error.message, /\(invalid peer certificate: UnknownIssuer\)$/);
      assert.doesNotMatch(error.message, new RegExp(key));
      return true;
    });
    const publisher = await connectPublisher(url, {
      logger,
      timeoutMs: 5000,
      caCerts: [front.trust],
    });
    await publisher.close();
  } finally {
    await front.close();
    await nginx.stop();
  }
});
