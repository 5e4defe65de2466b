/**
 * Cold start: from spawning the server's process until its first HTTP request (`GET /healthz`) is
 * answered 200, and until every process listens, on an empty data folder (schema made, keys made)
 * and on one that already holds data (accounts, sessions, memberships seeded into it after a first
 * start). One process and a cluster. Each start is `npm start`'s own command (the compiled CLI's
 * `samizdat server`, which loads the compiled server, with no TypeScript loader in any process), so
 * the figure is what an operator waits for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedSubscribers } from './seed.ts';
import { startServerProcess } from './server-control.ts';
import { percentile, round } from './stats.ts';
import { signUpTestNumber, testPhone, WireClient } from './wire-client.ts';

export interface ColdStartParams {
  /** Server worker counts to start (1 = one process). */
  workers: number[];
  /** Starts per case; the median is reported. */
  samples: number;
  /** Accounts (each with a session and a channel membership) in the populated folder. */
  populatedAccounts: number;
}

export interface ColdStartCase {
  folder: 'empty' | 'populated';
  workers: number;
  /** Medians over the samples, ms. */
  firstRequestMs: number;
  startMs: number;
  samples: { firstRequestMs: number; startMs: number }[];
}

export interface ColdStartResult {
  populatedAccounts: number;
  cases: ColdStartCase[];
}

function summarise(folder: ColdStartCase['folder'], workers: number, samples: { firstRequestMs: number; startMs: number }[]): ColdStartCase {
  const med = (values: number[]) => round(percentile([...values].sort((a, b) => a - b), 0.5));
  return { folder, workers, firstRequestMs: med(samples.map((s) => s.firstRequestMs)), startMs: med(samples.map((s) => s.startMs)), samples };
}

export async function runColdStart(params: ColdStartParams, log: (line: string) => void = () => {}): Promise<ColdStartResult> {
  const cases: ColdStartCase[] = [];
  const populated = mkdtempSync(join(tmpdir(), 'samizdat-bench-cold-'));
  try {
    for (const workers of params.workers) {
      const samples = [];
      for (let sample = 0; sample < params.samples; sample++) {
        const empty = mkdtempSync(join(tmpdir(), 'samizdat-bench-cold-'));
        try {
          const server = await startServerProcess(empty, { workers, isNpmStart: true });
          samples.push({ firstRequestMs: round(server.firstRequestMs), startMs: round(server.startMs) });
          await server.stop();
        } finally {
          rmSync(empty, { recursive: true, force: true });
        }
      }
      cases.push(summarise('empty', workers, samples));
    }

    // A folder with data: an owner and a channel over the protocol, then accounts seeded in.
    const first = await startServerProcess(populated);
    try {
      const owner = await WireClient.open(first.url);
      await owner.hello();
      await signUpTestNumber(owner, testPhone(0), 'Owner');
      const { chat } = await owner.call('chats.createChannel', { title: 'Cold start', about: 'benchmark channel', username: 'cold_start' });
      await owner.close();
      await first.stop();
      const seed = seedSubscribers(join(populated, 'samizdat.db'), { chatId: chat.id, count: params.populatedAccounts, ipOf: () => '127.0.0.1', lastActiveAt: Math.floor(Date.now() / 1000) });
      log(`  cold start: seeded ${params.populatedAccounts.toLocaleString('en')} accounts in ${round(seed.seconds, 1)} s`);
    } finally {
      await first.stop();
    }
    for (const workers of params.workers) {
      const samples = [];
      for (let sample = 0; sample < params.samples; sample++) {
        const server = await startServerProcess(populated, { workers, isNpmStart: true });
        samples.push({ firstRequestMs: round(server.firstRequestMs), startMs: round(server.startMs) });
        await server.stop();
      }
      cases.push(summarise('populated', workers, samples));
    }
    for (const one of cases) log(`  cold start, ${one.folder} folder, ×${one.workers}: first request ${one.firstRequestMs} ms, all listening ${one.startMs} ms`);
    return { populatedAccounts: params.populatedAccounts, cases };
  } finally {
    rmSync(populated, { recursive: true, force: true });
  }
}
