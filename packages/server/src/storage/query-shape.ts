import type { CompiledQuery as CompiledQueryType, Compilable, Kysely, QueryResult } from 'kysely';
import type { Database } from './database.ts';
import { CompiledQuery } from './kysely-runtime.ts';

/** Whatever runs a compiled query: the database or a transaction of it. */
interface Executor {
  executeQuery<R>(query: CompiledQueryType<R>): Promise<QueryResult<R>>;
}

/** Stands for the n-th argument while the query is built once; no real value looks like it. */
function placeholder(index: number): string {
  return `\u0000samizdat-argument-${index}\u0000`;
}

/**
 * A query of the send path built and compiled by Kysely once, then run with new values: building
 * and compiling took more CPU than SQLite took to run the statements, on every message. The
 * builder gets a stand-in for each argument; each parameter of the compiled query that is a
 * stand-in is replaced by that argument at run time, and every other parameter is kept.
 */
export function queryShape<Args extends readonly unknown[], Row>(
  arity: Args['length'],
  build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>,
): { run(executor: Executor, db: Kysely<Database>, ...args: Args): Promise<Row[]> } {
  let compiled: { sql: string; slots: (number | { value: unknown })[] } | null = null;
  return {
    async run(executor, db, ...args) {
      if (compiled === null) {
        const stand = Array.from({ length: arity }, (_, index) => placeholder(index)) as unknown as Args;
        const query = build(db, ...stand).compile();
        compiled = {
          sql: query.sql,
          slots: query.parameters.map((parameter) => {
            const index = typeof parameter === 'string' ? stand.indexOf(parameter as never) : -1;
            return index >= 0 ? index : { value: parameter };
          }),
        };
        const used = new Set(compiled.slots.filter((slot): slot is number => typeof slot === 'number'));
        if (used.size !== arity) throw new Error(`Cannot shape query ${query.sql}: ${arity - used.size} arguments do not reach its parameters`);
      }
      const parameters = compiled.slots.map((slot) => (typeof slot === 'number' ? args[slot] : slot.value));
      const result = await executor.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters) as CompiledQueryType<Row>);
      return result.rows;
    },
  };
}
