import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatDuration } from './format.ts';
import { ProgressBar, renderProgressLine, type ProgressStream } from './progress-bar.ts';

function fakeStream(isTTY: boolean): ProgressStream & { text: string } {
  return {
    isTTY,
    columns: 100,
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

test('the progress line shows bytes done of total, the percentage, the rate and the time left', () => {
  const line = renderProgressLine({ label: 'photo.jpg', doneBytes: 1.5 * 1024 * 1024, totalBytes: 3 * 1024 * 1024, bytesPerSecond: 512 * 1024, columns: 100 });
  assert.match(line, /^photo\.jpg \[#+\.+\] +50%  1\.5 MiB \/ 3\.0 MiB  512\.0 KiB\/s  ETA 0:03$/);
  assert.ok(line.length < 100);
  const start = renderProgressLine({ label: 'x', doneBytes: 0, totalBytes: 10, bytesPerSecond: null, columns: 80 });
  assert.match(start, /0%  0 B \/ 10 B  ETA --:--$/);
  const done = renderProgressLine({ label: 'x', doneBytes: 10, totalBytes: 10, bytesPerSecond: 5, columns: 80 });
  assert.match(done, /100%  10 B \/ 10 B  5 B\/s  done$/);
});

test('the progress line fits a narrow terminal by shortening the label and dropping the bar', () => {
  const line = renderProgressLine({
    label: 'a-very-long-file-name-that-goes-on-and-on.tar.gz',
    doneBytes: 10,
    totalBytes: 100,
    bytesPerSecond: 1,
    columns: 60,
  });
  assert.ok(line.length <= 59, line);
  assert.match(line, /…/);
  assert.match(line, /10%/);
});

test('sizes and durations read as people write them', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(3 * 1024 ** 3), '3.00 GiB');
  assert.equal(formatDuration(7.2), '0:08');
  assert.equal(formatDuration(754), '12:34');
  assert.equal(formatDuration(3723), '1:02:03');
});

test('the bar draws nothing when stderr is not a terminal', () => {
  const stream = fakeStream(false);
  const bar = new ProgressBar({ label: 'f', stream, now: () => 0 });
  bar.update(5, 10);
  bar.finish();
  bar.abandon();
  assert.equal(stream.text, '');
  assert.equal(bar.isEnabled, false);
});

test('the bar redraws in place at most ten times a second and ends its line when finished', () => {
  const stream = fakeStream(true);
  let nowMs = 0;
  const bar = new ProgressBar({ label: 'f', stream, now: () => nowMs });
  for (let step = 0; step <= 100; step += 1) {
    nowMs = step * 10;
    bar.update(step, 100);
  }
  const redraws = stream.text.split('\r').length - 1;
  assert.ok(redraws >= 10 && redraws <= 11, `${redraws} redraws in one second`);
  bar.finish();
  assert.ok(stream.text.endsWith('\u001b[K\n'));
  assert.match(stream.text, /100%  100 B \/ 100 B  100 B\/s  done\u001b\[K\n$/);
});

test('the bar draws for 80 columns on a terminal that reports none', () => {
  const stream = { ...fakeStream(true), columns: 0 };
  const bar = new ProgressBar({ label: 'photo.jpg', stream, now: () => 0 });
  bar.update(50, 100);
  assert.match(stream.text, /^\rphoto\.jpg \[#+\.+\] +50%  50 B \/ 100 B  ETA --:--\u001b\[K$/);
});
