import type { Kysely } from 'kysely';
import type { Database } from './database.ts';

/**
 * The seam to the database. Callers speak Kysely's query builder over {@link Database}, so the
 * embedded SQLite store and a PostgreSQL one are interchangeable behind it.
 */
export interface Storage {
  readonly db: Kysely<Database>;
  /** Which engine is behind `db`, for the few places whose SQL must differ. */
  readonly engine: 'sqlite' | 'postgres';
  close(): Promise<void>;
}
