import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guessMediaKind, guessMimeType } from './media-kind.ts';

test('send-file guesses the kind from the extension, in any case', () => {
  const cases: [string, string][] = [
    ['cat.jpg', 'photo'],
    ['CAT.JPEG', 'photo'],
    ['a/b/shot.png', 'photo'],
    ['sticker.webp', 'photo'],
    ['loop.gif', 'photo'],
    ['clip.mp4', 'video'],
    ['clip.MOV', 'video'],
    ['clip.webm', 'video'],
    ['note.ogg', 'voice'],
    ['note.oga', 'voice'],
    ['note.opus', 'voice'],
    ['report.pdf', 'document'],
    ['song.mp3', 'document'],
    ['archive.tar.gz', 'document'],
    ['README', 'document'],
    ['.jpg', 'document'],
  ];
  for (const [path, kind] of cases) assert.equal(guessMediaKind(path), kind, path);
});

test('send-file falls back to the MIME type for a file without a known extension', () => {
  assert.equal(guessMediaKind('upload', 'image/png'), 'photo');
  assert.equal(guessMediaKind('upload.bin', 'video/webm; codecs=vp9'), 'video');
  assert.equal(guessMediaKind('upload', 'audio/ogg'), 'voice');
  assert.equal(guessMediaKind('upload', 'application/pdf'), 'document');
  assert.equal(guessMediaKind('report.pdf', 'image/png'), 'document', 'a known extension wins');
});

test('send-file guesses the MIME type from the extension', () => {
  assert.equal(guessMimeType('x.JPG'), 'image/jpeg');
  assert.equal(guessMimeType('x.opus'), 'audio/opus');
  assert.equal(guessMimeType('x.pdf'), 'application/pdf');
  assert.equal(guessMimeType('x.unknown'), 'application/octet-stream');
  assert.equal(guessMimeType('Makefile'), 'application/octet-stream');
});
