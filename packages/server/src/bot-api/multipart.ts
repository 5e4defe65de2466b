/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  /** Set for a file part (possibly empty); absent for a plain field. */
  filename?: string;
  contentType?: string;
  body: Buffer;
}

/** A body that is not multipart/form-data as the header says; the Bot API answers 400. */
export class MultipartError extends Error {}

/**
 * Reads a multipart/form-data body (RFC 7578) as leniently as Telegram does: bot libraries write
 * `form-data;name=x` without a space and `filename=a.png` without quotes, which stricter readers
 * refuse. One pass over the bytes with `indexOf`; nothing is copied but each part's own slice.
 */
export function parseMultipart(body: Buffer, contentType: string): FormPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (marker === undefined) throw new MultipartError('no boundary in content-type');
  const delimiter = Buffer.from(`--${marker}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at === -1) throw new MultipartError('the boundary is not in the body');
  for (;;) {
    at += delimiter.length;
    // `--` after a delimiter ends the body.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts;
    at = skipLineEnd(body, at);
    const headerEnd = indexOfBlankLine(body, at);
    if (headerEnd === -1) throw new MultipartError('a part has no end of headers');
    const headers = parseHeaders(body.subarray(at, headerEnd.start).toString('utf8'));
    const bodyStart = headerEnd.end;
    const next = body.indexOf(delimiter, bodyStart);
    if (next === -1) throw new MultipartError('a part is not closed by the boundary');
    // The line break before the next delimiter belongs to the delimiter.
    let bodyEnd = next;
    if (body[bodyEnd - 1] === 0x0a) bodyEnd -= 1;
    if (body[bodyEnd - 1] === 0x0d) bodyEnd -= 1;
    const disposition = headers.get('content-disposition') ?? '';
    const name = dispositionParam(disposition, 'name');
    if (name === undefined) throw new MultipartError('a part has no name');
    const filename = dispositionParam(disposition, 'filename');
    const type = headers.get('content-type');
    parts.push({
      name,
      ...(filename === undefined ? {} : { filename }),
      ...(type === undefined ? {} : { contentType: type }),
      body: body.subarray(bodyStart, Math.max(bodyStart, bodyEnd)),
    });
    at = next;
  }
}

function skipLineEnd(body: Buffer, at: number): number {
  while (body[at] === 0x20 || body[at] === 0x09) at += 1;
  if (body[at] === 0x0d) at += 1;
  if (body[at] === 0x0a) at += 1;
  return at;
}

/** Where the headers of a part end: CRLF CRLF, or LF LF from writers that use bare line feeds. */
function indexOfBlankLine(body: Buffer, from: number): { start: number; end: number } | -1 {
  const crlf = body.indexOf('\r\n\r\n', from);
  const lf = body.indexOf('\n\n', from);
  if (crlf !== -1 && (lf === -1 || crlf <= lf)) return { start: crlf, end: crlf + 4 };
  if (lf !== -1) return { start: lf, end: lf + 2 };
  // A part with no headers at all starts right away with its blank line.
  return -1;
}

function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** `name` or `filename` of a Content-Disposition, quoted or not, with or without spaces around `;`. */
function dispositionParam(disposition: string, key: string): string | undefined {
  const pattern = new RegExp(`(?:^|;)\\s*${key}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i');
  const match = pattern.exec(disposition);
  if (match === null) return undefined;
  const value = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? '').trim();
  return value;
}
