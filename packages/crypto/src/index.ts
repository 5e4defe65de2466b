/**
 * `@samizdat/crypto`: end-to-end encryption for secret chats — PQXDH key agreement and the Double
 * Ratchet, plus the chunked attachment cipher, built on the audited `@noble` libraries so that it
 * runs in Node and in the browser; and the signed, hash-chained transparency log's verification.
 * See SPEC.md for the construction and its numbered rules.
 */
export * from './primitives.ts';
export * from './device-keys.ts';
export * from './pqxdh.ts';
export * from './double-ratchet.ts';
export * from './session.ts';
export * from './fingerprint.ts';
export * from './file-cipher.ts';
export * from './transparency.ts';
