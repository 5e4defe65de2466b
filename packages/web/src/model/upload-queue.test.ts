import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UploadFileOptions } from '@samizdat/client';
import type { FileInfo, InputMedia, Peer } from '@samizdat/protocol';
import { mediaKindOf, partSizeFor, UploadQueue, type UploadClient } from './upload-queue.ts';

const PEER: Peer = { type: 'user', userId: 7 };

/** An SDK whose uploads finish only when the test says, reporting progress as told. */
function fakeUploads() {
  const running = new Map<string, { options: UploadFileOptions; finish: () => void; fail: (error: Error) => void }>();
  const client: UploadClient = {
    uploadFile: (source, options = {}) =>
      new Promise<FileInfo>((resolve, reject) => {
        const name = options.name ?? '';
        options.signal?.addEventListener('abort', () => reject(options.signal?.reason));
        running.set(name, {
          options,
          finish: () => resolve({ id: `file-${name}`, size: source.size, mimeType: options.mimeType ?? '', name, sha256: '00' }),
          fail: reject,
        });
      }),
  };
  const sent: { peer: Peer; media: InputMedia; caption: string }[] = [];
  const sender = { sendMedia: async (peer: Peer, media: InputMedia, caption: string) => void sent.push({ peer, media, caption }) };
  return { client, running, sent, sender };
}

test('[WEB20] an upload shows its progress, then leaves the queue and is sent as media with its caption', async () => {
  const { client, running, sent, sender } = fakeUploads();
  const queue = new UploadQueue(client, sender);
  const file = new File([new Uint8Array(3000)], 'cat.png', { type: 'image/png' });
  const { done } = queue.add(file, { peer: PEER, targetKey: 'user:7', caption: 'A cat' });
  assert.deepEqual(
    queue.getSnapshot().map(({ name, kind, sentBytes, size, targetKey }) => ({ name, kind, sentBytes, size, targetKey })),
    [{ name: 'cat.png', kind: 'photo', sentBytes: 0, size: 3000, targetKey: 'user:7' }],
  );
  const upload = running.get('cat.png')!;
  assert.equal(upload.options.mimeType, 'image/png');
  upload.options.onProgress?.(1024, 3000);
  assert.equal(queue.getSnapshot()[0]!.sentBytes, 1024);
  upload.finish();
  await done;
  assert.deepEqual(queue.getSnapshot(), []);
  assert.deepEqual(sent, [{ peer: PEER, media: { fileId: 'file-cat.png', kind: 'photo' }, caption: 'A cat' }]);
});

test('[WEB20] a cancelled upload is aborted, leaves the queue and sends nothing; a failed one stays marked', async () => {
  const { client, running, sent, sender } = fakeUploads();
  const queue = new UploadQueue(client, sender);
  const voice = queue.add(new Blob([new Uint8Array(10)], { type: 'audio/webm' }), {
    peer: PEER,
    targetKey: 'user:7',
    name: 'voice.webm',
    kind: 'voice',
    media: { duration: 2.5 },
  });
  const report = queue.add(new Blob([new Uint8Array(10)]), { peer: PEER, targetKey: 'user:7', name: 'report.bin' });
  assert.equal(queue.getSnapshot()[1]!.mimeType, 'application/octet-stream');
  assert.equal(queue.getSnapshot()[1]!.kind, 'document');
  queue.cancel(voice.id);
  assert.equal(running.get('voice.webm')!.options.signal?.aborted, true);
  await voice.done;
  running.get('report.bin')!.fail(new Error('Cannot upload file: the network is down'));
  await report.done;
  assert.deepEqual(sent, []);
  assert.deepEqual(
    queue.getSnapshot().map(({ name, error }) => ({ name, error })),
    [{ name: 'report.bin', error: 'Cannot upload file: the network is down' }],
  );
  queue.cancel(report.id);
  assert.deepEqual(queue.getSnapshot(), []);
});

test('[WEB20] images the server can read go as photos, videos as videos, everything else as documents', () => {
  assert.equal(mediaKindOf('image/jpeg'), 'photo');
  assert.equal(mediaKindOf('IMAGE/PNG'), 'photo');
  assert.equal(mediaKindOf('image/webp'), 'document');
  assert.equal(mediaKindOf('video/mp4'), 'video');
  assert.equal(mediaKindOf('application/pdf'), 'document');
  assert.equal(partSizeFor(1000), 64 * 1024);
  assert.equal(partSizeFor(4 * 1024 * 1024), 256 * 1024);
  assert.equal(partSizeFor(1024 * 1024 * 1024), 512 * 1024);
});
