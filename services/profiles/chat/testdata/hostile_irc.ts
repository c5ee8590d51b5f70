import { freePort } from "@spiritstream/testing";

/** One client of a {@linkcode HostileIrc}: what it sent, and a raw way to answer. */
export interface HostileClient {
  /** The lines the client sent so far (without CR LF). */
  readonly lines: string[];
  /** Writes raw text (add "\r\n" yourself: a hostile server may not). */
  write(text: string): Promise<void>;
}

/**
 * A hostile IRC server on loopback for tests: a real TCP listener that runs `script` on each
 * line a client sends, so a test decides what a broken or malicious server answers (a PASS
 * echoed back, 8 KiB tags, NUL bytes, a line that never ends).
 */
export class HostileIrc {
  readonly port: number;
  readonly clients: HostileClient[] = [];
  #listener: Deno.Listener;
  #conns: Deno.Conn[] = [];
  #accepting: Promise<void>;

  private constructor(script: (line: string, client: HostileClient) => void | Promise<void>) {
    this.port = freePort();
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: this.port });
    this.#accepting = this.#accept(script);
  }

  static start(script: (line: string, client: HostileClient) => void | Promise<void>): HostileIrc {
    return new HostileIrc(script);
  }

  async close(): Promise<void> {
    this.#listener.close();
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch {
        // closed by the client
      }
    }
    await this.#accepting.catch(() => {});
  }

  async #accept(script: (line: string, client: HostileClient) => void | Promise<void>) {
    for await (const conn of this.#listener) {
      this.#conns.push(conn);
      void this.#serve(conn, script).catch(() => {});
    }
  }

  async #serve(
    conn: Deno.Conn,
    script: (line: string, client: HostileClient) => void | Promise<void>,
  ) {
    const encoder = new TextEncoder();
    const client: HostileClient = {
      lines: [],
      async write(text) {
        const bytes = encoder.encode(text);
        let done = 0;
        while (done < bytes.length) done += await conn.write(bytes.subarray(done));
      },
    };
    this.clients.push(client);
    let buffer = "";
    for await (const chunk of conn.readable.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, "");
        buffer = buffer.slice(end + 1);
        client.lines.push(line);
        await script(line, client);
      }
    }
  }
}

/** Answers a registering client as a server would: 001 after USER, its JOIN echoed. */
export async function welcome(line: string, client: HostileClient): Promise<boolean> {
  const nick = client.lines.find((l) => l.startsWith("NICK "))?.slice(5) ?? "someone";
  if (line.startsWith("USER ")) await client.write(`:srv 001 ${nick} :welcome\r\n`);
  else if (line.startsWith("JOIN ")) await client.write(`:${nick}!u@h ${line}\r\n`);
  else return false;
  return true;
}
