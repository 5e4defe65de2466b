import { maskPhone } from '@samizdat/protocol';
import type { Logger } from '../shared/logger.ts';

/** Sends a sign-in code to a phone number. Throws when it could not. */
export interface CodeDelivery {
  readonly kind: string;
  deliver(phone: string, code: string): Promise<void>;
}

/**
 * The self-hosting default: the code goes to the server log, where the operator reads it. The
 * number is masked like everywhere else in the logs.
 */
export function logCodeDelivery(logger: Logger): CodeDelivery {
  return {
    kind: 'log',
    async deliver(phone, code) {
      logger.log('info', 'auth.code', { phone: maskPhone(phone), code });
    },
  };
}

/**
 * Hands the code to an SMS gateway by POSTing `{"phone","code","text"}` as JSON to `url`; any
 * answer but 2xx within `timeoutMs` counts as a failed delivery.
 */
export function webhookCodeDelivery(url: string, options: { timeoutMs?: number; headers?: Record<string, string> } = {}): CodeDelivery {
  return {
    kind: 'webhook',
    async deliver(phone, code) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify({ phone, code, text: `Your Samizdat code: ${code}` }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (!response.ok) throw new Error(`Cannot deliver code: webhook answered ${response.status}`);
    },
  };
}
