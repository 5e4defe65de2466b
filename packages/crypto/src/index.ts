/**
 * `@samizdat/crypto`: end-to-end encryption for secret chats (X3DH/PQXDH and the Double Ratchet),
 * built on the `@noble` libraries so that it runs in Node and in the browser. It arrives with the
 * secret-chats issue; until then this package exports nothing.
 */
export {};
