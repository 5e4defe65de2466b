import { output } from './output.ts';
import { SamizdatClient } from '@samizdat/client';
import type { Chat, User } from '@samizdat/protocol';
import { WebSocket } from 'ws';
import { CliError } from './cli-error.ts';
import type { CommandContext } from './command-context.ts';
import { FileStore, type Profile } from './profile.ts';
import { webSocketUrl } from './server-url.ts';

/** A client connected and signed in with the profile's session. */
export interface Session {
  client: SamizdatClient;
  profile: Profile;
  user: User;
  sessionId: number | null;
  server: string;
}

/** Options of {@link createClient}. */
export interface CreateClientOptions {
  server: string;
  profile: Profile;
  timeoutMs: number;
  /** Whether the SDK's pts is written back to the profile; see {@link FileStore}. */
  isPtsPersisted: boolean;
}

/** An SDK client for `server` that keeps its state in `profile`; not connected yet. */
export function createClient(options: CreateClientOptions): SamizdatClient {
  return new SamizdatClient({
    url: webSocketUrl(options.server),
    // Node 20 has no global WebSocket; the `ws` class fits the SDK's WebSocketLike.
    WebSocket,
    store: new FileStore(options.profile, { server: options.server, isPtsPersisted: options.isPtsPersisted }),
    requestTimeoutMs: options.timeoutMs,
  });
}

/**
 * Waits for the client's first welcome, or fails with `CONNECTION_FAILED` after `timeoutMs`: the
 * SDK itself retries for ever, which suits an app but not a command someone waits on.
 */
export async function connectWithin(client: SamizdatClient, server: string, timeoutMs: number) {
  return withTimeout(client.connect(), timeoutMs, () =>
    new CliError('CONNECTION_FAILED', `Cannot connect to ${server}: no answer within ${formatSeconds(timeoutMs)}`),
  );
}

/**
 * Runs `run` with a client signed in as the profile's session, then closes the client (which
 * saves its state) whether `run` succeeded or not. The client does not persist its pts: only
 * `listen` moves the saved position in the update stream.
 */
export async function withSession<T>(context: CommandContext, run: (session: Session) => Promise<T>): Promise<T> {
  const { profile, timeoutMs } = context;
  const server = await requireLogin(profile);
  const client = createClient({ server, profile, timeoutMs, isPtsPersisted: false });
  try {
    const welcome = await connectWithin(client, server, timeoutMs);
    if (welcome.user === null) {
      throw new CliError('NOT_LOGGED_IN', `Cannot use profile ${profile.dir}: the server ended this session; log in again`);
    }
    return await run({ client, profile, user: welcome.user, sessionId: welcome.sessionId, server });
  } finally {
    await client.close();
  }
}

/** The server of a profile that holds a session; fails with `NOT_LOGGED_IN` for one that does not. */
export async function requireLogin(profile: Profile): Promise<string> {
  const data = await profile.read();
  if (data.server === null || data.state?.token === undefined) {
    throw new CliError('NOT_LOGGED_IN', `Cannot use profile ${profile.dir}: not logged in; run samizdat login --server URL --phone NUMBER`);
  }
  return data.server;
}

/** Settles like `promise`, or rejects with `onTimeout()` after `timeoutMs`. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(onTimeout()), timeoutMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** `15 s`, `1.5 s`. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * Records in the profile the point where the user joined (or created) a group or channel, unless
 * it has one: the next `listen` then prints what happened there from this point on, instead of
 * following the chat only from when it runs (see {@link Profile.addChatPositions}).
 */
export async function recordJoinedChat(session: Session, chat: Chat): Promise<void> {
  await session.profile.addChatPositions(session.user.id, { [String(chat.id)]: chat.pts });
}

/** Records a chat just made or joined, then prints it: the Chat with `--json`, else `humanLine`. */
export async function reportJoinedChat(session: Session, isJson: boolean, chat: Chat, humanLine: string): Promise<void> {
  await recordJoinedChat(session, chat);
  if (isJson) output.json(chat);
  else output.line(humanLine);
}
