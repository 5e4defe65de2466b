/**
 * What the browser tests share: a production build of the app, a real server serving it on
 * loopback, Debian's Chromium driven by playwright-core (never a downloaded browser), and checks
 * on screenshots.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@samizdat/server';
import { startServerUnderTest, type ServerUnderTest } from '@samizdat/server/testing';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';

/** The web package's folder. */
export const WEB_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The repository's root. */
export const REPO_DIR = fileURLToPath(new URL('../../..', import.meta.url));
/** Where screenshots go (git-ignored). */
export const SCREENSHOT_DIR = join(REPO_DIR, 'test-artifacts', 'screenshots');
/** Debian's Chromium, installed by `.ci/run` (`apt-get install chromium`). */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** The flags of SETUP-NOTES.md; Playwright adds `--headless` and a fresh temporary `--user-data-dir` per launch. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds the app for production into a fresh temporary folder; resolves with the folder. */
export async function buildApp(outDir?: string): Promise<string> {
  const dir = outDir ?? (await mkdtemp(join(tmpdir(), 'samizdat-web-dist-')));
  await build({ root: WEB_DIR, configFile: join(WEB_DIR, 'vite.config.ts'), logLevel: 'warn', build: { outDir: dir, emptyOutDir: true } });
  assert.ok(existsSync(join(dir, 'index.html')), 'the build wrote index.html');
  return dir;
}

/** Options of {@link startWebServer}. */
export interface WebServerOptions {
  /** Per-connection limits, raised by tests that seed much history from one client. @default the server's */
  connectionLimits?: NonNullable<Parameters<typeof startServerUnderTest>[0]>['connectionLimits'];
  /** How long a press of an inline button waits for the bot (bots tests). @default the server's (15 s) */
  botCallbackTimeoutMs?: number;
}

/** A server with test numbers on, serving `webRoot`, with its data in a temporary folder. */
export async function startWebServer(webRoot: string, options: WebServerOptions = {}): Promise<{ server: ServerUnderTest; stop: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'samizdat-web-data-'));
  const server = await startServerUnderTest({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    testNumbers: true,
    webRoot,
    logger: createLogger({ minLevel: 'warn' }),
    // Every user here signs in from 127.0.0.1: lift the per-address limits on codes and sign-ins.
    authLimits: { codesPerIp: { limit: 10_000, windowMs: 3_600_000 }, signInsPerIp: { limit: 10_000, windowMs: 3_600_000 } },
    ...(options.connectionLimits === undefined ? {} : { connectionLimits: options.connectionLimits }),
    ...(options.botCallbackTimeoutMs === undefined ? {} : { botCallbackTimeoutMs: options.botCallbackTimeoutMs }),
  });
  return {
    server,
    async stop() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Flags for a fake microphone and camera that need no permission prompt (voice notes, calls). */
export const FAKE_MEDIA_FLAGS = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

/** Launches headless Chromium with `extraFlags` after the usual ones; fails with a hint when it is not installed. */
export async function launchChromium(options: { extraFlags?: readonly string[] } = {}): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM_PATH), `Cannot find Chromium at ${CHROMIUM_PATH}: apt-get install -y --no-install-recommends chromium`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_FLAGS, ...(options.extraFlags ?? [])] });
}

/**
 * Saves a screenshot of `page` as `name`.png and checks it shows a real screen: it must hold many
 * colours (a blank or single-colour page does not), counted by decoding the PNG in the browser.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const png = await page.screenshot({ animations: 'disabled' });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await writeFile(path, png);
  const colours = await distinctColours(page, png);
  assert.ok(colours >= 16, `Screenshot ${name}.png looks blank: only ${colours} distinct colours`);
  return path;
}

/** How many distinct colours a PNG holds (sampled on a grid), decoded by the browser itself. */
async function distinctColours(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    if (context === null) return 0;
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    const seen = new Set<number>();
    const step = 3;
    for (let y = 0; y < bitmap.height; y += step) {
      for (let x = 0; x < bitmap.width; x += step) {
        const i = (y * bitmap.width + x) * 4;
        seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      }
    }
    return seen.size;
  }, png.toString('base64'));
}

/**
 * Signs in (signing up with `name` when the number is new) with a test number: `+99966XYYYY`
 * takes the code XXXXX. Resolves once the chat list shows.
 */
export async function signIn(page: Page, phone: string, name: string): Promise<void> {
  const digit = phone.charAt(6);
  await page.getByLabel('Phone number').fill(phone);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Code').fill(digit.repeat(5));
  await page.getByRole('button', { name: 'Sign in' }).click();
  const nameField = page.getByLabel('Your name');
  const chatsNav = page.getByRole('navigation', { name: 'Chats' });
  await nameField.or(chatsNav).first().waitFor();
  if (await nameField.isVisible()) {
    await nameField.fill(name);
    await page.getByRole('button', { name: 'Create account' }).click();
  }
  await chatsNav.waitFor();
}

/** One user (or one device of a user) in the browser: a context of its own, so storage is not shared. */
export interface BrowserUser {
  context: BrowserContext;
  page: Page;
}

/**
 * Opens a fresh browser context on `baseURL` with one page. Each test file picks the window width,
 * how long a step may wait (`timeoutMs`) and whether downloads are kept (files tests).
 */
export async function openBrowserUser(browser: Browser, baseURL: string, options: { width?: number; timeoutMs: number; acceptDownloads?: boolean }): Promise<BrowserUser> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1100, height: 760 }, baseURL, ...(options.acceptDownloads === true ? { acceptDownloads: true } : {}) });
  const page = await context.newPage();
  page.setDefaultTimeout(options.timeoutMs);
  return { context, page };
}

/** Opens the app at its root and signs in there (see `signIn`). */
export async function openAndSignIn(page: Page, phone: string, name: string): Promise<void> {
  await page.goto('/');
  await signIn(page, phone, name);
}

/** The open secret conversation. */
export function secretPane(page: Page) {
  return page.getByRole('region', { name: 'Secret conversation' });
}

/** Sends a message in the open secret conversation. */
export async function sendSecret(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Secret message' });
  await box.fill(text);
  await box.press('Enter');
}

/**
 * From the chat list, starts a secret chat with the user whose number is `peerPhone` and resolves
 * once the secret conversation shows. The peer's device registers its keys only once it is signed
 * in; until then the server says it has none, so the attempt is repeated for up to 15 s.
 */
export async function startSecretChat(page: Page, peerPhone: string): Promise<void> {
  const pane = secretPane(page);
  await page.getByRole('button', { name: 'New chat' }).click();
  await page.getByLabel('Username or phone number').fill(peerPhone);
  const deadline = Date.now() + 15_000;
  for (;;) {
    await page.getByRole('button', { name: 'Start secret chat' }).click();
    const outcome = pane.or(page.getByRole('dialog').getByRole('alert')).first();
    await outcome.waitFor();
    if (await pane.isVisible()) return;
    assert.ok(Date.now() < deadline, `${peerPhone} never became reachable in a secret chat: ${await outcome.innerText()}`);
    await page.waitForTimeout(300);
  }
}

/** A TCP proxy to a server whose link can be cut, as a network outage would. */
export interface CuttableProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Drops every connection through the proxy and refuses new ones. */
  cut(): void;
  /** Lets connections through again. */
  restore(): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy to `targetPort` on loopback. Chromium's offline emulation (`setOffline`) stops
 * new requests but leaves an open WebSocket running, so a test of an outage also cuts the link here.
 */
export async function startCuttableProxy(targetPort: number): Promise<CuttableProxy> {
  const live = new Set<Socket>();
  let isCut = false;
  const server = createServer((client) => {
    if (isCut) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      live.add(socket);
      socket.on('close', () => live.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut() {
      isCut = true;
      for (const socket of live) socket.destroy();
    },
    restore() {
      isCut = false;
    },
    async close() {
      for (const socket of live) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
