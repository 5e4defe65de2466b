import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageEntity } from '@samizdat/protocol';
import { commandOf, entityTree, type TextNode } from './message-entities.ts';

/** The tree in short: plain text as is, entities as `type(children)`. */
function show(nodes: readonly TextNode[]): string {
  return nodes.map((node) => (node.kind === 'text' ? node.text : `${node.entity.type}(${show(node.children)})`)).join('');
}

function entity(type: MessageEntity['type'], offset: number, length: number): MessageEntity {
  return { type, offset, length };
}

test('[WEB72] a message’s text splits by its entities: commands, emails and quotes, with plain text between', () => {
  const text = 'Send /start or write to a@b.org';
  assert.equal(show(entityTree(text, [entity('email', 24, 7), entity('botCommand', 5, 6)])), 'Send botCommand(/start) or write to email(a@b.org)');
  assert.equal(show(entityTree('plain', [])), 'plain');
});

test('[WEB72] an entity inside another is its child; one crossing another’s end is cut there; out of range is dropped', () => {
  const text = 'Quoted bold words\nafter';
  assert.equal(show(entityTree(text, [entity('bold', 7, 4), entity('blockquote', 0, 17)])), 'blockquote(Quoted bold(bold) words)\nafter');
  assert.equal(show(entityTree('abcdef', [entity('bold', 0, 4), entity('italic', 2, 4)])), 'bold(abitalic(cd))ef');
  assert.equal(show(entityTree('abc', [entity('bold', 5, 2), entity('italic', 1, 10)])), 'aitalic(bc)');
});

test('[WEB72] offsets count UTF-16 code units, as the protocol does', () => {
  const text = '👍 /help';
  assert.equal(show(entityTree(text, [entity('botCommand', 3, 5)])), '👍 botCommand(/help)');
});

test('[WEB72] a bot command entity sends its own text, with a bot’s username when written so', () => {
  assert.equal(commandOf('/start'), '/start');
  assert.equal(commandOf('/help@echo_bot'), '/help@echo_bot');
  assert.equal(commandOf('/not a command'), null);
  assert.equal(commandOf('start'), null);
});
