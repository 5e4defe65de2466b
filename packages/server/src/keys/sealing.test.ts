import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatKeyring } from './chat-keyring.ts';
import { open, randomKey, seal } from './sealing.ts';

test('[SEC1] sealed text opens only under the same key and context', () => {
  const key = randomKey();
  const sealed = seal(key, new TextEncoder().encode('hello'), 'ctx/1');
  assert.equal(new TextDecoder().decode(open(key, sealed, 'ctx/1')), 'hello');
  assert.throws(() => open(key, sealed, 'ctx/2'));
  assert.throws(() => open(randomKey(), sealed, 'ctx/1'));
  const tampered = Uint8Array.from(sealed);
  tampered[20]! ^= 1;
  assert.throws(() => open(key, tampered, 'ctx/1'));
  assert.notDeepEqual(seal(key, new TextEncoder().encode('hello'), 'ctx/1'), sealed, 'nonces are fresh');
});

test('[SEC1] every seal takes a nonce of its own, across many draws from the random source', () => {
  const key = randomKey();
  const plaintext = new TextEncoder().encode('same text');
  const nonces = new Set<string>();
  // More than a few pools' worth, so a refill that repeated or skipped would show.
  for (let index = 0; index < 2000; index++) {
    const sealed = seal(key, plaintext, 'ctx/n');
    nonces.add(Buffer.from(sealed.subarray(0, 12)).toString('hex'));
    assert.equal(new TextDecoder().decode(open(key, sealed, 'ctx/n')), 'same text');
  }
  assert.equal(nonces.size, 2000);
});

test('[SEC1] a message moved to another id or chat fails to open', () => {
  const keyring = new ChatKeyring(randomKey());
  const wrapped = keyring.newWrappedKey();
  const key = keyring.chatKey(7, wrapped);
  const sealed = keyring.sealText(key, { chatId: 7, messageId: 1 }, 'secret');
  assert.equal(keyring.openText(key, { chatId: 7, messageId: 1 }, sealed), 'secret');
  assert.throws(() => keyring.openText(key, { chatId: 7, messageId: 2 }, sealed));
  assert.throws(() => keyring.openText(key, { chatId: 8, messageId: 1 }, sealed));
  assert.throws(() => new ChatKeyring(randomKey()).chatKey(7, wrapped), 'another master key cannot unwrap');
});

test('AES-256-GCM matches the NIST SP 800-38D test case 16 vector', async () => {
  // gcmEncryptExtIV256 test case from the GCM spec: checks that our use of node:crypto is plain AES-GCM.
  const { createCipheriv } = await import('node:crypto');
  const key = Buffer.from('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308', 'hex');
  const iv = Buffer.from('cafebabefacedbaddecaf888', 'hex');
  const plaintext = Buffer.from(
    'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    'hex',
  );
  const aad = Buffer.from('feedfacedeadbeeffeedfacedeadbeefabaddad2', 'hex');
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  assert.equal(
    ciphertext.toString('hex'),
    '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
  );
  assert.equal(cipher.getAuthTag().toString('hex'), '76fc6ece0f4e1768cddf8853bb2d551b');
});
