import { signal } from "@preact/signals";
import type { ChatConfig, ChatMessage, ChatPlatformStatus } from "@spiritstream/contracts";
import { invoke } from "../api/client.ts";
import { onEvent, onOpen } from "../api/ws.ts";
import { act } from "./actions.ts";
import { toast } from "./toasts.ts";

/** Messages the feed keeps (the server keeps the session for search and export). */
const KEEP = 500;

/** The merged feed, oldest first. */
export const chatFeed = signal<ChatMessage[]>([]);
/** Each connected (or failed) platform; null until the Chat screen first asks. */
export const chatStatus = signal<ChatPlatformStatus[] | null>(null);

/** Appends a message unless the feed has it already (same platform and id). */
export function appendChat(feed: ChatMessage[], message: ChatMessage): ChatMessage[] {
  if (feed.some((m) => m.id === message.id && m.platform === message.platform)) return feed;
  const next = [...feed, message];
  return next.length > KEEP ? next.slice(next.length - KEEP) : next;
}

/** One more inbound message on `platform`, as the server counts them. */
function countMessage(platform: ChatMessage["platform"]): void {
  const statuses = chatStatus.value;
  if (!statuses) return;
  chatStatus.value = statuses.map((s) =>
    s.platform === platform ? { ...s, messageCount: s.messageCount + 1 } : s
  );
}

export async function refreshChat(): Promise<void> {
  chatStatus.value = await invoke("get_chat_status");
}

/** Follows chat from the events; connection changes refresh the status. */
export function wireChatEvents(): void {
  onEvent("chat_message", (m) => {
    const before = chatFeed.value;
    chatFeed.value = appendChat(before, m);
    if (chatFeed.value !== before && m.direction === "inbound") countMessage(m.platform);
  });
  for (
    const name of [
      "chat_connection_lost",
      "chat_connection_restored",
      "chat_auto_connected",
    ] as const
  ) {
    onEvent(name, () => void refreshChat().catch(() => {}));
  }
  onEvent("chat_auto_disconnected", () => void refreshChat().catch(() => {}));
  onOpen(() => {
    if (chatStatus.value) void refreshChat().catch(() => {});
  });
}

export async function connectChat(config: ChatConfig): Promise<void> {
  await act(`connect ${config.platform} chat`, async () => {
    try {
      await invoke("connect_chat", { config });
    } finally {
      await refreshChat();
    }
  }, { done: `${config.platform === "twitch" ? "Twitch" : "YouTube"} chat connected` });
}

export async function disconnectChat(platform: ChatConfig["platform"]): Promise<void> {
  await act(`disconnect ${platform} chat`, async () => {
    await invoke("disconnect_chat", { platform });
    await refreshChat();
  });
}

/** Sends to every send-enabled platform; true when at least one took it. */
export async function sendChat(message: string): Promise<boolean> {
  const results = await act("send the message", () => invoke("send_chat_message", { message }));
  const failed = results?.filter((r) => !r.success) ?? [];
  if (failed.length > 0) {
    toast(`Not sent to ${failed.map((r) => `${r.platform} (${r.error})`).join(", ")}`, "error");
  }
  return (results?.some((r) => r.success)) ?? false;
}
