import { createRequire } from 'node:module';
import type * as KyselyModule from 'kysely';

/**
 * Kysely's values (its types come from 'kysely' as usual), loaded as CommonJS: its ES build is
 * some 280 modules, and each one through the TypeScript loader's hooks made loading Kysely a third
 * of the server's start. Every value import of Kysely goes through here, so one copy is loaded.
 */
const kysely = createRequire(import.meta.url)('kysely') as typeof KyselyModule;

export const { sql, Kysely, SqliteDialect, CompiledQuery } = kysely;
