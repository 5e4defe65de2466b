import { normalizePhone, RpcError, type MethodName, type MethodParams, type MethodResult } from '@samizdat/protocol';
import type { AuthService } from '../accounts/auth-service.ts';
import type { Contacts } from '../accounts/contacts.ts';
import type { Presence } from '../accounts/presence.ts';
import type { Sessions } from '../accounts/sessions.ts';
import type { Users } from '../accounts/users.ts';
import { userTopic, type Bus } from '../bus/bus.ts';
import type { ChatService } from '../chats/chat-service.ts';
import type { MessageService } from '../messages/message-service.ts';
import { announceTyping } from '../messages/typing.ts';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { ContentStore } from '../files/content-store.ts';
import type { FileService } from '../files/file-service.ts';
import type { UploadService } from '../files/upload-service.ts';
import type { SecretRelay } from '../secret/secret-relay.ts';
import type { Legal } from '../safety/legal.ts';
import type { Moderation } from '../safety/moderation.ts';
import type { Reports } from '../safety/reports.ts';
import type { UpdateService } from '../updates/update-service.ts';
import type { BotAccounts } from '../bots/bot-accounts.ts';
import type { CallbackQueries } from '../bots/callback-queries.ts';

/** What a handler knows of the connection that called it. */
export interface CallContext {
  readonly ip: string;
  readonly userId: number | null;
  readonly sessionId: number | null;
  /** Makes this connection signed in as the session, so it starts receiving the user's updates. */
  authorize(userId: number, sessionId: number): Promise<void>;
  /** Makes this connection signed out, before its session is ended. */
  deauthorize(): void;
}

/** A handler of a method that needs a signed-in connection gets its user and session for sure. */
type SignedIn = CallContext & { readonly userId: number; readonly sessionId: number };

type Handler<M extends MethodName> = (ctx: SignedIn, params: MethodParams<M>) => Promise<MethodResult<M>>;
type PublicHandler<M extends MethodName> = (ctx: CallContext, params: MethodParams<M>) => Promise<MethodResult<M>>;

export interface Services {
  auth: AuthService;
  users: Users;
  sessions: Sessions;
  contacts: Contacts;
  presence: Presence;
  chats: ChatService;
  messages: MessageService;
  updates: UpdateService;
  uploads: UploadService;
  secret: SecretRelay;
  reports: Reports;
  moderation: Moderation;
  legal: Legal;
  files: FileService;
  store: ContentStore;
  bus: Bus;
  clock: Clock;
  bots: BotAccounts;
  callbacks: CallbackQueries;
}

const PUBLIC_METHODS = ['auth.sendCode', 'auth.signIn', 'auth.signUp'] as const;
type PublicMethod = (typeof PUBLIC_METHODS)[number];

/** Does `method` work without signing in? */
export function isPublicMethod(method: MethodName): method is PublicMethod {
  return (PUBLIC_METHODS as readonly string[]).includes(method);
}

/** One handler per method of the protocol; the type makes a missing one a compile error. */
export function createHandlers(s: Services): {
  [M in PublicMethod]: PublicHandler<M>;
} & { [M in Exclude<MethodName, PublicMethod>]: Handler<M> } {
  const one = async (viewerId: number, id: number) => {
    const [user] = await s.users.render(viewerId, [id]);
    if (user === undefined) throw new RpcError('PEER_ID_INVALID', `No user ${id}`);
    return user;
  };
  const notSignedIn = (ctx: CallContext) => {
    if (ctx.userId !== null) throw new RpcError('ALREADY_AUTHORIZED', 'Cannot sign in: this connection is signed in already; log out first');
  };
  const endSession = async (ctx: SignedIn, sessionId: number) => {
    const { userId } = ctx;
    if (sessionId === ctx.sessionId) ctx.deauthorize();
    await s.sessions.terminate(userId, sessionId);
    await s.secret.forget(sessionId);
    s.bus.publish(userTopic(userId), { kind: 'sessionTerminated', sessionId });
    return { ok: true as const };
  };
  return {
    'auth.sendCode': async (ctx, p) => s.auth.sendCode(p.phone, ctx.ip),
    'auth.signIn': async (ctx, p) => {
      notSignedIn(ctx);
      const result = await s.auth.signIn(p, ctx.ip);
      if (result.type === 'authorization') await ctx.authorize(result.user.id, result.sessionId);
      return result;
    },
    'auth.signUp': async (ctx, p) => {
      notSignedIn(ctx);
      const result = await s.auth.signUp(p, ctx.ip);
      await ctx.authorize(result.user.id, result.sessionId);
      return result;
    },
    'auth.logOut': async (ctx) => endSession(ctx, ctx.sessionId),
    'account.getSessions': async (ctx) => ({ sessions: await s.sessions.list(ctx.userId, ctx.sessionId) }),
    'account.terminateSession': async (ctx, p) => endSession(ctx, p.sessionId),
    'account.updateProfile': async (ctx, p) => {
      await s.users.setDisplayName(ctx.userId, p.displayName);
      return { user: await one(ctx.userId, ctx.userId) };
    },
    'account.setUsername': async (ctx, p) => {
      await s.users.setUsername(ctx.userId, p.username);
      return { user: await one(ctx.userId, ctx.userId) };
    },
    'account.setPrivacy': async (ctx, p) => {
      const row = await s.users.setPrivacy(ctx.userId, p);
      return { phoneVisibility: row.phone_visibility, lastSeenVisibility: row.last_seen_visibility };
    },
    'account.setMute': async (ctx, p) => s.messages.setMute(ctx.userId, p),
    'users.getSelf': async (ctx) => ({ user: await one(ctx.userId, ctx.userId) }),
    'users.getUsers': async (ctx, p) => ({ users: await s.users.render(ctx.userId, p.userIds) }),
    'users.resolveUsername': async (ctx, p) => ({ user: await one(ctx.userId, (await s.users.byUsername(p.username)).id) }),
    'bots.create': async (ctx, p) => s.bots.create(ctx.userId, p.username, p.displayName),
    'bots.revokeToken': async (ctx, p) => ({ token: await s.bots.revokeToken(ctx.userId, p.botId) }),
    'bots.getMine': async (ctx) => ({ bots: await s.bots.mine(ctx.userId) }),
    'bots.getInfo': async (_ctx, p) => s.bots.info(p.botId),
    'messages.getBotCallbackAnswer': async (ctx, p) => s.callbacks.press(ctx.userId, p),
    'users.resolvePhone': async (ctx, p) => {
      const row = await s.users.byPhone(normalizeOrThrow(p.phone));
      if (row === undefined) throw new RpcError('PHONE_NUMBER_UNOCCUPIED', 'Cannot resolve phone: no account uses this number');
      return { user: await one(ctx.userId, row.id) };
    },
    'users.getStatuses': async (ctx, p) => ({
      statuses: await Promise.all([...new Set(p.userIds)].map(async (userId) => ({ userId, status: await s.presence.statusFor(ctx.userId, userId) }))),
    }),
    'contacts.add': async (ctx, p) => {
      await s.contacts.add(ctx.userId, p.userId, unixSeconds(s.clock));
      return { ok: true };
    },
    'contacts.remove': async (ctx, p) => {
      await s.contacts.remove(ctx.userId, p.userId);
      return { ok: true };
    },
    'contacts.list': async (ctx) => ({ users: await s.contacts.list(ctx.userId) }),
    'messages.send': async (ctx, p) => s.messages.send(ctx.userId, p),
    'messages.forward': async (ctx, p) => s.messages.forward(ctx.userId, p),
    'messages.edit': async (ctx, p) => s.messages.edit(ctx.userId, p),
    'messages.delete': async (ctx, p) => s.messages.delete(ctx.userId, p),
    'messages.react': async (ctx, p) => s.messages.react(ctx.userId, p),
    'messages.pin': async (ctx, p) => s.messages.pin(ctx.userId, p),
    'messages.getReadParticipants': async (ctx, p) => s.messages.readParticipants(ctx.userId, p),
    'messages.setTyping': async (ctx, p) => {
      await announceTyping(s, ctx.userId, p.peer, p.action);
      return { ok: true };
    },
    'messages.saveDraft': async (ctx, p) => s.messages.saveDraft(ctx.userId, p),
    'messages.setChatPinned': async (ctx, p) => s.messages.setChatPinned(ctx.userId, p),
    'messages.search': async (ctx, p) => s.messages.search(ctx.userId, p),
    'messages.getViews': async (ctx, p) => s.messages.views(ctx.userId, p),
    'messages.getDiscussion': async (ctx, p) => s.messages.discussion(ctx.userId, p),
    'messages.getHistory': async (ctx, p) => s.messages.history(ctx.userId, p),
    'messages.getChats': async (ctx, p) => s.messages.chatList(ctx.userId, p),
    'messages.readHistory': async (ctx, p) => s.messages.readHistory(ctx.userId, p.peer, p.maxId),
    'chats.createGroup': async (ctx, p) => s.chats.createGroup(ctx.userId, p),
    'chats.createChannel': async (ctx, p) => s.chats.createChannel(ctx.userId, p),
    'chats.get': async (ctx, p) => s.chats.get(ctx.userId, p.chatId),
    'chats.editInfo': async (ctx, p) => ({ updates: await s.chats.editInfo(ctx.userId, p) }),
    'chats.setUsername': async (ctx, p) => ({ updates: await s.chats.setUsername(ctx.userId, p) }),
    'chats.setSettings': async (ctx, p) => ({ updates: await s.chats.setSettings(ctx.userId, p) }),
    'chats.setLinkedChat': async (ctx, p) => ({ updates: await s.chats.setLinkedChat(ctx.userId, p) }),
    'chats.addMembers': async (ctx, p) => ({ updates: await s.chats.addMembers(ctx.userId, p) }),
    'chats.removeMember': async (ctx, p) => ({ updates: await s.chats.removeMember(ctx.userId, p) }),
    'chats.ban': async (ctx, p) => ({ updates: await s.chats.ban(ctx.userId, p) }),
    'chats.unban': async (ctx, p) => ({ updates: await s.chats.unban(ctx.userId, p) }),
    'chats.restrict': async (ctx, p) => ({ updates: await s.chats.restrict(ctx.userId, p) }),
    'chats.setAdmin': async (ctx, p) => ({ updates: await s.chats.setAdmin(ctx.userId, p) }),
    'chats.leave': async (ctx, p) => ({ updates: await s.chats.leave(ctx.userId, p.chatId) }),
    'chats.join': async (ctx, p) => s.chats.join(ctx.userId, p.chatId),
    'chats.resolveUsername': async (ctx, p) => s.chats.resolveUsername(ctx.userId, p.username),
    'chats.exportInviteLink': async (ctx, p) => ({ invite: await s.chats.exportInviteLink(ctx.userId, p) }),
    'chats.revokeInviteLink': async (ctx, p) => ({ invite: await s.chats.revokeInviteLink(ctx.userId, p) }),
    'chats.getInviteLinks': async (ctx, p) => ({ invites: await s.chats.inviteLinks(ctx.userId, p.chatId) }),
    'chats.checkInviteLink': async (ctx, p) => s.chats.checkInviteLink(ctx.userId, p.hash),
    'chats.joinByLink': async (ctx, p) => s.chats.joinByLink(ctx.userId, p.hash),
    'chats.getMembers': async (ctx, p) => s.chats.members(ctx.userId, p),
    'chats.search': async (ctx, p) => s.chats.search(ctx.userId, p.query, p.limit),
    'files.startUpload': async (ctx, p) => s.uploads.start(ctx.userId, p),
    'files.getUpload': async (ctx, p) => s.uploads.state(ctx.userId, p.uploadId),
    'files.completeUpload': async (ctx, p) => ({ file: await s.uploads.complete(ctx.userId, p) }),
    'files.grantAccess': async (ctx, p) => {
      await s.files.grant(ctx.userId, p.fileId, p.userIds);
      return {};
    },
    'files.getPart': async (ctx, p) => {
      const file = await s.files.readable(ctx.userId, p.fileId);
      const length = Math.max(0, Math.min(p.limit, file.size - p.offset));
      const bytes = length === 0 ? new Uint8Array(0) : await s.store.readSlice(file.sha256, p.offset, length);
      return { bytes: Buffer.from(bytes).toString('base64'), size: file.size };
    },
    'reports.report': async (ctx, p) => s.reports.report(ctx.userId, p),
    'moderation.getQueue': async (ctx, p) => ({ items: await s.reports.queue(ctx.userId, p.limit ?? 20) }),
    'moderation.act': async (ctx, p) => ({ actionId: await s.moderation.act(ctx.userId, p) }),
    'moderation.appeal': async (ctx, p) => ({ appeal: await s.moderation.appeal(ctx.userId, p) }),
    'moderation.getAppeals': async (ctx) => ({ appeals: await s.moderation.appeals(ctx.userId) }),
    'moderation.decideAppeal': async (ctx, p) => ({ appeal: await s.moderation.decideAppeal(ctx.userId, p) }),
    'account.getRestrictions': async (ctx) => s.moderation.restrictions(ctx.userId),
    'legal.createRequest': async (ctx, p) => ({ request: await s.legal.create(ctx.userId, p) }),
    'legal.getRequests': async (ctx) => ({ requests: await s.legal.list(ctx.userId) }),
    'legal.approve': async (ctx, p) => ({ request: await s.legal.approve(ctx.userId, p.requestId) }),
    'legal.refuse': async (ctx, p) => ({ request: await s.legal.refuse(ctx.userId, p.requestId, p.note) }),
    'legal.disclose': async (ctx, p) => ({ disclosure: await s.legal.disclose(ctx.userId, p.requestId) }),
    'secret.registerDevice': async (ctx, p) => s.secret.register(ctx.userId, ctx.sessionId, p),
    'secret.uploadPrekeys': async (ctx, p) => s.secret.uploadPrekeys(ctx.sessionId, p),
    'secret.getDevices': async (_ctx, p) => ({ devices: await s.secret.devices(p.userId) }),
    'secret.getBundle': async (_ctx, p) => ({ bundle: await s.secret.bundle(p.deviceId) }),
    'secret.sendEnvelopes': async (ctx, p) => s.secret.send(ctx.userId, ctx.sessionId, p),
    'secret.getEnvelopes': async (ctx, p) => ({ envelopes: await s.secret.pending(ctx.sessionId, p.limit) }),
    'secret.ack': async (ctx, p) => ({ deleted: await s.secret.ack(ctx.sessionId, p.qts) }),
    'updates.getState': async (ctx) => s.updates.state(ctx.userId),
    'updates.getDifference': async (ctx, p) => s.updates.difference(ctx.userId, p.pts, p.limit),
    'updates.getChatDifference': async (ctx, p) => s.updates.chatDifference(ctx.userId, p.chatId, p.pts, p.limit),
  };
}

function normalizeOrThrow(input: string): string {
  const phone = normalizePhone(input);
  if (phone === null) throw new RpcError('PHONE_NUMBER_INVALID', 'Cannot resolve phone: the number is not in +CCNNNN form');
  return phone;
}
