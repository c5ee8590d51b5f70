import { freePort } from "./free_port.ts";
import { requireBinary } from "./require_binary.ts";
import { stopProcess } from "./stop_process.ts";
import { waitFor } from "./wait_for.ts";

/** A real IRC server (InspIRCd 3, IRCv3 message tags) on loopback, in a temp dir. */
export interface Inspircd {
  /** Open to anyone (anonymous readers). */
  readonly port: number;
  /** Only with `PASS <password>` (the `password` option); null without one. */
  readonly passwordPort: number | null;
  /** Stops the server and starts it again on the same ports (clients see the link drop). */
  restart(): Promise<void>;
  /** Freezes the server (SIGSTOP): links stay open but nothing answers, until `resume()`. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Options for {@linkcode startInspircd}. */
export interface InspircdOptions {
  /** Adds a second port that admits only clients sending this `PASS`. */
  password?: string;
  /** How often the server PINGs each client (one unanswered PING drops it). @default 120 */
  pingFreqSecs?: number;
}

/**
 * Starts InspIRCd (Debian's `inspircd`) with the IRCv3 modules a Twitch-style client uses:
 * `cap`, `ircv3` (message-tags via `ircv3_ctctags`), `ircv3_msgid` (a `msgid` tag on every
 * message) and `ircv3_servertime` (a `time` tag). It sends none of Twitch's own tags (badges,
 * color, display-name, tmi-sent-ts, user-id) nor Twitch's commands (ROOMSTATE, USERNOTICE,
 * CLEARCHAT, RECONNECT).
 */
export async function startInspircd(options: InspircdOptions = {}): Promise<Inspircd> {
  const binary = requireBinary("inspircd");
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-inspircd-" });
  const port = freePort();
  const passwordPort = options.password ? freePort() : null;
  await Deno.writeTextFile(`${dir}/motd.txt`, "test server\n");
  await Deno.writeTextFile(`${dir}/inspircd.conf`, config(dir, port, passwordPort, options));
  let child: Deno.ChildProcess | null = null;
  const start = async () => {
    child = new Deno.Command(binary, {
      args: ["--config", `${dir}/inspircd.conf`, "--nofork", "--nopid", "--runasroot"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitFor(() => listening(port), { timeoutMs: 15_000, what: "inspircd listening" });
  };
  await start();
  const stop = async () => {
    if (child) await stopProcess(child);
    child = null;
  };
  return {
    port,
    passwordPort,
    async restart() {
      await stop();
      await start();
    },
    pause: () => child && Deno.kill(child.pid, "SIGSTOP"),
    resume: () => child && Deno.kill(child.pid, "SIGCONT"),
    async stop() {
      await stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

async function listening(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

function config(
  dir: string,
  port: number,
  passwordPort: number | null,
  options: InspircdOptions,
): string {
  const limits = `timeout="20" pingfreq="${options.pingFreqSecs ?? 120}" ` +
    'hardsendq="1048576" softsendq="65536" ' +
    'recvq="65536" localmax="100" globalmax="100" threshold="1000" commandrate="100000" ' +
    'fakelag="no" resolvehostnames="no" useident="no"';
  const guarded = passwordPort === null ? "" : `
<bind address="127.0.0.1" port="${passwordPort}" type="clients">
<connect name="token" allow="*" port="${passwordPort}" password="${options.password}" ${limits}>`;
  return `<config format="xml">
<server name="irc.test.local" description="SpiritStream test IRC" network="TestNet">
<admin name="test" nick="test" email="test@localhost">
<bind address="127.0.0.1" port="${port}" type="clients">
<connect name="open" allow="*" port="${port}" ${limits}>${guarded}
<files motd="${dir}/motd.txt">
<dns timeout="1">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="${dir}/ircd.log">
<options prefixquit="Quit: " syntaxhints="no" defaultmodes="nt">
<security hideserver="" userstats="Pu" maxtargets="20">
<performance softlimit="1024" somaxconn="128" netbuffersize="10240">
<channels users="50" opers="60">
<module name="cap">
<module name="ircv3">
<module name="ircv3_ctctags">
<module name="ircv3_msgid">
<module name="ircv3_servertime">
`;
}
