import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CATALOG, ERROR_CODES, maskPhone, METHOD_NAMES, normalizePhone, normalizeUsername, paramsFault, parseClientFrame, parseServerFrame, PROTOCOL_VERSION } from './index.ts';

test('every error code is UPPER_SNAKE with an HTTP status and a message', () => {
  for (const code of ERROR_CODES) {
    assert.match(code, /^[A-Z][A-Z0-9_]+$/);
    assert.ok(ERROR_CATALOG[code].httpStatus >= 400);
    assert.ok(ERROR_CATALOG[code].message.length > 0);
  }
  for (const code of ['PHONE_NUMBER_INVALID', 'PHONE_CODE_INVALID', 'PEER_ID_INVALID', 'MESSAGE_TOO_LONG', 'FLOOD_WAIT', 'AUTH_KEY_UNREGISTERED', 'FRAME_INVALID']) {
    assert.ok(ERROR_CODES.includes(code as never), code);
  }
});

test('parseClientFrame accepts hello and calls and names the fault of anything else', () => {
  assert.deepEqual(parseClientFrame(JSON.stringify({ type: 'hello', id: 1, protocolVersion: PROTOCOL_VERSION })), {
    frame: { type: 'hello', id: 1, protocolVersion: PROTOCOL_VERSION },
  });
  assert.ok('frame' in parseClientFrame('{"type":"call","id":2,"method":"x","params":null}'));
  const bad = parseClientFrame('{"type":"call","id":3}');
  assert.ok('fault' in bad && bad.id === 3);
  assert.ok('fault' in parseClientFrame('nope'));
  assert.ok('fault' in parseClientFrame('{"type":"hello","id":-1,"protocolVersion":1}'));
});

test('every method has parameter checks that reject unknown fields', () => {
  for (const method of METHOD_NAMES) {
    assert.notEqual(paramsFault(method, { unexpectedField: 1 }), null, method);
  }
  assert.equal(paramsFault('auth.sendCode', { phone: '+4915112345678' }), null);
});

test('parseServerFrame checks error codes against the catalog', () => {
  assert.ok('frame' in parseServerFrame('{"type":"error","id":null,"code":"FLOOD_WAIT","message":"m","retryAfterSeconds":3}'));
  assert.ok('fault' in parseServerFrame('{"type":"error","id":null,"code":"MADE_UP","message":"m"}'));
});

test('normalizePhone reads what people type into E.164', () => {
  assert.equal(normalizePhone('+49 (151) 123-45.678'), '+4915112345678');
  assert.equal(normalizePhone('0049151123456'), '+49151123456');
  assert.equal(normalizePhone('12345678'), null);
  assert.equal(normalizePhone('+0123456789'), null);
  assert.equal(normalizePhone('+1234567890123456'), null);
});

test('normalizeUsername allows 5 to 32 of a-z, 0-9 and _ starting with a letter, ignoring case and a leading @', () => {
  assert.equal(normalizeUsername('@Alice_99'), 'alice_99');
  assert.equal(normalizeUsername('a'.repeat(32)), 'a'.repeat(32));
  for (const bad of ['abcd', 'a'.repeat(33), '9lives', 'ali-ce', 'алиса']) assert.equal(normalizeUsername(bad), null, bad);
});

test('maskPhone keeps only the prefix and the last two digits', () => {
  assert.equal(maskPhone('+4915112345678'), '+49•••••••••78');
});
