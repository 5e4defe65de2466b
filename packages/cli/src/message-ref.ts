import { CliError } from './cli-error.ts';
import { parsePeerInput } from './peer.ts';

/** The help text of a MESSAGE_REF argument. */
export const MESSAGE_REF_HELP = 'PEER:MESSAGE_ID, e.g. @alice:42, +15551234567:7, 5:12 or me:3';

/** A message named on the command line: the chat's PEER argument and the message's id in it. */
export interface MessageRef {
  peerInput: string;
  messageId: number;
}

/**
 * Reads `PEER:MESSAGE_ID` (`@alice:42`, `+15551234567:7`, `5:12`, `me:3`, and `#42` for the id
 * as `history` prints it). The id follows the last colon; the PEER part is checked as PEER
 * arguments are, so a malformed one fails before anything is asked of the server.
 */
export function parseMessageRef(input: string): MessageRef {
  const trimmed = input.trim();
  const colon = trimmed.lastIndexOf(':');
  const peerInput = trimmed.slice(0, Math.max(0, colon));
  const idText = trimmed.slice(colon + 1).replace(/^#/, '');
  const messageId = /^\d+$/.test(idText) ? Number(idText) : Number.NaN;
  if (colon <= 0 || !Number.isSafeInteger(messageId) || messageId < 1) {
    throw new CliError('USAGE_INVALID', `Cannot read message "${input}": expected ${MESSAGE_REF_HELP}`);
  }
  parsePeerInput(peerInput);
  return { peerInput, messageId };
}
