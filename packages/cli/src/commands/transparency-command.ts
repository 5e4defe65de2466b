import { compiled, TransparencyReport } from '@samizdat/protocol';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { commandContext, type CommandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { formatTransparencyReport, totalBlocks } from '../safety-format.ts';
import { formatSeconds } from '../session.ts';
import { checkLog, TRANSPARENCY_FILE, TransparencyMemory, transparencyBaseUrl } from '../transparency-check.ts';

const URL_HELP = "the server, http(s)://host:port (default: the profile's server)";

/** `samizdat transparency show|verify [URL]`: a server's public transparency report and signed log; no login needed. */
export function transparencyCommand(): Command {
  return new Command('transparency')
    .description("Read a server's public transparency report, and verify its signed, append-only log (no login needed)")
    .addCommand(showCommand())
    .addCommand(verifyCommand());
}

function showCommand(): Command {
  return new Command('show')
    .description('Show the transparency report: public chats blocked per day and category, lawful requests per country and quarter')
    .argument('[url]', URL_HELP)
    .addHelpText(
      'after',
      '\nFetches URL/transparency.json. Lines:\n' +
        '  Public groups and channels blocked, per day (UTC): 3 in all\n' +
        '    2026-01-01  terrorism  2\n' +
        '  Lawful requests, per country and quarter received:\n' +
        '    2026-Q1  DE  received 3 · approved 2 · refused 1 · users affected 1\n' +
        '\nWith --json: the TransparencyReport as the server sent it.',
    )
    .action(async (urlInput: string | undefined, _options: unknown, command: Command) => {
      const context = commandContext(command);
      const url = await serverUrl(context, urlInput);
      const report = await fetchJson(`${url}/transparency.json`, context.timeoutMs);
      if (!compiled(TransparencyReport).Check(report)) {
        throw new CliError('TRANSPARENCY_UNAVAILABLE', `Cannot read ${url}/transparency.json: it is not a transparency report`);
      }
      if (context.isJson) output.json(report);
      else for (const line of formatTransparencyReport(url, report)) output.line(line);
      if (!context.isJson && totalBlocks(report) > 0) output.note(`Verify the blocks and disclosures behind it: samizdat transparency verify ${url}`);
    });
}

function verifyCommand(): Command {
  return new Command('verify')
    .description("Verify the server's transparency log: every entry hash-chained to the one before and signed by the operator")
    .argument('[url]', URL_HELP)
    .option('--reset', 'forget what this profile remembered of the server (its key and last entry) and trust the log afresh')
    .addHelpText(
      'after',
      '\nFetches URL/transparency/log and checks every entry: seq 1, 2, 3… without gaps, each entry\'s\n' +
        'prevHash is the previous entry\'s hash, each hash matches its contents, each signature verifies\n' +
        'under the operator\'s Ed25519 public key, and time never runs backwards. An entry altered,\n' +
        'removed or inserted fails. Prints "OK: N entries, signed by FINGERPRINT" (the first 16 bytes of\n' +
        "the SHA-256 of the key, in hex) and exits 0.\n" +
        '\nA chain alone cannot show that entries were cut off its end, or that the whole log was\n' +
        're-signed with a new key. So after each successful check the profile remembers, per server,\n' +
        `the public key and the last entry {seq, hash} (in ${TRANSPARENCY_FILE}, mode 0600), and the next\n` +
        'check requires the same key and that entry unchanged. The first check of a server trusts the\n' +
        'key it is shown: compare the fingerprint with one published elsewhere.\n' +
        '\nFailures exit 4: TRANSPARENCY_LOG_INVALID (the chain, a hash or a signature is broken, or the\n' +
        'log no longer holds the remembered entry) or TRANSPARENCY_KEY_CHANGED (another key than the\n' +
        'remembered one). What is remembered is then left as it was. Only when the operator explained a\n' +
        'new key by other means, run again with --reset. Exit 3 when the log cannot be fetched.\n' +
        '\nWith --json: {"ok":true,"url","count","publicKey","fingerprint","checkpoint":{"seq","hash"}|null}.',
    )
    .action(async (urlInput: string | undefined, options: { reset?: boolean }, command: Command) => {
      const context = commandContext(command);
      const url = await serverUrl(context, urlInput);
      const memory = new TransparencyMemory(context.profile.dir);
      const remembered = options.reset === true ? null : await memory.get(url);
      const log = await fetchJson(`${url}/transparency/log`, context.timeoutMs);
      const check = checkLog(log, remembered);
      if (!check.ok) {
        const hint = check.code === 'TRANSPARENCY_KEY_CHANGED' ? '; if the operator announced a new key elsewhere, run again with --reset' : '';
        throw new CliError(check.code, `The transparency log of ${url} does not verify: ${check.problem}${hint}`);
      }
      await memory.set(url, { publicKey: check.publicKey, checkpoint: check.checkpoint, verifiedAt: Math.floor(Date.now() / 1000) });
      if (context.isJson) {
        output.json({ ok: true, url, count: check.count, publicKey: check.publicKey, fingerprint: check.fingerprint, checkpoint: check.checkpoint });
      } else {
        output.line(`OK: ${check.count} ${check.count === 1 ? 'entry' : 'entries'}, signed by ${check.fingerprint}`);
        if (remembered === null) output.note(`First check of ${url} from this profile: its key and last entry are remembered, and later checks hold the log to them`);
      }
    });
}

/** The server to read: the URL given, or the one the profile signs in to. */
async function serverUrl(context: CommandContext, input: string | undefined): Promise<string> {
  if (input !== undefined) return transparencyBaseUrl(input);
  const { server } = await context.profile.read();
  if (server === null) throw new CliError('USAGE_INVALID', `Cannot tell which server: give its URL, or log in first (profile ${context.profile.dir} has no server)`);
  return transparencyBaseUrl(server);
}

/** GETs a public JSON document; network failures are CONNECTION_FAILED, a non-200 or non-JSON answer TRANSPARENCY_UNAVAILABLE. */
async function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    text = await response.text();
  } catch (error) {
    throw new CliError('CONNECTION_FAILED', `Cannot fetch ${url}: ${describeFetchError(error, timeoutMs)}`);
  }
  if (response.status !== 200) throw new CliError('TRANSPARENCY_UNAVAILABLE', `Cannot fetch ${url}: the server answered ${response.status}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CliError('TRANSPARENCY_UNAVAILABLE', `Cannot read ${url}: the answer is not JSON`);
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${formatSeconds(timeoutMs)}`;
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
