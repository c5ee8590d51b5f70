import assert from "node:assert/strict";
import {
  AppError,
  COMMANDS,
  LOCAL_TENANT,
  type RequestMeta,
  type ThemeSummary,
} from "@spiritstream/contracts";
import { callCommand, createMemoryBus, hostService } from "@spiritstream/bus";
import { createLogger } from "@spiritstream/kit";
import { waitFor } from "@spiritstream/testing";
import { join } from "node:path";
import { BUILTIN_THEMES } from "./builtin_themes.ts";
import { sampleJsonc, sampleTheme } from "./testdata/sample_theme.ts";
import { createThemeService, type ThemeService } from "./theme_service.ts";
import { REQUIRED_TOKENS } from "./tokens.ts";

const DEBOUNCE_MS = 300;
const meta: RequestMeta = {
  requestId: "r1",
  tenantId: LOCAL_TENANT,
  userId: null,
  role: "admin",
  ip: null,
};

interface Harness {
  data: string;
  home: string;
  outside: string;
  service: ThemeService;
  events: ThemeSummary[][];
}

async function withService(fn: (h: Harness) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "themes_service_" });
  const [data, home, outside] = ["data", "home", "outside"].map((d) => join(root, d)) as [
    string,
    string,
    string,
  ];
  for (const dir of [data, home, outside]) await Deno.mkdir(dir);
  const events: ThemeSummary[][] = [];
  const service = await createThemeService({
    dataDir: data,
    homeDir: home,
    emit: (summaries) => void events.push(summaries),
    logger: createLogger({ destination: { write() {} } }),
    debounceMs: DEBOUNCE_MS,
  });
  try {
    await fn({ data, home, outside, service, events });
  } finally {
    await service.close();
    await Deno.remove(root, { recursive: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function installRejects(
  h: Harness,
  themePath: string,
  expected: { code: string; message: string },
): Promise<void> {
  await assert.rejects(h.service.handlers.install_theme({ themePath }, meta), (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.deepEqual({ code: error.code, message: error.message }, expected);
    return true;
  });
}

Deno.test("createThemeService() lists the built-ins first with complete tokens", async () => {
  await withService(async ({ data, service }) => {
    assert.equal((await Deno.stat(join(data, "themes"))).isDirectory, true);
    const list = await service.handlers.list_themes({}, meta);
    assert.deepEqual(
      list,
      BUILTIN_THEMES.map(({ id, name, mode }) => ({ id, name, mode, source: "builtin" })),
    );
    assert.deepEqual(list.slice(0, 2).map((t) => [t.id, t.mode]), [
      ["spirit-dark", "dark"],
      ["spirit-light", "light"],
    ]);
    for (const { id } of list) {
      const tokens = await service.handlers.get_theme_tokens({ themeId: id }, meta);
      for (const token of REQUIRED_TOKENS) assert.ok(tokens[token], `${id} ${token}`);
    }
  });
});

Deno.test("get_theme_tokens answers not_found for an unknown theme", async () => {
  await withService(async ({ service }) => {
    await assert.rejects(
      service.handlers.get_theme_tokens({ themeId: "nope" }, meta),
      (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, "not_found");
        assert.equal(error.message, "Theme not found: nope");
        return true;
      },
    );
  });
});

Deno.test("install_theme installs a commented .jsonc as a custom theme", async () => {
  await withService(async (h) => {
    const source = join(h.home, "Downloads", "ocean.jsonc");
    await Deno.mkdir(join(h.home, "Downloads"));
    await Deno.writeTextFile(source, `\uFEFF${sampleJsonc()}`);
    const summary = await h.service.handlers.install_theme({ themePath: source }, meta);
    assert.deepEqual(summary, { id: "ocean", name: "Ocean", mode: "dark", source: "custom" });
    const installed = await Deno.readTextFile(join(h.data, "themes", "ocean.jsonc"));
    assert.equal(installed, sampleJsonc());
    const mode = async (path: string) => (await Deno.stat(path)).mode! & 0o777;
    assert.equal(await mode(join(h.data, "themes")), 0o700, "the data dir's themes: owner only");
    assert.equal(await mode(join(h.data, "themes", "ocean.jsonc")), 0o600);
    const list = await h.service.handlers.list_themes({}, meta);
    assert.deepEqual(list.at(-1), summary);
    assert.deepEqual(list.slice(0, BUILTIN_THEMES.length).map((t) => t.source), [
      ...BUILTIN_THEMES.map(() => "builtin"),
    ]);
    const tokens = await h.service.handlers.get_theme_tokens({ themeId: "ocean" }, meta);
    assert.deepEqual(tokens, sampleTheme().tokens);
    // The folder changed, so clients hear about it.
    await waitFor(() => h.events.at(-1)?.some((t) => t.id === "ocean"), { what: "themes_updated" });
  });
});

Deno.test("install_theme rejects invalid themes naming the rule", async () => {
  await withService(async (h) => {
    const write = async (name: string, text: string) => {
      const path = join(h.home, name);
      await Deno.writeTextFile(path, text);
      return path;
    };
    const theme = sampleTheme();
    const { "--focus-ring": _, ...missing } = theme.tokens;
    const invalid = (message: string) => ({ code: "invalid_argument", message });
    await installRejects(
      h,
      await write("missing.json", JSON.stringify({ ...theme, tokens: missing })),
      invalid('Invalid theme "tokens.--focus-ring": is required'),
    );
    await installRejects(
      h,
      await write("bad-id.json", JSON.stringify({ ...theme, id: "Bad Id" })),
      invalid(
        'Invalid theme "id": must be 1-64 lowercase letters, digits, "-" or "_", starting with a letter or digit',
      ),
    );
    const script = { ...theme, tokens: { ...theme.tokens, "--accent": "</style><script>x()" } };
    await installRejects(
      h,
      await write("script.json", JSON.stringify(script)),
      invalid('Invalid theme "tokens.--accent": must not contain </style> or <script'),
    );
    await installRejects(
      h,
      await write("theme.css", sampleJsonc()),
      invalid('Invalid argument "themePath": must end in .json or .jsonc'),
    );
    await installRejects(
      h,
      "../../etc/passwd",
      invalid('Invalid argument "themePath": must not contain ".."'),
    );
    const foreign = join(h.outside, "foreign.json");
    await Deno.writeTextFile(foreign, sampleJsonc());
    const outside = invalid(
      'Invalid argument "themePath": must be inside the data directory or the home directory',
    );
    await installRejects(h, foreign, outside);
    await Deno.symlink(foreign, join(h.home, "escape.json"));
    await installRejects(h, join(h.home, "escape.json"), outside);
    await installRejects(h, await write("builtin.json", sampleJsonc(sampleTheme("spirit-dark"))), {
      code: "conflict",
      message: 'Invalid theme "id": must not be a built-in theme id (spirit-dark)',
    });
    const list = await h.service.handlers.list_themes({}, meta);
    assert.equal(list.length, BUILTIN_THEMES.length);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(join(h.data, "themes"))), []);
  });
});

Deno.test("themes_updated fires once with both themes after two quick writes", async () => {
  await withService(async (h) => {
    const dir = join(h.data, "themes");
    await Deno.writeTextFile(join(dir, "rain.jsonc"), sampleJsonc(sampleTheme("rain", "Rain")));
    await Deno.writeTextFile(join(dir, "sand.json"), JSON.stringify(sampleTheme("sand", "Sand")));
    await waitFor(() => h.events.length >= 1, { what: "themes_updated" });
    await sleep(DEBOUNCE_MS * 3);
    assert.equal(h.events.length, 1);
    const custom = h.events[0]!.filter((t) => t.source === "custom").map((t) => t.id);
    assert.deepEqual(custom, ["rain", "sand"]);
    assert.deepEqual(h.events[0], await h.service.handlers.list_themes({}, meta));
    // Removing one is a change too; refresh_themes agrees with the event.
    await Deno.remove(join(dir, "rain.jsonc"));
    await waitFor(() => h.events.length >= 2, { what: "the second themes_updated" });
    assert.deepEqual(h.events[1], await h.service.handlers.refresh_themes({}, meta));
    assert.equal(h.events[1]!.some((t) => t.id === "rain"), false);
  });
});

Deno.test("close() stops the watcher: later writes emit nothing", async () => {
  await withService(async (h) => {
    await h.service.close();
    await Deno.writeTextFile(
      join(h.data, "themes", "late.json"),
      JSON.stringify(sampleTheme("late")),
    );
    await sleep(DEBOUNCE_MS * 3);
    assert.deepEqual(h.events, []);
  });
});

Deno.test("the handlers serve the theme commands through hostService", async () => {
  await withService(async ({ service }) => {
    const bus = createMemoryBus();
    const logger = createLogger({ destination: { write() {} } });
    const hosted = hostService(bus, "profiles", {
      catalogue: COMMANDS,
      handlers: service.handlers,
      logger,
    });
    try {
      await hosted.ready;
      const list = await callCommand(bus, COMMANDS.list_themes, { meta, args: {} });
      assert.equal(list[0]?.id, "spirit-dark");
      const tokens = await callCommand(bus, COMMANDS.get_theme_tokens, {
        meta,
        args: { themeId: "spirit-light" },
      });
      assert.equal(tokens["--bg-surface"], "#ffffff");
      await assert.rejects(
        callCommand(bus, COMMANDS.get_theme_tokens, { meta, args: { themeId: "gone" } }),
        (error: unknown) => error instanceof AppError && error.code === "not_found",
      );
    } finally {
      await hosted.close();
      await bus.close();
    }
  });
});
