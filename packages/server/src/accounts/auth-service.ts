import { maskPhone, normalizePhone, RpcError, type Authorization, type MethodResult } from '@samizdat/protocol';
import type { Clock } from '../shared/clock.ts';
import { unixSeconds } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { RateLimit } from '../shared/rate-limiter.ts';
import type { RateLimits } from '../shared/rate-limits.ts';
import type { CodeDelivery } from './code-delivery.ts';
import type { PhoneCodes } from './phone-codes.ts';
import type { Sessions } from './sessions.ts';
import { checkDisplayName, renderUser, type Users } from './users.ts';

/** How often codes may be asked for and tried. */
export interface AuthLimits {
  /** Code requests per phone number. @default 5 an hour */
  codesPerPhone: RateLimit;
  /** Code requests per client IP. @default 20 an hour */
  codesPerIp: RateLimit;
  /** Sign-in tries per client IP, across all codes, against guessing. @default 60 an hour */
  signInsPerIp: RateLimit;
}

export const DEFAULT_AUTH_LIMITS: AuthLimits = {
  codesPerPhone: { limit: 5, windowMs: 3_600_000 },
  codesPerIp: { limit: 20, windowMs: 3_600_000 },
  signInsPerIp: { limit: 60, windowMs: 3_600_000 },
};

type SignInInput = { phone: string; phoneCodeHash: string; code: string; deviceName?: string | undefined };

/** Sign-up and sign-in by phone number and one-time code. */
export class AuthService {
  constructor(
    private readonly deps: {
      users: Users;
      sessions: Sessions;
      codes: PhoneCodes;
      delivery: CodeDelivery;
      clock: Clock;
      logger: Logger;
      limits: AuthLimits;
      rateLimits: RateLimits;
    },
  ) {}

  async sendCode(phoneInput: string, ip: string): Promise<MethodResult<'auth.sendCode'>> {
    const phone = parsePhone(phoneInput, 'send code');
    const ipWait = await this.deps.rateLimits.takeFromWindow('auth.codesPerIp', this.deps.limits.codesPerIp, ip);
    if (ipWait > 0) throw floodWait(ipWait, 'Cannot send code: too many requests from this address');
    const phoneWait = await this.deps.rateLimits.takeFromWindow('auth.codesPerPhone', this.deps.limits.codesPerPhone, phone);
    if (phoneWait > 0) throw floodWait(phoneWait, 'Cannot send code: too many codes for this number');
    const issued = await this.deps.codes.issue(phone);
    if (!issued.isTestNumber) {
      try {
        await this.deps.delivery.deliver(phone, issued.code);
      } catch (error) {
        await this.deps.codes.consume(issued.handle);
        this.deps.logger.log('warn', 'auth.code.delivery_failed', { phone: maskPhone(phone), via: this.deps.delivery.kind, error: String(error) });
        throw new RpcError('CODE_DELIVERY_FAILED', `Cannot send code: delivery by ${this.deps.delivery.kind} failed`);
      }
    }
    return { phoneCodeHash: issued.handle, timeoutSeconds: 60 };
  }

  async signIn(input: SignInInput, ip: string): Promise<MethodResult<'auth.signIn'>> {
    const phone = await this.#checkCode(input, ip);
    const user = await this.deps.users.byPhone(phone);
    if (user === undefined) return { type: 'signUpRequired' };
    await this.deps.codes.consume(input.phoneCodeHash);
    // Told only to whoever proved they hold the number, so the ban is no oracle for others.
    if (user.banned_at !== null) throw new RpcError('PHONE_NUMBER_BANNED', 'Cannot sign in: moderators banned the account of this number');
    return this.#authorize(user.id, input.deviceName, ip);
  }

  async signUp(input: SignInInput & { displayName: string }, ip: string): Promise<Authorization> {
    const displayName = checkDisplayName(input.displayName);
    const phone = await this.#checkCode(input, ip);
    if ((await this.deps.users.byPhone(phone)) !== undefined) {
      throw new RpcError('PHONE_NUMBER_OCCUPIED', 'Cannot sign up: this number has an account; sign in instead');
    }
    const user = await this.deps.users.create(phone, displayName, unixSeconds(this.deps.clock));
    await this.deps.codes.consume(input.phoneCodeHash);
    this.deps.logger.log('info', 'auth.sign_up', { userId: user.id });
    return this.#authorize(user.id, input.deviceName, ip);
  }

  async #checkCode(input: SignInInput, ip: string): Promise<string> {
    const phone = parsePhone(input.phone, 'sign in');
    const wait = await this.deps.rateLimits.takeFromWindow('auth.signInsPerIp', this.deps.limits.signInsPerIp, ip);
    if (wait > 0) throw floodWait(wait, 'Cannot sign in: too many attempts from this address');
    await this.deps.codes.verify(phone, input.phoneCodeHash, input.code);
    return phone;
  }

  async #authorize(userId: number, deviceName: string | undefined, ip: string): Promise<Authorization> {
    const session = await this.deps.sessions.create(userId, {
      deviceName: deviceName ?? 'Unknown device',
      ip,
      nowSeconds: unixSeconds(this.deps.clock),
    });
    const user = await this.deps.users.byId(userId);
    if (user === undefined) throw new Error(`User ${userId} vanished while signing in`);
    this.deps.logger.log('info', 'auth.session_created', { userId, sessionId: session.id });
    return { type: 'authorization', token: session.token, sessionId: session.id, user: renderUser(user, userId) };
  }
}

function parsePhone(input: string, action: string): string {
  const phone = normalizePhone(input);
  if (phone === null) throw new RpcError('PHONE_NUMBER_INVALID', `Cannot ${action}: the phone number is not in +CCNNNN form`);
  return phone;
}

function floodWait(seconds: number, message: string): RpcError {
  return new RpcError('FLOOD_WAIT', `${message}; retry in ${seconds} s`, { retryAfterSeconds: seconds });
}
