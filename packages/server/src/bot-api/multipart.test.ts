import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MultipartError, parseMultipart } from './multipart.ts';

const body = (text: string) => Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1');

test('[BOT2] multipart: quoted and unquoted names and filenames, with or without spaces, and parts without a type', () => {
  const parts = parseMultipart(
    body('--XyZ\ncontent-disposition:form-data;name="chat_id"\n\n42\n--XyZ\nContent-Disposition: form-data; name=photo; filename=back.png\n\n\x89PNG\x00\x01\n--XyZ\ncontent-disposition: form-data; name="doc"; filename="a \\"q\\".txt"\ncontent-type: text/plain\n\nline one\nline two\n--XyZ--\n'),
    'multipart/form-data; boundary=XyZ',
  );
  assert.deepEqual(parts.map((p) => [p.name, p.filename, p.contentType, p.body.toString('latin1')]), [
    ['chat_id', undefined, undefined, '42'],
    ['photo', 'back.png', undefined, '\x89PNG\x00\x01'],
    ['doc', 'a "q".txt', 'text/plain', 'line one\r\nline two'],
  ]);
});

test('[BOT2] multipart: a quoted boundary, an empty file, and bodies that are not multipart', () => {
  const parts = parseMultipart(body('--b 1\ncontent-disposition: form-data; name="f"; filename=""\n\n\n--b 1--'), 'multipart/form-data; boundary="b 1"');
  assert.deepEqual(parts.map((p) => [p.name, p.filename, p.body.length]), [['f', '', 0]]);
  assert.throws(() => parseMultipart(body('no boundary here'), 'multipart/form-data; boundary=zz'), MultipartError);
  assert.throws(() => parseMultipart(body('--zz\ncontent-disposition: form-data; name="a"\n\nunterminated'), 'multipart/form-data; boundary=zz'), MultipartError);
  assert.throws(() => parseMultipart(body('--zz\ncontent-disposition: form-data\n\nx\n--zz--'), 'multipart/form-data; boundary=zz'), MultipartError);
  assert.throws(() => parseMultipart(body('--zz--'), 'multipart/form-data'), MultipartError);
});
