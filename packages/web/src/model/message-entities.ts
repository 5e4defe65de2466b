import type { MessageEntity } from '@samizdat/protocol';

/** A piece of a message's text: plain, or an entity with the pieces inside it. */
export type TextNode = { kind: 'text'; text: string } | { kind: 'entity'; entity: MessageEntity; text: string; children: TextNode[] };

/**
 * Splits a message's text by its entities (UTF-16 offsets, as the protocol counts them) into a
 * tree: an entity inside another (bold in a quote) becomes its child; one that crosses another's
 * end is cut there; entities out of the text's range are dropped.
 */
export function entityTree(text: string, entities: readonly MessageEntity[]): TextNode[] {
  const sorted = entities
    .filter((entity) => entity.length > 0 && entity.offset < text.length)
    .slice()
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  return build(text, 0, text.length, sorted);
}

function build(text: string, start: number, end: number, entities: readonly MessageEntity[]): TextNode[] {
  const nodes: TextNode[] = [];
  let position = start;
  let i = 0;
  while (i < entities.length) {
    const entity = entities[i]!;
    const from = Math.max(entity.offset, position);
    const to = Math.min(entity.offset + entity.length, end);
    if (from >= to) {
      i++;
      continue;
    }
    if (from > position) nodes.push({ kind: 'text', text: text.slice(position, from) });
    let j = i + 1;
    while (j < entities.length && entities[j]!.offset < to) j++;
    nodes.push({ kind: 'entity', entity, text: text.slice(from, to), children: build(text, from, to, entities.slice(i + 1, j)) });
    position = to;
    i = j;
  }
  if (position < end) nodes.push({ kind: 'text', text: text.slice(position, end) });
  return nodes;
}

/** The command a `botCommand` entity's text sends: "/start", "/help@some_bot" as written. */
export function commandOf(text: string): string | null {
  return /^\/[a-zA-Z0-9_]{1,32}(@[a-zA-Z0-9_]{1,64})?$/.test(text) ? text : null;
}
