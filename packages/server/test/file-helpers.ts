import { createHash } from 'node:crypto';

/** Uploads `bytes` over the public API: startUpload, parts by HTTP PUT (in the given order), completeUpload. */
export async function uploadBytes(
  call: (method: string, params: unknown) => Promise<any>,
  httpUrl: string,
  token: string,
  bytes: Uint8Array,
  options: { partSize?: number; name?: string; mimeType?: string; order?: (count: number) => number[] } = {},
) {
  const partSize = options.partSize ?? 64 * 1024;
  const started = await call('files.startUpload', { size: bytes.length, partSize, name: options.name ?? 'file.bin', mimeType: options.mimeType ?? 'application/octet-stream' });
  const order = options.order?.(started.partCount) ?? Array.from({ length: started.partCount }, (_, i) => i);
  await Promise.all(order.map((index) => putPart(httpUrl, token, started.uploadId, index, bytes.subarray(index * partSize, (index + 1) * partSize))));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return (await call('files.completeUpload', { uploadId: started.uploadId, sha256 })).file;
}

export async function putPart(httpUrl: string, token: string, uploadId: string, index: number, part: Uint8Array, sha256?: string): Promise<Response> {
  const response = await fetch(`${httpUrl}/files/uploads/${uploadId}/${index}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'x-part-sha256': sha256 ?? createHash('sha256').update(part).digest('hex') },
    // Node's fetch sends a Uint8Array as is; its DOM typing only knows ArrayBuffer-backed ones.
    body: part as unknown as BodyInit,
  });
  if (!response.ok) throw Object.assign(new Error(`part ${index}: ${response.status}`), await response.json());
  return response;
}
