/**
 * A whole WebSocket text frame, header and payload, built once for every connection a push reaches:
 * a server's frames are unmasked (RFC 6455 §5.1), so the same bytes serve every recipient, and
 * writing them is one socket write instead of ws framing each copy anew.
 */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81; // FIN, and opcode 1: a text frame in one piece (§5.2)
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}
