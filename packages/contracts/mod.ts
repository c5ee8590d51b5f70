/**
 * The wire contract of SpiritStream (Deno edition): errors, the invoke envelope, command
 * catalogue, event catalogue, bus messages and subjects, data types, and the OpenAPI document.
 * @module
 */
export * from "./errors.ts";
export * from "./envelope.ts";
export * from "./command.ts";
export * from "./bus_messages.ts";
export * from "./subjects.ts";
export * from "./auth_protocol.ts";
export * from "./types.ts";
export * from "./events.ts";
export * from "./catalogue.ts";
export * from "./json_schema.ts";
export * from "./openapi.ts";
export * from "./internal.ts";
export * from "./platforms.ts";
