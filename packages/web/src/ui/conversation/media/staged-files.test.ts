import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StagedFiles } from './staged-files.ts';

const chatA = { peer: { type: 'chat' as const, chatId: 1 }, key: 'chat:1' };
const chatB = { peer: { type: 'chat' as const, chatId: 2 }, key: 'chat:2' };

test('[WEB20] files picked for one conversation add up in the attach dialog; another conversation or clear starts afresh; empty files are left out', () => {
  const staged = new StagedFiles();
  let changes = 0;
  staged.subscribe(() => changes++);
  staged.stage([new File(['a'], 'a.txt'), new File([], 'empty.txt')], chatA);
  staged.stage([new File(['b'], 'b.txt')], chatA);
  assert.deepEqual(staged.getSnapshot()?.files.map((file) => file.name), ['a.txt', 'b.txt']);
  staged.stage([new File(['c'], 'c.txt')], chatB);
  assert.deepEqual(staged.getSnapshot()?.files.map((file) => file.name), ['c.txt']);
  assert.equal(staged.getSnapshot()?.target.key, 'chat:2');
  staged.stage([new File([], 'empty.txt')], chatB);
  assert.equal(changes, 3, 'nothing to stage changes nothing');
  staged.clear();
  assert.equal(staged.getSnapshot(), null);
});
