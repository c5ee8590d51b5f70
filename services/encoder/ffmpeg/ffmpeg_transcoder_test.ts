import { mediaAdapters } from "../adapters.ts";
import { transcoderContract } from "../testdata/transcoder_contract.ts";

transcoderContract({ name: "FfmpegTranscoder", adapter: mediaAdapters().transcoder });
