import { randomBytes, timingSafeEqual } from 'node:crypto';
import { normalizeUsername, RpcError, type BotCommand, type User } from '@samizdat/protocol';
import type { Kysely, Selectable } from 'kysely';
import { hashToken } from '../accounts/sessions.ts';
import { renderUser, checkDisplayName, type Users } from '../accounts/users.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import { claimingUsername } from '../shared/username-conflict.ts';
import type { BotsTable, Database } from '../storage/database.ts';
import type { ChatKeyring } from '../keys/chat-keyring.ts';

export type BotRow = Selectable<BotsTable>;

/** How many bots one user may own, as on Telegram. */
export const MAX_BOTS_PER_OWNER = 20;

/** The built-in bot that makes bots, as on Telegram. */
export const BOT_FATHER_USERNAME = 'BotFather';

/** A bot's account and its settings, as the Bot API needs them at every call. */
export interface BotIdentity {
  id: number;
  username: string;
  displayName: string;
  row: BotRow;
}

/**
 * Bots as accounts of their own kind: a `users` row (no phone a person could use, no sessions) and
 * a `bots` row with the token's hash (what calls are checked against), the token sealed for its
 * owner, and the bot's settings. The token is `<id>:<secret>`, as on Telegram.
 */
export class BotAccounts {
  constructor(private readonly deps: { db: Kysely<Database>; users: Users; clock: Clock; keyring: ChatKeyring }) {}

  /** Makes a bot owned by `ownerId` and returns it with its token. */
  async create(ownerId: number, usernameInput: string, displayNameInput: string): Promise<{ user: User; token: string }> {
    const username = checkBotUsername(usernameInput);
    const displayName = checkDisplayName(displayNameInput);
    const owned = await this.deps.db.selectFrom('bots').select((eb) => eb.fn.countAll<number>().as('n')).where('owner_id', '=', ownerId).executeTakeFirstOrThrow();
    if (Number(owned.n) >= MAX_BOTS_PER_OWNER) throw new RpcError('BOTS_TOO_MUCH', `Cannot create a bot: you own ${MAX_BOTS_PER_OWNER} already`);
    return this.#insert(ownerId, username, displayName);
  }

  /** The built-in @BotFather, made on first start; it owns itself. */
  async ensureBotFather(): Promise<BotIdentity> {
    const existing = await this.deps.db.selectFrom('users').select('id').where('username_lower', '=', BOT_FATHER_USERNAME.toLowerCase()).where('is_bot', '=', 1).executeTakeFirst();
    if (existing === undefined) await this.#insert(null, BOT_FATHER_USERNAME, 'BotFather');
    const row = await this.deps.db.selectFrom('users').select('id').where('username_lower', '=', BOT_FATHER_USERNAME.toLowerCase()).executeTakeFirstOrThrow();
    return (await this.byId(row.id))!;
  }

  async #insert(ownerId: number | null, username: string, displayName: string): Promise<{ user: User; token: string }> {
    const now = unixSeconds(this.deps.clock);
    const lower = username.toLowerCase();
    const taken = await this.deps.db.selectFrom('chats').select('id').where('username_lower', '=', lower).executeTakeFirst();
    if (taken !== undefined) throw new RpcError('USERNAME_OCCUPIED', `Cannot create @${username}: it is taken`);
    return claimingUsername(
      () =>
        this.deps.db.transaction().execute(async (trx) => {
          const user = await trx
            .insertInto('users')
            // Bots have no phone number; the placeholder is unique and can never sign in (not E.164).
            .values({ phone: `bot:${randomBytes(12).toString('hex')}`, display_name: displayName, username, username_lower: lower, phone_visibility: 'nobody', pts: 0, created_at: now, is_bot: 1 })
            .returningAll()
            .executeTakeFirstOrThrow();
          const token = newToken(user.id);
          await trx.insertInto('bots').values({ user_id: user.id, owner_id: ownerId ?? user.id, token_hash: hashToken(token), token_sealed: this.#sealToken(user.id, token), created_at: now }).execute();
          return { user: renderUser(user, ownerId ?? user.id), token };
        }),
      lower,
    );
  }

  /** A new token for a bot of `ownerId`'s; the old one stops working at once. */
  async revokeToken(ownerId: number, botId: number): Promise<string> {
    await this.owned(ownerId, botId);
    const token = newToken(botId);
    await this.deps.db.updateTable('bots').set({ token_hash: hashToken(token), token_sealed: this.#sealToken(botId, token) }).where('user_id', '=', botId).execute();
    return token;
  }

  /** The current token of a bot of `ownerId`'s (what @BotFather's /token shows). */
  async token(ownerId: number, botId: number): Promise<string> {
    const row = await this.owned(ownerId, botId);
    return this.deps.keyring.openSecret(`bot-token/${botId}`, row.token_sealed);
  }

  #sealToken(botId: number, token: string): Uint8Array {
    return this.deps.keyring.sealSecret(`bot-token/${botId}`, token);
  }

  /** The webhook's secret_token, sealed at rest. */
  sealWebhookSecret(botId: number, secret: string): Uint8Array {
    return this.deps.keyring.sealSecret(`webhook-secret/${botId}`, secret);
  }

  openWebhookSecret(botId: number, sealed: Uint8Array): string {
    return this.deps.keyring.openSecret(`webhook-secret/${botId}`, sealed);
  }

  /** The bot `botId` if `ownerId` owns it; BOT_INVALID otherwise. */
  async owned(ownerId: number, botId: number): Promise<BotRow> {
    const row = await this.deps.db.selectFrom('bots').selectAll().where('user_id', '=', botId).executeTakeFirst();
    if (row === undefined || row.owner_id !== ownerId) throw new RpcError('BOT_INVALID', `Cannot manage user ${botId}: not a bot of yours`);
    return row;
  }

  /** The bots `ownerId` owns, as they see them. */
  async mine(ownerId: number): Promise<User[]> {
    const rows = await this.deps.db.selectFrom('bots').select('user_id').where('owner_id', '=', ownerId).where('user_id', '!=', ownerId).orderBy('user_id').execute();
    return this.deps.users.render(ownerId, rows.map((r) => r.user_id));
  }

  /** The bot a Bot API token names, or null when the token is not (or no longer) valid. */
  async authenticate(token: string): Promise<BotIdentity | null> {
    const match = /^(\d{1,15}):([A-Za-z0-9_-]{30,64})$/.exec(token);
    if (match === null) return null;
    const identity = await this.byId(Number(match[1]));
    if (identity === null) return null;
    const expected = Buffer.from(identity.row.token_hash, 'hex');
    const given = Buffer.from(hashToken(token), 'hex');
    return expected.length === given.length && timingSafeEqual(expected, given) ? identity : null;
  }

  async byId(botId: number): Promise<BotIdentity | null> {
    const row = await this.deps.db.selectFrom('bots').selectAll().where('user_id', '=', botId).executeTakeFirst();
    if (row === undefined) return null;
    const user = await this.deps.db.selectFrom('users').select(['username', 'display_name']).where('id', '=', botId).executeTakeFirstOrThrow();
    return { id: botId, username: user.username ?? '', displayName: user.display_name, row };
  }

  /** A bot's command menu and description, for any user who talks to it. */
  async info(botId: number): Promise<{ commands: BotCommand[]; description: string }> {
    const row = await this.deps.db.selectFrom('bots').select(['commands', 'description']).where('user_id', '=', botId).executeTakeFirst();
    if (row === undefined) throw new RpcError('BOT_INVALID', `Cannot show bot ${botId}: that user is not a bot`);
    return { commands: JSON.parse(row.commands) as BotCommand[], description: row.description };
  }

  async setCommands(botId: number, commands: BotCommand[]): Promise<void> {
    await this.deps.db.updateTable('bots').set({ commands: JSON.stringify(commands) }).where('user_id', '=', botId).execute();
  }

  async update(botId: number, values: Partial<Omit<BotRow, 'user_id' | 'owner_id' | 'token_hash' | 'token_sealed' | 'created_at'>>): Promise<void> {
    if (Object.keys(values).length === 0) return;
    await this.deps.db.updateTable('bots').set(values).where('user_id', '=', botId).execute();
  }

  async isBot(userId: number): Promise<boolean> {
    const row = await this.deps.db.selectFrom('users').select('is_bot').where('id', '=', userId).executeTakeFirst();
    return row?.is_bot === 1;
  }
}

/** Telegram's rule: a valid username that ends in "bot", whatever the case. */
export function checkBotUsername(input: string): string {
  const display = input.trim().replace(/^@/, '');
  const lower = normalizeUsername(display);
  if (lower === null || !lower.endsWith('bot')) {
    throw new RpcError('BOT_USERNAME_INVALID', `Cannot use "${display.slice(0, 64)}" for a bot: use 5 to 32 letters, digits and _, starting with a letter and ending in "bot"`);
  }
  return display;
}

function newToken(botId: number): string {
  return `${botId}:${randomBytes(26).toString('base64url')}`;
}
