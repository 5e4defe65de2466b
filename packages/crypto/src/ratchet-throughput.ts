/**
 * Throughput of an established Double Ratchet session: encrypt + decrypt of 1 KB messages, the
 * direction switching every `burst` messages (each switch costs a DH ratchet step on both sides).
 * Not a test. Run: node --import tsx packages/crypto/src/ratchet-throughput.ts
 * Prints one JSON line per burst length. (No argv: `process` is kept out of src/ so this file stays
 * browser-safe like the rest of the package.)
 */
import { DeviceKeys } from './device-keys.ts';
import { acceptSession, decrypt, encrypt, initiateSession } from './session.ts';

const MESSAGES_PER_RUN = 5000;
const BURSTS = [1, 10, 100];

function run(total: number, burst: number): void {
  const alice = DeviceKeys.generate({ oneTimePrekeyCount: 1 });
  const bob = DeviceKeys.generate({ oneTimePrekeyCount: 1 });
  const a = initiateSession(alice, bob.publicBundle());
  const { session: b } = acceptSession(bob, encrypt(a, new Uint8Array(1)));
  decrypt(a, encrypt(b, new Uint8Array(1)));

  const payload = new Uint8Array(1024).fill(0x5a);
  let bytes = 0;
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const aliceSends = Math.floor(i / burst) % 2 === 0;
    const [from, to] = aliceSends ? [a, b] : [b, a];
    const envelope = encrypt(from, payload);
    bytes += envelope.length;
    if (decrypt(to, envelope).length !== payload.length) throw new Error(`Message ${i} decrypted to the wrong length`);
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(
    JSON.stringify({
      messages: total,
      messageBytes: payload.length,
      directionSwitchEvery: burst,
      seconds: Number(seconds.toFixed(3)),
      messagesPerSecond: Math.round(total / seconds),
      envelopeBytesAvg: Math.round(bytes / total),
    }),
  );
}

for (const burst of BURSTS) run(MESSAGES_PER_RUN, burst);
