import { RpcError } from '@samizdat/client';

/** A failure as a person reads it: the server's message for its refusals, else the error's own. */
export function errorText(error: unknown): string {
  if (error instanceof RpcError) {
    if (error.code === 'FLOOD_WAIT' && error.retryAfterSeconds !== undefined) return `Too many attempts. Try again in ${error.retryAfterSeconds} s.`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
