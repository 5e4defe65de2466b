import { createHash, randomBytes } from 'node:crypto';
import { round } from './stats.ts';
import { mib, type ServerProcess } from './server-control.ts';
import { signUpTestNumber, testPhone, WireClient } from './wire-client.ts';

export interface FileTransferParams {
  sizeBytes: number;
  partBytes: number;
  /** Parts in flight at once. */
  parallel: number;
}

export interface FileTransferResult {
  sizeMiB: number;
  upload: { seconds: number; mibPerSecond: number; partsSeconds: number; completeSeconds: number };
  download: { seconds: number; mibPerSecond: number };
  serverMemoryMiB: { before: number; peakDuring: number; growth: number };
}

/**
 * One large file up (parts over HTTP PUT, `parallel` at once, each hashed, then joined and
 * checked) and down again (one HTTP GET), timing both and sampling the server's memory throughout.
 */
export async function runFileTransfer(server: ServerProcess, params: FileTransferParams): Promise<FileTransferResult> {
  const client = await WireClient.open(server.url);
  await client.hello();
  const { token } = await signUpTestNumber(client, testPhone(90_001), 'File bench');
  const httpUrl = server.url.replace(/^ws/, 'http').replace(/\/ws$/, '');
  await server.collectGarbage();
  const before = server.memory().rssKiB;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, server.memory().rssKiB)), 25);
  try {
    const started = performance.now();
    const upload = (await client.call('files.startUpload', { size: params.sizeBytes, partSize: params.partBytes, name: 'bench.bin' })) as { uploadId: string; partCount: number };
    const block = randomBytes(params.partBytes);
    const whole = createHash('sha256');
    for (let first = 0; first < upload.partCount; first += params.parallel) {
      const indexes = Array.from({ length: Math.min(params.parallel, upload.partCount - first) }, (_, k) => first + k);
      const parts = indexes.map((index) => {
        const part = Buffer.from(block.subarray(0, Math.min(params.partBytes, params.sizeBytes - index * params.partBytes)));
        part.writeUInt32BE(index, 0);
        whole.update(part);
        return part;
      });
      await Promise.all(indexes.map((index, k) => putPart(httpUrl, token, upload.uploadId, index, parts[k]!)));
    }
    const partsDone = performance.now();
    const sha256 = whole.digest('hex');
    const { file } = (await client.call('files.completeUpload', { uploadId: upload.uploadId, sha256 })) as { file: { id: string } };
    const uploaded = performance.now();
    const response = await fetch(`${httpUrl}/files/${file.id}`, { headers: { authorization: `Bearer ${token}` } });
    const back = createHash('sha256');
    let received = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      back.update(chunk);
      received += chunk.length;
    }
    const downloaded = performance.now();
    if (received !== params.sizeBytes || back.digest('hex') !== sha256) throw new Error(`The file came back different: ${received} bytes`);
    const sizeMiB = params.sizeBytes / 2 ** 20;
    const uploadSeconds = (uploaded - started) / 1000;
    const downloadSeconds = (downloaded - uploaded) / 1000;
    return {
      sizeMiB,
      upload: { seconds: round(uploadSeconds), mibPerSecond: round(sizeMiB / uploadSeconds, 1), partsSeconds: round((partsDone - started) / 1000), completeSeconds: round((uploaded - partsDone) / 1000) },
      download: { seconds: round(downloadSeconds), mibPerSecond: round(sizeMiB / downloadSeconds, 1) },
      serverMemoryMiB: { before: mib(before), peakDuring: mib(peak), growth: mib(peak - before) },
    };
  } finally {
    clearInterval(sampler);
    await client.close();
  }
}

async function putPart(httpUrl: string, token: string, uploadId: string, index: number, part: Buffer): Promise<void> {
  const response = await fetch(`${httpUrl}/files/uploads/${uploadId}/${index}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'x-part-sha256': createHash('sha256').update(part).digest('hex') },
    // Node's fetch sends a Buffer as is; its DOM typing only knows ArrayBuffer-backed views.
    body: part as unknown as BodyInit,
  });
  if (!response.ok) throw new Error(`Cannot upload part ${index}: ${response.status} ${await response.text()}`);
}
