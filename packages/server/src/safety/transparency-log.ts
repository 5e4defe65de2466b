import { canonicalJson, sealTransparencyEntry, TRANSPARENCY_GENESIS_HASH, transparencyPublicKey } from '@samizdat/crypto';
import { BLOCK_CATEGORIES, type BlockCategory, type TransparencyLog as PublishedLog, type TransparencyLogEntry, type TransparencyReport } from '@samizdat/protocol';
import type { Kysely } from 'kysely';
import { unixSeconds, type Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';

type EntryBody = Record<string, string | number>;

/** `2026-01-31` for a Unix time, in UTC. */
export function utcDate(unixTime: number): string {
  return new Date(unixTime * 1000).toISOString().slice(0, 10);
}

/** `2026-Q1` for a Unix time, in UTC. */
export function utcQuarter(unixTime: number): string {
  const date = new Date(unixTime * 1000);
  return `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;
}

/**
 * The append-only, hash-chained log of blocks and disclosures, signed with the operator's Ed25519
 * key (SPEC [TR3]–[TR5]), and the aggregate report published beside it. Entries are sealed with
 * `@samizdat/crypto`'s functions, the ones `samizdat transparency verify` checks them with.
 */
export class TransparencyLog {
  readonly publicKey: string;

  constructor(protected readonly deps: { db: Kysely<Database>; clock: Clock; signingKey: Uint8Array }) {
    this.publicKey = transparencyPublicKey(deps.signingKey);
  }

  /**
   * Appends an entry: the next seq, chained to the last entry's hash, sealed and signed. Pass the
   * caller's transaction as `within` so the entry commits (or not) with what it records; otherwise
   * the append is a transaction of its own. Either way reading the last entry and inserting the
   * next is one transaction, so two appends can never take the same seq or fork the chain.
   */
  async append(kind: TransparencyLogEntry['kind'], body: EntryBody, within?: Kysely<Database>): Promise<TransparencyLogEntry> {
    if (within !== undefined) return this.#appendIn(within, kind, body);
    return this.deps.db.transaction().execute((trx) => this.#appendIn(trx, kind, body));
  }

  async #appendIn(trx: Kysely<Database>, kind: TransparencyLogEntry['kind'], body: EntryBody): Promise<TransparencyLogEntry> {
    const last = await trx.selectFrom('transparency_log').select(['seq', 'hash', 'at']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    // A clock set back must not make the log's time run backwards; verifiers check that it never does.
    const at = Math.max(unixSeconds(this.deps.clock), last?.at ?? 0);
    const entry = sealTransparencyEntry(this.deps.signingKey, { seq: (last?.seq ?? 0) + 1, prevHash: last?.hash ?? TRANSPARENCY_GENESIS_HASH, at, kind, body });
    await trx
      .insertInto('transparency_log')
      .values({ seq: entry.seq, prev_hash: entry.prevHash, at: entry.at, kind, body: canonicalJson(entry.body), hash: entry.hash, signature: entry.signature })
      .execute();
    return { ...entry, kind };
  }

  /**
   * The log as published: the operator's public key and every entry in order, exactly as stored —
   * never recomputed here, so a row changed or removed in the database shows up to verifiers.
   */
  async entries(): Promise<PublishedLog> {
    const rows = await this.deps.db.selectFrom('transparency_log').selectAll().orderBy('seq').execute();
    return {
      publicKey: this.publicKey,
      entries: rows.map((row) => ({
        seq: row.seq,
        prevHash: row.prev_hash,
        at: row.at,
        kind: row.kind,
        body: parseBody(row.body),
        hash: row.hash,
        signature: row.signature,
      })),
    };
  }

  /**
   * The aggregate report (SPEC [TR2]): per UTC day and category, the public chats blocked,
   * counted from the log's 'block' entries, so the report and the verifiable log agree. An
   * 'unblock' (an appeal lifted) does not take a block off its day: the report counts the blocks
   * that were made, and the log shows what was lifted. Per country and quarter of receipt, the
   * lawful requests received, how many of them were approved or refused, and the accounts their
   * disclosures covered.
   */
  async report(): Promise<TransparencyReport> {
    const blockRows = await this.deps.db.selectFrom('transparency_log').select(['at', 'body']).where('kind', '=', 'block').orderBy('seq').execute();
    const blocks = new Map<string, { date: string; category: BlockCategory; count: number }>();
    for (const row of blockRows) {
      const category = parseBody(row.body).category;
      if (!isBlockCategory(category)) continue;
      const date = utcDate(row.at);
      const key = `${date} ${category}`;
      const item = blocks.get(key) ?? { date, category, count: 0 };
      item.count += 1;
      blocks.set(key, item);
    }

    const requestRows = await this.deps.db.selectFrom('legal_requests').select(['country', 'created_at', 'status', 'users_affected']).execute();
    const requests = new Map<string, TransparencyReport['lawfulRequests'][number]>();
    for (const row of requestRows) {
      const quarter = utcQuarter(row.created_at);
      const key = `${quarter} ${row.country}`;
      const item = requests.get(key) ?? { country: row.country, quarter, received: 0, approved: 0, refused: 0, usersAffected: 0 };
      item.received += 1;
      if (row.status === 'approved') item.approved += 1;
      if (row.status === 'refused') item.refused += 1;
      item.usersAffected += row.users_affected;
      requests.set(key, item);
    }

    return {
      generatedAt: unixSeconds(this.deps.clock),
      blocks: [...blocks.values()].sort((a, b) => a.date.localeCompare(b.date) || a.category.localeCompare(b.category)),
      lawfulRequests: [...requests.values()].sort((a, b) => a.quarter.localeCompare(b.quarter) || a.country.localeCompare(b.country)),
    };
  }
}

function isBlockCategory(value: unknown): value is BlockCategory {
  return (BLOCK_CATEGORIES as readonly unknown[]).includes(value);
}

/**
 * A stored body. One that is not JSON (the database was tampered with) is served as `{}` rather
 * than failing the whole log: its hash then no longer matches, which is what verifiers must see.
 */
function parseBody(text: string): EntryBody {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as EntryBody) : {};
  } catch {
    return {};
  }
}
