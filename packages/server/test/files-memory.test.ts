import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnServer } from './child-server.ts';
import { putPart } from './file-helpers.ts';
import { RawClient, signUpTestUser } from './harness.ts';

const FILE_BYTES = 2 * 1024 ** 3;
const PART_BYTES = 512 * 1024;
const PARALLEL = 4;

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

test('[FIL8] the server’s memory stays flat while a 2 GB file goes up in parts and comes back down', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samizdat-bigfile-'));
  const server = await spawnServer({ dataDir });
  // Every serving process together: a cluster's workers, or the one server process.
  const serverRss = () => server.pids.reduce((sum, pid) => sum + rssMiB(pid), 0);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, serverRss())), 20);
  try {
    const client = await RawClient.open(server.wsUrl);
    const auth = await signUpTestUser(client, '+9996680001', 'Big');
    const baseline = serverRss();
    // Each part is a random block stamped with its index, made as it is sent: the test holds no whole file either.
    const block = randomBytes(PART_BYTES);
    const partBytes = (index: number) => {
      const part = Buffer.from(block.subarray(0, Math.min(PART_BYTES, FILE_BYTES - index * PART_BYTES)));
      part.writeUInt32BE(index, 0);
      return part;
    };
    const started = await client.call('files.startUpload', { size: FILE_BYTES, partSize: PART_BYTES, name: 'big.bin' });
    const whole = createHash('sha256');
    const uploadStart = performance.now();
    for (let index = 0; index < started.partCount; index += PARALLEL) {
      const batch = Array.from({ length: Math.min(PARALLEL, started.partCount - index) }, (_, k) => index + k);
      const parts = batch.map(partBytes);
      for (const part of parts) whole.update(part);
      await Promise.all(batch.map((i, k) => putPart(server.httpUrl, auth.token, started.uploadId, i, parts[k]!)));
    }
    const sha256 = whole.digest('hex');
    const { file } = await client.call('files.completeUpload', { uploadId: started.uploadId, sha256 });
    const uploadSeconds = (performance.now() - uploadStart) / 1000;
    const downloadStart = performance.now();
    const response = await fetch(`${server.httpUrl}/files/${file.id}`, { headers: { authorization: `Bearer ${auth.token}` } });
    const back = createHash('sha256');
    let received = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      back.update(chunk);
      received += chunk.length;
    }
    const downloadSeconds = (performance.now() - downloadStart) / 1000;
    assert.equal(received, FILE_BYTES);
    assert.equal(back.digest('hex'), sha256);
    t.diagnostic(`2 GiB up in ${uploadSeconds.toFixed(1)} s (${(2048 / uploadSeconds).toFixed(0)} MiB/s, parts checked and joined), down in ${downloadSeconds.toFixed(1)} s (${(2048 / downloadSeconds).toFixed(0)} MiB/s); server RSS ${baseline.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB`);
    assert.ok(peak - baseline < 150, `server memory grew by ${(peak - baseline).toFixed(0)} MiB during a 2 GiB transfer`);
    client.close();
  } finally {
    clearInterval(sampler);
    server.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
