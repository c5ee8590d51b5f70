/** RTMP message type ids (RTMP 1.0 spec §5.4, §7.1). */
export const MessageType = {
  SetChunkSize: 1,
  Abort: 2,
  Acknowledgement: 3,
  UserControl: 4,
  WindowAckSize: 5,
  SetPeerBandwidth: 6,
  Audio: 8,
  Video: 9,
  DataAmf3: 15,
  CommandAmf3: 17,
  DataAmf0: 18,
  CommandAmf0: 20,
  Aggregate: 22,
} as const;

/** User control event types carried in message type 4. */
export const UserControlEvent = {
  StreamBegin: 0,
  StreamEof: 1,
  StreamDry: 2,
  SetBufferLength: 3,
  StreamIsRecorded: 4,
  PingRequest: 6,
  PingResponse: 7,
} as const;

/** One reassembled RTMP message. */
export interface RtmpMessage {
  typeId: number;
  /** Message stream id (0 for protocol control and NetConnection commands). */
  streamId: number;
  /** Milliseconds, 32-bit wrapping. */
  timestamp: number;
  payload: Uint8Array;
  /** The chunk stream it arrived on (reader) or should go out on (writer, optional). */
  csid?: number;
}

/** Builds a protocol control message whose body is one 32-bit value (types 1, 2, 3, 5). */
export function controlMessage(typeId: number, value: number): RtmpMessage {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint32(0, value >>> 0);
  return { typeId, streamId: 0, timestamp: 0, payload, csid: 2 };
}

/** Builds Set Peer Bandwidth (type 6); limit type 2 is "dynamic". */
export function peerBandwidthMessage(size: number, limitType = 2): RtmpMessage {
  const payload = new Uint8Array(5);
  new DataView(payload.buffer).setUint32(0, size >>> 0);
  payload[4] = limitType;
  return { typeId: MessageType.SetPeerBandwidth, streamId: 0, timestamp: 0, payload, csid: 2 };
}

/** Builds a user control message (type 4) with one 32-bit argument (stream id or ping time). */
export function userControlMessage(event: number, value: number): RtmpMessage {
  const payload = new Uint8Array(6);
  const view = new DataView(payload.buffer);
  view.setUint16(0, event);
  view.setUint32(2, value >>> 0);
  return { typeId: MessageType.UserControl, streamId: 0, timestamp: 0, payload, csid: 2 };
}
