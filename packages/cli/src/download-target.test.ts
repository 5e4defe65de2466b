import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FileInfo } from '@samizdat/protocol';
import { chooseDownloadPath, moveIntoPlace, numberedName, partialPath, safeFileName } from './download-target.ts';

const file = (name: string): FileInfo => ({ id: '0123456789abcdef0123456789abcdef', size: 3, mimeType: 'text/plain', name, sha256: 'ab'.repeat(32) });

test('download keeps names from the server inside the folder and off the terminal', () => {
  assert.equal(safeFileName('photo.jpg'), 'photo.jpg');
  assert.equal(safeFileName('../../etc/passwd'), '.._.._etc_passwd');
  assert.equal(safeFileName('a\\b'), 'a_b');
  assert.equal(safeFileName('evil\u001b[31m.txt'), 'evil_[31m.txt');
  assert.equal(safeFileName('..'), '');
  assert.equal(safeFileName('   '), '');
  const long = safeFileName(`${'x'.repeat(300)}.tar.gz`);
  assert.equal(long.length, 120);
  assert.ok(long.endsWith('.gz'));
});

test('download numbers a name before its extension', () => {
  assert.equal(numberedName('photo.jpg', 0), 'photo.jpg');
  assert.equal(numberedName('photo.jpg', 2), 'photo (2).jpg');
  assert.equal(numberedName('README', 1), 'README (1)');
  assert.equal(numberedName('.bashrc', 1), '.bashrc (1)');
});

test('download never picks a path that exists, and understands --out as a folder or a file', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'samizdat-target-'));
  try {
    assert.equal(await chooseDownloadPath(file('a.txt'), undefined, folder), join(folder, 'a.txt'));
    await writeFile(join(folder, 'a.txt'), 'x');
    await writeFile(join(folder, 'a (1).txt'), 'x');
    assert.equal(await chooseDownloadPath(file('a.txt'), undefined, folder), join(folder, 'a (2).txt'));
    assert.equal(await chooseDownloadPath(file(''), undefined, folder), join(folder, 'file-0123456789ab'));
    await mkdir(join(folder, 'sub'));
    assert.equal(await chooseDownloadPath(file('a.txt'), join(folder, 'sub'), '/nowhere'), join(folder, 'sub', 'a.txt'));
    assert.equal(await chooseDownloadPath(file('a.txt'), join(folder, 'b.bin'), '/nowhere'), join(folder, 'b.bin'));
    assert.equal(await chooseDownloadPath(file('a.txt'), join(folder, 'a.txt'), '/nowhere'), join(folder, 'a (2).txt'));
    assert.match(partialPath(join(folder, 'a.txt'), file('a.txt')), /a\.txt\.abababababab\.part$/);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('a finished download moves into place without replacing a file that appeared meanwhile', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'samizdat-target-'));
  try {
    const partial = join(folder, 'a.txt.part');
    await writeFile(partial, 'new');
    await writeFile(join(folder, 'a.txt'), 'old');
    const placed = await moveIntoPlace(partial, join(folder, 'a.txt'));
    assert.equal(placed, join(folder, 'a (1).txt'));
    assert.equal(await readFile(join(folder, 'a.txt'), 'utf8'), 'old');
    assert.equal(await readFile(placed, 'utf8'), 'new');
    await assert.rejects(readFile(partial));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
