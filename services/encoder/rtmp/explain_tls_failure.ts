/**
 * Why a TLS handshake with an `rtmps://` server was refused, in words a streamer can act on, from
 * the TLS library's reason (rustls: "invalid peer certificate: …"); null when it is not about the
 * certificate.
 */
export function explainTlsFailure(reason: string): string | null {
  if (/CaUsedAsEndEntity/i.test(reason)) {
    return "the server presents a self-signed certificate (a CA certificate used as its own), " +
      "which is never accepted, even when trusted: sign the server's certificate with a private " +
      "CA and put that CA's PEM file in SPIRITSTREAM_CA_FILE";
  }
  if (/UnknownIssuer|unknown ca|self[- ]signed/i.test(reason)) {
    return "the server's certificate is not signed by an authority this computer trusts: for a " +
      "server with a private CA, set SPIRITSTREAM_CA_FILE to that CA's PEM file and restart";
  }
  if (/NotValidForName|not valid for name/i.test(reason)) {
    return "the server's certificate is for another name than the host in the target URL";
  }
  if (/Expired|NotValidYet/i.test(reason)) {
    return "the server's certificate has expired or is not valid yet (check this computer's clock)";
  }
  return null;
}
