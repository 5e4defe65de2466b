import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  aeadDecrypt,
  concatBytes,
  aeadEncrypt,
  ed25519PublicKey,
  ed25519PublicToX25519,
  ed25519SecretToX25519,
  ed25519Sign,
  ed25519Verify,
  fromBase64,
  fromHex,
  hkdfSha256,
  hkdfSha256Extract,
  mlKem768Decapsulate,
  mlKem768Encapsulate,
  mlKem768KeyPair,
  toBase64,
  toHex,
  x25519Dh,
  x25519KeyPair,
  x25519PublicKey,
} from './primitives.ts';
import acvp from './test-vectors/ml-kem-768-acvp.json' with { type: 'json' };

test('[E2E1] X25519 matches RFC 7748 §5.2 single-step vectors', () => {
  const vectors = [
    [
      'a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
      'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
      'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552',
    ],
    [
      '4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d',
      'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493',
      '95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957',
    ],
  ] as const;
  for (const [k, u, out] of vectors) assert.equal(toHex(x25519Dh(fromHex(k), fromHex(u))), out);
});

test('[E2E1] X25519 matches RFC 7748 §5.2 iterated vectors after 1 and 1000 iterations', () => {
  let k = fromHex('0900000000000000000000000000000000000000000000000000000000000000');
  let u = k;
  for (let i = 1; i <= 1000; i++) {
    const next = x25519Dh(k, u);
    u = k;
    k = next;
    if (i === 1) assert.equal(toHex(k), '422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079');
  }
  assert.equal(toHex(k), '684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51');
});

test('[E2E1] X25519 Diffie-Hellman matches RFC 7748 §6.1', () => {
  const a = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  const b = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
  const aPub = x25519PublicKey(a);
  const bPub = x25519PublicKey(b);
  assert.equal(toHex(aPub), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
  assert.equal(toHex(bPub), 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
  const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
  assert.equal(toHex(x25519Dh(a, bPub)), shared);
  assert.equal(toHex(x25519Dh(b, aPub)), shared);
});

test('[E2E1] X25519 rejects a low-order public key (all-zero shared secret)', () => {
  const { secretKey } = x25519KeyPair();
  assert.throws(() => x25519Dh(secretKey, new Uint8Array(32)));
});

test('[E2E1] Ed25519 matches RFC 8032 §7.1 tests 1 to 3', () => {
  const vectors = [
    [
      '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      '',
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    ],
    [
      '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
      '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
      '72',
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
    ],
    [
      'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
      'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
      'af82',
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
    ],
  ] as const;
  for (const [sk, pk, msg, sig] of vectors) {
    assert.equal(toHex(ed25519PublicKey(fromHex(sk))), pk);
    assert.equal(toHex(ed25519Sign(fromHex(sk), fromHex(msg))), sig);
    assert.equal(ed25519Verify(fromHex(pk), fromHex(msg), fromHex(sig)), true);
    const bad = fromHex(sig);
    bad[0]! ^= 1;
    assert.equal(ed25519Verify(fromHex(pk), fromHex(msg), bad), false);
  }
});

test('[E2E2] Ed25519→X25519 conversion gives a working DH key pair', () => {
  const seedA = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const b = x25519KeyPair();
  const aX = ed25519SecretToX25519(seedA);
  assert.deepEqual(x25519PublicKey(aX), ed25519PublicToX25519(ed25519PublicKey(seedA)));
  assert.deepEqual(x25519Dh(aX, b.publicKey), x25519Dh(b.secretKey, ed25519PublicToX25519(ed25519PublicKey(seedA))));
});

test('[E2E1] HKDF-SHA-256 matches RFC 5869 A.1 to A.3', () => {
  const range = (from: number, to: number) => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const cases = [
    {
      ikm: new Uint8Array(22).fill(0x0b),
      salt: range(0x00, 0x0c),
      info: range(0xf0, 0xf9),
      length: 42,
      prk: '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5',
      okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    },
    {
      ikm: range(0x00, 0x4f),
      salt: range(0x60, 0xaf),
      info: range(0xb0, 0xff),
      length: 82,
      prk: '06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244',
      okm:
        'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c' +
        '59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71' +
        'cc30c58179ec3e87c14c01d5c1f3434f1d87',
    },
    {
      ikm: new Uint8Array(22).fill(0x0b),
      salt: new Uint8Array(0),
      info: new Uint8Array(0),
      length: 42,
      prk: '19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04',
      okm: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    },
  ];
  for (const c of cases) {
    assert.equal(toHex(hkdfSha256Extract(c.ikm, c.salt)), c.prk);
    assert.equal(toHex(hkdfSha256(c.ikm, { salt: c.salt, info: c.info, length: c.length })), c.okm);
  }
});

test('[E2E1] AES-256-GCM round-trips and rejects a flipped bit or wrong associated data', () => {
  const key = new Uint8Array(32).fill(7);
  const ad = Uint8Array.of(1, 2, 3);
  const sealed = aeadEncrypt(key, Uint8Array.of(9, 8, 7), { ad });
  assert.deepEqual(aeadDecrypt(key, sealed, ad), Uint8Array.of(9, 8, 7));
  assert.equal(aeadDecrypt(key, sealed, Uint8Array.of(1, 2, 4)), undefined);
  const tampered = sealed.slice();
  tampered[tampered.length - 1]! ^= 1;
  assert.equal(aeadDecrypt(key, tampered, ad), undefined);
  // Two encryptions of the same text differ because the nonce is random.
  assert.notDeepEqual(aeadEncrypt(key, Uint8Array.of(1)), aeadEncrypt(key, Uint8Array.of(1)));
});

test('[E2E1] ML-KEM-768 encapsulation round-trips; a wrong ciphertext gives another secret', () => {
  const kp = mlKem768KeyPair();
  assert.equal(kp.publicKey.length, 1184);
  const { ciphertext, sharedSecret } = mlKem768Encapsulate(kp.publicKey);
  assert.equal(ciphertext.length, 1088);
  assert.deepEqual(mlKem768Decapsulate(ciphertext, kp.secretKey), sharedSecret);
  const bad = ciphertext.slice();
  bad[0]! ^= 1;
  assert.notDeepEqual(mlKem768Decapsulate(bad, kp.secretKey), sharedSecret);
});

test('[E2E1] ML-KEM-768 matches NIST ACVP FIPS 203 vectors: keyGen tcId 26 and encapsulation tcId 26', () => {
  // Hex copied verbatim from usnistgov/ACVP-Server; see the "source" field of the JSON file.
  const { keyGen, encapsulation } = acvp;
  // keyGen goes through our own wrapper: its 64 random bytes are the seed d ‖ z (FIPS 203 Alg. 19).
  const seed = concatBytes(fromHex(keyGen.d), fromHex(keyGen.z));
  const pair = mlKem768KeyPair((n) => {
    assert.equal(n, 64);
    return seed;
  });
  assert.equal(toHex(pair.publicKey), keyGen.ek.toLowerCase());
  assert.equal(toHex(pair.secretKey), keyGen.dk.toLowerCase());
  // Encapsulation with the vector's message m (FIPS 203 Alg. 20), then decapsulation with its dk.
  const { ciphertext, sharedSecret } = mlKem768Encapsulate(fromHex(encapsulation.ek), (n) => {
    assert.equal(n, 32);
    return fromHex(encapsulation.m);
  });
  assert.equal(toHex(ciphertext), encapsulation.c.toLowerCase());
  assert.equal(toHex(sharedSecret), encapsulation.k.toLowerCase());
  assert.equal(toHex(mlKem768Decapsulate(fromHex(encapsulation.c), fromHex(encapsulation.dk))), encapsulation.k.toLowerCase());
});

test('base64 helpers round-trip and reject non-base64 text', () => {
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
  assert.throws(() => fromBase64('ab$d'), /not canonical base64/);
});
