/**
 * `node --import tsx packages/bench/src/xmpp-main.ts [--quick] [--only=ejabberd+mam,ejabberd,prosody]`:
 * the durable 1:1 workload (same parameters as `npm run bench`) against ejabberd with its archive
 * (mod_mam), ejabberd without, and Prosody, each started from Debian's packages on loopback by
 * `xmpp-servers.ts` and driven over XMPP WebSocket by `xmpp-one-to-one.ts`. Prints a table and the JSON.
 * Needs `scripts/install-bench-deps.sh` once, and root (the servers run as their own system users).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runXmppOneToOne, type XmppOneToOneParams, type XmppOneToOneResult } from './xmpp-one-to-one.ts';
import { startEjabberd, startProsody, type XmppServer } from './xmpp-servers.ts';

export const XMPP_PEERS = ['ejabberd+mam', 'ejabberd', 'prosody'] as const;
export type XmppPeer = (typeof XMPP_PEERS)[number];

export interface XmppPeerRun {
  peer: XmppPeer;
  /** Milliseconds to start the server and to register its users. */
  startMs: number;
  registerMs: number;
  result: XmppOneToOneResult;
}

export interface XmppPeersResult {
  params: XmppOneToOneParams;
  runs: XmppPeerRun[];
  /** Peers that failed, with why (the others still ran). */
  failures: Partial<Record<XmppPeer, string>>;
}

function start(peer: XmppPeer, scratchDir: string, users: number): Promise<XmppServer> {
  switch (peer) {
    case 'ejabberd+mam':
      return startEjabberd({ archive: true, scratchDir, users });
    case 'ejabberd':
      return startEjabberd({ archive: false, scratchDir, users });
    case 'prosody':
      return startProsody({ scratchDir, users });
  }
}

/**
 * Runs the durable 1:1 workload against each peer in turn: start it on a fresh folder under a temporary
 * scratch folder, register 2 × pairs users, run, stop. This is the entry `main.ts` can call.
 */
export async function runXmppPeers(
  params: XmppOneToOneParams,
  peers: readonly XmppPeer[] = XMPP_PEERS,
  log: (line: string) => void = () => {},
): Promise<XmppPeersResult> {
  const scratchDir = mkdtempSync(join(tmpdir(), 'samizdat-bench-xmpp-'));
  const runs: XmppPeerRun[] = [];
  const failures: Partial<Record<XmppPeer, string>> = {};
  try {
    for (const peer of peers) {
      log(`xmpp ${peer} …`);
      let server: XmppServer | undefined;
      try {
        server = await start(peer, scratchDir, 2 * params.pairs);
        const result = await runXmppOneToOne(server, params);
        runs.push({ peer, startMs: server.startMs, registerMs: server.registerMs, result });
      } catch (error) {
        failures[peer] = error instanceof Error ? error.message : String(error);
        log(`xmpp ${peer} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      } finally {
        await server?.stop();
      }
    }
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
  return { params, runs, failures };
}

/** Table rows (peer, figure) for a result, in the style of `main.ts`. */
export function xmppTableRows(result: XmppPeersResult): string[][] {
  const rows: string[][] = [];
  for (const { peer, result: run, startMs, registerMs } of result.runs) {
    rows.push([
      `1:1 ${peer} ${run.version}`,
      `${result.params.pairs} pairs, window ${result.params.window}`,
      `${run.messagesPerSecond} msg/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms (CPU s: clients ${run.cpuSeconds.loadGenerator}, server ${run.cpuSeconds.server ?? '?'} of ${run.seconds} s; start ${startMs} ms, register ${registerMs} ms)`,
    ]);
  }
  for (const [peer, reason] of Object.entries(result.failures)) rows.push([`1:1 ${peer}`, 'FAILED', reason.split('\n')[0]!]);
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const quick = process.argv.includes('--quick');
  const only = process.argv.find((arg) => arg.startsWith('--only='));
  const peers = only === undefined ? XMPP_PEERS : only.slice('--only='.length).split(',').map((name) => {
    if (!(XMPP_PEERS as readonly string[]).includes(name)) throw new Error(`Cannot run peer "${name}": known ones are ${XMPP_PEERS.join(', ')}`);
    return name as XmppPeer;
  });
  // The same parameters as the durable 1:1 workload of `main.ts`.
  const params: XmppOneToOneParams = quick ? { pairs: 20, messagesPerSender: 500, window: 20 } : { pairs: 50, messagesPerSender: 2000, window: 40 };
  const started = performance.now();
  const loadAverageAtStart = loadavg().map((value) => Math.round(value * 100) / 100);
  const result = await runXmppPeers(params, peers, (line) => console.log(line));
  const rows = [['workload', 'figure', 'value'], ...xmppTableRows(result)];
  console.log('');
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '));
  console.log('');
  console.log(
    JSON.stringify(
      {
        benchmark: 'samizdat-xmpp-peers',
        date: new Date().toISOString(),
        mode: quick ? 'quick' : 'full',
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverage1m5m15m: { atStart: loadAverageAtStart, atEnd: loadavg().map((value) => Math.round(value * 100) / 100) } },
        node: process.version,
        totalSeconds: Math.round((performance.now() - started) / 100) / 10,
        ...result,
      },
      null,
      2,
    ),
  );
  if (Object.keys(result.failures).length > 0) process.exitCode = 1;
}
