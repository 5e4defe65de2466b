/**
 * Rules on values that both sides apply: the SDK to fail early with the same code the server
 * would answer, the server as the authority.
 */

const USERNAME_PATTERN = /^[a-z][a-z0-9_]{4,31}$/;

/** Usernames are 5–32 characters of a–z, 0–9 and `_`, starting with a letter; case is ignored. */
export function normalizeUsername(input: string): string | null {
  const lower = input.trim().replace(/^@/, '').toLowerCase();
  return USERNAME_PATTERN.test(lower) ? lower : null;
}

/**
 * Phone numbers in E.164 form (`+` and 7–15 digits); spaces, dots, dashes and brackets that
 * people type are dropped, and a leading `00` reads as `+`.
 */
export function normalizePhone(input: string): string | null {
  let compact = input.replace(/[\s().-]/g, '');
  if (compact.startsWith('00')) compact = `+${compact.slice(2)}`;
  return /^\+[1-9]\d{6,14}$/.test(compact) ? compact : null;
}

/** Shows a phone number for logs: country prefix and the last two digits only. */
export function maskPhone(phone: string): string {
  if (phone.length <= 5) return '+•••';
  return `${phone.slice(0, 3)}${'•'.repeat(phone.length - 5)}${phone.slice(-2)}`;
}

const RANDOM_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** A send's idempotency key: 8–64 characters of A–Z, a–z, 0–9, `_` and `-`, unique per sender. */
export function isValidRandomId(value: string): boolean {
  return RANDOM_ID_PATTERN.test(value);
}
