import { normalizePhone, RpcError, type MethodName, type MethodParams, type MethodResult } from '@samizdat/protocol';
import type { AuthService } from '../accounts/auth-service.ts';
import type { Sessions } from '../accounts/sessions.ts';
import { renderUser, type Users } from '../accounts/users.ts';
import { userTopic, type Bus } from '../bus/bus.ts';
import type { MessageService } from '../messages/message-service.ts';
import type { UpdateService } from '../updates/update-service.ts';

/** What a handler knows of the connection that called it. */
export interface CallContext {
  readonly ip: string;
  readonly userId: number | null;
  readonly sessionId: number | null;
  /** Makes this connection signed in as the session, so it starts receiving the user's updates. */
  authorize(userId: number, sessionId: number): void;
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
  messages: MessageService;
  updates: UpdateService;
  bus: Bus;
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
  const self = async (ctx: SignedIn) => {
    const row = await s.users.byId(ctx.userId);
    if (row === undefined) throw new RpcError('AUTH_KEY_UNREGISTERED');
    return renderUser(row, ctx.userId);
  };
  const signedIn = (ctx: CallContext) => {
    if (ctx.userId !== null) throw new RpcError('ALREADY_AUTHORIZED', 'Cannot sign in: this connection is signed in already; log out first');
  };
  return {
    'auth.sendCode': async (ctx, p) => s.auth.sendCode(p.phone, ctx.ip),
    'auth.signIn': async (ctx, p) => {
      signedIn(ctx);
      const result = await s.auth.signIn(p, ctx.ip);
      if (result.type === 'authorization') ctx.authorize(result.user.id, result.sessionId);
      return result;
    },
    'auth.signUp': async (ctx, p) => {
      signedIn(ctx);
      const result = await s.auth.signUp(p, ctx.ip);
      ctx.authorize(result.user.id, result.sessionId);
      return result;
    },
    'auth.logOut': async (ctx) => {
      const { userId, sessionId } = ctx;
      ctx.deauthorize();
      await s.sessions.terminate(userId, sessionId);
      s.bus.publish(userTopic(userId), { kind: 'sessionTerminated', sessionId });
      return { ok: true };
    },
    'account.getSessions': async (ctx) => ({ sessions: await s.sessions.list(ctx.userId, ctx.sessionId) }),
    'account.terminateSession': async (ctx, p) => {
      const { userId } = ctx;
      if (p.sessionId === ctx.sessionId) ctx.deauthorize();
      await s.sessions.terminate(userId, p.sessionId);
      s.bus.publish(userTopic(userId), { kind: 'sessionTerminated', sessionId: p.sessionId });
      return { ok: true };
    },
    'account.updateProfile': async (ctx, p) => ({ user: renderUser(await s.users.setDisplayName(ctx.userId, p.displayName), ctx.userId) }),
    'account.setUsername': async (ctx, p) => ({ user: renderUser(await s.users.setUsername(ctx.userId, p.username), ctx.userId) }),
    'account.setPrivacy': async (ctx, p) => ({
      phoneVisibility: (await s.users.setPhoneVisibility(ctx.userId, p.phoneVisibility)).phone_visibility,
    }),
    'users.getSelf': async (ctx) => ({ user: await self(ctx) }),
    'users.getUsers': async (ctx, p) => ({ users: (await s.users.byIds(p.userIds)).map((row) => renderUser(row, ctx.userId)) }),
    'users.resolveUsername': async (ctx, p) => ({ user: renderUser(await s.users.byUsername(p.username), ctx.userId) }),
    'users.resolvePhone': async (ctx, p) => {
      const row = await s.users.byPhone(normalizeOrThrow(p.phone));
      if (row === undefined) throw new RpcError('PHONE_NUMBER_UNOCCUPIED', 'Cannot resolve phone: no account uses this number');
      return { user: renderUser(row, ctx.userId) };
    },
    'messages.send': async (ctx, p) => s.messages.send(ctx.userId, p),
    'messages.getHistory': async (ctx, p) => s.messages.history(ctx.userId, p),
    'messages.getChats': async (ctx, p) => s.messages.chatList(ctx.userId, p),
    'messages.readHistory': async (ctx, p) => s.messages.readHistory(ctx.userId, p.peer, p.maxId),
    'updates.getState': async (ctx) => s.updates.state(ctx.userId),
    'updates.getDifference': async (ctx, p) => s.updates.difference(ctx.userId, p.pts, p.limit),
  };
}

function normalizeOrThrow(input: string): string {
  const phone = normalizePhone(input);
  if (phone === null) throw new RpcError('PHONE_NUMBER_INVALID', 'Cannot resolve phone: the number is not in +CCNNNN form');
  return phone;
}
