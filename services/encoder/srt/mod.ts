/**
 * SRT spoken by the host through libsrt (FFI): callers for SRT targets, a listener for the SRT
 * ingest. FFmpeg only ever sees MPEG-TS on a pipe, so SRT secrets never reach a command line.
 * @module
 */
export { openSrtCaller } from "./srt_caller.ts";
export { openSrtListener, type SrtListenerSpec } from "./srt_listener.ts";
export { SRT_OPTION_NAMES, srtSettings } from "./srt_options.ts";
export { type SendResult, type SrtSetting, SrtSocket } from "./srt_socket.ts";
export { parseSrtUrl, type SrtDestination } from "./srt_url.ts";
export { TsSender } from "./ts_sender.ts";
export { SRTO } from "./libsrt.ts";
