import { claimingUsername } from '../shared/username-conflict.ts';
import { randomBytes } from 'node:crypto';
import {
  normalizeUsername,
  RpcError,
  type AdminRights,
  type Chat,
  type ChatMember,
  type InviteLink,
  type MethodParams,
  type MethodResult,
  type SequencedUpdate,
} from '@samizdat/protocol';
import type { Expression, Kysely, Selectable, Transaction } from 'kysely';
import { sql } from '../storage/kysely-runtime.ts';
import type { Users } from '../accounts/users.ts';
import type { Bus } from '../bus/bus.ts';
import type { ChatKeyring } from '../keys/chat-keyring.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { ChatKind, Database, InviteLinksTable } from '../storage/database.ts';
import { appendChatUpdate, appendUserUpdate, forActor, publish, type Delivery } from '../updates/sequences.ts';
import type { ChatDirectory } from './chat-access.ts';
import { renderChat, type MemberRow } from './chat-view.ts';
import { ALL_RIGHTS, assertCanRead, assertMember, assertNotBlocked, assertRight, hasRight, isPublic, memberState, type ChatRow, type MemberState } from './permissions.ts';

/** Telegram's sizes: 200,000 members a group; channels have no limit. */
export const MAX_GROUP_MEMBERS = 200_000;
const MAX_TITLE_LENGTH = 128;

/** Telegram's name for a member's standing, as bots are told of it. */
export type MemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';

export interface MemberObserver {
  onMemberChange(trx: Transaction<Database>, change: { chatId: number; userId: number; actorId: number; before: MemberStatus; after: MemberStatus; date: number }): Promise<void>;
}

function memberStatus(row: { role: 'owner' | 'admin' | 'member'; muted_until?: number | null } | undefined, now: number): MemberStatus {
  if (row === undefined) return 'left';
  if (row.role === 'owner') return 'creator';
  if (row.role === 'admin') return 'administrator';
  return row.muted_until !== null && row.muted_until !== undefined && row.muted_until > now ? 'restricted' : 'member';
}

/** Groups and channels: making them, their members and admins, links and settings. */
export class ChatService {
  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      directory: ChatDirectory;
      users: Users;
      keyring: ChatKeyring;
      bus: Bus;
      clock: Clock;
      /** Base of invite links, e.g. `https://samizdat.example`; links are `<base>/+<hash>`. */
      publicUrl: () => string;
      /** Hears of every membership change in its transaction (the bots of the chat, `bots/bot-inbox.ts`). */
      memberObserver?: MemberObserver;
    },
  ) {}

  async createGroup(ownerId: number, params: MethodParams<'chats.createGroup'>): Promise<MethodResult<'chats.createGroup'>> {
    return this.#create(ownerId, 'group', { title: params.title, about: '', username: null, memberIds: params.userIds });
  }

  async createChannel(ownerId: number, params: MethodParams<'chats.createChannel'>): Promise<MethodResult<'chats.createChannel'>> {
    const username = params.username === undefined ? null : await this.#freeUsername(params.username, null);
    return this.#create(ownerId, 'channel', { title: params.title, about: params.about ?? '', username, memberIds: [] });
  }

  async #create(
    ownerId: number,
    type: ChatKind,
    spec: { title: string; about: string; username: string | null; memberIds: number[] },
  ): Promise<MethodResult<'chats.createGroup'>> {
    const title = checkTitle(spec.title);
    const others = [...new Set(spec.memberIds)].filter((id) => id !== ownerId);
    const known = await this.deps.users.byIds(others);
    if (known.length !== others.length) throw new RpcError('PEER_ID_INVALID', 'Cannot create chat: some of the users do not exist');
    const now = this.#now();
    const { chatId, deliveries } = await claimingUsername(() => this.deps.db.transaction().execute(async (trx) => {
      const chat = await trx
        .insertInto('chats')
        .values({
          type,
          wrapped_key: this.deps.keyring.newWrappedKey(),
          last_message_id: 0,
          last_message_date: now,
          created_at: now,
          title,
          about: spec.about.trim(),
          username: spec.username === null ? null : spec.username,
          username_lower: spec.username === null ? null : spec.username.toLowerCase(),
          creator_id: ownerId,
          member_count: 0,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const deliveries: Delivery[] = [];
      deliveries.push(...(await this.#addMember(trx, chat.id, ownerId, { role: 'owner', rights: null, now })));
      for (const userId of others) deliveries.push(...(await this.#addMember(trx, chat.id, userId, { role: 'member', rights: null, now, actorId: ownerId })));
      return { chatId: chat.id, deliveries };
    }), spec.username);
    publish(this.deps.bus, deliveries);
    const view = await this.get(ownerId, chatId);
    return { ...view, updates: forActor(deliveries, ownerId) };
  }

  /** The chat as `viewerId` sees it; members, and outsiders of a public chat who are not banned. */
  async get(viewerId: number, chatId: number): Promise<MethodResult<'chats.get'>> {
    const { chat, state } = await this.#load(chatId, viewerId);
    assertCanRead(chat, state);
    return { chat: await this.render(viewerId, chat), users: await this.#usersFor(viewerId, chat) };
  }

  async editInfo(actorId: number, params: MethodParams<'chats.editInfo'>): Promise<SequencedUpdate[]> {
    const { chat, state } = await this.#loadGroupOrChannel(params.chatId, actorId);
    assertRight(chat, state, 'changeInfo', 'change the chat info');
    const title = params.title === undefined ? chat.title : checkTitle(params.title);
    const about = params.about === undefined ? chat.about : params.about.trim();
    if (title === chat.title && about === chat.about) throw new RpcError('CHAT_NOT_MODIFIED', 'Cannot change chat info: nothing changed');
    return this.#changeChat(actorId, chat.id, { title, about });
  }

  async setUsername(actorId: number, params: MethodParams<'chats.setUsername'>): Promise<SequencedUpdate[]> {
    const { chat, state } = await this.#loadGroupOrChannel(params.chatId, actorId);
    if (state.role !== 'owner') throw new RpcError('CHAT_ADMIN_REQUIRED', 'Cannot change the chat username: only the owner can');
    assertNotBlocked(chat, 'change the username of a blocked chat');
    const username = params.username === null || params.username.trim() === '' ? null : await this.#freeUsername(params.username, chat.id);
    return this.#changeChat(actorId, chat.id, { username, username_lower: username?.toLowerCase() ?? null });
  }

  async setSettings(actorId: number, params: MethodParams<'chats.setSettings'>): Promise<SequencedUpdate[]> {
    const { chat, state } = await this.#loadGroupOrChannel(params.chatId, actorId);
    assertRight(chat, state, 'changeInfo', 'change chat settings');
    if (params.slowModeSeconds !== undefined && chat.type !== 'group') throw new RpcError('CHAT_NOT_MODIFIED', 'Cannot set slow mode: only groups have it');
    if (params.hasSignatures !== undefined && chat.type !== 'channel') throw new RpcError('CHAT_NOT_MODIFIED', 'Cannot set signatures: only channels have them');
    return this.#changeChat(actorId, chat.id, {
      ...(params.slowModeSeconds === undefined ? {} : { slow_mode_seconds: params.slowModeSeconds }),
      ...(params.hasSignatures === undefined ? {} : { has_signatures: params.hasSignatures ? 1 : 0 }),
      ...(params.hasNoForwards === undefined ? {} : { has_no_forwards: params.hasNoForwards ? 1 : 0 }),
    });
  }

  /** Links a channel to the group where its posts are discussed (or unlinks it). */
  async setLinkedChat(actorId: number, params: MethodParams<'chats.setLinkedChat'>): Promise<SequencedUpdate[]> {
    const { chat, state } = await this.#loadGroupOrChannel(params.chatId, actorId);
    if (chat.type !== 'channel') throw new RpcError('LINKED_CHAT_INVALID', 'Cannot link: only a channel has a discussion group');
    assertRight(chat, state, 'changeInfo', 'link a discussion group');
    if (params.linkedChatId !== null) {
      const group = await this.#load(params.linkedChatId, actorId);
      if (group.chat.type !== 'group') throw new RpcError('LINKED_CHAT_INVALID', `Cannot link chat ${params.linkedChatId}: it is not a group`);
      assertRight(group.chat, group.state, 'changeInfo', 'link this group to a channel');
    }
    const previous = chat.linked_chat_id;
    const updates = await this.#changeChat(actorId, chat.id, { linked_chat_id: params.linkedChatId });
    if (previous !== null && previous !== params.linkedChatId) updates.push(...(await this.#changeChat(actorId, previous, { linked_chat_id: null })));
    if (params.linkedChatId !== null) updates.push(...(await this.#changeChat(actorId, params.linkedChatId, { linked_chat_id: chat.id })));
    return updates;
  }

  /** Adds users: admins with the invite right, and in groups any member (as in Telegram's default permissions). */
  async addMembers(actorId: number, params: MethodParams<'chats.addMembers'>): Promise<SequencedUpdate[]> {
    const { chat, state } = await this.#loadGroupOrChannel(params.chatId, actorId);
    if (chat.type === 'channel') assertRight(chat, state, 'inviteUsers', 'add subscribers');
    else assertMember(chat, state, 'add members');
    assertNotBlocked(chat, 'add members');
    const users = await this.deps.users.byIds(params.userIds);
    if (users.length !== new Set(params.userIds).size) throw new RpcError('PEER_ID_INVALID', 'Cannot add members: some of the users do not exist');
    const now = this.#now();
    const deliveries = await this.deps.db.transaction().execute(async (trx) => {
      const all: Delivery[] = [];
      for (const user of users) {
        const target = await memberState(trx, chat.id, user.id, now);
        if (target.role !== null) continue;
        if (target.isBanned && !hasRight(state, 'banUsers')) {
          throw new RpcError('USER_BANNED_IN_CHANNEL', `Cannot add user ${user.id}: they are banned from this chat`);
        }
        await trx.deleteFrom('chat_bans').where('chat_id', '=', chat.id).where('user_id', '=', user.id).execute();
        all.push(...(await this.#addMember(trx, chat.id, user.id, { role: 'member', rights: null, now, actorId })));
      }
      return all;
    });
    publish(this.deps.bus, deliveries);
    return forActor(deliveries, actorId);
  }

  /** Removes a member who may come back (Telegram's kick). */
  async removeMember(actorId: number, params: MethodParams<'chats.removeMember'>): Promise<SequencedUpdate[]> {
    return this.#expel(actorId, params.chatId, params.userId, { banUntil: undefined });
  }

  async ban(actorId: number, params: MethodParams<'chats.ban'>): Promise<SequencedUpdate[]> {
    return this.#expel(actorId, params.chatId, params.userId, { banUntil: params.untilDate });
  }

  async unban(actorId: number, params: MethodParams<'chats.unban'>): Promise<SequencedUpdate[]> {
    const { chat, state } = await this.#loadGroupOrChannel(params.chatId, actorId);
    assertRight(chat, state, 'banUsers', 'unban a user');
    await this.deps.db.deleteFrom('chat_bans').where('chat_id', '=', chat.id).where('user_id', '=', params.userId).execute();
    return [];
  }

  async restrict(actorId: number, params: MethodParams<'chats.restrict'>): Promise<SequencedUpdate[]> {
    const { chat, state } = await this.#loadGroupOrChannel(params.chatId, actorId);
    assertRight(chat, state, 'banUsers', 'restrict a member');
    const target = await this.#targetMember(chat, state, params.userId);
    return this.#changeMember(actorId, chat.id, target.userId, { muted_until: params.mutedUntil });
  }

  /** Promotes a member to admin with `rights`, or (null) demotes them. An admin grants only rights they hold. */
  async setAdmin(actorId: number, params: MethodParams<'chats.setAdmin'>): Promise<SequencedUpdate[]> {
    const { chat, state } = await this.#loadGroupOrChannel(params.chatId, actorId);
    assertRight(chat, state, 'addAdmins', 'appoint admins');
    const target = await this.#targetMember(chat, state, params.userId);
    if (params.rights !== null && state.role !== 'owner') {
      const exceeded = (Object.keys(params.rights) as (keyof AdminRights)[]).filter((right) => params.rights![right] && !hasRight(state, right));
      if (exceeded.length > 0) throw new RpcError('CHAT_ADMIN_REQUIRED', `Cannot grant ${exceeded.join(', ')}: you do not hold ${exceeded.length > 1 ? 'them' : 'it'}`);
    }
    return this.#changeMember(actorId, chat.id, target.userId, {
      role: params.rights === null ? 'member' : 'admin',
      rights: params.rights === null ? null : JSON.stringify(params.rights),
    });
  }

  async leave(userId: number, chatId: number): Promise<SequencedUpdate[]> {
    const { chat, state } = await this.#loadGroupOrChannel(chatId, userId);
    assertMember(chat, state, 'leave');
    const deliveries = await this.deps.db.transaction().execute((trx) => this.#removeMember(trx, chat.id, userId, this.#now()));
    publish(this.deps.bus, deliveries);
    return forActor(deliveries, userId);
  }

  /** Joins a public group or channel. */
  async join(userId: number, chatId: number): Promise<MethodResult<'chats.join'>> {
    const { chat, state } = await this.#loadGroupOrChannel(chatId, userId);
    if (state.role !== null) throw new RpcError('USER_ALREADY_PARTICIPANT', `Cannot join chat ${chatId}: you are in it already`);
    if (state.isBanned) throw new RpcError('USER_BANNED_IN_CHANNEL', `Cannot join chat ${chatId}: you are banned from it`);
    if (!isPublic(chat)) throw new RpcError('CHANNEL_PRIVATE', `Cannot join chat ${chatId}: it is private; use an invite link`);
    assertNotBlocked(chat, `join chat ${chatId}`);
    return this.#joinAs(userId, chat, null);
  }

  async resolveUsername(viewerId: number, input: string): Promise<MethodResult<'chats.resolveUsername'>> {
    const username = normalizeUsername(input);
    if (username === null) throw new RpcError('USERNAME_INVALID', `Cannot resolve "${input.slice(0, 64)}": not a valid username`);
    const chat = await this.deps.db.selectFrom('chats').selectAll().where('username_lower', '=', username).executeTakeFirst();
    if (chat === undefined) throw new RpcError('USERNAME_NOT_OCCUPIED', `Cannot resolve @${username}: no group or channel has it`);
    // A blocked chat's link leads nowhere, for members too: they have it in their list already.
    assertNotBlocked(chat, `open @${username}`);
    const state = await memberState(this.deps.db, chat.id, viewerId, this.#now());
    assertCanRead(chat, state);
    return { chat: await this.render(viewerId, chat) };
  }

  async exportInviteLink(actorId: number, params: MethodParams<'chats.exportInviteLink'>): Promise<InviteLink> {
    const { chat, state } = await this.#loadGroupOrChannel(params.chatId, actorId);
    assertRight(chat, state, 'inviteUsers', 'create an invite link');
    assertNotBlocked(chat, 'create an invite link');
    const row = await this.deps.db
      .insertInto('invite_links')
      .values({
        hash: randomBytes(12).toString('base64url'),
        chat_id: chat.id,
        creator_id: actorId,
        expire_date: params.expireDate ?? null,
        usage_limit: params.usageLimit ?? null,
        usage_count: 0,
        is_revoked: 0,
        created_at: this.#now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.#renderInvite(row);
  }

  async revokeInviteLink(actorId: number, params: MethodParams<'chats.revokeInviteLink'>): Promise<InviteLink> {
    const { chat, state } = await this.#loadGroupOrChannel(params.chatId, actorId);
    assertRight(chat, state, 'inviteUsers', 'revoke an invite link');
    const row = await this.deps.db
      .updateTable('invite_links')
      .set({ is_revoked: 1 })
      .where('hash', '=', params.hash)
      .where('chat_id', '=', chat.id)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) throw new RpcError('INVITE_HASH_INVALID', 'Cannot revoke: no such link in this chat');
    return this.#renderInvite(row);
  }

  async inviteLinks(actorId: number, chatId: number): Promise<InviteLink[]> {
    const { chat, state } = await this.#loadGroupOrChannel(chatId, actorId);
    assertRight(chat, state, 'inviteUsers', 'list invite links');
    const rows = await this.deps.db.selectFrom('invite_links').selectAll().where('chat_id', '=', chat.id).orderBy('created_at', 'desc').execute();
    return rows.map((row) => this.#renderInvite(row));
  }

  /** What a link leads to, shown before joining; the chat id only to its members. */
  async checkInviteLink(viewerId: number, hash: string): Promise<MethodResult<'chats.checkInviteLink'>> {
    const { chat } = await this.#usableInvite(hash);
    const state = await memberState(this.deps.db, chat.id, viewerId, this.#now());
    return { chatId: state.role === null ? null : chat.id, type: chat.type, title: chat.title ?? '', about: chat.about, memberCount: chat.member_count };
  }

  async joinByLink(userId: number, hash: string): Promise<MethodResult<'chats.joinByLink'>> {
    const { chat, invite } = await this.#usableInvite(hash, { userId });
    const state = await memberState(this.deps.db, chat.id, userId, this.#now());
    if (state.isBanned) throw new RpcError('USER_BANNED_IN_CHANNEL', `Cannot join chat ${chat.id}: you are banned from it`);
    return this.#joinAs(userId, chat, invite.hash);
  }

  async members(viewerId: number, params: MethodParams<'chats.getMembers'>): Promise<MethodResult<'chats.getMembers'>> {
    const { chat, state } = await this.#loadGroupOrChannel(params.chatId, viewerId);
    assertMember(chat, state, 'list members');
    const filter = params.filter ?? 'all';
    // Subscribers of a channel see its admins only, as on Telegram: the audience is the admins' to know.
    if (chat.type === 'channel' && filter !== 'admins' && !hasRight(state, 'banUsers') && !hasRight(state, 'inviteUsers')) {
      throw new RpcError('CHAT_ADMIN_REQUIRED', 'Cannot list channel subscribers: only admins can');
    }
    if (filter === 'banned') {
      assertRight(chat, state, 'banUsers', 'list banned users');
      const bans = await this.deps.db.selectFrom('chat_bans').selectAll().where('chat_id', '=', chat.id).orderBy('created_at', 'desc').offset(params.offset ?? 0).limit(params.limit ?? 100).execute();
      return {
        members: bans.map((ban) => ({ userId: ban.user_id, role: 'member' as const, rights: null, mutedUntil: null, joinedAt: ban.created_at })),
        users: await this.deps.users.render(viewerId, bans.map((b) => b.user_id)),
        count: bans.length,
      };
    }
    let query = this.deps.db.selectFrom('chat_members').selectAll().where('chat_id', '=', chat.id);
    if (filter === 'admins') query = query.where('role', 'in', ['owner', 'admin']);
    const rows = await query.orderBy('joined_at', 'asc').orderBy('user_id', 'asc').offset(params.offset ?? 0).limit(params.limit ?? 100).execute();
    return {
      members: rows.map(renderMember),
      users: await this.deps.users.render(viewerId, rows.map((row) => row.user_id)),
      count: filter === 'all' ? chat.member_count : rows.length,
    };
  }

  /** Public groups and channels by title or username, and users by username. */
  async search(viewerId: number, query: string, limit = 20): Promise<MethodResult<'chats.search'>> {
    const term = query.trim().replace(/^@/, '').toLowerCase();
    if (term.length === 0) throw new RpcError('SEARCH_QUERY_EMPTY', 'Cannot search: the query is empty');
    const escaped = term.replace(/[\\%_]/g, (c) => `\\${c}`);
    const pattern = `%${escaped}%`;
    const chats = await this.deps.db
      .selectFrom('chats')
      .selectAll()
      .where('username_lower', 'is not', null)
      .where('blocked_category', 'is', null)
      .where((eb) => eb.or([likeEscaped(eb.ref('username_lower'), `${escaped}%`), likeEscaped(eb.fn('lower', ['title']), pattern)]))
      .orderBy('member_count', 'desc')
      .limit(limit)
      .execute();
    const users = await this.deps.db
      .selectFrom('users')
      .selectAll()
      .where((eb) => likeEscaped(eb.ref('username_lower'), `${escaped}%`))
      .limit(limit)
      .execute();
    const views: Chat[] = [];
    for (const chat of chats) views.push(await this.render(viewerId, chat));
    return { chats: views, users: await this.deps.users.render(viewerId, users.map((row) => row.id)) };
  }

  /** The groups and channels `userId` is in, whose pushes their connections follow. */
  async memberChatIds(userId: number): Promise<number[]> {
    const rows = await this.deps.db
      .selectFrom('chat_members as m')
      .innerJoin('chats as c', 'c.id', 'm.chat_id')
      .select('c.id')
      .where('m.user_id', '=', userId)
      .where('c.type', '!=', 'private')
      .execute();
    return rows.map((row) => row.id);
  }

  /** A chat row as `viewerId` sees it. */
  async render(viewerId: number, chat: ChatRow): Promise<Chat> {
    const member = await this.deps.db.selectFrom('chat_members').selectAll().where('chat_id', '=', chat.id).where('user_id', '=', viewerId).executeTakeFirst();
    return renderChat(this.deps, viewerId, chat, member ?? null);
  }

  async #joinAs(userId: number, chat: ChatRow, inviteHash: string | null): Promise<MethodResult<'chats.join'>> {
    if (chat.type === 'group' && chat.member_count >= MAX_GROUP_MEMBERS) {
      throw new RpcError('USERS_TOO_MUCH', `Cannot join chat ${chat.id}: it has ${MAX_GROUP_MEMBERS} members, the most a group can have`);
    }
    const now = this.#now();
    const deliveries = await this.deps.db.transaction().execute(async (trx) => {
      if (inviteHash !== null) {
        const used = await trx
          .updateTable('invite_links')
          .set((eb) => ({ usage_count: eb('usage_count', '+', 1) }))
          .where('hash', '=', inviteHash)
          .where((eb) => eb.or([eb('usage_limit', 'is', null), eb('usage_count', '<', eb.ref('usage_limit'))]))
          .executeTakeFirst();
        if (used.numUpdatedRows === 0n) throw new RpcError('INVITE_HASH_EXPIRED', 'Cannot join: the invite link is used up');
      }
      return this.#addMember(trx, chat.id, userId, { role: 'member', rights: null, now });
    });
    publish(this.deps.bus, deliveries);
    const view = await this.get(userId, chat.id);
    return { ...view, updates: forActor(deliveries, userId) };
  }

  /**
   * One member in: their row, the member count, one update in the chat's sequence and one in
   * theirs. Nothing in proportion to the chat's size or history: they read history on demand.
   */
  async #addMember(
    trx: Transaction<Database>,
    chatId: number,
    userId: number,
    spec: { role: 'owner' | 'member'; rights: AdminRights | null; now: number; actorId?: number },
  ): Promise<Delivery[]> {
    const chat = await trx.selectFrom('chats').select(['last_message_id']).where('id', '=', chatId).executeTakeFirstOrThrow();
    await trx
      .insertInto('chat_members')
      .values({
        chat_id: chatId,
        user_id: userId,
        role: spec.role,
        rights: spec.rights === null ? null : JSON.stringify(spec.rights),
        joined_at: spec.now,
        // What was said before someone joined counts as read for them.
        read_inbox_max_id: chat.last_message_id,
      })
      .execute();
    const { type, pts: chatPtsBefore } = await trx
      .updateTable('chats')
      .set((eb) => ({ member_count: eb('member_count', '+', 1) }))
      .where('id', '=', chatId)
      .returning(['type', 'pts'])
      .executeTakeFirstOrThrow();
    const member: ChatMember = { userId, role: spec.role, rights: spec.role === 'owner' ? ALL_RIGHTS : spec.rights, mutedUntil: null, joinedAt: spec.now };
    const deliveries: Delivery[] = [];
    if (isAnnounced(type, member)) {
      deliveries.push(await appendChatUpdate(trx, { type: 'chatMember', chatId, refId: userId, payload: member, date: spec.now }, (pts) => ({ type: 'chatMember', pts, chatId, userId, member })));
    }
    const chatPts = deliveries[0]?.update.pts ?? chatPtsBefore;
    deliveries.push(await appendUserUpdate(trx, userId, { type: 'chatJoined', chatId, refId: chatPts, date: spec.now }, (pts) => ({ type: 'chatJoined', pts, chatId, chatPts })));
    await this.deps.memberObserver?.onMemberChange(trx, { chatId, userId, actorId: spec.actorId ?? userId, before: 'left', after: memberStatus({ role: spec.role }, spec.now), date: spec.now });
    return deliveries;
  }

  async #removeMember(trx: Transaction<Database>, chatId: number, userId: number, now: number, cause: { actorId: number; banned: boolean } = { actorId: userId, banned: false }): Promise<Delivery[]> {
    const removed = await trx.deleteFrom('chat_members').where('chat_id', '=', chatId).where('user_id', '=', userId).returning(['role', 'muted_until']).executeTakeFirst();
    if (removed === undefined) return [];
    await this.deps.memberObserver?.onMemberChange(trx, { chatId, userId, actorId: cause.actorId, before: memberStatus(removed, now), after: cause.banned ? 'kicked' : 'left', date: now });
    const { type } = await trx
      .updateTable('chats')
      .set((eb) => ({ member_count: eb('member_count', '-', 1) }))
      .where('id', '=', chatId)
      .returning('type')
      .executeTakeFirstOrThrow();
    const deliveries: Delivery[] = [];
    if (isAnnounced(type, { role: removed.role })) {
      deliveries.push(await appendChatUpdate(trx, { type: 'chatMember', chatId, refId: userId, payload: null, date: now }, (pts) => ({ type: 'chatMember', pts, chatId, userId, member: null })));
    }
    deliveries.push(await appendUserUpdate(trx, userId, { type: 'chatLeft', chatId, refId: 0, date: now }, (pts) => ({ type: 'chatLeft', pts, chatId })));
    return deliveries;
  }

  async #expel(actorId: number, chatId: number, userId: number, options: { banUntil: number | null | undefined }): Promise<SequencedUpdate[]> {
    const { chat, state } = await this.#loadGroupOrChannel(chatId, actorId);
    assertRight(chat, state, 'banUsers', options.banUntil === undefined ? 'remove a member' : 'ban a user');
    const now = this.#now();
    const target = await memberState(this.deps.db, chat.id, userId, now);
    if (target.role === 'owner') throw new RpcError('CHAT_ADMIN_REQUIRED', 'Cannot remove the owner of the chat');
    if (target.role === 'admin' && state.role !== 'owner') throw new RpcError('CHAT_ADMIN_REQUIRED', 'Cannot remove an admin: only the owner can');
    if (target.role === null && options.banUntil === undefined) throw new RpcError('USER_NOT_PARTICIPANT', `Cannot remove user ${userId}: not in the chat`);
    const deliveries = await this.deps.db.transaction().execute(async (trx) => {
      if (options.banUntil !== undefined) {
        await trx
          .insertInto('chat_bans')
          .values({ chat_id: chat.id, user_id: userId, until_date: options.banUntil, banned_by: actorId, created_at: now })
          .onConflict((oc) => oc.columns(['chat_id', 'user_id']).doUpdateSet({ until_date: options.banUntil, banned_by: actorId }))
          .execute();
      }
      return this.#removeMember(trx, chat.id, userId, now, { actorId, banned: options.banUntil !== undefined });
    });
    publish(this.deps.bus, deliveries);
    return forActor(deliveries, actorId);
  }

  async #targetMember(chat: ChatRow, actor: MemberState, userId: number): Promise<MemberState> {
    const target = await memberState(this.deps.db, chat.id, userId, this.#now());
    if (target.role === null) throw new RpcError('USER_NOT_PARTICIPANT', `Cannot change user ${userId}: not in the chat`);
    if (target.role === 'owner') throw new RpcError('CHAT_ADMIN_REQUIRED', 'Cannot change the owner of the chat');
    if (target.role === 'admin' && actor.role !== 'owner') throw new RpcError('CHAT_ADMIN_REQUIRED', 'Cannot change another admin: only the owner can');
    return target;
  }

  async #changeMember(actorId: number, chatId: number, userId: number, values: Partial<Pick<MemberRow, 'role' | 'rights' | 'muted_until'>>): Promise<SequencedUpdate[]> {
    const now = this.#now();
    const deliveries = await this.deps.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('chat_members').select(['role', 'muted_until']).where('chat_id', '=', chatId).where('user_id', '=', userId).executeTakeFirst();
      const row = await trx.updateTable('chat_members').set(values).where('chat_id', '=', chatId).where('user_id', '=', userId).returningAll().executeTakeFirst();
      // Checked before the transaction; the member may have left since, through another device or worker.
      if (row === undefined) throw new RpcError('USER_NOT_PARTICIPANT', `Cannot change user ${userId}: not in the chat`);
      await this.deps.memberObserver?.onMemberChange(trx, { chatId, userId, actorId, before: memberStatus(before, now), after: memberStatus(row, now), date: now });
      const member = renderMember(row);
      return [await appendChatUpdate(trx, { type: 'chatMember', chatId, refId: userId, payload: member, date: now }, (pts) => ({ type: 'chatMember', pts, chatId, userId, member }))];
    });
    publish(this.deps.bus, deliveries);
    return forActor(deliveries, actorId);
  }

  async #changeChat(actorId: number, chatId: number, values: Partial<ChatRow>): Promise<SequencedUpdate[]> {
    if (Object.keys(values).length === 0) throw new RpcError('CHAT_NOT_MODIFIED', `Cannot change chat ${chatId}: nothing to change was given`);
    const now = this.#now();
    const deliveries = await claimingUsername(
      () =>
        this.deps.db.transaction().execute(async (trx) => {
          await trx.updateTable('chats').set(values).where('id', '=', chatId).execute();
          return [await appendChatUpdate(trx, { type: 'chatUpdated', chatId, refId: 0, date: now }, (pts) => ({ type: 'chatUpdated', pts, chatId }))];
        }),
      values.username_lower,
    );
    publish(this.deps.bus, deliveries);
    return forActor(deliveries, actorId);
  }

  /** The link's chat, if the link can still be used; a member is told they are in already, whatever the link's state. */
  async #usableInvite(hash: string, options: { userId?: number } = {}): Promise<{ chat: ChatRow; invite: Selectable<InviteLinksTable> }> {
    const invite = await this.deps.db.selectFrom('invite_links').selectAll().where('hash', '=', hash).executeTakeFirst();
    if (invite === undefined) throw new RpcError('INVITE_HASH_INVALID', 'Cannot use the invite link: it does not exist');
    if (options.userId !== undefined && (await memberState(this.deps.db, invite.chat_id, options.userId, this.#now())).role !== null) {
      throw new RpcError('USER_ALREADY_PARTICIPANT', `Cannot join chat ${invite.chat_id}: you are in it already`);
    }
    const isUsedUp = invite.usage_limit !== null && invite.usage_count >= invite.usage_limit;
    if (invite.is_revoked || isUsedUp || (invite.expire_date !== null && invite.expire_date <= this.#now())) {
      throw new RpcError('INVITE_HASH_EXPIRED', 'Cannot use the invite link: it expired, was revoked or is used up');
    }
    const chat = await this.deps.db.selectFrom('chats').selectAll().where('id', '=', invite.chat_id).executeTakeFirstOrThrow();
    assertNotBlocked(chat, 'use the invite link');
    return { chat, invite };
  }

  async #freeUsername(input: string, chatId: number | null): Promise<string> {
    const lower = normalizeUsername(input);
    if (lower === null) throw new RpcError('USERNAME_INVALID', `Cannot use username "${input.slice(0, 64)}": use 5 to 32 letters a-z, digits and _, starting with a letter`);
    const user = await this.deps.db.selectFrom('users').select('id').where('username_lower', '=', lower).executeTakeFirst();
    const chat = await this.deps.db.selectFrom('chats').select('id').where('username_lower', '=', lower).executeTakeFirst();
    if (user !== undefined || (chat !== undefined && chat.id !== chatId)) throw new RpcError('USERNAME_OCCUPIED', `Cannot use @${lower}: it is taken`);
    return input.trim().replace(/^@/, '');
  }

  async #load(chatId: number, userId: number): Promise<{ chat: ChatRow; state: MemberState }> {
    const chat = await this.deps.db.selectFrom('chats').selectAll().where('id', '=', chatId).executeTakeFirst();
    if (chat === undefined) throw new RpcError('CHAT_ID_INVALID', `Cannot use chat ${chatId}: no such chat`);
    const state = await memberState(this.deps.db, chatId, userId, this.#now());
    if (chat.type === 'private' && state.role === null) throw new RpcError('CHAT_ID_INVALID', `Cannot use chat ${chatId}: no such chat`);
    return { chat, state };
  }

  async #loadGroupOrChannel(chatId: number, userId: number): Promise<{ chat: ChatRow; state: MemberState }> {
    const loaded = await this.#load(chatId, userId);
    if (loaded.chat.type === 'private') throw new RpcError('CHAT_ID_INVALID', `Cannot do this in chat ${chatId}: it is a private chat`);
    if (loaded.state.role === null && !isPublic(loaded.chat) && !loaded.state.isBanned) {
      // Whether a private group exists is not for outsiders to learn from the error.
      throw new RpcError('CHANNEL_PRIVATE', `Cannot use chat ${chatId}: it is private and you are not in it`);
    }
    return loaded;
  }

  async #usersFor(viewerId: number, chat: ChatRow) {
    return this.deps.users.render(viewerId, chat.type === 'private' ? [chat.user_low!, chat.user_high!] : []);
  }

  #renderInvite(row: Selectable<InviteLinksTable>): InviteLink {
    return {
      link: `${this.deps.publicUrl()}/+${row.hash}`,
      hash: row.hash,
      creatorId: row.creator_id,
      expireDate: row.expire_date,
      usageLimit: row.usage_limit,
      usageCount: row.usage_count,
      isRevoked: row.is_revoked === 1,
    };
  }

  #now(): number {
    return unixSeconds(this.deps.clock);
  }
}

const LIKE_ESCAPE = String.fromCharCode(92);

/**
 * Is a member's arrival or departure an update of the chat's sequence? In groups, yes: members see
 * who comes and goes. In channels only for admins: subscribers come and go by the million, and
 * telling every reader of every one of them would cost readers² frames (Telegram tells no one either).
 */
function isAnnounced(type: ChatKind, member: { role: 'owner' | 'admin' | 'member' }): boolean {
  return type !== 'channel' || member.role !== 'member';
}

/** `expression LIKE pattern ESCAPE '\\'`: SQL has no escape character unless one is named. */
function likeEscaped(expression: Expression<unknown>, pattern: string) {
  return sql<boolean>`${expression} like ${pattern} escape ${LIKE_ESCAPE}`;
}

function checkTitle(input: string): string {
  const title = input.trim();
  if (title.length === 0 || title.length > MAX_TITLE_LENGTH) {
    throw new RpcError('CHAT_TITLE_EMPTY', `Cannot use title: it is ${title.length} characters, it must be 1 to ${MAX_TITLE_LENGTH}`);
  }
  return title;
}

export function renderMember(row: MemberRow): ChatMember {
  return {
    userId: row.user_id,
    role: row.role,
    rights: row.role === 'owner' ? ALL_RIGHTS : row.rights === null ? null : (JSON.parse(row.rights) as AdminRights),
    mutedUntil: row.muted_until,
    joinedAt: row.joined_at,
  };
}
