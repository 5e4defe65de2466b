import { hostname } from 'node:os';
import { RpcError, normalizePhone, type Authorization } from '@samizdat/protocol';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { commandContext, type CommandContext } from '../command-context.ts';
import { formatUser } from '../format.ts';
import { output } from '../output.ts';
import { askNonEmpty, isInteractive } from '../prompt.ts';
import { normalizeServerUrl } from '../server-url.ts';
import { connectWithin, createClient } from '../session.ts';

/** How many wrong codes `login` lets a person retype before it gives up (the server allows a few more). */
const MAX_CODE_ATTEMPTS = 3;

interface LoginOptions {
  server?: string;
  phone: string;
  code?: string;
  name?: string;
  device?: string;
}

/** `samizdat login`: signs a profile in (or up) with a phone number and the code sent to it. */
export function loginCommand(): Command {
  return new Command('login')
    .description('Sign in with a phone number, creating the account if it is new')
    .option('--server <url>', "the server's http(s)://host:port (default: the profile's last server)")
    .requiredOption('--phone <number>', 'phone number in international form, e.g. +4915123456789')
    .option('--code <code>', 'the code sent to the phone (asked for when missing)')
    .option('--name <name>', 'display name for a new account (asked for when missing)')
    .option('--device <name>', 'name of this device in the session list', `samizdat-cli on ${hostname()}`)
    .addHelpText('after', '\nWithout a terminal, pass --code (and --name for a new account): nothing can be asked.')
    .action(async (options: LoginOptions, command: Command) => {
      await login(commandContext(command), options);
    });
}

async function login(context: CommandContext, options: LoginOptions): Promise<void> {
  const { profile, timeoutMs } = context;
  const phone = normalizePhone(options.phone);
  if (phone === null) {
    throw new RpcError('PHONE_NUMBER_INVALID', `Cannot log in: "${options.phone}" is not a phone number in +CCNNNN form`);
  }
  const stored = await profile.read();
  if (stored.state?.token !== undefined) {
    throw new CliError(
      'ALREADY_LOGGED_IN',
      `Cannot log in: profile ${profile.dir} is already logged in to ${stored.server ?? 'a server'}; run samizdat logout first or pass another --profile`,
    );
  }
  const serverInput = options.server ?? stored.server;
  if (serverInput === undefined || serverInput === null) {
    throw new CliError('USAGE_INVALID', 'Cannot log in: no server given; pass --server http://host:port');
  }
  const server = normalizeServerUrl(serverInput);
  // Fail before a code is sent rather than after: without a terminal, nobody can type it in.
  if (options.code === undefined && !isInteractive()) {
    throw new CliError('INPUT_REQUIRED', 'Cannot log in: no --code given and stdin is not a terminal to ask for it');
  }

  const client = createClient({ server, profile, timeoutMs, isPtsPersisted: true });
  try {
    await connectWithin(client, server, timeoutMs);
    const { phoneCodeHash } = await client.sendCode(phone);
    const deviceName = options.device;
    let code = options.code ?? (await askNonEmpty(`Code sent to ${phone}: `, 'code'));
    let authorization: Authorization | null = null;
    for (let attempt = 1; authorization === null; attempt += 1) {
      try {
        const result = await client.signIn({ phone, phoneCodeHash, code, ...(deviceName === undefined ? {} : { deviceName }) });
        if (result.type === 'authorization') {
          authorization = result;
        } else {
          const displayName = await newAccountName(phone, options.name);
          authorization = await client.signUp({ phone, phoneCodeHash, code, displayName, ...(deviceName === undefined ? {} : { deviceName }) });
        }
      } catch (error) {
        // A mistyped code is worth another try when a person typed it; a --code from a script is not.
        const isRetryable = error instanceof RpcError && error.code === 'PHONE_CODE_INVALID' && options.code === undefined;
        if (!isRetryable || attempt >= MAX_CODE_ATTEMPTS) throw error;
        output.note('The code is wrong; try again');
        code = await askNonEmpty(`Code sent to ${phone}: `, 'code');
      }
    }
    if (context.isJson) {
      output.json({ server, sessionId: authorization.sessionId, user: authorization.user });
    } else {
      output.line(`Logged in as ${formatUser(authorization.user)}, user ${authorization.user.id}, on ${server}`);
    }
  } finally {
    await client.close();
  }
}

/** The display name of a new account: `--name`, or asked for; fails without either. */
async function newAccountName(phone: string, name: string | undefined): Promise<string> {
  if (name !== undefined) return name;
  if (!isInteractive()) {
    throw new CliError('INPUT_REQUIRED', `Cannot sign up: no account uses ${phone} yet; pass --name to create one`);
  }
  output.note(`No account uses ${phone} yet; creating one.`);
  return askNonEmpty('Display name: ', 'display name');
}
