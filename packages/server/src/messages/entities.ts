import { RpcError, type MessageEntity } from '@samizdat/protocol';

const AUTO_PATTERNS: { type: MessageEntity['type']; pattern: RegExp }[] = [
  { type: 'url', pattern: /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]]/giu },
  { type: 'email', pattern: /(?<![\w.+-])[\w.+-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*\.[a-zA-Z]{2,}\b/gu },
  { type: 'botCommand', pattern: /(?<![\w/])\/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z][a-zA-Z0-9_]{3,31})?(?![\w/@])/gu },
  { type: 'mention', pattern: /(?<![\w@])@[a-zA-Z][a-zA-Z0-9_]{4,31}\b/gu },
  { type: 'hashtag', pattern: /(?<![\w#])#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*/gu },
];

/**
 * The entities a message is stored with: the sender's own (checked to lie inside the text), plus
 * links, @mentions and #hashtags found in the text where the sender marked nothing, as Telegram's
 * server does.
 */
export function messageEntities(text: string, given: readonly MessageEntity[] = []): MessageEntity[] {
  for (const entity of given) {
    if (entity.offset + entity.length > text.length) {
      throw new RpcError(
        'ENTITY_BOUNDS_INVALID',
        `Cannot use entity ${entity.type} at ${entity.offset}+${entity.length}: the text is ${text.length} characters`,
      );
    }
    if (entity.type === 'textUrl' && !/^(https?|tg|mailto):/i.test(entity.url ?? '')) {
      throw new RpcError('ENTITY_BOUNDS_INVALID', 'Cannot use a textUrl entity without an http(s) or mailto URL');
    }
  }
  const found: MessageEntity[] = [];
  for (const { type, pattern } of AUTO_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const offset = match.index;
      const length = match[0].length;
      const overlaps = [...given, ...found].some((e) => offset < e.offset + e.length && e.offset < offset + length);
      if (!overlaps) found.push({ type, offset, length });
    }
  }
  return [...given, ...found].sort((a, b) => a.offset - b.offset || b.length - a.length);
}
