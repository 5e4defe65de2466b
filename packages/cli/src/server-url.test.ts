import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeServerUrl, webSocketUrl } from './server-url.ts';

test('webSocketUrl turns http://host:port into ws://host:port/ws', () => {
  assert.equal(webSocketUrl('http://127.0.0.1:8080'), 'ws://127.0.0.1:8080/ws');
  assert.equal(webSocketUrl('http://127.0.0.1:8080/'), 'ws://127.0.0.1:8080/ws');
});

test('webSocketUrl turns https into wss and keeps a path prefix', () => {
  assert.equal(webSocketUrl('https://chat.example.org/samizdat/'), 'wss://chat.example.org/samizdat/ws');
});

test('normalizeServerUrl accepts a ws URL with its /ws path', () => {
  assert.equal(normalizeServerUrl('ws://[::1]:9000/ws'), 'http://[::1]:9000');
  assert.equal(normalizeServerUrl('wss://example.org/ws'), 'https://example.org');
});

test('normalizeServerUrl rejects a URL without a scheme with USAGE_INVALID', () => {
  assert.throws(() => normalizeServerUrl('localhost:8080'), { code: 'USAGE_INVALID' });
  assert.throws(() => normalizeServerUrl('ftp://example.org'), { code: 'USAGE_INVALID' });
  assert.throws(() => normalizeServerUrl('not a url'), { code: 'USAGE_INVALID' });
});
