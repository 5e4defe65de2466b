/**
 * Measures the web client (a measurement, not a test): the production bundle's size (JS and CSS,
 * gzipped with node:zlib at level 9) and the time from navigation start to an interactive chat
 * list for a signed-in user with a few chats, in Debian's Chromium, with an empty HTTP cache
 * (cold) and a warm one. Prints the result as JSON and writes it under bench/results/.
 *
 *   npm run -w packages/web measure            (or: node --import tsx packages/web/scripts/measure.ts)
 *   npm run -w packages/web measure -- --runs 9
 *
 * @module
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SamizdatClient } from '@samizdat/client';
import type { Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { buildApp, launchChromium, REPO_DIR, signIn, startWebServer, WEB_DIR } from '../test/browser-harness.ts';

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag === -1 ? 5 : Number(process.argv[runsFlag + 1]);
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`Cannot measure: --runs is ${process.argv[runsFlag + 1]}, not a positive whole number`);
const CHAT_COUNT = 20;

/** Sizes of the JS and CSS files a browser downloads, raw and gzipped. */
async function bundleSize(dist: string): Promise<{ files: { name: string; bytes: number; gzipBytes: number }[]; totalBytes: number; gzipBytes: number }> {
  const assets = join(dist, 'assets');
  const files = [];
  for (const name of (await readdir(assets)).sort()) {
    if (!/\.(js|css)$/.test(name)) continue;
    const content = await readFile(join(assets, name));
    files.push({ name: `assets/${name}`, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length });
  }
  return { files, totalBytes: files.reduce((sum, f) => sum + f.bytes, 0), gzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0) };
}

/** Milliseconds from navigation start to the first frame with a chat in the list. */
async function timeToChatList(page: Page): Promise<number> {
  await page.goto('/', { waitUntil: 'commit' });
  const handle = await page.waitForFunction(() => (document.querySelector('.chat-list-item') === null ? false : performance.now()), undefined, { polling: 'raf', timeout: 30_000 });
  return (await handle.jsonValue()) as number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const dist = await buildApp(join(WEB_DIR, 'dist'));
  const bundle = await bundleSize(dist);
  const web = await startWebServer(dist);
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: web.server.httpUrl });
    const page = await context.newPage();
    await page.goto('/');
    await signIn(page, '+9996610001', 'Measured User');
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Username').fill('measured_user');
    await page.getByRole('button', { name: 'Save username' }).click();
    await page.getByText('Your username is @measured_user').waitFor();
    // Give the user a realistic list: chats with others, each with a message.
    for (let i = 0; i < CHAT_COUNT; i++) {
      const other = new SamizdatClient({ url: web.server.wsUrl, WebSocket });
      await other.connect();
      const phone = `+99966${(i % 9) + 1}${String(1000 + i).padStart(4, '0')}`;
      const { phoneCodeHash } = await other.sendCode(phone);
      await other.signUp({ phone, phoneCodeHash, code: phone.charAt(6).repeat(5), displayName: `Friend ${i + 1}` });
      const { user } = await other.call('users.resolveUsername', { username: 'measured_user' });
      await other.sendMessage({ type: 'user', userId: user.id }, `Hello from friend ${i + 1}`);
      await other.close();
    }
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const cold: number[] = [];
    for (let i = 0; i < runs; i++) cold.push(await timeToChatList(page));
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    await timeToChatList(page);
    const warm: number[] = [];
    for (let i = 0; i < runs; i++) warm.push(await timeToChatList(page));
    const result = {
      kind: 'web',
      date: new Date().toISOString(),
      machine: { cores: cpus().length, node: process.version, chromium: browser.version() },
      bundle: { jsCssBytes: bundle.totalBytes, jsCssGzipBytes: bundle.gzipBytes, files: bundle.files },
      timeToInteractiveChatList: {
        description: 'navigation start to the first frame showing the chat list of a signed-in user, server on loopback',
        chats: CHAT_COUNT,
        coldCacheMedianMs: Math.round(median(cold)),
        warmCacheMedianMs: Math.round(median(warm)),
        coldCacheRunsMs: cold.map(Math.round),
        warmCacheRunsMs: warm.map(Math.round),
      },
      command: 'npm run -w packages/web measure',
    };
    const text = JSON.stringify(result, null, 2);
    console.log(text);
    const dir = join(REPO_DIR, 'bench', 'results');
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${result.date.replace(/[:.]/g, '-')}-web.json`);
    await writeFile(file, `${text}\n`);
    console.error(`Wrote ${file}`);
  } finally {
    await browser.close();
    await web.stop();
  }
}

await main();
