/** One IRC line, parsed (IRCv3 message tags included). */
export interface IrcMessage {
  /** Tag name → unescaped value ("" for a tag without a value). */
  tags: Record<string, string>;
  /** `nick!user@host` or a server name; null when the line has no prefix. */
  prefix: string | null;
  /** Upper-case command or three-digit numeric. */
  command: string;
  params: string[];
}

/** The longest line accepted (IRCv3: 8191 bytes of tags + 512 of message). */
export const MAX_IRC_LINE = 8191 + 512;

const TAG_ESCAPES: Record<string, string> = { ":": ";", s: " ", "\\": "\\", r: "\r", n: "\n" };

/** Parses one line (without its CR LF); null for an empty or malformed line. */
export function parseIrcLine(line: string): IrcMessage | null {
  let rest = line.replace(/\r?\n$/, "");
  if (rest.length === 0 || rest.length > MAX_IRC_LINE) return null;
  let tags: Record<string, string> = {};
  if (rest.startsWith("@")) {
    const end = rest.indexOf(" ");
    if (end < 0) return null;
    tags = parseTags(rest.slice(1, end));
    rest = rest.slice(end + 1).trimStart();
  }
  let prefix: string | null = null;
  if (rest.startsWith(":")) {
    const end = rest.indexOf(" ");
    if (end < 0) return null;
    prefix = rest.slice(1, end);
    rest = rest.slice(end + 1).trimStart();
  }
  const params: string[] = [];
  while (rest.length > 0) {
    if (rest.startsWith(":")) {
      params.push(rest.slice(1));
      break;
    }
    const end = rest.indexOf(" ");
    params.push(end < 0 ? rest : rest.slice(0, end));
    rest = end < 0 ? "" : rest.slice(end + 1).trimStart();
  }
  const command = params.shift()?.toUpperCase();
  if (!command || !/^([A-Z]+|\d{3})$/.test(command)) return null;
  return { tags, prefix, command, params };
}

function parseTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of text.split(";")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    tags[name] = eq < 0 ? "" : unescapeTag(part.slice(eq + 1));
  }
  return tags;
}

/** IRCv3 tag-value unescaping (`\s` space, `\:` semicolon, …; a lone `\` is dropped). */
export function unescapeTag(value: string): string {
  return value.replace(/\\(.?)/g, (_all, c: string) => TAG_ESCAPES[c] ?? c);
}

/** The nick of a `nick!user@host` prefix. */
export function nickOf(prefix: string | null): string {
  if (!prefix) return "";
  const bang = prefix.indexOf("!");
  return bang < 0 ? prefix : prefix.slice(0, bang);
}

/**
 * One outgoing line. Every parameter is checked: no CR, LF or NUL anywhere (a chat message
 * must never smuggle a second command), and only the last may contain spaces or start with ":".
 */
export function formatIrcLine(command: string, params: string[] = []): string {
  const all = [command, ...params];
  for (const [i, param] of all.entries()) {
    if (/[\r\n\0]/.test(param)) throw new Error("IRC parameters must not contain CR, LF or NUL");
    const last = i === all.length - 1 && i > 0;
    if (!last && (param === "" || param.includes(" ") || param.startsWith(":"))) {
      throw new Error("Only the last IRC parameter may be empty, hold spaces or start with ':'");
    }
  }
  const last = all.length > 1 ? all.pop()! : null;
  const needsColon = last !== null && (last === "" || last.includes(" ") || last.startsWith(":"));
  return [...all, ...(last === null ? [] : [needsColon ? `:${last}` : last])].join(" ");
}
