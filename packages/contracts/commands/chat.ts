import { z } from "zod";
import { defineCommand } from "../command.ts";
import {
  ChatConfig,
  ChatLogStatus,
  ChatMessage,
  ChatPlatform,
  ChatPlatformStatus,
  ChatSendResult,
} from "../integration_types.ts";
import { nullishDefault } from "../nullish_default.ts";

const base = { group: "chat", service: "profiles" } as const;
const none = z.object({});
const platform = z.object({ platform: ChatPlatform });

/** Unified chat commands (SpiritStream §1.3.9). */
export const CHAT_COMMANDS = {
  connect_chat: defineCommand({
    ...base,
    name: "connect_chat",
    summary: "Connects to one platform's chat.",
    permission: "operate",
    args: z.object({ config: ChatConfig }),
    result: z.null(),
  }),
  send_chat_message: defineCommand({
    ...base,
    name: "send_chat_message",
    summary: "Sends a message to every send-enabled chat platform.",
    permission: "operate",
    args: z.object({ message: z.string().min(1, { message: "message must not be empty" }) }),
    result: z.array(ChatSendResult),
  }),
  chat_export_log: defineCommand({
    ...base,
    name: "chat_export_log",
    summary: "Writes this session's chat messages (JSONL) to a file on the host.",
    permission: "admin",
    args: z.object({ path: z.string().min(1) }),
    result: z.null(),
  }),
  chat_search_session: defineCommand({
    ...base,
    name: "chat_search_session",
    summary: "Searches this session's chat by username or text.",
    permission: "read",
    args: z.object({
      query: z.string(),
      limit: nullishDefault(z.number().int().min(1).max(5000), 500),
    }),
    result: z.array(ChatMessage),
  }),
  disconnect_chat: defineCommand({
    ...base,
    name: "disconnect_chat",
    summary: "Disconnects one platform's chat.",
    permission: "operate",
    args: platform,
    result: z.null(),
  }),
  retry_chat_connection: defineCommand({
    ...base,
    name: "retry_chat_connection",
    summary: "Reconnects one platform's chat while streaming.",
    permission: "operate",
    args: platform,
    result: z.null(),
  }),
  disconnect_all_chat: defineCommand({
    ...base,
    name: "disconnect_all_chat",
    summary: "Disconnects every chat.",
    permission: "operate",
    args: none,
    result: z.null(),
  }),
  get_chat_status: defineCommand({
    ...base,
    name: "get_chat_status",
    summary: "Returns every chat connection's status.",
    permission: "read",
    quiet: true,
    args: none,
    result: z.array(ChatPlatformStatus),
  }),
  chat_get_log_status: defineCommand({
    ...base,
    name: "chat_get_log_status",
    summary: "Tells whether a chat log session is running.",
    permission: "read",
    args: none,
    result: ChatLogStatus,
  }),
  get_platform_chat_status: defineCommand({
    ...base,
    name: "get_platform_chat_status",
    summary: "Returns one platform's chat status, or null.",
    permission: "read",
    quiet: true,
    args: platform,
    result: ChatPlatformStatus.nullable(),
  }),
  is_chat_connected: defineCommand({
    ...base,
    name: "is_chat_connected",
    summary: "Tells whether any chat is connected.",
    permission: "read",
    quiet: true,
    args: none,
    result: z.boolean(),
  }),
};
