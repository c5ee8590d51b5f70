import { type IrcMessage, parseIrcLine } from "../irc_message.ts";

/** A bare IRC client for tests: the "other viewer" in a channel. */
export class IrcClient {
  #conn: Deno.Conn;
  #lines: IrcMessage[] = [];
  #reading: Promise<void>;

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.#reading = this.#read();
  }

  /** Connects, registers as `nick` (asking for message-tags) and joins `channel`. */
  static async join(port: number, nick: string, channel: string): Promise<IrcClient> {
    const client = new IrcClient(await Deno.connect({ hostname: "127.0.0.1", port }));
    await client.send("CAP REQ :message-tags server-time");
    await client.send(`NICK ${nick}`);
    await client.send(`USER ${nick} 0 * :${nick}`);
    await client.send("CAP END");
    await client.waitFor((line) => line.command === "001");
    await client.send(`JOIN ${channel}`);
    await client.waitFor((line) => line.command === "366");
    return client;
  }

  get lines(): IrcMessage[] {
    return this.#lines;
  }

  async send(line: string): Promise<void> {
    const bytes = new TextEncoder().encode(`${line}\r\n`);
    let done = 0;
    while (done < bytes.length) done += await this.#conn.write(bytes.subarray(done));
  }

  async waitFor(match: (line: IrcMessage) => boolean, timeoutMs = 10_000): Promise<IrcMessage> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.#lines.find(match);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error("IRC line did not arrive in time");
  }

  async close(): Promise<void> {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    await this.#reading;
  }

  async #read(): Promise<void> {
    let buffer = "";
    try {
      for await (const chunk of this.#conn.readable.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf("\n")) >= 0) {
          const line = parseIrcLine(buffer.slice(0, end).replace(/\r$/, ""));
          buffer = buffer.slice(end + 1);
          if (line?.command === "PING") await this.send(`PONG :${line.params[0] ?? ""}`);
          if (line) this.#lines.push(line);
        }
      }
    } catch {
      // closed
    }
  }
}
