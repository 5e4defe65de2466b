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
