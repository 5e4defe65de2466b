/**
 * Safety numbers and emoji fingerprints for comparing identity keys out of band (SPEC [E2E20]).
 *
 * @module
 */
import { concatBytes, sha256Hash, sha512Hash, utf8 } from './primitives.ts';

/** Hash iterations per half (Signal's NumericFingerprintGenerator uses 5200). */
export const FINGERPRINT_ITERATIONS = 5200;
const FINGERPRINT_VERSION = Uint8Array.of(0x00, 0x00);

/** One party in a safety-number computation. */
export interface FingerprintParty {
  /** Ed25519 identity public key. */
  identityKey: Uint8Array;
  /** Stable account id, e.g. the user id; binds the key to the account. */
  stableId: string;
}

/** 30 digits for one party: SHA-512 iterated over version ‖ key ‖ id, then key; 6 chunks of 5 bytes mod 100000. */
export function fingerprintHalf(party: FingerprintParty): string {
  // As Signal's NumericFingerprintGenerator: start from version ‖ key ‖ id, then every round is
  // SHA-512(previous ‖ key), re-mixing the key so that precomputation over ids does not help.
  let hash = concatBytes(FINGERPRINT_VERSION, party.identityKey, utf8(party.stableId));
  for (let i = 0; i < FINGERPRINT_ITERATIONS; i++) hash = sha512Hash(concatBytes(hash, party.identityKey));
  let digits = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let value = 0;
    // 5 bytes = 40 bits fits exactly in a double, so plain arithmetic is safe.
    for (let j = 0; j < 5; j++) value = value * 256 + hash[chunk * 5 + j]!;
    digits += String(value % 100000).padStart(5, '0');
  }
  return digits;
}

/**
 * The 60-digit safety number of two parties: both halves sorted, so both sides compute the same
 * string regardless of who is "local".
 */
export function safetyNumber(a: FingerprintParty, b: FingerprintParty): string {
  const halves = [fingerprintHalf(a), fingerprintHalf(b)].sort();
  return halves.join('');
}

/** Groups a 60-digit safety number into 12 blocks of 5 for display. */
export function formatSafetyNumber(digits: string): string {
  return digits.match(/.{1,5}/g)?.join(' ') ?? '';
}

/** 64 visually distinct emoji; index = 6 bits of the hash. */
const EMOJI = [
  '🐶', '🐱', '🦁', '🐴', '🦄', '🐷', '🐘', '🐰', '🐼', '🐓', '🐧', '🐢', '🐟', '🐙', '🦋', '🌷',
  '🌳', '🌵', '🍄', '🌏', '🌙', '☁️', '🔥', '🍌', '🍎', '🍓', '🌽', '🍕', '🎂', '❤️', '😀', '🤖',
  '🎩', '👓', '🔧', '🎅', '👍', '☂️', '⌛', '⏰', '🎁', '💡', '📕', '✏️', '📎', '✂️', '🔒', '🔑',
  '🔨', '☎️', '🏁', '🚂', '🚲', '✈️', '🚀', '🏆', '⚽', '🎸', '🎺', '🔔', '⚓', '🎧', '📁', '📌',
] as const;

/**
 * A short emoji sequence over both identity keys (sorted, so it is symmetric). 8 emoji = 48 bits:
 * enough for a quick visual check, not a replacement for the 60-digit number.
 */
export function emojiFingerprint(identityKeyA: Uint8Array, identityKeyB: Uint8Array, options: { length?: number } = {}): string[] {
  const length = options.length ?? 8;
  const [first, second] = compareBytes(identityKeyA, identityKeyB) <= 0 ? [identityKeyA, identityKeyB] : [identityKeyB, identityKeyA];
  const hash = sha256Hash(concatBytes(utf8('Samizdat_EmojiFingerprint'), first, second));
  const out: string[] = [];
  for (let i = 0; i < length; i++) {
    // Take 6 bits at bit offset 6*i.
    const bit = i * 6;
    const word = (hash[bit >> 3]! << 8) | (hash[(bit >> 3) + 1] ?? 0);
    out.push(EMOJI[(word >> (10 - (bit & 7))) & 0x3f]!);
  }
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
