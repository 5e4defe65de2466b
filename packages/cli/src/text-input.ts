import { MAX_CAPTION_LENGTH, RpcError } from '@samizdat/protocol';
/**
 * A TEXT argument as the command should use it: the argument itself, or for `-` all of stdin with
 * its final newline removed (as `echo text | samizdat send @bob -` adds one). Read before the
 * command connects, so that a slow pipe does not hold a connection open.
 */
export async function readTextArgument(input: string): Promise<string> {
  return input === '-' ? (await readStdin()).replace(/\n$/, '') : input;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** The `--caption` of a file, read like any text argument; over the protocol's limit it is refused before any upload. */
export async function readCaptionArgument(input: string | undefined): Promise<string> {
  const caption = input === undefined ? '' : await readTextArgument(input);
  if (caption.length > MAX_CAPTION_LENGTH) {
    throw new RpcError('MEDIA_CAPTION_TOO_LONG', `Cannot send file: caption is ${caption.length} characters, limit is ${MAX_CAPTION_LENGTH}`);
  }
  return caption;
}
