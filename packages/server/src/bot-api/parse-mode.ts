/**
 * Telegram Bot API `parse_mode` formatting: turns HTML, MarkdownV2 or legacy Markdown
 * into plain text plus `MessageEntity` spans (offsets in UTF-16 code units of the result).
 * See https://core.telegram.org/bots/api#formatting-options.
 *
 * Every parser is a single left-to-right pass over the input (no backtracking regexes),
 * so the running time is linear in the input's length.
 */
import type { MessageEntity } from '@samizdat/protocol';

export type ParseMode = 'HTML' | 'MarkdownV2' | 'Markdown';

/** A formatting error; `message` carries Telegram's wording, e.g. "Can't parse entities: …". */
export class ParseModeError extends Error {
  constructor(detail: string) {
    super(`Can't parse entities: ${detail.charAt(0).toLowerCase()}${detail.slice(1)}`);
    this.name = 'ParseModeError';
  }
}

type EntityType = MessageEntity['type'];

/** Longest `language` a `pre` entity may carry (the protocol schema's limit). */
const MAX_LANGUAGE_LENGTH = 32;
/** Longest `url` a `textUrl` entity may carry (the protocol schema's limit). */
const MAX_URL_LENGTH = 2048;

export function parseFormattedText(input: string, mode: ParseMode): { text: string; entities: MessageEntity[] } {
  switch (mode) {
    case 'HTML':
      return parseHtml(input);
    case 'MarkdownV2':
      return parseMarkdownV2(input);
    case 'Markdown':
      return parseMarkdownLegacy(input);
    default:
      throw new ParseModeError(`Unsupported parse mode "${String(mode)}"`);
  }
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/** The UTF-8 byte offset of the UTF-16 index `index` of `s` (Telegram reports byte offsets). Only used on errors. */
function byteOffset(s: string, index: number): number {
  return Buffer.byteLength(s.slice(0, index), 'utf8');
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

/** Whether `c` may follow a backslash as an escaped character (code 1..126). */
function isEscapable(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  return code >= 1 && code <= 126;
}

/**
 * Checks a link target the way Telegram does in spirit: http(s), tg and ton links are kept,
 * a bare domain gets "http://", anything else (javascript:, data:, blanks, too long) yields no entity.
 * A `tg://user?id=…` mention yields no entity either (we have no mention-by-id entity).
 */
function checkUrl(raw: string): string | null {
  const url = raw.trim();
  if (url === '' || url.length > MAX_URL_LENGTH) return null;
  for (let k = 0; k < url.length; k++) {
    const code = url.charCodeAt(k);
    if (code <= 32 || code === 127) return null;
  }
  const scheme = /^([a-z][a-z0-9+.-]{0,31}):/i.exec(url);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (name === 'tg' && /^tg:(\/\/)?user\?/i.test(url)) return null;
    if (name === 'http' || name === 'https' || name === 'tg' || name === 'ton') return url;
    // "example.com:8080/path" has no scheme but looks like one; treat digits after ':' as a port.
    if (!/^[a-z0-9.-]+:\d/i.test(url)) return null;
  }
  const withScheme = `http://${url}`;
  return withScheme.length > MAX_URL_LENGTH ? null : withScheme;
}

function cleanLanguage(language: string | undefined): string | undefined {
  if (language === undefined || language === '' || language.length > MAX_LANGUAGE_LENGTH) return undefined;
  return language;
}

/** Collects entities, then drops empty ones and sorts by offset, longer first, outer (opened earlier) first. */
class EntityList {
  private readonly items: { entity: MessageEntity; seq: number }[] = [];

  add(type: EntityType, offset: number, length: number, seq: number, extra?: { url?: string; language?: string }): void {
    if (length <= 0) return;
    const entity: MessageEntity = { type, offset, length };
    if (extra?.url !== undefined) entity.url = extra.url;
    if (extra?.language !== undefined) entity.language = extra.language;
    this.items.push({ entity, seq });
  }

  finish(): MessageEntity[] {
    return this.items
      .sort((a, b) => a.entity.offset - b.entity.offset || b.entity.length - a.entity.length || a.seq - b.seq)
      .map((item) => item.entity);
  }
}

// ---------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------

type HtmlTagKind = EntityType | 'span' | 'tg-emoji';

const HTML_TAGS: ReadonlyMap<string, HtmlTagKind> = new Map<string, HtmlTagKind>([
  ['b', 'bold'], ['strong', 'bold'],
  ['i', 'italic'], ['em', 'italic'],
  ['u', 'underline'], ['ins', 'underline'],
  ['s', 'strikethrough'], ['strike', 'strikethrough'], ['del', 'strikethrough'],
  ['tg-spoiler', 'spoiler'], ['span', 'span'],
  ['a', 'textUrl'],
  ['code', 'code'], ['pre', 'pre'],
  ['blockquote', 'blockquote'],
  ['tg-emoji', 'tg-emoji'],
]);

interface HtmlFrame {
  tag: string;
  /** The entity this tag makes, or null for tags that only keep their text (tg-emoji). */
  type: EntityType | null;
  start: number;
  seq: number;
  /** Nested where Telegram allows no entity (inside code/pre, a link in a link, a quote in a quote). */
  suppressed: boolean;
  /** A `<code>` directly inside `<pre>`: it only lends its language to the `pre`. */
  codeInPre: boolean;
  url?: string;
  language?: string;
  childCode?: { start: number; end: number; language?: string };
}

/** Decodes an HTML character reference starting at `input[i] === '&'`, or returns null when there is none. */
function decodeHtmlEntity(input: string, i: number): { text: string; next: number } | null {
  const n = input.length;
  if (input[i + 1] === '#') {
    let j = i + 2;
    let hex = false;
    if (input[j] === 'x' || input[j] === 'X') {
      hex = true;
      j++;
    }
    const digitsStart = j;
    let value = 0;
    while (j < n && j - digitsStart < 10) {
      const c = input.charCodeAt(j);
      let digit = -1;
      if (c >= 48 && c <= 57) digit = c - 48;
      else if (hex && c >= 97 && c <= 102) digit = c - 87;
      else if (hex && c >= 65 && c <= 70) digit = c - 55;
      if (digit < 0) break;
      value = value * (hex ? 16 : 10) + digit;
      j++;
    }
    if (j === digitsStart || input[j] !== ';') return null;
    if (value <= 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return null;
    return { text: String.fromCodePoint(value), next: j + 1 };
  }
  for (const [name, text] of NAMED_ENTITIES) {
    if (input.startsWith(name, i)) return { text, next: i + name.length };
  }
  return null;
}

const NAMED_ENTITIES: readonly (readonly [string, string])[] = [
  ['&lt;', '<'], ['&gt;', '>'], ['&amp;', '&'], ['&quot;', '"'],
];

/** Appends `input[from..to)` to a string, decoding character references. */
function decodeHtmlText(input: string, from: number, to: number): string {
  let out = '';
  let i = from;
  while (i < to) {
    if (input[i] === '&') {
      const decoded = decodeHtmlEntity(input, i);
      if (decoded && decoded.next <= to) {
        out += decoded.text;
        i = decoded.next;
        continue;
      }
    }
    out += input[i];
    i++;
  }
  return out;
}

function isAttributeNameChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 45 || code === 95;
}

function parseHtml(input: string): { text: string; entities: MessageEntity[] } {
  const n = input.length;
  const entities = new EntityList();
  const stack: HtmlFrame[] = [];
  let out = '';
  let seq = 0;
  let codeDepth = 0;
  let linkDepth = 0;
  let quoteDepth = 0;
  const fail = (detail: string, at: number): never => {
    throw new ParseModeError(`${detail} at byte offset ${byteOffset(input, at)}`);
  };

  let i = 0;
  while (i < n) {
    const c = input[i]!;
    if (c === '&') {
      const decoded = decodeHtmlEntity(input, i);
      if (decoded) {
        out += decoded.text;
        i = decoded.next;
      } else {
        out += c;
        i++;
      }
      continue;
    }
    if (c !== '<') {
      out += c;
      i++;
      continue;
    }

    const tagBegin = i;
    i++;
    if (i >= n) fail('Unclosed start tag', tagBegin);

    if (input[i] === '/') {
      // End tag.
      i++;
      const nameStart = i;
      while (i < n && input[i] !== '>' && !isSpace(input[i])) i++;
      const name = input.slice(nameStart, i).toLowerCase();
      while (i < n && isSpace(input[i])) i++;
      if (i >= n || input[i] !== '>') fail('Unclosed end tag', tagBegin);
      i++;
      const frame = stack[stack.length - 1];
      if (!frame) fail('Unexpected end tag', tagBegin);
      if (frame!.tag !== name) {
        throw new ParseModeError(
          `Unmatched end tag at byte offset ${byteOffset(input, tagBegin)}, expected "</${frame!.tag}>", found "</${name}>"`,
        );
      }
      closeHtmlFrame(stack.pop()!);
      continue;
    }

    // Start tag.
    const nameStart = i;
    while (i < n && input[i] !== '>' && !isSpace(input[i])) i++;
    const name = input.slice(nameStart, i).toLowerCase();
    const kind = HTML_TAGS.get(name);
    if (kind === undefined) {
      throw new ParseModeError(`Unsupported start tag "${name}" at byte offset ${byteOffset(input, tagBegin)}`);
    }
    const attributes = new Map<string, string>();
    for (;;) {
      while (i < n && isSpace(input[i])) i++;
      if (i >= n) fail('Unclosed start tag', tagBegin);
      if (input[i] === '>') {
        i++;
        break;
      }
      const attrStart = i;
      while (i < n && isAttributeNameChar(input.charCodeAt(i))) i++;
      const attrName = input.slice(attrStart, i).toLowerCase();
      if (attrName === '') fail(`Empty attribute name in the tag "${name}"`, tagBegin);
      while (i < n && isSpace(input[i])) i++;
      if (input[i] !== '=') {
        if (i >= n) fail('Unclosed start tag', tagBegin);
        if (attrName !== 'expandable') fail(`Expected equal sign in declaration of an attribute of the tag "${name}"`, tagBegin);
        attributes.set(attrName, '');
        continue;
      }
      i++;
      while (i < n && isSpace(input[i])) i++;
      if (i >= n) fail('Unclosed start tag', tagBegin);
      let value: string;
      const quote = input[i];
      if (quote === '"' || quote === "'") {
        const valueStart = i + 1;
        const valueEnd = input.indexOf(quote, valueStart);
        if (valueEnd < 0) fail('Unclosed start tag', tagBegin);
        value = decodeHtmlText(input, valueStart, valueEnd);
        i = valueEnd + 1;
      } else {
        const valueStart = i;
        while (i < n && input[i] !== '>' && !isSpace(input[i])) i++;
        value = decodeHtmlText(input, valueStart, i);
      }
      if (!attributes.has(attrName)) attributes.set(attrName, value);
    }

    const parent = stack[stack.length - 1];
    let type: EntityType | null;
    const frame: HtmlFrame = { tag: name, type: null, start: out.length, seq: seq++, suppressed: false, codeInPre: false };
    if (kind === 'span') {
      if (attributes.get('class') !== 'tg-spoiler') fail('Tag "span" must have class "tg-spoiler"', tagBegin);
      type = 'spoiler';
    } else if (kind === 'tg-emoji') {
      type = null;
    } else {
      type = kind;
    }
    frame.type = type;
    if (type === 'textUrl') frame.url = attributes.get('href') ?? '';
    if (type === 'code') {
      const cls = attributes.get('class');
      if (cls !== undefined && cls.startsWith('language-')) frame.language = cls.slice('language-'.length);
      frame.codeInPre = parent !== undefined && parent.type === 'pre' && codeDepth === 1 && !parent.suppressed;
    }
    frame.suppressed =
      (codeDepth > 0 && !frame.codeInPre) || (type === 'textUrl' && linkDepth > 0) || (type === 'blockquote' && quoteDepth > 0);
    if (type === 'code' || type === 'pre') codeDepth++;
    if (type === 'textUrl') linkDepth++;
    if (type === 'blockquote') quoteDepth++;
    stack.push(frame);
  }

  if (stack.length > 0) {
    throw new ParseModeError(`Can't find end tag corresponding to start tag "${stack[stack.length - 1]!.tag}"`);
  }
  return { text: out, entities: entities.finish() };

  function closeHtmlFrame(frame: HtmlFrame): void {
    const type = frame.type;
    if (type === 'code' || type === 'pre') codeDepth--;
    if (type === 'textUrl') linkDepth--;
    if (type === 'blockquote') quoteDepth--;
    const end = out.length;
    if (frame.codeInPre) {
      const pre = stack[stack.length - 1];
      if (pre && pre.childCode === undefined) {
        const childCode: { start: number; end: number; language?: string } = { start: frame.start, end };
        if (frame.language !== undefined) childCode.language = frame.language;
        pre.childCode = childCode;
      }
      return;
    }
    if (type === null || frame.suppressed) return;
    const length = end - frame.start;
    if (type === 'textUrl') {
      const target = frame.url === '' || frame.url === undefined ? out.slice(frame.start, end) : frame.url;
      const url = checkUrl(target);
      if (url !== null) entities.add('textUrl', frame.start, length, frame.seq, { url });
      return;
    }
    if (type === 'pre') {
      const child = frame.childCode;
      const language = child && child.start === frame.start && child.end === end ? cleanLanguage(child.language) : undefined;
      entities.add('pre', frame.start, length, frame.seq, language === undefined ? undefined : { language });
      return;
    }
    entities.add(type, frame.start, length, frame.seq);
  }
}

// ---------------------------------------------------------------------------
// MarkdownV2
// ---------------------------------------------------------------------------

const V2_RESERVED = new Set('_*[]()~`>#+-=|{}.!');

type V2Kind = 'bold' | 'italic' | 'underline' | 'strikethrough' | 'spoiler' | 'code' | 'pre' | 'textUrl' | 'customEmoji';

/** Telegram's names for entity types in "Can't find end of … entity" errors. */
const V2_NAMES: Record<V2Kind, string> = {
  bold: 'Bold', italic: 'Italic', underline: 'Underline', strikethrough: 'Strikethrough', spoiler: 'Spoiler',
  code: 'Code', pre: 'Pre', textUrl: 'TextUrl', customEmoji: 'CustomEmoji',
};

interface V2Frame {
  kind: V2Kind;
  start: number;
  /** Index in the input of the opening marker, for error messages. */
  src: number;
  seq: number;
  language?: string;
  suppressed: boolean;
}

function parseMarkdownV2(input: string): { text: string; entities: MessageEntity[] } {
  const n = input.length;
  const entities = new EntityList();
  const stack: V2Frame[] = [];
  let out = '';
  let seq = 0;
  let linkDepth = 0;
  /** The open block quotation, if any; `depth` is the stack size when it began. */
  let quote: { start: number; seq: number; depth: number } | null = null;
  /** An expandable quotation's closing "||" was seen: the quotation ends with this line. */
  let quoteEnding = false;
  let atLineStart = true;

  const reserved = (at: number): never => {
    throw new ParseModeError(`Character '${input[at]}' is reserved and must be escaped with the preceding '\\'`);
  };
  const unclosed = (frame: V2Frame): never => {
    throw new ParseModeError(`Can't find end of ${V2_NAMES[frame.kind]} entity at byte offset ${byteOffset(input, frame.src)}`);
  };
  const open = (kind: V2Kind, src: number, language?: string): void => {
    const frame: V2Frame = { kind, start: out.length, src, seq: seq++, suppressed: kind === 'textUrl' && linkDepth > 0 };
    if (language !== undefined) frame.language = language;
    if (kind === 'textUrl') linkDepth++;
    stack.push(frame);
  };
  const closeQuote = (): void => {
    if (!quote) return;
    if (stack.length > quote.depth) unclosed(stack[stack.length - 1]!);
    entities.add('blockquote', quote.start, out.length - quote.start, quote.seq);
    quote = null;
    quoteEnding = false;
  };
  /** Reads "(url)" starting at `input[at] === '('`; returns the URL and the index after ')'. */
  const readUrl = (at: number): { url: string; next: number } => {
    let url = '';
    let j = at + 1;
    while (j < n && input[j] !== ')') {
      if (input[j] === '\\' && isEscapable(input[j + 1])) {
        url += input[j + 1];
        j += 2;
      } else {
        url += input[j];
        j++;
      }
    }
    if (j >= n) throw new ParseModeError(`Can't find end of a URL at byte offset ${byteOffset(input, at)}`);
    return { url, next: j + 1 };
  };

  let i = 0;
  while (i < n) {
    const top = stack[stack.length - 1];
    const inCode = top !== undefined && (top.kind === 'code' || top.kind === 'pre');

    if (atLineStart && !inCode) {
      atLineStart = false;
      if (input.startsWith('**>', i)) {
        // "**>" begins an expandable block quotation (the "**" is an empty bold separator).
        closeQuote();
        quote = { start: out.length, seq: seq++, depth: stack.length };
        i += 3;
        continue;
      }
      if (input[i] === '>') {
        if (!quote) quote = { start: out.length, seq: seq++, depth: stack.length };
        i++;
        continue;
      }
    }

    const c = input[i]!;
    if (c === '\\' && isEscapable(input[i + 1])) {
      out += input[i + 1];
      i += 2;
      continue;
    }

    if (inCode) {
      if (c !== '`') {
        out += c;
        i++;
        continue;
      }
      if (top.kind === 'code') {
        stack.pop();
        entities.add('code', top.start, out.length - top.start, top.seq);
        i++;
        continue;
      }
      if (input.startsWith('```', i)) {
        stack.pop();
        entities.add('pre', top.start, out.length - top.start, top.seq, top.language === undefined ? undefined : { language: top.language });
        i += 3;
        continue;
      }
      reserved(i);
    }

    if (c === '\n') {
      if (quote && (quoteEnding || input[i + 1] !== '>')) closeQuote();
      out += c;
      i++;
      atLineStart = true;
      continue;
    }
    if (c === '\r' && input[i - 1] === '_' && input[i + 1] === '_') {
      // "_\r_" separates an italic end from an underline marker; the \r itself is dropped.
      i++;
      continue;
    }
    if (!V2_RESERVED.has(c)) {
      out += c;
      i++;
      continue;
    }

    const next = input[i + 1];
    if (top !== undefined) {
      let markerLength = 0;
      switch (top.kind) {
        case 'bold': if (c === '*') markerLength = 1; break;
        case 'italic': if (c === '_' && next !== '_') markerLength = 1; break;
        case 'underline': if (c === '_' && next === '_') markerLength = 2; break;
        case 'strikethrough': if (c === '~') markerLength = 1; break;
        case 'spoiler': if (c === '|' && next === '|') markerLength = 2; break;
        case 'textUrl': case 'customEmoji': if (c === ']') markerLength = 1; break;
        default: break;
      }
      if (markerLength > 0) {
        stack.pop();
        i += markerLength;
        const length = out.length - top.start;
        if (top.kind === 'textUrl' || top.kind === 'customEmoji') {
          let target: string;
          if (input[i] === '(') {
            const read = readUrl(i);
            target = read.url;
            i = read.next;
          } else {
            target = out.slice(top.start);
          }
          if (top.kind === 'textUrl') {
            linkDepth--;
            const url = top.suppressed ? null : checkUrl(target);
            if (url !== null) entities.add('textUrl', top.start, length, top.seq, { url });
          }
        } else {
          entities.add(top.kind, top.start, length, top.seq);
        }
        continue;
      }
    }

    switch (c) {
      case '_':
        if (next === '_') {
          open('underline', i);
          i += 2;
        } else {
          open('italic', i);
          i++;
        }
        continue;
      case '*':
        open('bold', i);
        i++;
        continue;
      case '~':
        open('strikethrough', i);
        i++;
        continue;
      case '|':
        if (next !== '|') reserved(i);
        if (quote && (i + 2 === n || input[i + 2] === '\n')) {
          // "||" at the end of a line marks an expandable block quotation's end.
          quoteEnding = true;
          i += 2;
          continue;
        }
        open('spoiler', i);
        i += 2;
        continue;
      case '[':
        open('textUrl', i);
        i++;
        continue;
      case '!':
        if (next !== '[') reserved(i);
        open('customEmoji', i);
        i += 2;
        continue;
      case '`': {
        if (!input.startsWith('```', i)) {
          open('code', i);
          i++;
          continue;
        }
        const src = i;
        i += 3;
        let j = i;
        while (j < n && !isSpace(input[j]) && input[j] !== '`') j++;
        let language: string | undefined;
        if (j > i && j < n && input[j] !== '`') {
          language = input.slice(i, j);
          i = j;
        }
        if (input[i] === '\r' && input[i + 1] === '\n') i += 2;
        else if (input[i] === '\n') i++;
        open('pre', src, cleanLanguage(language));
        continue;
      }
      default:
        reserved(i);
    }
  }

  if (stack.length > 0) unclosed(stack[stack.length - 1]!);
  closeQuote();
  return { text: out, entities: entities.finish() };
}

// ---------------------------------------------------------------------------
// Legacy Markdown
// ---------------------------------------------------------------------------

function parseMarkdownLegacy(input: string): { text: string; entities: MessageEntity[] } {
  const n = input.length;
  const entities = new EntityList();
  let out = '';
  let seq = 0;
  let i = 0;
  const unclosed = (at: number): never => {
    throw new ParseModeError(`Can't find end of the entity starting at byte offset ${byteOffset(input, at)}`);
  };

  while (i < n) {
    const c = input[i]!;
    const next = input[i + 1];
    if (c === '\\' && (next === '_' || next === '*' || next === '`' || next === '[')) {
      out += next;
      i += 2;
      continue;
    }
    if (c !== '_' && c !== '*' && c !== '`' && c !== '[') {
      out += c;
      i++;
      continue;
    }

    const begin = i;
    const start = out.length;
    const isPre = c === '`' && input.startsWith('```', i);
    let language: string | undefined;
    if (isPre) {
      i += 3;
      let j = i;
      while (j < n && !isSpace(input[j]) && input[j] !== '`') j++;
      if (j > i && j < n && input[j] !== '`') {
        language = input.slice(i, j);
        i = j;
      }
      if (input[i] === '\r' && input[i + 1] === '\n') i += 2;
      else if (input[i] === '\n') i++;
      const end = input.indexOf('```', i);
      if (end < 0) unclosed(begin);
      out += input.slice(i, end);
      i = end + 3;
      const lang = cleanLanguage(language);
      entities.add('pre', start, out.length - start, seq++, lang === undefined ? undefined : { language: lang });
      continue;
    }

    const endChar = c === '[' ? ']' : c;
    const end = input.indexOf(endChar, i + 1);
    if (end < 0) unclosed(begin);
    out += input.slice(i + 1, end);
    i = end + 1;
    const length = out.length - start;
    if (c === '[') {
      let target: string;
      if (input[i] === '(') {
        const close = input.indexOf(')', i + 1);
        if (close < 0) unclosed(begin);
        target = input.slice(i + 1, close);
        i = close + 1;
      } else {
        target = out.slice(start);
      }
      const url = checkUrl(target);
      if (url !== null) entities.add('textUrl', start, length, seq++, { url });
      continue;
    }
    entities.add(c === '*' ? 'bold' : c === '_' ? 'italic' : 'code', start, length, seq++);
  }
  return { text: out, entities: entities.finish() };
}
