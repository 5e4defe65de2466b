/**
 * Joining a large group: how long one user waits to join a group of 200,000 members (and, to see
 * whether the cost grows with size, one of 1,000), to read its last 50 messages, and to have a first
 * message acked. The members are written into the stopped server's database (see `seed.ts`); the
 * group, its messages, its invite link and the joiners are made over the protocol.
 */
import { join } from 'node:path';
import { seedMembers, type SeedResult } from './seed.ts';
import { mib, startServerProcess, type ServerProcess } from './server-control.ts';
import { percentile, round } from './stats.ts';
import { signUpTestNumber, testPhone, WireClient } from './wire-client.ts';

export interface GroupJoinParams {
  /**
   * One group per entry: its member count once every joiner is in. It is seeded to this less the
   * joiners, because a group at the 200,000 limit takes nobody more.
   */
  groupSizes: number[];
  /** Users who join each group one after another; each is a sample. */
  joinersPerGroup: number;
  /** Messages posted into each group before seeding, so the history read is full. */
  historyMessages: number;
  /** Messages a joiner reads right after joining. @default 50 */
  historyLimit: number;
}

export interface JoinSample {
  joinMs: number;
  historyMs: number;
  /** Messages the history read returned. */
  historyCount: number;
  /** The chat's `memberCount` in the join's answer, the joiner included. */
  memberCountAfter: number;
  /** The joiner's first message, from sending until the ack. */
  postAckMs: number;
}

type Summary = { median: number; min: number; max: number };

export interface GroupJoinRun {
  /** Members once all joiners are in. */
  members: number;
  /** Members the first joiner found (seeded ones and the owner). */
  membersBeforeFirstJoin: number;
  samples: JoinSample[];
  joinMs: Summary;
  historyMs: Summary;
  postAckMs: Summary;
}

export interface GroupJoinResult {
  seed: SeedResult;
  /** The server's start after seeding (its process spawn included), in ms. */
  restartMs: number;
  /** Server resident memory after a full collection: once restarted on the seeded data, and after the joins. */
  serverMemoryMiB: { afterRestart: number; afterJoins: number };
  runs: GroupJoinRun[];
}

function summary(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: round(percentile(sorted, 0.5)), min: round(sorted[0] ?? Number.NaN), max: round(sorted.at(-1) ?? Number.NaN) };
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: round(performance.now() - started) };
}

async function signedIn(url: string, phone: string, name: string): Promise<{ client: WireClient; token: string }> {
  const client = await WireClient.open(url);
  await client.hello();
  const { token } = await signUpTestNumber(client, phone, name);
  return { client, token };
}

/**
 * Runs the whole workload in `dataDir` (which must be empty): a server is started, stopped for
 * seeding, and started again; it is stopped when this returns.
 */
export async function runGroupJoin(dataDir: string, params: GroupJoinParams, log: (line: string) => void = () => {}): Promise<GroupJoinResult> {
  type Group = { size: number; chatId: number; hash: string; joinerTokens: string[] };
  const groups: Group[] = [];
  let server: ServerProcess = await startServerProcess(dataDir);
  try {
    // Before seeding: the owner makes each group, fills its history and exports a link; the joiners sign up.
    const { client: owner } = await signedIn(server.url, testPhone(0), 'Group owner');
    let nextPhone = 1;
    for (const size of params.groupSizes) {
      const { chat } = await owner.call('chats.createGroup', { title: `Join ${size}`, userIds: [] });
      for (let index = 0; index < params.historyMessages; index++) {
        await owner.call('messages.send', { peer: { type: 'chat', chatId: chat.id }, text: `history ${index}`, randomId: `history-${chat.id}-${index}` });
      }
      const { invite } = await owner.call('chats.exportInviteLink', { chatId: chat.id });
      const joinerTokens: string[] = [];
      for (let index = 0; index < params.joinersPerGroup; index++) {
        const { client, token } = await signedIn(server.url, testPhone(nextPhone++), `Joiner ${index}`);
        await client.close();
        joinerTokens.push(token);
      }
      groups.push({ size, chatId: chat.id, hash: invite.hash, joinerTokens });
    }
    await owner.close();
    await server.stop();

    log(`  group join: seeding ${Math.max(...params.groupSizes).toLocaleString('en')} members into the stopped server's database`);
    const seed = seedMembers(join(dataDir, 'samizdat.db'), groups.map((group) => ({ chatId: group.chatId, memberCount: group.size - params.joinersPerGroup })));
    log(`  group join: seeded ${seed.users} users, ${seed.memberships} memberships in ${round(seed.seconds, 1)} s`);
    server = await startServerProcess(dataDir);
    await server.collectGarbage();
    const afterRestart = mib(server.memory().rssKiB);

    // Rounds alternate between the groups, so that a cold start or a drift does not favour one size.
    const samples = groups.map(() => [] as JoinSample[]);
    for (let turn = 0; turn < params.joinersPerGroup; turn++) {
      for (const [index, group] of groups.entries()) {
        const client = await WireClient.open(server.url);
        try {
          await client.hello(group.joinerTokens[turn]!);
          const joined = await timed(() => client.call('chats.joinByLink', { hash: group.hash }));
          const peer = { type: 'chat' as const, chatId: group.chatId };
          const history = await timed(() => client.call('messages.getHistory', { peer, limit: params.historyLimit }));
          const post = await timed(() => client.call('messages.send', { peer, text: 'hello, group', randomId: `joined-${group.chatId}-${turn}-${Date.now()}` }));
          samples[index]!.push({ joinMs: joined.ms, historyMs: history.ms, historyCount: history.value.messages.length, memberCountAfter: joined.value.chat.memberCount, postAckMs: post.ms });
        } finally {
          await client.close();
        }
      }
    }
    const runs = groups.map((group, index): GroupJoinRun => {
      const own = samples[index]!;
      const run: GroupJoinRun = {
        members: group.size,
        membersBeforeFirstJoin: (own[0]?.memberCountAfter ?? Number.NaN) - 1,
        samples: own,
        joinMs: summary(own.map((sample) => sample.joinMs)),
        historyMs: summary(own.map((sample) => sample.historyMs)),
        postAckMs: summary(own.map((sample) => sample.postAckMs)),
      };
      log(`  group join ${group.size}: join ${run.joinMs.median} ms, history ${run.historyMs.median} ms, post ack ${run.postAckMs.median} ms (medians of ${own.length})`);
      return run;
    });
    await server.collectGarbage();
    return { seed: { ...seed, seconds: round(seed.seconds, 2) }, restartMs: round(server.startMs), serverMemoryMiB: { afterRestart, afterJoins: mib(server.memory().rssKiB) }, runs };
  } finally {
    await server.stop();
  }
}
