import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type BrowserUser, buildApp, FAKE_MEDIA_FLAGS, launchChromium, openAndSignIn, openBrowserUser, saveScreenshot, startWebServer } from './browser-harness.ts';

/**
 * Attachments end to end ([WEB20]–[WEB22]): Ada sends Ben a photo (file picker), a document (drag
 * and drop) and a voice note (Chromium's fake microphone); Ben sees and fetches them. Ada's upload
 * parts are held back a little by the page's router, so that progress has time to show. The steps
 * build on each other, so they run in order and share the browser.
 */
let dist: string;
let web: Awaited<ReturnType<typeof startWebServer>>;
let browser: Browser;
let ada: BrowserUser;
let ben: BrowserUser;

const ADA_PHONE = '+9996670007';
const BEN_PHONE = '+9996680008';
/** How long each of Ada's upload parts is held before it goes to the server. */
let partDelayMs = 200;

before(async () => {
  dist = await buildApp();
  web = await startWebServer(dist);
  browser = await launchChromium({ extraFlags: FAKE_MEDIA_FLAGS });
  ada = await openBrowserUser(browser, web.server.httpUrl, { timeoutMs: 15_000, acceptDownloads: true });
  ben = await openBrowserUser(browser, web.server.httpUrl, { timeoutMs: 15_000, acceptDownloads: true });
  await ada.page.route('**/files/uploads/**', async (route) => {
    if (route.request().method() === 'PUT') await new Promise((done) => setTimeout(done, partDelayMs));
    await route.continue();
  });
});

after(async () => {
  await browser?.close();
  await web?.stop();
  if (dist !== undefined) await rm(dist, { recursive: true, force: true });
});

function history(page: Page) {
  return page.getByRole('log', { name: 'Messages' });
}

/** A stored (not pending) message's media of `kind`. */
function storedMedia(page: Page, kind: string) {
  return history(page).locator(`.bubble[data-message-id] .bubble-media[data-media-kind="${kind}"]`);
}

/** Sends what the attach dialog (titled `title`) holds, with `caption`. */
async function sendFromDialog(page: Page, title: string, caption = ''): Promise<void> {
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.waitFor();
  if (caption !== '') await dialog.getByLabel('Caption').fill(caption);
  await dialog.getByRole('button', { name: 'Send', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** Waits until an upload's progress bar shows a value strictly between 0 and 100. */
async function waitForPartialProgress(page: Page, name: string): Promise<number> {
  const handle = await page.waitForFunction((label) => {
    const bar = document.querySelector(`[role="progressbar"][aria-label="Uploading ${label}"]`);
    const value = Number(bar?.getAttribute('aria-valuenow') ?? 'NaN');
    return value > 0 && value < 100 ? value : null;
  }, name);
  return (await handle.jsonValue()) as number;
}

/** Deterministic bytes that do not compress: a small xorshift generator. */
function pseudoRandomBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

test('[WEB20] [WEB21] a photo and a document go up with progress shown; the other side sees the thumbnail, opens the photo and downloads the document byte for byte', async () => {
  await openAndSignIn(ben.page, BEN_PHONE, 'Ben Okri');
  await openAndSignIn(ada.page, ADA_PHONE, 'Ada Lovelace');
  await ada.page.getByRole('button', { name: 'New chat' }).click();
  // Spaced as people type it (unspaced, `+digits` also reads as an invite link's hash).
  await ada.page.getByLabel('Username or phone number').fill('+999 668 0008');
  await ada.page.getByRole('button', { name: 'Start chat' }).click();
  await ada.page.getByRole('heading', { name: 'Ben Okri' }).waitFor();

  // A colourful 640×400 PNG drawn by the browser, chosen with the file picker.
  const png = Buffer.from(
    await ada.page.evaluate(async () => {
      const canvas = new OffscreenCanvas(640, 400);
      const context = canvas.getContext('2d')!;
      const gradient = context.createLinearGradient(0, 0, 640, 400);
      gradient.addColorStop(0, '#ff7e5f');
      gradient.addColorStop(0.5, '#feb47b');
      gradient.addColorStop(1, '#2b5876');
      context.fillStyle = gradient;
      context.fillRect(0, 0, 640, 400);
      for (let i = 0; i < 400; i++) {
        context.fillStyle = `hsl(${(i * 37) % 360} 80% 60% / 0.6)`;
        context.beginPath();
        context.arc((i * 97) % 640, (i * 53) % 400, 4 + (i % 13), 0, Math.PI * 2);
        context.fill();
      }
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      return Array.from(new Uint8Array(await blob.arrayBuffer()));
    }),
  );
  assert.ok(png.length > 100_000, `the photo spans several parts (${png.length} bytes)`);
  await ada.page.getByRole('button', { name: 'Attach files' }).waitFor();
  await ada.page.getByLabel('Files to attach').setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: png });
  await ada.page.getByRole('dialog', { name: 'Send photo' }).getByRole('img', { name: 'sunset.png' }).waitFor();
  await saveScreenshot(ada.page, 'attachments-attach-dialog');
  await sendFromDialog(ada.page, 'Send photo', 'Sunset over the bay');
  const photoProgress = await waitForPartialProgress(ada.page, 'sunset.png');
  assert.ok(photoProgress > 0 && photoProgress < 100);
  await storedMedia(ada.page, 'photo').locator('img').waitFor();
  assert.equal(await ada.page.getByRole('progressbar', { name: 'Uploading sunset.png' }).count(), 0, 'the upload bubble gave way to the message');

  // A 1.5 MB document dropped on the conversation: the drop zone shows while dragging.
  const report = pseudoRandomBytes(1_500_000, 0x5eed);
  const dataTransfer = await ada.page.evaluateHandle((base64) => {
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'report.bin', { type: 'application/octet-stream' }));
    return transfer;
  }, report.toString('base64'));
  const dropArea = history(ada.page);
  await dropArea.dispatchEvent('dragenter', { dataTransfer });
  await ada.page.getByText('Drop files here to send them').waitFor();
  await saveScreenshot(ada.page, 'attachments-drop-zone');
  await dropArea.dispatchEvent('dragover', { dataTransfer });
  await dropArea.dispatchEvent('drop', { dataTransfer });
  await ada.page.getByText('Drop files here to send them').waitFor({ state: 'hidden' });
  await sendFromDialog(ada.page, 'Send file');
  const documentProgress = await waitForPartialProgress(ada.page, 'report.bin');
  assert.ok(documentProgress > 0 && documentProgress < 100);
  await saveScreenshot(ada.page, 'attachments-upload-progress');
  await storedMedia(ada.page, 'document').getByText('report.bin').waitFor();
  await saveScreenshot(ada.page, 'attachments-conversation');

  // Ben sees the photo's thumbnail and the document.
  await ben.page.getByRole('button', { name: /^Ada Lovelace/ }).click();
  const thumbnail = storedMedia(ben.page, 'photo').locator('img');
  await thumbnail.waitFor();
  await ben.page.waitForFunction(() => {
    const image = document.querySelector<HTMLImageElement>('.bubble-media[data-media-kind="photo"] img');
    return image !== null && image.complete && image.naturalWidth > 0;
  });
  const thumbnailWidth = await thumbnail.evaluate((image: HTMLImageElement) => image.naturalWidth);
  const photoBubble = history(ben.page).locator('.bubble', { has: ben.page.locator('.bubble-media[data-media-kind="photo"]') });
  assert.equal(await photoBubble.locator('.bubble-text').innerText(), 'Sunset over the bay', 'the caption shows under the photo');
  assert.ok(thumbnailWidth <= 320, `the bubble shows the server's thumbnail (${thumbnailWidth} px wide)`);
  await storedMedia(ben.page, 'document').getByText('report.bin').waitFor();
  assert.match(await storedMedia(ben.page, 'document').innerText(), /1\.4 MB/);
  await saveScreenshot(ben.page, 'attachments-received');

  // A click opens the full photo in a lightbox; Esc closes it.
  await storedMedia(ben.page, 'photo').getByRole('button', { name: 'Open photo' }).click();
  const lightbox = ben.page.getByRole('dialog', { name: 'Photo' });
  await lightbox.locator('img[data-full="true"]').waitFor();
  await ben.page.waitForFunction(() => document.querySelector<HTMLImageElement>('.media-lightbox img[data-full="true"]')?.naturalWidth === 640);
  await saveScreenshot(ben.page, 'attachments-photo-lightbox');
  await ben.page.keyboard.press('Escape');
  await lightbox.waitFor({ state: 'hidden' });

  // The document downloads under its name with exactly the bytes sent.
  const [download] = await Promise.all([ben.page.waitForEvent('download'), ben.page.getByRole('button', { name: 'Download report.bin' }).click()]);
  assert.equal(download.suggestedFilename(), 'report.bin');
  const saved = await readFile(await download.path());
  assert.equal(saved.length, report.length);
  assert.ok(saved.equals(report), 'the downloaded bytes equal the original');
});

test('[WEB20] a cancelled upload disappears and sends nothing', async () => {
  partDelayMs = 1500;
  const big = pseudoRandomBytes(2_000_000, 0xcafe);
  await ada.page.getByLabel('Files to attach').setInputFiles({ name: 'cancelled.bin', mimeType: 'application/octet-stream', buffer: big });
  await sendFromDialog(ada.page, 'Send file');
  const bar = ada.page.getByRole('progressbar', { name: 'Uploading cancelled.bin' });
  await bar.waitFor();
  await ada.page.getByRole('button', { name: 'Cancel upload' }).click();
  await bar.waitFor({ state: 'detached' });
  partDelayMs = 200;
  // A message sent after it arrives; the cancelled file never does.
  const composer = ada.page.getByRole('textbox', { name: 'Message', exact: true });
  await composer.fill('Never mind that file');
  await composer.press('Enter');
  await history(ben.page).locator('.bubble-text', { hasText: 'Never mind that file' }).waitFor();
  assert.equal(await history(ben.page).getByText('cancelled.bin').count(), 0);
  assert.equal(await history(ada.page).getByText('cancelled.bin').count(), 0);
});

test('[WEB22] a voice note recorded with the microphone arrives with its duration and plays', async () => {
  await ada.page.getByRole('button', { name: 'Record voice message' }).click();
  const recording = ada.page.getByRole('group', { name: 'Recording voice message' });
  await recording.waitFor();
  // Record until the timer shows two seconds.
  await recording.getByRole('timer').filter({ hasText: '0:02' }).waitFor();
  await saveScreenshot(ada.page, 'attachments-voice-recording');
  await recording.getByRole('button', { name: 'Send voice message' }).click();
  await recording.waitFor({ state: 'detached' });

  const voice = storedMedia(ben.page, 'voice').locator('.media-voice');
  await voice.waitFor();
  const duration = Number(await voice.getAttribute('data-duration'));
  assert.ok(duration >= 1.5 && duration < 10, `the voice note lasts about two seconds (${duration})`);
  assert.match(await voice.innerText(), /0:0[2-4]/);
  const heights = await voice.locator('.media-waveform > span').evaluateAll((bars) => bars.map((bar) => (bar as HTMLElement).style.height));
  assert.ok(new Set(heights).size > 1, `the waveform follows the fake microphone's beeps (${heights.join(' ')})`);
  await voice.getByRole('button', { name: 'Play voice message' }).click();
  await voice.getByRole('button', { name: 'Pause voice message' }).waitFor();
  await saveScreenshot(ben.page, 'attachments-voice-received');
});

test('[WEB20] [WEB21] a video goes up as a video with its size, and plays in place on the other side', async () => {
  // One second of an animated canvas, recorded by the browser itself.
  const clip = Buffer.from(
    await ada.page.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 240;
      const context = canvas.getContext('2d')!;
      const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm' });
      const chunks: Blob[] = [];
      recorder.ondataavailable = (event) => chunks.push(event.data);
      const stopped = new Promise((done) => (recorder.onstop = done));
      recorder.start(100);
      const startedAt = performance.now();
      while (performance.now() - startedAt < 1000) {
        const t = (performance.now() - startedAt) / 1000;
        context.fillStyle = `hsl(${t * 360} 70% 50%)`;
        context.fillRect(0, 0, 320, 240);
        context.fillStyle = '#ffffff';
        context.fillRect(t * 280, 100, 40, 40);
        await new Promise((done) => setTimeout(done, 40));
      }
      recorder.stop();
      await stopped;
      return Array.from(new Uint8Array(await new Blob(chunks).arrayBuffer()));
    }),
  );
  assert.ok(clip.length > 0);
  await ada.page.getByLabel('Files to attach').setInputFiles({ name: 'clip.webm', mimeType: 'video/webm', buffer: clip });
  await sendFromDialog(ada.page, 'Send video');
  const video = storedMedia(ben.page, 'video');
  await video.getByRole('button', { name: 'Play video' }).waitFor();
  const aspect = await video.getByRole('button', { name: 'Play video' }).evaluate((poster) => getComputedStyle(poster).aspectRatio);
  assert.equal(aspect.replace(/\s/g, ''), '320/240', 'the sender measured the video');
  await video.getByRole('button', { name: 'Play video' }).click();
  await ben.page.waitForFunction(() => {
    const element = document.querySelector<HTMLVideoElement>('.bubble-media[data-media-kind="video"] video');
    return element !== null && element.readyState >= 1 && element.videoWidth === 320;
  });
});

