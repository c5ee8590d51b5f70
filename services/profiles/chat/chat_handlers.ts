import {
  AppError,
  type ChatLogStatus,
  type ChatMessage,
  type ChatPlatformStatus,
  type ChatSendResult,
} from "@spiritstream/contracts";
import type { HandlerOf } from "../handler_context.ts";
import type { ChatControl } from "./chat_control.ts";
import { unsupportedPlatform } from "./unsupported_platforms.ts";

/** The unified chat commands (§1.3.9). */
export interface ChatHandlers {
  connect_chat: HandlerOf<"connect_chat", null>;
  send_chat_message: HandlerOf<"send_chat_message", ChatSendResult[]>;
  chat_export_log: HandlerOf<"chat_export_log", null>;
  chat_search_session: HandlerOf<"chat_search_session", ChatMessage[]>;
  disconnect_chat: HandlerOf<"disconnect_chat", null>;
  retry_chat_connection: HandlerOf<"retry_chat_connection", null>;
  disconnect_all_chat: HandlerOf<"disconnect_all_chat", null>;
  get_chat_status: HandlerOf<"get_chat_status", ChatPlatformStatus[]>;
  chat_get_log_status: HandlerOf<"chat_get_log_status", ChatLogStatus>;
  get_platform_chat_status: HandlerOf<"get_platform_chat_status", ChatPlatformStatus | null>;
  is_chat_connected: HandlerOf<"is_chat_connected", boolean>;
}

/** Creates the chat command handlers over every tenant's chat. */
export function createChatHandlers(control: ChatControl): ChatHandlers {
  const hub = (tenantId: string) => control.hub(tenantId);
  return {
    async connect_chat(args, meta) {
      if (!args.config.enabled) {
        throw new AppError(
          "invalid_argument",
          'Invalid argument "config.enabled": must be true to connect',
        );
      }
      await hub(meta.tenantId).connect(args.config);
      return null;
    },

    send_chat_message: (args, meta) => hub(meta.tenantId).send(args.message),

    async chat_export_log(args, meta) {
      await hub(meta.tenantId).sessionLog.export(args.path, meta);
      return null;
    },

    chat_search_session: (args, meta) =>
      Promise.resolve(hub(meta.tenantId).sessionLog.search(args.query, args.limit)),

    async disconnect_chat(args, meta) {
      await hub(meta.tenantId).disconnect(args.platform);
      return null;
    },

    async retry_chat_connection(args, meta) {
      const refused = unsupportedPlatform(args.platform);
      if (refused) throw refused;
      if (!control.streaming(meta.tenantId)) {
        throw new AppError(
          "failed_precondition",
          "No stream is active: chat connections are retried only while streaming (connect instead)",
        );
      }
      await hub(meta.tenantId).reconnect(args.platform);
      return null;
    },

    async disconnect_all_chat(_args, meta) {
      await hub(meta.tenantId).disconnectAll();
      return null;
    },

    get_chat_status: (_args, meta) => Promise.resolve(hub(meta.tenantId).statuses()),
    chat_get_log_status: (_args, meta) => Promise.resolve(hub(meta.tenantId).sessionLog.status()),
    get_platform_chat_status: (args, meta) =>
      Promise.resolve(hub(meta.tenantId).status(args.platform)),
    is_chat_connected: (_args, meta) => Promise.resolve(hub(meta.tenantId).connected()),
  };
}
