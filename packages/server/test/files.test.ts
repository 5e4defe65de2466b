import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Jimp } from 'jimp';
import { ManualClock } from '../src/index.ts';
import { putPart, uploadBytes } from './file-helpers.ts';
import { rejects, startTestServer, testUsers } from './harness.ts';

function countBlobs(dir: string): number {
  let count = 0;
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else count++;
    }
  };
  try {
    walk(dir);
  } catch {
    return 0;
  }
  return count;
}

describe('files', () => {
  const clock = new ManualClock(Date.now());
  let t: Awaited<ReturnType<typeof startTestServer>>;
  const users = testUsers(() => t.server.wsUrl, 5);
  const user = users.user;
  let counter = 0;
  const rid = () => `file-${++counter}-xxxxxx`;
  before(async () => {
    t = await startTestServer({ clock, maxFileBytes: 8 * 1024 * 1024 });
  });
  after(async () => {
    users.closeAll();
    await t.stop();
  });
  const get = (path: string, token: string | null, headers: Record<string, string> = {}) =>
    fetch(`${t.server.httpUrl}${path}`, { headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers } });

  test('[FIL1] parts arrive out of order and in parallel, an upload resumes from the parts stored, and the file reads back whole and by range', async () => {
    const a = await user('A');
    const bytes = randomBytes(300_000);
    const started = await a.call('files.startUpload', { size: bytes.length, partSize: 65536, name: 'report.pdf', mimeType: 'application/pdf' });
    assert.equal(started.partCount, 5);
    await Promise.all([4, 1, 3].map((i) => putPart(t.server.httpUrl, a.token, started.uploadId, i, bytes.subarray(i * 65536, (i + 1) * 65536))));
    // The connection is lost; the client asks where it stood and sends only the rest.
    const resumed = await a.call('files.getUpload', { uploadId: started.uploadId });
    assert.deepEqual(resumed.receivedParts, [1, 3, 4]);
    for (const i of [0, 2]) await putPart(t.server.httpUrl, a.token, started.uploadId, i, bytes.subarray(i * 65536, (i + 1) * 65536));
    await putPart(t.server.httpUrl, a.token, started.uploadId, 2, bytes.subarray(2 * 65536, 3 * 65536));
    const { file } = await a.call('files.completeUpload', { uploadId: started.uploadId, sha256: createHash('sha256').update(bytes).digest('hex') });
    assert.deepEqual([file.size, file.name, file.mimeType], [300_000, 'report.pdf', 'application/pdf']);
    const whole = await get(`/files/${file.id}`, a.token);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(bytes));
    const slice = await get(`/files/${file.id}`, a.token, { range: 'bytes=1000-1999' });
    assert.equal(slice.status, 206);
    assert.equal(slice.headers.get('content-range'), 'bytes 1000-1999/300000');
    assert.ok(Buffer.from(await slice.arrayBuffer()).equals(bytes.subarray(1000, 2000)));
    const tail = await get(`/files/${file.id}`, a.token, { range: 'bytes=-10' });
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(-10)));
    assert.equal((await get(`/files/${file.id}`, a.token, { range: 'bytes=400000-' })).status, 416);
    const part = await a.call('files.getPart', { fileId: file.id, offset: 299_990, limit: 524288 });
    assert.ok(Buffer.from(part.bytes, 'base64').equals(bytes.subarray(299_990)));
    // A client whose answer was lost asks again, and gets the same file; so does one that asks twice at once.
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const again = await Promise.all([1, 2].map(() => a.call('files.completeUpload', { uploadId: started.uploadId, sha256 })));
    assert.deepEqual(again.map((r) => r.file), [file, file]);
    assert.equal((await a.call('files.getUpload', { uploadId: started.uploadId })).receivedParts.length, 5);
    const malformed = await get('/files/not-a-file-id', a.token);
    assert.deepEqual([malformed.status, (await malformed.json()).code], [404, 'FILE_ID_INVALID']);
  });

  test('[FIL2] a corrupt, misplaced or overlong part changes nothing stored; a wrong whole hash or a missing part refuses to finish', async () => {
    const a = await user('A');
    const bytes = randomBytes(5000);
    const started = await a.call('files.startUpload', { size: bytes.length, partSize: 2048 });
    const corrupt = await putPart(t.server.httpUrl, a.token, started.uploadId, 0, bytes.subarray(0, 2048), createHash('sha256').update('other').digest('hex')).catch((e) => e);
    assert.equal(corrupt.code, 'FILE_PART_HASH_INVALID');
    assert.equal((await putPart(t.server.httpUrl, a.token, started.uploadId, 3, bytes.subarray(0, 100)).catch((e) => e)).code, 'FILE_PART_INVALID');
    assert.equal((await putPart(t.server.httpUrl, a.token, started.uploadId, 0, randomBytes(4096)).catch((e) => e)).code, 'FILE_PART_INVALID');
    assert.equal((await putPart(t.server.httpUrl, a.token, started.uploadId, 2, bytes.subarray(4096, 4100)).catch((e) => e)).code, 'FILE_PART_INVALID', 'a short last part');
    assert.deepEqual((await a.call('files.getUpload', { uploadId: started.uploadId })).receivedParts, []);
    await putPart(t.server.httpUrl, a.token, started.uploadId, 0, bytes.subarray(0, 2048));
    await rejects(a.call('files.completeUpload', { uploadId: started.uploadId, sha256: createHash('sha256').update(bytes).digest('hex') }), 'FILE_PARTS_MISSING');
    await putPart(t.server.httpUrl, a.token, started.uploadId, 1, bytes.subarray(2048, 4096));
    await putPart(t.server.httpUrl, a.token, started.uploadId, 2, bytes.subarray(4096));
    await rejects(a.call('files.completeUpload', { uploadId: started.uploadId, sha256: 'f'.repeat(64) }), 'FILE_HASH_INVALID');
    const b = await user('B');
    assert.equal((await putPart(t.server.httpUrl, b.token, started.uploadId, 0, bytes.subarray(0, 2048)).catch((e) => e)).code, 'UPLOAD_ID_INVALID', 'another user cannot add to it');
    const noAuth = await fetch(`${t.server.httpUrl}/files/uploads/${started.uploadId}/0`, { method: 'PUT', body: bytes.subarray(0, 2048) });
    assert.equal(noAuth.status, 401);
  });

  test('[FIL3] identical files are stored once; a forward shares the file and copies no bytes', async () => {
    const a = await user('A');
    const b = await user('B');
    const bytes = randomBytes(10_000);
    const blobs = join(t.dataDir, 'files');
    const before = countBlobs(blobs);
    const first = await uploadBytes(a.call, t.server.httpUrl, a.token, bytes, { name: 'one.bin' });
    const second = await uploadBytes(b.call, t.server.httpUrl, b.token, bytes, { name: 'two.bin' });
    assert.notEqual(first.id, second.id);
    assert.equal(first.sha256, second.sha256);
    assert.equal(countBlobs(blobs), before + 1);
    const sent = await a.call('messages.send', { peer: { type: 'user', userId: b.id }, text: 'the data', randomId: rid(), media: { fileId: first.id, kind: 'document' } });
    const c = await user('C');
    const forwarded = await b.call('messages.forward', { fromPeer: { type: 'user', userId: a.id }, messageIds: [sent.message.id], toPeer: { type: 'user', userId: c.id }, randomIds: [rid()] });
    assert.equal(forwarded.messages[0].media.file.id, first.id);
    assert.equal(countBlobs(blobs), before + 1);
    const download = await get(`/files/${first.id}`, c.token);
    assert.equal(download.status, 200, 'the forward made the file readable to its new reader');
  });

  test('[FIL4] only those who may read a chat where a file was sent may read the file', async () => {
    const a = await user('A');
    const b = await user('B');
    const outsider = await user('Outsider');
    const file = await uploadBytes(a.call, t.server.httpUrl, a.token, randomBytes(1000));
    assert.equal((await get(`/files/${file.id}`, b.token)).status, 404, 'not before it is sent');
    await a.call('messages.send', { peer: { type: 'user', userId: b.id }, text: '', randomId: rid(), media: { fileId: file.id, kind: 'document' } });
    assert.equal((await get(`/files/${file.id}`, b.token)).status, 200);
    const denied = await get(`/files/${file.id}`, outsider.token);
    assert.equal(denied.status, 404);
    assert.deepEqual(await denied.json(), { code: 'FILE_ID_INVALID', message: 'Cannot read file: no such file' });
    await rejects(outsider.call('files.getPart', { fileId: file.id, offset: 0, limit: 1024 }), 'FILE_ID_INVALID');
    await rejects(outsider.call('messages.send', { peer: { type: 'user', userId: a.id }, text: '', randomId: rid(), media: { fileId: file.id, kind: 'document' } }), 'FILE_ID_INVALID');
    assert.equal((await get(`/files/${file.id}`, null)).status, 401);
  });

  test('[FIL5] a photo is measured and gets a thumbnail; voice notes keep duration and waveform; captions stop at 1,024', async () => {
    const a = await user('A');
    const b = await user('B');
    const image = new Jimp({ width: 1200, height: 800, color: 0x3366ccff });
    const png = await image.getBuffer('image/png');
    const photo = await uploadBytes(a.call, t.server.httpUrl, a.token, png, { name: 'view.png', mimeType: 'image/png' });
    const sent = await a.call('messages.send', { peer: { type: 'user', userId: b.id }, text: 'the view', randomId: rid(), media: { fileId: photo.id, kind: 'photo' } });
    const media = sent.message.media;
    assert.deepEqual([media.kind, media.width, media.height, sent.message.text], ['photo', 1200, 800, 'the view']);
    assert.equal(media.thumbnail.mimeType, 'image/jpeg');
    const thumb = await Jimp.read(Buffer.from(await (await get(`/files/${media.thumbnail.id}`, b.token)).arrayBuffer()));
    assert.deepEqual([thumb.width, thumb.height], [320, 213]);
    const voice = await uploadBytes(a.call, t.server.httpUrl, a.token, randomBytes(4000), { name: 'voice.ogg', mimeType: 'audio/ogg' });
    const note = await a.call('messages.send', { peer: { type: 'user', userId: b.id }, text: '', randomId: rid(), media: { fileId: voice.id, kind: 'voice', duration: 3.5, waveform: 'AAECAwQF' } });
    assert.deepEqual([note.message.media.duration, note.message.media.waveform, note.message.media.thumbnail], [3.5, 'AAECAwQF', null]);
    const clip = await uploadBytes(a.call, t.server.httpUrl, a.token, randomBytes(6000), { name: 'clip.mp4', mimeType: 'video/mp4' });
    const video = await a.call('messages.send', { peer: { type: 'user', userId: b.id }, text: 'watch', randomId: rid(), media: { fileId: clip.id, kind: 'video', width: 1920, height: 1080, duration: 12.5 } });
    assert.deepEqual([video.message.media.width, video.message.media.height, video.message.media.duration, video.message.media.file.name], [1920, 1080, 12.5, 'clip.mp4']);
    const { chat } = await a.call('chats.createChannel', { title: 'Media channel' });
    const post = await a.call('messages.send', { peer: { type: 'chat', chatId: chat.id }, text: 'in a channel too', randomId: rid(), media: { fileId: photo.id, kind: 'photo' } });
    assert.equal(post.message.media.file.id, photo.id);
    const history = await b.call('messages.getHistory', { peer: { type: 'user', userId: a.id } });
    assert.deepEqual(history.messages.map((m: { media: { kind: string } }) => m.media.kind), ['video', 'voice', 'photo']);
    await rejects(a.call('messages.send', { peer: { type: 'user', userId: b.id }, text: 'x'.repeat(1025), randomId: rid(), media: { fileId: voice.id, kind: 'document' } }), 'MEDIA_CAPTION_TOO_LONG');
    await rejects(a.call('messages.send', { peer: { type: 'user', userId: b.id }, text: '', randomId: rid(), media: { fileId: voice.id, kind: 'photo' } }), 'MEDIA_INVALID');
  });

  test('[FIL6] a file over the configured limit is refused before any byte is sent', async () => {
    const a = await user('A');
    await rejects(a.call('files.startUpload', { size: 8 * 1024 * 1024 + 1, partSize: 524288 }), 'FILE_TOO_BIG');
    await rejects(a.call('files.startUpload', { size: 1000, partSize: 3000 }), 'FILE_PART_SIZE_INVALID');
    await rejects(a.call('files.startUpload', { size: 1000, partSize: 512 }), 'FILE_PART_SIZE_INVALID');
  });

  test('[FIL7] an unfinished upload expires after a day and its parts are reclaimed', async () => {
    const a = await user('A');
    const started = await a.call('files.startUpload', { size: 4096, partSize: 2048 });
    await putPart(t.server.httpUrl, a.token, started.uploadId, 0, randomBytes(2048));
    const dir = join(t.dataDir, 'uploads', started.uploadId);
    assert.equal(readdirSync(dir).length, 1);
    clock.advance(24 * 3600 * 1000 + 1000);
    await rejects(a.call('files.getUpload', { uploadId: started.uploadId }), 'UPLOAD_ID_INVALID');
    await t.server.sweepUploads();
    assert.throws(() => readdirSync(dir), 'the parts are gone from disk');
  });
});
