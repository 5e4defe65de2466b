/**
 * Bots through the `samizdat` command: a real server in this process, the CLI as child processes,
 * and a tiny bot program in this process that talks to the server's HTTP Bot API with fetch, as a
 * Telegram bot would. The tests run in order and build on each other.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Message, User } from '@samizdat/protocol';
// Tests may start a server; the CLI itself reaches it only through `samizdat server`.
import { createMemoryLogger, type RunningServer } from '@samizdat/server';
import { startServerUnderTest } from '@samizdat/server/testing';
import { cli, Listener, ok, okJson } from './harness.ts';

const ALICE_PHONE = '+9996610501';

/** What the bot's program sees of the Bot API's answers. */
interface BotApiAnswer<T> {
  ok: boolean;
  result?: T;
  description?: string;
}

interface TgUpdate {
  update_id: number;
  message?: { message_id: number; chat: { id: number }; text?: string };
  callback_query?: { id: string; data?: string };
}

/** Calls a Bot API method the way a bot's program does: POST JSON to `<server>/bot<token>/<method>`. */
async function botApi<T>(root: string, method: string, params: object, signal?: AbortSignal): Promise<BotApiAnswer<T>> {
  const response = await fetch(`${root}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
    ...(signal === undefined ? {} : { signal }),
  });
  return (await response.json()) as BotApiAnswer<T>;
}

/**
 * The bot under test: answers `/start` with "Pick one" and the buttons Yes and No, and a press with
 * "You chose <data>". Long-polls getUpdates until stopped.
 */
class EchoBot {
  readonly errors: string[] = [];
  readonly #root: string;
  readonly #stop = new AbortController();
  #loop: Promise<void> | null = null;

  constructor(root: string) {
    this.#root = root;
  }

  start(): void {
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let offset = 0;
    while (!this.#stop.signal.aborted) {
      try {
        const answer = await botApi<TgUpdate[]>(this.#root, 'getUpdates', { offset, timeout: 1 }, this.#stop.signal);
        if (!answer.ok) throw new Error(`getUpdates: ${answer.description ?? 'not ok'}`);
        for (const update of answer.result ?? []) {
          offset = update.update_id + 1;
          await this.#handle(update);
        }
      } catch (error) {
        if (this.#stop.signal.aborted) return;
        this.errors.push(error instanceof Error ? error.message : String(error));
        await new Promise((done) => setTimeout(done, 200));
      }
    }
  }

  async #handle(update: TgUpdate): Promise<void> {
    if (update.message?.text === '/start') {
      const sent = await botApi(this.#root, 'sendMessage', {
        chat_id: update.message.chat.id,
        text: 'Pick one',
        reply_markup: {
          inline_keyboard: [
            [
              { text: 'Yes', callback_data: 'yes' },
              { text: 'No', callback_data: 'no' },
            ],
          ],
        },
      });
      if (!sent.ok) this.errors.push(`sendMessage: ${sent.description ?? 'not ok'}`);
    }
    const query = update.callback_query;
    if (query !== undefined) {
      const answered = await botApi(this.#root, 'answerCallbackQuery', { callback_query_id: query.id, text: `You chose ${query.data ?? '?'}`, show_alert: false });
      if (!answered.ok) this.errors.push(`answerCallbackQuery: ${answered.description ?? 'not ok'}`);
    }
  }
}

describe('samizdat with bots', () => {
  let server: RunningServer;
  let scratch: string;
  let alice: string;
  let helperToken: string;
  let bot: EchoBot | null = null;
  /** The id of the bot's "Pick one" in Alice's chat with it. */
  let pickId: number;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'samizdat-cli-bots-'));
    alice = join(scratch, 'alice');
    server = await startServerUnderTest({ port: 0, dataDir: join(scratch, 'data'), testNumbers: true, logger: createMemoryLogger() });
    await ok(['login', '--server', server.httpUrl, '--phone', ALICE_PHONE, '--code', '11111', '--name', 'Alice', '--profile', alice]);
  });

  after(async () => {
    await bot?.stop();
    await server?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  test('bot create prints the token, and with --json exactly {"token"}', async () => {
    const run = await cli(['bot', 'create', '@helper_cli_bot', '--profile', alice]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^\S+\n$/);
    helperToken = run.stdout.trim();
    assert.ok(run.stderr.includes(`${server.httpUrl}/bot${helperToken}/`), `the Bot API root is told: ${run.stderr}`);

    const created = await okJson<Record<string, unknown>>(['bot', 'create', 'echo_cli_bot', '--name', 'Echo', '--profile', alice]);
    assert.deepEqual(Object.keys(created), ['token']);
    assert.equal(typeof created.token, 'string');
    const root = `${server.httpUrl}/bot${String(created.token)}/`;
    const commands = await botApi(root, 'setMyCommands', {
      commands: [
        { command: 'start', description: 'Start the bot' },
        { command: 'help', description: 'What it can do' },
      ],
    });
    assert.ok(commands.ok, `setMyCommands: ${JSON.stringify(commands)}`);
    bot = new EchoBot(root);
    bot.start();
  });

  test('bot list shows your bots, marked as bots', async () => {
    const list = await ok(['bot', 'list', '--profile', alice]);
    assert.match(list, /^\[user \d+\] helper_cli \(bot\) \(@helper_cli_bot\)$/m);
    assert.match(list, /^\[user \d+\] Echo \(bot\) \(@echo_cli_bot\)$/m);
    const bots = await okJson<User[]>(['bot', 'list', '--profile', alice]);
    assert.deepEqual(bots.map((user) => [user.username, user.isBot]).sort(), [['echo_cli_bot', true], ['helper_cli_bot', true]]);
  });

  test('the bot answers /start with buttons, which history numbers under its message', async () => {
    await ok(['send', '@echo_cli_bot', '/start', '--profile', alice]);
    const deadline = Date.now() + 10_000;
    let human = '';
    while (!/Pick one/.test(human)) {
      assert.ok(Date.now() < deadline, `no answer from the bot in history: ${human}; bot errors: ${JSON.stringify(bot?.errors)}`);
      await new Promise((done) => setTimeout(done, 200));
      human = await ok(['history', '@echo_cli_bot', '--profile', alice]);
    }
    const match = /^#(\d+) \S+ \S+ Echo \(bot\): Pick one\n {2}\[1\] Yes {2}\[2\] No$/m.exec(human);
    assert.ok(match !== null, human);
    pickId = Number(match[1]);
    const messages = await okJson<Message[]>(['history', '@echo_cli_bot', '--profile', alice]);
    assert.deepEqual(messages.find((message) => message.id === pickId)?.replyMarkup, {
      type: 'inlineKeyboard',
      rows: [
        [
          { text: 'Yes', callbackData: 'yes' },
          { text: 'No', callbackData: 'no' },
        ],
      ],
    });
  });

  test('listen shows the bot\'s message with its numbered buttons', async () => {
    const listener = new Listener(['--profile', alice]);
    try {
      await listener.waitForLine((line) => line === '  [1] Yes  [2] No', 'the buttons');
      const at = listener.lines.indexOf('  [1] Yes  [2] No');
      assert.match(listener.lines[at - 1] ?? '', /^\[chat \d+\] Echo \(bot\): Pick one$/);
    } finally {
      assert.equal(await listener.interrupt(), 0);
    }
  });

  test('press by number and by text prints the bot\'s answer', async () => {
    const [byNumber, byText, asJson] = await Promise.all([
      ok(['press', `@echo_cli_bot:${pickId}`, '1', '--profile', alice]),
      ok(['press', `@echo_cli_bot:${pickId}`, 'Yes', '--profile', alice]),
      okJson(['press', `@echo_cli_bot:${pickId}`, 'No', '--profile', alice]),
    ]);
    assert.equal(byNumber, 'You chose yes\n');
    assert.equal(byText, 'You chose yes\n');
    assert.deepEqual(asJson, { message: 'You chose no', alert: false, url: null });
  });

  test('press of a button the message does not have fails with DATA_INVALID', async () => {
    const run = await cli(['press', `@echo_cli_bot:${pickId}`, 'Maybe', '--profile', alice]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^DATA_INVALID: .*\[1\] Yes {2}\[2\] No/);
    assert.equal(run.stdout, '');
  });

  test('commands lists what the bot set with setMyCommands', async () => {
    assert.equal(await ok(['commands', '@echo_cli_bot', '--profile', alice]), '/start — Start the bot\n/help — What it can do\n');
    const info = await okJson<{ commands: unknown[] }>(['commands', '@echo_cli_bot', '--profile', alice]);
    assert.deepEqual(info.commands, [
      { command: 'start', description: 'Start the bot' },
      { command: 'help', description: 'What it can do' },
    ]);
  });

  test('bot revoke prints a new token, and the old one stops working', async () => {
    const revoked = await okJson<Record<string, unknown>>(['bot', 'revoke', '@helper_cli_bot', '--profile', alice]);
    assert.deepEqual(Object.keys(revoked), ['token']);
    assert.notEqual(revoked.token, helperToken);
    const [oldAnswer, newAnswer] = await Promise.all([
      botApi(`${server.httpUrl}/bot${helperToken}/`, 'getMe', {}),
      botApi(`${server.httpUrl}/bot${String(revoked.token)}/`, 'getMe', {}),
    ]);
    assert.equal(oldAnswer.ok, false);
    assert.equal(newAnswer.ok, true, JSON.stringify(newAnswer));
  });

  test('an invalid bot username exits non-zero with BOT_USERNAME_INVALID', async () => {
    const run = await cli(['bot', 'create', 'weather_helper', '--profile', alice]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^BOT_USERNAME_INVALID: /);
    assert.equal(run.stdout, '');
  });
});
