/**
 * A bare protocol client for load generation: JSON frames over `ws` and nothing more. It costs far
 * less per connection than the SDK (no outbox, no update state), so one process can hold thousands.
 */
import { PROTOCOL_VERSION, type MethodName, type MethodParams, type MethodResult, type Welcome } from '@samizdat/protocol';
import { WebSocket } from 'ws';

/** A method call that the server answered with an error frame. */
export class CallError extends Error {
  constructor(
    readonly method: string,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(`${method} failed: ${code}: ${message}`);
  }
}

type Pending = { method: string; resolve: (result: unknown) => void; reject: (error: Error) => void };

/** Options of {@link WireClient.open}. */
export interface WireClientOptions {
  /** Loopback source address to connect from (127.0.0.2, …), to spread ephemeral ports. */
  localAddress?: string;
  /**
   * Called with every frame that is not an answer to a call (pushes), still as text, so a caller
   * that only counts frames may skip parsing most of them.
   */
  onPush?: (text: string) => void;
  /** @default 30000 */
  connectTimeoutMs?: number;
  /** A call unanswered this long fails, so that a server that stops answering ends the run instead of hanging it. @default 120000 */
  callTimeoutMs?: number;
}

export class WireClient {
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #closed: Promise<void>;

  private constructor(
    readonly ws: WebSocket,
    onPush: ((text: string) => void) | undefined,
    private readonly callTimeoutMs: number,
  ) {
    ws.on('message', (data) => {
      const text = String(data);
      // Answers start with {"type":"result" or {"type":"error"; anything else is a push.
      if (text.startsWith('{"type":"result"') || text.startsWith('{"type":"error"')) {
        const frame = JSON.parse(text) as { type: 'result' | 'error'; id: number | null; result?: unknown; code?: string; message?: string; retryAfterSeconds?: number };
        const pending = frame.id === null ? undefined : this.#pending.get(frame.id);
        if (pending !== undefined) {
          this.#pending.delete(frame.id!);
          if (frame.type === 'result') pending.resolve(frame.result);
          else pending.reject(new CallError(pending.method, frame.code ?? 'UNKNOWN', frame.message ?? '', frame.retryAfterSeconds));
          return;
        }
      }
      onPush?.(text);
    });
    this.#closed = new Promise((done) =>
      ws.on('close', (code) => {
        for (const pending of this.#pending.values()) pending.reject(new Error(`${pending.method} failed: connection closed (${code})`));
        this.#pending.clear();
        done();
      }),
    );
    // An error is always followed by close, which fails the pending calls.
    ws.on('error', () => {});
  }

  /** Opens a connection to `url` (`ws://…/ws`); does not say hello. */
  static open(url: string, options: WireClientOptions = {}): Promise<WireClient> {
    const ws = new WebSocket(url, {
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      perMessageDeflate: false,
      handshakeTimeout: options.connectTimeoutMs ?? 30_000,
    });
    return new Promise((done, fail) => {
      ws.once('open', () => {
        ws.off('error', fail);
        done(new WireClient(ws, options.onPush, options.callTimeoutMs ?? 120_000));
      });
      ws.once('error', fail);
    });
  }

  #request(frame: Record<string, unknown>, method: string): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method} failed: no answer in ${this.callTimeoutMs} ms`));
      }, this.callTimeoutMs);
      const settle = <T>(finish: (value: T) => void) => (value: T) => (clearTimeout(timer), finish(value));
      this.#pending.set(id, { method, resolve: settle(resolve), reject: settle(reject) });
      this.ws.send(JSON.stringify({ ...frame, id }));
    });
  }

  /** Says hello, resuming the session of `token` when given. */
  hello(token?: string): Promise<Welcome> {
    const frame = token === undefined ? { type: 'hello', protocolVersion: PROTOCOL_VERSION } : { type: 'hello', protocolVersion: PROTOCOL_VERSION, token };
    return this.#request(frame, 'hello') as Promise<Welcome>;
  }

  /** Calls a method; rejects with a {@link CallError} when the server answers with an error frame. */
  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    return this.#request({ type: 'call', method, params }, method) as Promise<MethodResult<M>>;
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.ws.close();
    return this.#closed;
  }
}

/** The test number for `index` (0 ≤ index < 100,000): `+99966XYYYY`, whose code is XXXXX. */
export function testPhone(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= 100_000) throw new RangeError(`Cannot make a test number: index ${index} is outside 0…99999`);
  const digit = Math.floor(index / 10_000);
  return `+99966${digit}${String(index % 10_000).padStart(4, '0')}`;
}

/**
 * Signs up `phone` (a test number) on a connection that said hello, or signs it in when it has an
 * account already. Tries the sign-up first: the benchmarks mostly make fresh accounts, and that
 * saves the sign-in round trip that would only answer `signUpRequired`.
 */
export async function signUpTestNumber(client: WireClient, phone: string, displayName: string): Promise<{ token: string; userId: number }> {
  const { phoneCodeHash } = await client.call('auth.sendCode', { phone });
  const code = phone.charAt(6).repeat(5);
  try {
    const auth = await client.call('auth.signUp', { phone, phoneCodeHash, code, displayName, deviceName: 'bench' });
    return { token: auth.token, userId: auth.user.id };
  } catch (error) {
    if (!(error instanceof CallError) || error.code !== 'PHONE_NUMBER_OCCUPIED') throw error;
  }
  const signIn = await client.call('auth.signIn', { phone, phoneCodeHash, code, deviceName: 'bench' });
  if (signIn.type !== 'authorization') throw new Error(`Cannot sign in ${phone.slice(0, 6)}…: the server asks for a sign-up after refusing one`);
  return { token: signIn.token, userId: signIn.user.id };
}
