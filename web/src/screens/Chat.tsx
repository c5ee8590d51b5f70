import { useEffect, useRef, useState } from "preact/hooks";
import type { ChatMessage, ChatPlatformStatus } from "@spiritstream/contracts";
import { Field } from "../components/Field.tsx";
import { act } from "../state/actions.ts";
import {
  chatFeed,
  chatStatus,
  connectChat,
  disconnectChat,
  refreshChat,
  sendChat,
} from "../state/chat.ts";
import { active } from "../state/profiles.ts";

/** One merged feed of Twitch and YouTube chat, connect/disconnect per platform, a send box. */
export function Chat() {
  useEffect(() => void act("read the chat status", refreshChat), []);
  const statuses = chatStatus.value ?? [];
  return (
    <div class="screen chat-screen">
      <header class="screen-head">
        <h1>Chat</h1>
        <p class="muted">
          Twitch and YouTube chat in one feed. Going live connects the channels your profile names;
          stopping disconnects them.
        </p>
      </header>
      <div class="chat-platforms">
        <TwitchCard status={statuses.find((s) => s.platform === "twitch")} />
        <YouTubeCard status={statuses.find((s) => s.platform === "youtube")} />
      </div>
      <Feed messages={chatFeed.value} />
      <SendBox enabled={statuses.some((s) => s.status === "connected")} />
    </div>
  );
}

function StatusLine(props: { status?: ChatPlatformStatus }) {
  const s = props.status;
  const state = s?.status ?? "disconnected";
  const tone = state === "connected" ? "live" : state === "error" ? "error" : "idle";
  return (
    <p class="chat-status">
      <span class={`badge tone-${tone}`} data-testid="chat-state">
        <span class="dot" /> {state}
      </span>
      {s && <span class="muted">{s.messageCount} message{s.messageCount === 1 ? "" : "s"}</span>}
      {s?.error && <span class="error-text" role="alert">{s.error}</span>}
    </p>
  );
}

function TwitchCard(props: { status?: ChatPlatformStatus }) {
  const [channel, setChannel] = useState(active.value?.settings.chat.twitchChannel ?? "");
  const [token, setToken] = useState("");
  const on = props.status && props.status.status !== "disconnected";
  return (
    <section class="card" aria-labelledby="chat-twitch">
      <h2 id="chat-twitch">Twitch</h2>
      <StatusLine status={props.status} />
      {on
        ? <button type="button" onClick={() => disconnectChat("twitch")}>Disconnect</button>
        : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void connectChat({
                platform: "twitch",
                enabled: true,
                credentials: {
                  type: "twitch",
                  channel: channel.trim(),
                  auth: token.trim() ? { method: "userToken", oauthToken: token.trim() } : null,
                },
              });
            }}
          >
            <Field label="Channel">
              <input value={channel} onInput={(e) => setChannel(e.currentTarget.value)} required />
            </Field>
            <Field label="Chat token (optional)" hint="Without one, chat is read only.">
              <input
                type="password"
                autocomplete="off"
                value={token}
                onInput={(e) => setToken(e.currentTarget.value)}
              />
            </Field>
            <button type="submit" class="primary">Connect Twitch</button>
          </form>
        )}
    </section>
  );
}

function YouTubeCard(props: { status?: ChatPlatformStatus }) {
  const [channelId, setChannelId] = useState(active.value?.settings.chat.youtubeChannelId ?? "");
  const [key, setKey] = useState("");
  const on = props.status && props.status.status !== "disconnected";
  return (
    <section class="card" aria-labelledby="chat-youtube">
      <h2 id="chat-youtube">YouTube</h2>
      <StatusLine status={props.status} />
      {on
        ? <button type="button" onClick={() => disconnectChat("youtube")}>Disconnect</button>
        : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void connectChat({
                platform: "youtube",
                enabled: true,
                credentials: {
                  type: "youtube",
                  channelId: channelId.trim(),
                  auth: key.trim()
                    ? { method: "apiKey", key: key.trim() }
                    : { method: "appOAuth", accessToken: "" },
                },
              });
            }}
          >
            <Field label="Channel id" hint="UC…; the chat of its live broadcast is read.">
              <input value={channelId} onInput={(e) => setChannelId(e.currentTarget.value)} />
            </Field>
            <Field label="API key (optional)" hint="Without one, your Google sign-in is used.">
              <input
                type="password"
                autocomplete="off"
                value={key}
                onInput={(e) => setKey(e.currentTarget.value)}
              />
            </Field>
            <button type="submit" class="primary">Connect YouTube</button>
          </form>
        )}
    </section>
  );
}

function Feed(props: { messages: ChatMessage[] }) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [props.messages.length]);
  return (
    <section class="card chat-feed" aria-labelledby="chat-feed">
      <h2 id="chat-feed">Messages</h2>
      {props.messages.length === 0
        ? <p class="muted">No messages yet.</p>
        : (
          <ol ref={list} class="chat-lines" aria-live="polite">
            {props.messages.map((m) => (
              <li key={`${m.platform}:${m.id}`} class={`chat-line ${m.direction}`}>
                <span class={`badge chat-${m.platform}`}>{m.platform}</span>{" "}
                <strong style={m.color ? { color: m.color } : undefined}>{m.username}</strong>
                {": "}
                <span class="chat-text">{m.message}</span>
              </li>
            ))}
          </ol>
        )}
    </section>
  );
}

function SendBox(props: { enabled: boolean }) {
  const [text, setText] = useState("");
  return (
    <form
      class="card chat-send"
      onSubmit={async (e) => {
        e.preventDefault();
        if (text.trim() && await sendChat(text.trim())) setText("");
      }}
    >
      <Field label="Chat message" wide>
        <input
          value={text}
          maxLength={500}
          disabled={!props.enabled}
          onInput={(e) => setText(e.currentTarget.value)}
          placeholder={props.enabled ? "Say something to every chat" : "Connect a chat first"}
        />
      </Field>
      <button type="submit" class="primary" disabled={!props.enabled || !text.trim()}>Send</button>
    </form>
  );
}
