import type { TSchema } from '@sinclair/typebox';

/** A method's parameter and result schemas, as the method maps list them. */
export function method<P extends TSchema, R extends TSchema>(params: P, result: R) {
  return { params, result };
}
