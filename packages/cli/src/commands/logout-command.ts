import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { commandContext, type CommandContext } from '../command-context.ts';
import { output } from '../output.ts';
import { removeSecretChats } from '../secret-store.ts';
import { connectWithin, createClient, requireLogin } from '../session.ts';

/** `samizdat logout`: ends this device's session on the server and forgets it locally. */
export function logoutCommand(): Command {
  return new Command('logout')
    .description("End this profile's session on the server and remove it from the profile, secret chats included")
    .addHelpText(
      'after',
      '\nThe secret chats of this device (secret.json: its private keys and the decrypted history) are\n' +
        'deleted too: they belong to the session, and the server forgets the device\'s keys with it.',
    )
    .action(async (_options: unknown, command: Command) => {
      await logout(commandContext(command));
    });
}

async function logout(context: CommandContext): Promise<void> {
  const { profile, timeoutMs } = context;
  const server = await requireLogin(profile);
  const client = createClient({ server, profile, timeoutMs, isPtsPersisted: true });
  let isEndedOnServer = true;
  try {
    // A session the server already ended comes back as a welcome without a user; the SDK then
    // forgets the token by itself, and there is nothing left to end.
    const welcome = await connectWithin(client, server, timeoutMs);
    if (welcome.user !== null) await client.logOut();
  } catch (error) {
    if (!(error instanceof CliError && error.code === 'CONNECTION_FAILED')) throw error;
    isEndedOnServer = false;
  } finally {
    await client.close();
  }
  if (!isEndedOnServer) {
    // Logging out is the user's way to get a token off this machine: do that even offline.
    await profile.write({ server, state: { outbox: [] } });
    output.note(
      `Cannot reach ${server}: the session was removed from this profile but may still be active on the server; ` +
        'end it from another device with samizdat terminate-session ID',
    );
  }
  // After the token is gone from session.json: a process still running on the profile then can no
  // longer write the keys back (see FileSecretStore.save).
  await removeSecretChats(profile, timeoutMs);
  if (context.isJson) output.json({ ok: true, isEndedOnServer });
  else output.line(isEndedOnServer ? 'Logged out' : 'Logged out locally');
}
