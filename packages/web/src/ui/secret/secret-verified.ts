/**
 * Which safety numbers the user marked as verified ([WEB67]), kept in this browser only
 * (`localStorage`, keyed by the signed-in user and the peer): the 60 digits compared, never sent
 * anywhere. A chat is verified while its current safety number equals the stored one.
 */
const PREFIX = 'samizdat.secret-verified';

function key(selfId: number, peerUserId: number): string {
  return `${PREFIX}.${selfId}.${peerUserId}`;
}

/** The digits the user verified with `peerUserId`, or null when never. */
export function readVerified(selfId: number, peerUserId: number): string | null {
  try {
    return localStorage.getItem(key(selfId, peerUserId));
  } catch {
    return null;
  }
}

/** Remembers that the user compared and verified these digits with `peerUserId`. */
export function saveVerified(selfId: number, peerUserId: number, digits: string): void {
  try {
    localStorage.setItem(key(selfId, peerUserId), digits);
  } catch {
    // Storage full or disabled: the mark lasts only while the page does.
  }
}

/** What the header shows: verified, changed since verified, or nothing (never verified, or not known yet). */
export type VerifiedState = 'verified' | 'changed' | 'unverified';

/** Compares the current safety number with the verified one. */
export function verifiedState(verifiedDigits: string | null, currentDigits: string | null): VerifiedState {
  if (verifiedDigits === null || currentDigits === null) return 'unverified';
  return verifiedDigits === currentDigits ? 'verified' : 'changed';
}
