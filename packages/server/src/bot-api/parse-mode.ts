/**
 * Telegram Bot API `parse_mode` formatting: turns HTML, MarkdownV2 or legacy Markdown
 * into plain text plus `MessageEntity` spans (offsets in UTF-16 code units of the result).
 * See https://core.telegram.org/bots/api#formatting-options.
 *
 * Each parser is one left-to-right pass over the input with O(1) look-ahead and no
 * backtracking regular expressions, so the running time is linear in the input's length.
 * Error offsets are UTF-8 byte offsets into the input, as Telegram reports them.
 */
import type { MessageEntity } from '@samizdat/protocol';

export type ParseMode = 'HTML' | 'MarkdownV2' | 'Markdown';

/**
 * A formatting error. `message` carries Telegram's wording after "Can't parse entities: ",
 * with the first letter of Telegram's sentence lowered, e.g.
 * "Can't parse entities: unsupported start tag \"foo\" at byte offset 0".
 */
export class ParseModeError extends Error {
  /** Telegram's sentence, as the Bot API puts it after "Bad Request: can't parse entities: ". */
  readonly detail: string;

  constructor(detail: string) {
    super(`Can't parse entities: ${detail.charAt(0).toLowerCase()}${detail.slice(1)}`);
    this.name = 'ParseModeError';
    this.detail = detail;
  }
}

type EntityType = MessageEntity['type'];

/** Longest `language` a `pre` entity may carry (the protocol schema's limit); longer ones are dropped. */
const MAX_LANGUAGE_LENGTH = 32;
/** Longest `url` a `textUrl` entity may carry (the protocol schema's limit); longer links make no entity. */
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

/** The UTF-8 byte offset of UTF-16 index `index` in `s`. Only computed when reporting an error. */
function byteOffset(s: string, index: number): number {
  return Buffer.byteLength(s.slice(0, index), 'utf8');
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\0';
}

/** Whether `c` may follow a backslash as an escaped character (code 1..126). */
function isEscapable(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  return code >= 1 && code <= 126;
}

/** Index after one line break ("\n", "\r", "\r\n" or "\n\r") at `i`, or `i` when there is none. */
function skipOneNewline(input: string, i: number): number {
  const c = input[i];
  if (c !== '\n' && c !== '\r') return i;
  const d = input[i + 1];
  return (d === '\n' || d === '\r') && d !== c ? i + 2 : i + 1;
}

/**
 * Reads a code block's language right after "```": a run of non-space, non-backtick characters
 * counts only when a space or line break follows it. Then skips one line break.
 */
function readPreHeader(input: string, i: number): { language: string | undefined; next: number } {
  let j = i;
  while (j < input.length && !isSpace(input[j]) && input[j] !== '`') j++;
  let language: string | undefined;
  if (j > i && j < input.length && input[j] !== '`') {
    language = input.slice(i, j);
    i = j;
  }
  return { language, next: skipOneNewline(input, i) };
}

function cleanLanguage(language: string | undefined): string | undefined {
  if (language === undefined || language === '' || language.length > MAX_LANGUAGE_LENGTH) return undefined;
  return language;
}

function isValidHost(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  const labels = host.split('.');
  if (labels.length < 2) return false;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return false;
    for (let k = 0; k < label.length; k++) {
      const code = label.charCodeAt(k);
      const ok =
        (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) ||
        code === 45 || code === 95 || code >= 0x80;
      if (!ok) return false;
    }
  }
  return true;
}

/**
 * Checks and normalizes a link target in the spirit of Telegram's link checker:
 * - http(s) links need a dotted host; a bare "example.com/x" becomes "http://example.com/x";
 *   an empty path becomes "/" ("https://t.me?x" → "https://t.me/?x");
 * - tg:// and ton:// links are kept; `tg://user?id=…` (a mention by id) yields no entity;
 * - anything else (javascript:, mailto:, data:, blanks, spaces, control characters) yields no entity.
 * Returns null when the link makes no entity.
 */
function checkUrl(raw: string): string | null {
  if (raw === '' || raw.length > MAX_URL_LENGTH) return null;
  for (let k = 0; k < raw.length; k++) {
    const code = raw.charCodeAt(k);
    if (code <= 32 || code === 127) return null;
  }
  let scheme = 'http';
  let rest = raw;
  const colon = raw.indexOf(':');
  if (colon > 0) {
    const name = raw.slice(0, colon).toLowerCase();
    const after = raw.slice(colon + 1);
    if (name === 'tg' || name === 'ton') {
      const body = after.startsWith('//') ? after.slice(2) : after;
      if (body === '') return null;
      if (name === 'tg' && /^user\?/i.test(body)) return null;
      return `${name}://${body}`;
    }
    if (/^[a-z][a-z0-9+.-]*$/.test(name) && !/^\d+([/?#]|$)/.test(after)) {
      // A scheme (not "host:port"): only http and https are allowed.
      if ((name !== 'http' && name !== 'https') || !after.startsWith('//')) return null;
      scheme = name;
      rest = after.slice(2);
    }
  }
  let hostEnd = rest.length;
  for (let k = 0; k < rest.length; k++) {
    const c = rest[k];
    if (c === '/' || c === '?' || c === '#') {
      hostEnd = k;
      break;
    }
  }
  const authority = rest.slice(0, hostEnd);
  const hostAndPort = authority.slice(authority.lastIndexOf('@') + 1);
  const portColon = hostAndPort.lastIndexOf(':');
  const host = portColon >= 0 ? hostAndPort.slice(0, portColon) : hostAndPort;
  if (portColon >= 0 && !/^\d{1,5}$/.test(hostAndPort.slice(portColon + 1))) return null;
  if (!isValidHost(host)) return null;
  let path = rest.slice(hostEnd);
  if (!path.startsWith('/')) path = `/${path}`;
  const url = `${scheme}://${authority}${path}`;
  return url.length > MAX_URL_LENGTH ? null : url;
}

/** Telegram's order for entities sharing offset and length (lower first). */
const TYPE_PRIORITY: Record<EntityType, number> = {
  blockquote: 0, pre: 11, code: 20, textUrl: 49, mention: 50, hashtag: 50, botCommand: 50, url: 50, email: 50,
  bold: 90, italic: 91, underline: 92, strikethrough: 93, spoiler: 94,
};

/** Collects entities; `finish` drops empty ones and sorts by offset, longer first, then Telegram's type priority. */
class EntityList {
  private readonly items: MessageEntity[] = [];

  add(type: EntityType, offset: number, length: number, extra?: { url?: string; language?: string }): void {
    if (length <= 0) return;
    const entity: MessageEntity = { type, offset, length };
    if (extra?.url !== undefined) entity.url = extra.url;
    if (extra?.language !== undefined) entity.language = extra.language;
    this.items.push(entity);
  }

  finish(): MessageEntity[] {
    const priority = (e: MessageEntity): number => (e.type === 'pre' && e.language !== undefined ? 10 : TYPE_PRIORITY[e.type]);
    return this.items.sort((a, b) => a.offset - b.offset || b.length - a.length || priority(a) - priority(b));
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

const NAMED_ENTITIES: ReadonlyMap<string, string> = new Map([['lt', '<'], ['gt', '>'], ['amp', '&'], ['quot', '"']]);

interface HtmlFrame {
  tag: string;
  /** The entity this tag makes, or null for tags that only keep their text (tg-emoji). */
  type: EntityType | null;
  start: number;
  /** Nested where Telegram keeps no entity: inside code/pre, a link in a link, a quote in a quote. */
  suppressed: boolean;
  /** `<code>` directly inside `<pre>` or `<pre>` directly inside `<code>`: the pair may make one `pre` with a language. */
  pairedWithParent: boolean;
  url?: string;
  language?: string;
  /** The span of a paired child (see `pairedWithParent`). */
  child?: { start: number; end: number; language?: string };
}

function isAsciiAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

const SURROGATE_ERROR =
  'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units';

/**
 * Decodes a character reference at `input[i] === '&'`: &lt; &gt; &amp; &quot; and numeric ones
 * (the ';' may be left out, as Telegram allows). Returns null when there is none, so '&' stays literal.
 */
function decodeHtmlEntity(input: string, i: number, end: number): { text: string; next: number } | null {
  let j = i + 1;
  if (input[j] === '#') {
    j++;
    let radix = 10;
    if (input[j] === 'x' || input[j] === 'X') {
      radix = 16;
      j++;
    }
    const digitsStart = j;
    let value = 0;
    while (j < end) {
      const code = input.charCodeAt(j);
      let digit = -1;
      if (code >= 48 && code <= 57) digit = code - 48;
      else if (radix === 16 && code >= 97 && code <= 102) digit = code - 87;
      else if (radix === 16 && code >= 65 && code <= 70) digit = code - 55;
      if (digit < 0) break;
      if (value <= 0x10ffff) value = value * radix + digit;
      j++;
    }
    if (j === digitsStart || value === 0 || value > 0x10ffff) return null;
    if (value >= 0xd800 && value <= 0xdfff) throw new ParseModeError(SURROGATE_ERROR);
    if (input[j] === ';' && j < end) j++;
    return { text: String.fromCodePoint(value), next: j };
  }
  while (j < end && isAsciiAlnum(input.charCodeAt(j))) j++;
  const decoded = NAMED_ENTITIES.get(input.slice(i + 1, j));
  if (decoded === undefined) return null;
  if (input[j] === ';' && j < end) j++;
  return { text: decoded, next: j };
}

/** Decodes character references in `input[from..to)` (attribute values). */
function decodeHtmlText(input: string, from: number, to: number): string {
  let out = '';
  let i = from;
  while (i < to) {
    if (input[i] === '&') {
      const decoded = decodeHtmlEntity(input, i, to);
      if (decoded) {
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

function parseHtml(input: string): { text: string; entities: MessageEntity[] } {
  const n = input.length;
  const entities = new EntityList();
  const stack: HtmlFrame[] = [];
  let out = '';
  let codeDepth = 0;
  let linkDepth = 0;
  let quoteDepth = 0;
  const at = (index: number): string => `at byte offset ${byteOffset(input, index)}`;

  let i = 0;
  while (i < n) {
    const c = input[i]!;
    if (c === '&') {
      const decoded = decodeHtmlEntity(input, i, n);
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

    if (input[i] === '/') {
      // End tag: "</name>", "</name  >" or "</>" (closes whatever is open).
      const frame = stack[stack.length - 1];
      if (frame === undefined) throw new ParseModeError(`Unexpected end tag ${at(tagBegin)}`);
      i++;
      const nameStart = i;
      while (i < n && input[i] !== '>' && !isSpace(input[i])) i++;
      const name = input.slice(nameStart, i).toLowerCase();
      while (i < n && isSpace(input[i])) i++;
      if (i >= n || input[i] !== '>') throw new ParseModeError(`Unclosed end tag ${at(tagBegin)}`);
      i++;
      if (name !== '' && name !== frame.tag) {
        throw new ParseModeError(`Unmatched end tag ${at(tagBegin)}, expected "</${frame.tag}>", found "</${name}>"`);
      }
      stack.pop();
      closeFrame(frame);
      continue;
    }

    // Start tag.
    const nameStart = i;
    while (i < n && input[i] !== '>' && !isSpace(input[i])) i++;
    if (i >= n) throw new ParseModeError(`Unclosed start tag ${at(tagBegin)}`);
    const name = input.slice(nameStart, i).toLowerCase();
    const kind = HTML_TAGS.get(name);
    if (kind === undefined) throw new ParseModeError(`Unsupported start tag "${name}" ${at(tagBegin)}`);

    const attributes = new Map<string, string>();
    for (;;) {
      while (i < n && isSpace(input[i])) i++;
      if (i >= n) throw new ParseModeError(`Unclosed start tag ${at(tagBegin)}`);
      if (input[i] === '>') {
        i++;
        break;
      }
      const attrStart = i;
      while (i < n && !isSpace(input[i]) && input[i] !== '=' && input[i] !== '>') i++;
      const attrName = input.slice(attrStart, i).toLowerCase();
      if (attrName === '') throw new ParseModeError(`Empty attribute name in the tag "${name}" ${at(tagBegin)}`);
      while (i < n && isSpace(input[i])) i++;
      if (input[i] !== '=') {
        // An attribute without a value, like <blockquote expandable>.
        if (!attributes.has(attrName)) attributes.set(attrName, '');
        continue;
      }
      i++;
      while (i < n && isSpace(input[i])) i++;
      if (i >= n) throw new ParseModeError(`Unclosed start tag "${name}" ${at(tagBegin)}`);
      let value: string;
      const quote = input[i];
      if (quote === '"' || quote === "'") {
        const valueEnd = input.indexOf(quote, i + 1);
        if (valueEnd < 0) throw new ParseModeError(`Unclosed start tag ${at(tagBegin)}`);
        value = decodeHtmlText(input, i + 1, valueEnd);
        i = valueEnd + 1;
      } else {
        const valueStart = i;
        while (i < n && input[i] !== '>' && !isSpace(input[i])) i++;
        if (i >= n) throw new ParseModeError(`Unexpected end of name token ${at(valueStart)}`);
        value = decodeHtmlText(input, valueStart, i);
      }
      if (!attributes.has(attrName)) attributes.set(attrName, value);
    }

    let type: EntityType | null;
    if (kind === 'span') {
      if (attributes.get('class') !== 'tg-spoiler') {
        throw new ParseModeError(`Tag "span" must have class "tg-spoiler" ${at(tagBegin)}`);
      }
      type = 'spoiler';
    } else {
      type = kind === 'tg-emoji' ? null : kind;
    }
    const parent = stack[stack.length - 1];
    const frame: HtmlFrame = { tag: name, type, start: out.length, suppressed: false, pairedWithParent: false };
    if (type === 'textUrl') frame.url = attributes.get('href') ?? '';
    if (type === 'code') {
      const cls = attributes.get('class');
      if (cls !== undefined && cls.startsWith('language-')) frame.language = cls.slice('language-'.length);
    }
    if ((type === 'code' || type === 'pre') && codeDepth === 1 && parent !== undefined && !parent.suppressed) {
      // <pre><code class="language-x"> (or the reverse) may make one `pre` with a language.
      frame.pairedWithParent = (type === 'code' && parent.type === 'pre') || (type === 'pre' && parent.type === 'code');
    }
    frame.suppressed =
      (codeDepth > 0 && !frame.pairedWithParent) ||
      (type === 'textUrl' && linkDepth > 0) ||
      (type === 'blockquote' && quoteDepth > 0);
    if (type === 'code' || type === 'pre') codeDepth++;
    if (type === 'textUrl') linkDepth++;
    if (type === 'blockquote') quoteDepth++;
    stack.push(frame);
  }

  const unclosed = stack[stack.length - 1];
  if (unclosed !== undefined) throw new ParseModeError(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  return { text: out, entities: entities.finish() };

  function closeFrame(frame: HtmlFrame): void {
    const type = frame.type;
    if (type === 'code' || type === 'pre') codeDepth--;
    if (type === 'textUrl') linkDepth--;
    if (type === 'blockquote') quoteDepth--;
    const end = out.length;
    const length = end - frame.start;
    if (frame.pairedWithParent) {
      const parent = stack[stack.length - 1];
      if (parent !== undefined && parent.child === undefined) {
        parent.child = { start: frame.start, end };
        const language = frame.type === 'code' ? frame.language : undefined;
        if (language !== undefined) parent.child.language = language;
      }
      return;
    }
    if (type === null || frame.suppressed) return;
    if (type === 'textUrl') {
      const url = checkUrl(frame.url === undefined || frame.url === '' ? out.slice(frame.start, end) : frame.url);
      if (url !== null) entities.add('textUrl', frame.start, length, { url });
      return;
    }
    if (type === 'pre' || type === 'code') {
      const child = frame.child;
      const sameSpan = child !== undefined && child.start === frame.start && child.end === end;
      const language = sameSpan ? cleanLanguage(type === 'pre' ? child.language : frame.language) : undefined;
      if (type === 'code' && !sameSpan) {
        entities.add('code', frame.start, length);
        return;
      }
      entities.add('pre', frame.start, length, language === undefined ? undefined : { language });
      return;
    }
    entities.add(type, frame.start, length);
  }
}

// ---------------------------------------------------------------------------
// MarkdownV2
// ---------------------------------------------------------------------------

const V2_RESERVED = new Set('_*[]()~`>#+-=|{}.!\n');

type V2Kind =
  | 'bold' | 'italic' | 'underline' | 'strikethrough' | 'spoiler' | 'code' | 'pre' | 'textUrl' | 'customEmoji' | 'blockquote';

/** Telegram's names for entity types in "Can't find end of … entity" errors. */
const V2_NAMES: Record<V2Kind, string> = {
  bold: 'Bold', italic: 'Italic', underline: 'Underline', strikethrough: 'Strikethrough', spoiler: 'Spoiler',
  code: 'Code', pre: 'Pre', textUrl: 'TextUrl', customEmoji: 'CustomEmoji', blockquote: 'BlockQuote',
};

interface V2Frame {
  kind: V2Kind;
  start: number;
  /** Index in the input of the opening marker, for error messages. */
  src: number;
  /** For `pre`: the language as written after "```" (it makes the entity a "PreCode" in errors). */
  language?: string;
  /** Nested where Telegram keeps no entity (a code span inside a code block, a link in a link). */
  suppressed: boolean;
}

const RESERVED_MESSAGE = (c: string): string => `Character '${c}' is reserved and must be escaped with the preceding '\\'`;

/** Checks a custom emoji link (`tg://emoji?id=…`); we keep only the emoji's text, so the id is not returned. */
function checkCustomEmojiUrl(url: string): void {
  const match = /^tg:(?:\/\/)?(emoji|time)\/?\?([^#]*)/i.exec(url);
  const wanted = match?.[1]?.toLowerCase() === 'emoji' ? 'id' : 'unix';
  const ok =
    match !== null &&
    match[2]!.split('&').some((pair) => {
      const eq = pair.indexOf('=');
      return eq > 0 && pair.slice(0, eq) === wanted && /^[1-9]\d{0,19}$/.test(pair.slice(eq + 1));
    });
  if (!ok) throw new ParseModeError('Invalid tg://emoji or tg://time URL specified');
}

function parseMarkdownV2(input: string): { text: string; entities: MessageEntity[] } {
  const n = input.length;
  const entities = new EntityList();
  const stack: V2Frame[] = [];
  let out = '';
  let linkDepth = 0;
  let haveQuote = false;
  /** Whether a '>' here would start (or continue) a block quotation: only line breaks, '\r' and markup since the line began. */
  let canStartQuote = true;

  const unclosed = (frame: V2Frame): never => {
    const name = frame.kind === 'pre' && frame.language !== undefined ? 'PreCode' : V2_NAMES[frame.kind];
    throw new ParseModeError(`Can't find end of ${name} entity at byte offset ${byteOffset(input, frame.src)}`);
  };
  const open = (kind: V2Kind, src: number, suppressed = false, language?: string): void => {
    const frame: V2Frame = { kind, start: out.length, src, suppressed: suppressed || (kind === 'textUrl' && linkDepth > 0) };
    if (language !== undefined) frame.language = language;
    if (kind === 'textUrl') linkDepth++;
    stack.push(frame);
  };
  /** Reads "(…)" at `input[at] === '('`, where '\' escapes; returns the URL and the index after ')'. */
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
    if (j >= n) throw new ParseModeError(`Can't find end of a URL at byte offset ${byteOffset(input, at + 1)}`);
    return { url, next: j + 1 };
  };

  let i = 0;
  while (i < n) {
    const c = input[i]!;
    if (c === '\\' && isEscapable(input[i + 1])) {
      const escaped = input[i + 1]!;
      out += escaped;
      if (escaped !== '\r') canStartQuote = escaped === '\n';
      i += 2;
      continue;
    }

    const top = stack[stack.length - 1];
    const inCode = top !== undefined && (top.kind === 'code' || top.kind === 'pre');
    const isMarkup = inCode ? c === '`' : V2_RESERVED.has(c);
    if (!isMarkup) {
      if (c === '\r' && !inCode && input[i - 1] === '_' && input[i + 1] === '_') {
        // "_\r__": the \r only separates an italic end from an underline marker and is dropped.
        i++;
        continue;
      }
      out += c;
      if (c !== '\r') canStartQuote = false;
      i++;
      continue;
    }

    const next = input[i + 1];
    if (top !== undefined) {
      if (haveQuote && c === '\n' && next !== '>') {
        // The block quotation ends with this line; everything opened inside it must be closed by now,
        // except a "||" right at the line's end, which marks the quotation as expandable.
        let inner = top;
        if (inner.kind === 'spoiler' && (inner.src === i - 2 || (inner.src === i - 3 && out.endsWith('\r')))) {
          stack.pop();
          inner = stack[stack.length - 1]!;
        }
        if (inner.kind !== 'blockquote') unclosed(inner);
        stack.pop();
        out += '\n';
        entities.add('blockquote', inner.start, out.length - inner.start);
        haveQuote = false;
        canStartQuote = true;
        i++;
        continue;
      }
      let markerLength = 0;
      switch (top.kind) {
        case 'bold': if (c === '*') markerLength = 1; break;
        case 'italic': if (c === '_' && next !== '_') markerLength = 1; break;
        case 'underline': if (c === '_' && next === '_') markerLength = 2; break;
        case 'strikethrough': if (c === '~') markerLength = 1; break;
        case 'spoiler': if (c === '|' && next === '|') markerLength = 2; break;
        case 'code': if (c === '`') markerLength = 1; break;
        case 'pre': if (c === '`' && next === '`' && input[i + 2] === '`') markerLength = 3; break;
        case 'textUrl': case 'customEmoji': if (c === ']') markerLength = 1; break;
        case 'blockquote': break;
      }
      if (markerLength > 0) {
        stack.pop();
        i += markerLength;
        const length = out.length - top.start;
        if (top.kind === 'textUrl') {
          linkDepth--;
          let target: string | null = null;
          if (input[i] === '(') {
            const read = readUrl(i);
            target = read.url;
            i = read.next;
          } else if (!top.suppressed) {
            target = out.slice(top.start); // "[example.com]" links to its own text
          }
          const url = top.suppressed || target === null ? null : checkUrl(target);
          if (url !== null) entities.add('textUrl', top.start, length, { url });
        } else if (top.kind === 'customEmoji') {
          if (input[i] !== '(') throw new ParseModeError('The entity must contain a tg://emoji or tg://time URL');
          const read = readUrl(i);
          checkCustomEmojiUrl(read.url);
          i = read.next;
        } else if (!top.suppressed) {
          const language = top.kind === 'pre' ? cleanLanguage(top.language) : undefined;
          entities.add(top.kind, top.start, length, language === undefined ? undefined : { language });
        }
        continue;
      }
    }

    // The beginning of an entity (or a line break / quotation marker).
    switch (c) {
      case '\n':
        out += c;
        canStartQuote = true;
        i++;
        continue;
      case '>':
        if (!canStartQuote) throw new ParseModeError(RESERVED_MESSAGE(c));
        if (!haveQuote) {
          open('blockquote', i);
          haveQuote = true;
        }
        i++;
        continue;
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
        if (next !== '|') throw new ParseModeError(RESERVED_MESSAGE(c));
        open('spoiler', i);
        i += 2;
        continue;
      case '[':
        open('textUrl', i);
        i++;
        continue;
      case '!':
        if (next !== '[') throw new ParseModeError(RESERVED_MESSAGE(c));
        open('customEmoji', i);
        i += 2;
        continue;
      case '`': {
        if (next === '`' && input[i + 2] === '`') {
          const header = readPreHeader(input, i + 3);
          open('pre', i, false, header.language);
          i = header.next;
        } else {
          // Inside a code block a lone backtick opens a code span, which Telegram then drops.
          open('code', i, inCode);
          i++;
        }
        continue;
      }
      default:
        throw new ParseModeError(RESERVED_MESSAGE(c));
    }
  }

  if (haveQuote) {
    let top = stack[stack.length - 1]!;
    if (top.kind === 'spoiler' && top.src === n - 2) {
      stack.pop(); // "||" closing the last line: an expandable quotation
      top = stack[stack.length - 1]!;
    }
    if (top.kind === 'blockquote') {
      stack.pop();
      entities.add('blockquote', top.start, out.length - top.start);
    }
  }
  const last = stack[stack.length - 1];
  if (last !== undefined) unclosed(last);
  return { text: out, entities: entities.finish() };
}

// ---------------------------------------------------------------------------
// Legacy Markdown
// ---------------------------------------------------------------------------

function parseMarkdownLegacy(input: string): { text: string; entities: MessageEntity[] } {
  const n = input.length;
  const entities = new EntityList();
  let out = '';
  let i = 0;

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

    // An entity: everything up to the closing marker is taken literally (no nesting, no escapes).
    const begin = i;
    const start = out.length;
    const isPre = c === '`' && next === '`' && input[i + 2] === '`';
    let language: string | undefined;
    let contentEnd: number;
    if (isPre) {
      const header = readPreHeader(input, i + 3);
      language = header.language;
      i = header.next;
      contentEnd = input.indexOf('```', i);
    } else {
      i++;
      contentEnd = input.indexOf(c === '[' ? ']' : c, i);
    }
    if (contentEnd < 0) {
      throw new ParseModeError(`Can't find end of the entity starting at byte offset ${byteOffset(input, begin)}`);
    }
    out += input.slice(i, contentEnd);
    i = contentEnd + (isPre ? 3 : 1);
    const length = out.length - start;
    if (length === 0) continue; // an empty entity is dropped, and "[](…)" leaves "(…)" as text
    switch (c) {
      case '_':
        entities.add('italic', start, length);
        break;
      case '*':
        entities.add('bold', start, length);
        break;
      case '`': {
        const lang = isPre ? cleanLanguage(language) : undefined;
        entities.add(isPre ? 'pre' : 'code', start, length, lang === undefined ? undefined : { language: lang });
        break;
      }
      default: {
        let target: string;
        if (input[i] === '(') {
          let close = input.indexOf(')', i + 1);
          if (close < 0) close = n; // Telegram takes the rest of the text as the URL
          target = input.slice(i + 1, close);
          i = Math.min(close + 1, n);
        } else {
          target = out.slice(start);
        }
        const url = checkUrl(target);
        if (url !== null) entities.add('textUrl', start, length, { url });
      }
    }
  }
  return { text: out, entities: entities.finish() };
}
