import { type HttpsServer, startHttpsServer } from "@spiritstream/testing";
import { type Harness, startHarness } from "../../testdata/harness.ts";
import { sampleProfile, secret } from "../../testdata/profiles.ts";

// No real YouTube is reachable from here: a local HTTPS server answers with responses recorded
// in the shape the YouTube Data API v3 documents and sends (testdata/youtube/*.json).
const fixture = (name: string) =>
  Deno.readTextFile(new URL(`./youtube/${name}.json`, import.meta.url));

const json = (text: string, status = 200) =>
  new Response(text, { status, headers: { "content-type": "application/json; charset=UTF-8" } });

/** The recorded API: a key or a bearer token, three pages of chat, then the chat ends. */
export async function recordedYouTube(auth: { key?: string; token?: string }) {
  const files = Object.fromEntries(
    await Promise.all(
      ["search_live", "videos_live", "broadcasts_active", "messages_page1", "messages_page2"]
        .concat(["insert", "error_chat_ended", "error_key_invalid"])
        .map(async (name) => [name, await fixture(name)] as const),
    ),
  );
  const state = { inserted: false, ended: false };
  const page1 = JSON.parse(files.messages_page1!);
  const page2 = JSON.parse(files.messages_page2!);
  const server = await startHttpsServer((request) => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/youtube\/v3\//, "");
    const bearer = request.headers.get("authorization");
    if (auth.key && url.searchParams.get("key") !== auth.key) {
      return json(files.error_key_invalid!, 400);
    }
    if (auth.token && bearer !== `Bearer ${auth.token}`) return json("{}", 401);
    if (path === "search") return json(files.search_live!);
    if (path === "videos") return json(files.videos_live!);
    if (path === "liveBroadcasts") return json(files.broadcasts_active!);
    if (path === "liveChat/messages" && request.method === "POST") {
      state.inserted = true;
      return json(files.insert!);
    }
    if (path !== "liveChat/messages") return json("{}", 404);
    const token = url.searchParams.get("pageToken");
    if (token === null) return json(files.messages_page1!);
    if (token === page1.nextPageToken) return json(files.messages_page2!);
    if (token === page2.nextPageToken && !state.inserted) {
      return json(JSON.stringify({ ...page2, items: [] }));
    }
    if (token === page2.nextPageToken) {
      // Our own message comes back in the next page, as YouTube does.
      const own = JSON.parse(files.insert!);
      return json(JSON.stringify({ ...page2, nextPageToken: "END", items: [own] }));
    }
    state.ended = true;
    return json(files.error_chat_ended!, 403);
  });
  return { server, state };
}

/** A profiles service whose chat reaches the recorded API (and an IRC server, if given). */
export async function harnessFor(
  server: HttpsServer,
  extra: { twitchIrcUrl?: string; settings?: Record<string, unknown> } = {},
): Promise<{ h: Harness; client: Deno.HttpClient }> {
  const client = Deno.createHttpClient({ caCerts: [server.caPem] });
  const h = await startHarness("sqlite", {
    chat: {
      endpoints: {
        youtubeApiUrl: `${server.base}/youtube/v3`,
        httpClient: client,
        youtubeMinPollMs: 50,
        youtubeMaxPollMs: 150,
        ...(extra.twitchIrcUrl ? { twitchIrcUrl: extra.twitchIrcUrl } : {}),
      },
    },
  });
  const profile = sampleProfile("YT", { twitch: secret("tw"), youtube: secret("yt"), kick: "k1" });
  profile.settings = {
    chat: { youtubeChannelId: "UCSRxggvSRj0FzcvwZCzbawg", ...extra.settings },
  };
  await h.call("save_profile", { profile });
  await h.call("load_profile", { name: "YT" });
  return { h, client };
}

export function messages(h: Harness) {
  return h.events.filter((e) => e.event === "chat_message")
    .map((e) => e.payload as Record<string, unknown>);
}
