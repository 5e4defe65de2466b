import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageEntity } from '@samizdat/protocol';
import { ParseModeError, parseFormattedText, type ParseMode } from './parse-mode.ts';

const html = (s: string) => parseFormattedText(s, 'HTML');
const v2 = (s: string) => parseFormattedText(s, 'MarkdownV2');
const md = (s: string) => parseFormattedText(s, 'Markdown');

function e(type: MessageEntity['type'], offset: number, length: number, extra: { url?: string; language?: string } = {}): MessageEntity {
  return { type, offset, length, ...extra };
}

/** Asserts that parsing fails with a ParseModeError carrying exactly `message`. */
function fails(input: string, mode: ParseMode, message: string): void {
  assert.throws(
    () => parseFormattedText(input, mode),
    (error: unknown) => {
      assert.ok(error instanceof ParseModeError, `expected a ParseModeError, got ${String(error)}`);
      assert.equal(error.message, message);
      return true;
    },
  );
}

const RESERVED = (c: string) => `Can't parse entities: character '${c}' is reserved and must be escaped with the preceding '\\'`;
/** "🏟 🏟" is 9 bytes of UTF-8 and 5 UTF-16 code units: it shifts byte offsets and entity offsets differently. */
const STADIUMS = '🏟 🏟';

// ---------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------

for (const [tag, type] of [
  ['b', 'bold'], ['strong', 'bold'], ['i', 'italic'], ['em', 'italic'], ['u', 'underline'], ['ins', 'underline'],
  ['s', 'strikethrough'], ['strike', 'strikethrough'], ['del', 'strikethrough'], ['tg-spoiler', 'spoiler'],
  ['code', 'code'], ['pre', 'pre'], ['blockquote', 'blockquote'],
] as const) {
  test(`[BOT-PM] HTML <${tag}> makes a ${type} entity`, () => {
    assert.deepEqual(html(`a <${tag}>styled</${tag}> z`), { text: 'a styled z', entities: [e(type, 2, 6)] });
  });
}

test('[BOT-PM] HTML tag names and attribute names are case-insensitive; spaces around = are allowed', () => {
  assert.deepEqual(html('<B>x</b><A HREF = "https://example.com/">y</A>'), {
    text: 'xy',
    entities: [e('bold', 0, 1), e('textUrl', 1, 1, { url: 'https://example.com/' })],
  });
});

test('[BOT-PM] HTML <span class="tg-spoiler"> is a spoiler; other spans are refused', () => {
  assert.deepEqual(html('<span class="tg-spoiler">secret</span>'), { text: 'secret', entities: [e('spoiler', 0, 6)] });
  assert.deepEqual(html("<span class='tg-spoiler'>s</span>"), { text: 's', entities: [e('spoiler', 0, 1)] });
  fails('ab<span>x</span>', 'HTML', `Can't parse entities: tag "span" must have class "tg-spoiler" at byte offset 2`);
  fails('<span class="red">x</span>', 'HTML', `Can't parse entities: tag "span" must have class "tg-spoiler" at byte offset 0`);
});

test('[BOT-PM] HTML <a href> makes a textUrl with the decoded href, in double, single or no quotes', () => {
  assert.deepEqual(html('<a href="https://example.com/?a=1&amp;b=2">link</a>'), {
    text: 'link',
    entities: [e('textUrl', 0, 4, { url: 'https://example.com/?a=1&b=2' })],
  });
  assert.deepEqual(html("<a href='https://example.com/x'>l</a>"), {
    text: 'l',
    entities: [e('textUrl', 0, 1, { url: 'https://example.com/x' })],
  });
  assert.deepEqual(html('<a href=example.com>l</a>'), { text: 'l', entities: [e('textUrl', 0, 1, { url: 'http://example.com/' })] });
});

test('[BOT-PM] HTML links are normalized or dropped like Telegram does', () => {
  // A bare domain gets http:// and an empty path becomes "/".
  assert.deepEqual(html("<a href='telegram.org?&lt;'>x</a>").entities, [e('textUrl', 0, 1, { url: 'http://telegram.org/?<' })]);
  // Without href the text itself is the link, if it is one.
  assert.deepEqual(html('<a>telegram.org</a>').entities, [e('textUrl', 0, 12, { url: 'http://telegram.org/' })]);
  assert.deepEqual(html('<a>not a link</a>'), { text: 'not a link', entities: [] });
  // Mentions by id keep their text but make no entity here; unsafe schemes make none either.
  assert.deepEqual(html('<a href="tg://user?id=123456789">Ann</a>'), { text: 'Ann', entities: [] });
  assert.deepEqual(html('<a href="javascript:alert(1)">x</a>'), { text: 'x', entities: [] });
  assert.deepEqual(html('<a href="tg://resolve?domain=samizdat">x</a>').entities, [
    e('textUrl', 0, 1, { url: 'tg://resolve?domain=samizdat' }),
  ]);
});

test('[BOT-PM] HTML <pre><code class="language-x"> makes one pre entity with a language', () => {
  assert.deepEqual(html('<pre><code class="language-python">print("hi")</code></pre>'), {
    text: 'print("hi")',
    entities: [e('pre', 0, 11, { language: 'python' })],
  });
  // The reverse nesting works too.
  assert.deepEqual(html('<code class="language-fift"><pre>x</pre></code>').entities, [e('pre', 0, 1, { language: 'fift' })]);
  // Without a language (or when the spans differ) there is a plain pre and the inner code is dropped.
  assert.deepEqual(html('<pre><code>x</code></pre>').entities, [e('pre', 0, 1)]);
  assert.deepEqual(html('<pre><code class="language-">x</code></pre>').entities, [e('pre', 0, 1)]);
  assert.deepEqual(html('<pre><code class="language-go">x</code> </pre>').entities, [e('pre', 0, 2)]);
  // A language on a lone <code> is ignored; an over-long language is dropped.
  assert.deepEqual(html('<code class="language-go">x</code>').entities, [e('code', 0, 1)]);
  assert.deepEqual(html(`<pre><code class="language-${'x'.repeat(33)}">x</code></pre>`).entities, [e('pre', 0, 1)]);
});

test('[BOT-PM] HTML <blockquote expandable> is a blockquote; other attributes are ignored', () => {
  assert.deepEqual(html('<blockquote expandable>a\nb</blockquote>'), { text: 'a\nb', entities: [e('blockquote', 0, 3)] });
  assert.deepEqual(html('<blockquote cite="" foo bar=1>q</blockquote>').entities, [e('blockquote', 0, 1)]);
  assert.deepEqual(html('<blockquote>a<pre>b</pre></blockquote>').entities, [e('blockquote', 0, 2), e('pre', 1, 1)]);
});

test('[BOT-PM] HTML <tg-emoji> keeps its text and makes no entity', () => {
  assert.deepEqual(html('<b>hi <tg-emoji emoji-id="5368324170671202286">👍</tg-emoji></b>'), {
    text: 'hi 👍',
    entities: [e('bold', 0, 5)],
  });
});

test('[BOT-PM] HTML named and numeric character references', () => {
  assert.deepEqual(html('&lt;b&gt; &amp; &quot;q&quot; &#65;&#x42;&#X43; &#128512;&#x1F600;').text, '<b> & "q" ABC 😀😀');
  // Telegram accepts a missing ';' and leaves unknown names, bare '&' and '>' alone.
  assert.equal(html('&lt &ltx; &ge; &Or; & a > b &#; &#12345678; &#0;').text, '< &ltx; &ge; &Or; & a > b &#; &#12345678; &#0;');
  assert.equal(html('<b title="&quot;&#39;&lt">x</b>').text, 'x');
});

test('[BOT-PM] HTML numeric references to surrogates are refused', () => {
  const message =
    "Can't parse entities: text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units";
  fails('&#57311;', 'HTML', message);
  fails('&#xDFDF', 'HTML', message);
});

test('[BOT-PM] HTML nesting: styles nest freely, sorted by offset then longer first', () => {
  assert.deepEqual(html('<i>a<b>b<u>c<s>d<tg-spoiler>e</tg-spoiler></s></u></b></i>'), {
    text: 'abcde',
    entities: [e('italic', 0, 5), e('bold', 1, 4), e('underline', 2, 3), e('strikethrough', 3, 2), e('spoiler', 4, 1)],
  });
  assert.deepEqual(html('<a href="https://example.com/"><b>bold link</b></a>').entities, [
    e('textUrl', 0, 9, { url: 'https://example.com/' }),
    e('bold', 0, 9),
  ]);
  assert.deepEqual(html('<b><code>x</code></b>').entities, [e('code', 0, 1), e('bold', 0, 1)]);
});

test('[BOT-PM] HTML drops entities nested inside code/pre, links in links and quotes in quotes', () => {
  assert.deepEqual(html('<code>a<b>b</b></code>'), { text: 'ab', entities: [e('code', 0, 2)] });
  assert.deepEqual(html('<pre>a<i>b</i><a href="https://e.com">c</a></pre>'), { text: 'abc', entities: [e('pre', 0, 3)] });
  assert.deepEqual(html('<a href="https://a.com/">x<a href="https://b.com/">y</a></a>').entities, [
    e('textUrl', 0, 2, { url: 'https://a.com/' }),
  ]);
  assert.deepEqual(html('<blockquote>a<blockquote>b</blockquote></blockquote>').entities, [e('blockquote', 0, 2)]);
});

test('[BOT-PM] HTML "</>" closes the innermost open tag', () => {
  assert.deepEqual(html('<b>x<i>y</></>'), { text: 'xy', entities: [e('bold', 0, 2), e('italic', 1, 1)] });
  assert.deepEqual(html('<i>a</i   >').entities, [e('italic', 0, 1)]);
});

test('[BOT-PM] HTML offsets count UTF-16 code units (emoji count as 2)', () => {
  assert.deepEqual(html(`${STADIUMS}<i>${STADIUMS} &lt;🏟</i><b>é</b>`), {
    text: `${STADIUMS}${STADIUMS} <🏟é`,
    entities: [e('italic', 5, 9), e('bold', 14, 1)],
  });
});

test('[BOT-PM] HTML keeps whitespace as written and drops empty entities', () => {
  assert.deepEqual(html('  <b></b><i> </i>\n\t'), { text: '   \n\t', entities: [e('italic', 2, 1)] });
  assert.deepEqual(html(''), { text: '', entities: [] });
});

test('[BOT-PM] HTML error: unsupported start tag', () => {
  fails('<foo>x</foo>', 'HTML', `Can't parse entities: unsupported start tag "foo" at byte offset 0`);
  fails(`${STADIUMS}&lt;<abac aba>`, 'HTML', `Can't parse entities: unsupported start tag "abac" at byte offset 13`);
  fails('<br/>', 'HTML', `Can't parse entities: unsupported start tag "br/" at byte offset 0`);
  fails('1 < 2', 'HTML', `Can't parse entities: unsupported start tag "" at byte offset 2`);
});

test('[BOT-PM] HTML error: unclosed start tags and attributes', () => {
  fails(`${STADIUMS}&lt;<abacaba`, 'HTML', "Can't parse entities: unclosed start tag at byte offset 13");
  fails('<b', 'HTML', "Can't parse entities: unclosed start tag at byte offset 0");
  fails('<', 'HTML', "Can't parse entities: unclosed start tag at byte offset 0");
  fails('<a href="https://example.com>x</a>', 'HTML', "Can't parse entities: unclosed start tag at byte offset 0");
  fails("<a href='x>y</a>", 'HTML', "Can't parse entities: unclosed start tag at byte offset 0");
  fails('<i aba  =  ', 'HTML', `Can't parse entities: unclosed start tag "i" at byte offset 0`);
  fails('<i aba = 190azAz-.,', 'HTML', "Can't parse entities: unexpected end of name token at byte offset 9");
  fails('<i   =aba>', 'HTML', `Can't parse entities: empty attribute name in the tag "i" at byte offset 0`);
});

test('[BOT-PM] HTML error: end tags without or against a start tag', () => {
  fails('x</b>', 'HTML', "Can't parse entities: unexpected end tag at byte offset 1");
  fails('<b></b></', 'HTML', "Can't parse entities: unexpected end tag at byte offset 7");
  fails('<i>a</i   ', 'HTML', "Can't parse entities: unclosed end tag at byte offset 4");
  fails('<b>x</i>', 'HTML', `Can't parse entities: unmatched end tag at byte offset 4, expected "</b>", found "</i>"`);
  fails('<b><i>x</b></i>', 'HTML', `Can't parse entities: unmatched end tag at byte offset 7, expected "</i>", found "</b>"`);
  fails('<strong>x</b>', 'HTML', `Can't parse entities: unmatched end tag at byte offset 9, expected "</strong>", found "</b>"`);
});

test('[BOT-PM] HTML error: a tag left open', () => {
  fails('<b>bold', 'HTML', `Can't parse entities: can't find end tag corresponding to start tag "b"`);
  fails('<b><i>x</i>', 'HTML', `Can't parse entities: can't find end tag corresponding to start tag "b"`);
  fails('<i aba>x', 'HTML', `Can't parse entities: can't find end tag corresponding to start tag "i"`);
});

// ---------------------------------------------------------------------------
// MarkdownV2
// ---------------------------------------------------------------------------

test('[BOT-PM] MarkdownV2 basic styles', () => {
  assert.deepEqual(v2('*bold* _italic_ __underline__ ~strike~ ||spoiler||'), {
    text: 'bold italic underline strike spoiler',
    entities: [e('bold', 0, 4), e('italic', 5, 6), e('underline', 12, 9), e('strikethrough', 22, 6), e('spoiler', 29, 7)],
  });
});

test('[BOT-PM] MarkdownV2 the nesting example from the Bot API docs', () => {
  assert.deepEqual(
    v2('*bold _italic bold ~italic bold strikethrough ||italic bold strikethrough spoiler||~ __underline italic bold___ bold*'),
    {
      text: 'bold italic bold italic bold strikethrough italic bold strikethrough spoiler underline italic bold bold',
      entities: [e('bold', 0, 103), e('italic', 5, 93), e('strikethrough', 17, 59), e('spoiler', 43, 33), e('underline', 77, 21)],
    },
  );
});

test('[BOT-PM] MarkdownV2 backslash escapes any character with code 1..126', () => {
  assert.deepEqual(v2('*bold \\*text*'), { text: 'bold *text', entities: [e('bold', 0, 10)] });
  assert.equal(v2('\\_\\*\\[\\]\\(\\)\\~\\`\\>\\#\\+\\-\\=\\|\\{\\}\\.\\!\\\\').text, '_*[]()~`>#+-=|{}.!\\');
  assert.equal(v2('\\a\\b\\1 \\\\\\\\').text, 'ab1 \\\\');
  // A backslash before a non-ASCII character or at the end stays as it is.
  assert.equal(v2('\\➡️\\').text, '\\➡️\\');
});

test('[BOT-PM] MarkdownV2 error: every unescaped reserved character outside entities', () => {
  for (const c of ['.', '!', '#', '+', '-', '=', '{', '}', '(', ')', ']', '|']) {
    fails(`a ${c} b`, 'MarkdownV2', RESERVED(c));
  }
  fails('Hello, world!', 'MarkdownV2', RESERVED('!'));
  fails('price: 1.5', 'MarkdownV2', RESERVED('.'));
  fails('*bold.*', 'MarkdownV2', RESERVED('.'));
});

test('[BOT-PM] MarkdownV2 error: ">" that does not start a line', () => {
  fails('a > b', 'MarkdownV2', RESERVED('>'));
  fails('>\n*a*>2', 'MarkdownV2', RESERVED('>'));
});

test('[BOT-PM] MarkdownV2 inline links, with escaped ")" and "\\" inside the URL', () => {
  assert.deepEqual(v2('[inline URL](http://www.example.com/)'), {
    text: 'inline URL',
    entities: [e('textUrl', 0, 10, { url: 'http://www.example.com/' })],
  });
  assert.deepEqual(v2('[wiki](https://en.wikipedia.org/wiki/Foo_(bar\\))').entities, [
    e('textUrl', 0, 4, { url: 'https://en.wikipedia.org/wiki/Foo_(bar)' }),
  ]);
  assert.deepEqual(v2('[x](https://telegram.dog?\\\\\\()').entities, [e('textUrl', 0, 1, { url: 'https://telegram.dog/?\\(' })]);
  // Reserved characters other than ")" and "\" need no escaping inside the URL.
  assert.deepEqual(v2('[a](https://ex.com/a_b*c.d!)').entities, [e('textUrl', 0, 1, { url: 'https://ex.com/a_b*c.d!' })]);
});

test('[BOT-PM] MarkdownV2 link edge cases', () => {
  // Without "(…)" the text is the URL.
  assert.deepEqual(v2('[telegram\\.org]a'), { text: 'telegram.orga', entities: [e('textUrl', 0, 12, { url: 'http://telegram.org/' })] });
  // Empty link text makes no entity; invalid targets keep the text only; mentions by id make no entity.
  assert.deepEqual(v2('[](telegram.org)'), { text: '', entities: [] });
  assert.deepEqual(v2('[x](asdasd)'), { text: 'x', entities: [] });
  assert.deepEqual(v2('[x]()'), { text: 'x', entities: [] });
  assert.deepEqual(v2('[Ann](tg://user?id=123456789)'), { text: 'Ann', entities: [] });
  // Styles nest inside link text.
  assert.deepEqual(v2('[*b* _i_](https://ex.com)').entities, [
    e('textUrl', 0, 3, { url: 'https://ex.com/' }),
    e('bold', 0, 1),
    e('italic', 2, 1),
  ]);
});

test('[BOT-PM] MarkdownV2 error: a URL without its closing ")"', () => {
  fails('[telegram\\.org](asd\\)', 'MarkdownV2', "Can't parse entities: can't find end of a URL at byte offset 16");
  fails('[a](', 'MarkdownV2', "Can't parse entities: can't find end of a URL at byte offset 4");
});

test('[BOT-PM] MarkdownV2 inline code: only ` and \\ need escaping inside', () => {
  assert.deepEqual(v2('`a.b_c*d[e](f)!`'), { text: 'a.b_c*d[e](f)!', entities: [e('code', 0, 14)] });
  assert.deepEqual(v2('`x \\` y \\\\`'), { text: 'x ` y \\', entities: [e('code', 0, 7)] });
  assert.deepEqual(v2('*b `c` b*').entities, [e('bold', 0, 5), e('code', 2, 1)]);
});

test('[BOT-PM] MarkdownV2 pre blocks, with and without a language', () => {
  assert.deepEqual(v2('```python\nprint(1)\n```'), { text: 'print(1)\n', entities: [e('pre', 0, 9, { language: 'python' })] });
  assert.deepEqual(v2('```\nplain {code}.\n```'), { text: 'plain {code}.\n', entities: [e('pre', 0, 14)] });
  assert.deepEqual(v2('```js\r\nx\\`y```'), { text: 'x`y', entities: [e('pre', 0, 3, { language: 'js' })] });
  // A word right before the closing ``` is content, not a language.
  assert.deepEqual(v2('```abc```'), { text: 'abc', entities: [e('pre', 0, 3)] });
  assert.deepEqual(v2(`${STADIUMS}\`\`\`🏟 🏟\`\`\``), { text: `${STADIUMS} 🏟`, entities: [e('pre', 5, 3, { language: '🏟' })] });
  assert.deepEqual(v2('```\n```'), { text: '', entities: [] });
});

test('[BOT-PM] MarkdownV2 underline/italic ambiguity is resolved greedily, as Telegram documents', () => {
  fails('___italic underline___', 'MarkdownV2', "Can't parse entities: can't find end of Italic entity at byte offset 21");
  assert.deepEqual(v2('___italic underline_**__'), {
    text: 'italic underline',
    entities: [e('italic', 0, 16), e('underline', 0, 16)],
  });
  assert.deepEqual(v2('___italic underline_\r__'), {
    text: 'italic underline',
    entities: [e('italic', 0, 16), e('underline', 0, 16)],
  });
  assert.deepEqual(v2('__u _i_ __'), { text: 'u i ', entities: [e('underline', 0, 4), e('italic', 2, 1)] });
  assert.deepEqual(v2('_i __u___'), { text: 'i u', entities: [e('italic', 0, 3), e('underline', 2, 1)] });
});

test('[BOT-PM] MarkdownV2 block quotations', () => {
  assert.deepEqual(v2('>line one\n>line two\nafter'), {
    text: 'line one\nline two\nafter',
    entities: [e('blockquote', 0, 18)],
  });
  assert.deepEqual(v2('intro\n>quoted *bold*'), { text: 'intro\nquoted bold', entities: [e('blockquote', 6, 11), e('bold', 13, 4)] });
  assert.deepEqual(v2('>'), { text: '', entities: [] });
  // Styles may span lines inside one quotation.
  assert.deepEqual(v2('>*b\n>ld*\nx').entities, [e('blockquote', 0, 5), e('bold', 0, 4)]);
  // A quotation may sit inside a style that started before it.
  assert.deepEqual(v2('*a\n>b\nc*').entities, [e('bold', 0, 5), e('blockquote', 2, 2)]);
});

test('[BOT-PM] MarkdownV2 expandable block quotations (**> … ||) become blockquotes', () => {
  assert.deepEqual(v2('>regular\n**>expandable\n>more||\nafter'), {
    text: 'regular\nexpandable\nmore\nafter',
    entities: [e('blockquote', 0, 8), e('blockquote', 8, 16)],
  });
  assert.deepEqual(v2('>asd\n>q||e||w||'), { text: 'asd\nqew', entities: [e('blockquote', 0, 7), e('spoiler', 5, 1)] });
  assert.deepEqual(v2('>||'), { text: '', entities: [] });
});

test('[BOT-PM] MarkdownV2 block quotation edge cases: \\r, escaped >, code spanning quoted lines', () => {
  // '\r' does not end a line start; an escaped '>' is text; a new quote needs its own '>'.
  assert.deepEqual(v2('\r>a'), { text: '\ra', entities: [e('blockquote', 1, 1)] });
  assert.deepEqual(v2('> \\>\n \\> \n>'), { text: ' >\n > \n', entities: [e('blockquote', 0, 3)] });
  assert.deepEqual(v2('abc\n>def\n>def\n\r>ghi\njkl'), {
    text: 'abc\ndef\ndef\n\rghi\njkl',
    entities: [e('blockquote', 4, 8), e('blockquote', 13, 4)],
  });
  // Inside code, '>' and line breaks are plain text and do not end the quotation.
  assert.deepEqual(v2('>`b\n>ld`\n>asd\ndef'), {
    text: 'b\n>ld\nasd\ndef',
    entities: [e('blockquote', 0, 10), e('code', 0, 5)],
  });
  // Expandable quotations with CRLF line ends.
  assert.deepEqual(v2('>asd\r\n>q||e||w||\r\nasdad'), {
    text: 'asd\r\nqew\r\nasdad',
    entities: [e('blockquote', 0, 10), e('spoiler', 6, 1)],
  });
});

test('[BOT-PM] MarkdownV2 error: an entity crossing the end of a block quotation', () => {
  fails('>*b\n>ld\nmore*', 'MarkdownV2', "Can't parse entities: can't find end of Bold entity at byte offset 1");
  fails('>asd\n>q||ew\n||x', 'MarkdownV2', "Can't parse entities: can't find end of Spoiler entity at byte offset 7");
});

test('[BOT-PM] MarkdownV2 custom emoji keeps its text and makes no entity', () => {
  assert.deepEqual(v2('![👍](tg://emoji?id=5368324170671202286) ok'), { text: '👍 ok', entities: [] });
  fails('![👍]', 'MarkdownV2', "Can't parse entities: the entity must contain a tg://emoji or tg://time URL");
  fails('![👍](https://example.com)', 'MarkdownV2', "Can't parse entities: invalid tg://emoji or tg://time URL specified");
  fails('![👍](tg://emoji?id=025)', 'MarkdownV2', "Can't parse entities: invalid tg://emoji or tg://time URL specified");
});

test('[BOT-PM] MarkdownV2 error: unclosed entities name the entity and its byte offset', () => {
  fails(`${STADIUMS}_abacaba`, 'MarkdownV2', "Can't parse entities: can't find end of Italic entity at byte offset 9");
  fails(`${STADIUMS}_abac * asd `, 'MarkdownV2', "Can't parse entities: can't find end of Bold entity at byte offset 15");
  fails(`${STADIUMS}__`, 'MarkdownV2', "Can't parse entities: can't find end of Underline entity at byte offset 9");
  fails('~x', 'MarkdownV2', "Can't parse entities: can't find end of Strikethrough entity at byte offset 0");
  fails(`${STADIUMS}||test\\|`, 'MarkdownV2', "Can't parse entities: can't find end of Spoiler entity at byte offset 9");
  fails(`${STADIUMS}\``, 'MarkdownV2', "Can't parse entities: can't find end of Code entity at byte offset 9");
  fails(`${STADIUMS}\`\`\`a`, 'MarkdownV2', "Can't parse entities: can't find end of Pre entity at byte offset 9");
  fails(`${STADIUMS}\`\`\`a `, 'MarkdownV2', "Can't parse entities: can't find end of PreCode entity at byte offset 9");
  fails('[link', 'MarkdownV2', "Can't parse entities: can't find end of TextUrl entity at byte offset 0");
  fails('x ![', 'MarkdownV2', "Can't parse entities: can't find end of CustomEmoji entity at byte offset 2");
  // A lone backtick inside a code block opens an inner code span, which must then close.
  fails(`${STADIUMS}\`\`\`🏟 🏟\``, 'MarkdownV2', "Can't parse entities: can't find end of Code entity at byte offset 21");
});

test('[BOT-PM] MarkdownV2 offsets count UTF-16 code units (emoji count as 2)', () => {
  assert.deepEqual(v2('😀 *жир* _🎉x_ \\.'), { text: '😀 жир 🎉x .', entities: [e('bold', 3, 3), e('italic', 7, 3)] });
  assert.deepEqual(v2(`${STADIUMS}_🏟 *🏟*_`), { text: `${STADIUMS}🏟 🏟`, entities: [e('italic', 5, 5), e('bold', 8, 2)] });
});

test('[BOT-PM] MarkdownV2 drops empty entities and sorts same-span entities like Telegram', () => {
  assert.deepEqual(v2('a**b____c``d'), { text: 'abcd', entities: [] });
  assert.deepEqual(v2('`_* *_`__*` `*__'), {
    text: '_* *_ ',
    entities: [e('code', 0, 5), e('code', 5, 1), e('bold', 5, 1), e('underline', 5, 1)],
  });
});

test('[BOT-PM] MarkdownV2 keeps leading and trailing whitespace', () => {
  assert.deepEqual(v2('  \n*x*\n  '), { text: '  \nx\n  ', entities: [e('bold', 3, 1)] });
});

// ---------------------------------------------------------------------------
// Legacy Markdown
// ---------------------------------------------------------------------------

test('[BOT-PM] Markdown bold, italic, code and links', () => {
  assert.deepEqual(md('*bold* _italic_ `code` [link](https://example.com/x)'), {
    text: 'bold italic code link',
    entities: [e('bold', 0, 4), e('italic', 5, 6), e('code', 12, 4), e('textUrl', 17, 4, { url: 'https://example.com/x' })],
  });
});

test('[BOT-PM] Markdown pre blocks, with and without a language', () => {
  assert.deepEqual(md('```python\nprint(1)```'), { text: 'print(1)', entities: [e('pre', 0, 8, { language: 'python' })] });
  assert.deepEqual(md('```\nx = *1*```'), { text: 'x = *1*', entities: [e('pre', 0, 7)] });
});

test('[BOT-PM] Markdown has no nesting: markers inside an entity are text', () => {
  assert.deepEqual(md('*bold _not italic_*'), { text: 'bold _not italic_', entities: [e('bold', 0, 17)] });
  assert.deepEqual(md('_snake_\\__case_'), { text: 'snake_case', entities: [e('italic', 0, 5), e('italic', 6, 4)] });
});

test('[BOT-PM] Markdown escapes only _ * ` [ and needs no other escaping', () => {
  assert.deepEqual(md('\\_ \\* \\` \\[ \\. a.b! (c) #d'), { text: '_ * ` [ \\. a.b! (c) #d', entities: [] });
});

test('[BOT-PM] Markdown link edge cases', () => {
  assert.deepEqual(md('[example.com]'), { text: 'example.com', entities: [e('textUrl', 0, 11, { url: 'http://example.com/' })] });
  assert.deepEqual(md('[](https://example.com)'), { text: '(https://example.com)', entities: [] });
  assert.deepEqual(md('[x](https://example.com'), { text: 'x', entities: [e('textUrl', 0, 1, { url: 'https://example.com/' })] });
  assert.deepEqual(md('[Ann](tg://user?id=1)'), { text: 'Ann', entities: [] });
});

test('[BOT-PM] Markdown error: an entity left open', () => {
  fails('ab *bold', 'Markdown', "Can't parse entities: can't find end of the entity starting at byte offset 3");
  fails('😀 _x', 'Markdown', "Can't parse entities: can't find end of the entity starting at byte offset 5");
  fails('[link', 'Markdown', "Can't parse entities: can't find end of the entity starting at byte offset 0");
  fails('```pre', 'Markdown', "Can't parse entities: can't find end of the entity starting at byte offset 0");
});

test('[BOT-PM] Markdown offsets count UTF-16 code units', () => {
  assert.deepEqual(md('🎉 *🎉a* `б`'), { text: '🎉 🎉a б', entities: [e('bold', 3, 3), e('code', 7, 1)] });
});

// ---------------------------------------------------------------------------
// Size
// ---------------------------------------------------------------------------

test('[BOT-PM] 10,000-character inputs, including pathological ones, complete in every mode', () => {
  const words = 'lorem ipsum dolor sit amet '.repeat(400).slice(0, 10_000);
  assert.equal(html(`<b>${words}</b>`).text.length, 10_000);
  assert.equal(v2(`*${words}*`).text.length, 10_000);
  assert.equal(md(`_${words}_`).text.length, 10_000);

  const mixed = '*b* _i_ __u__ ~s~ ||p|| `c` [l](https://e.com/) \\. '.repeat(200);
  assert.ok(v2(mixed).entities.length > 1000);
  const mixedHtml = '<b>b</b> <i>i</i> <a href="https://e.com/">l</a> &amp; '.repeat(200);
  assert.ok(html(mixedHtml).entities.length >= 600);

  // Deep nesting, long runs of markers and backslashes.
  assert.equal(html(`${'<b>'.repeat(3000)}x${'</b>'.repeat(3000)}`).entities.length, 3000);
  assert.equal(v2('*'.repeat(10_000)).text, '');
  assert.equal(v2('\\\\'.repeat(5000)).text.length, 5000);
  assert.equal(v2('>a\n'.repeat(3333)).entities.length, 1);
  assert.throws(() => v2('['.repeat(10_000)), ParseModeError);
  assert.throws(() => v2('_'.repeat(9_999)), ParseModeError);
  assert.throws(() => md('['.repeat(10_000)), ParseModeError);
  assert.throws(() => html('<a href="'.repeat(2000)), ParseModeError);
  assert.equal(md('`'.repeat(9_996)).text, '');
  assert.equal(v2('['.repeat(5000) + ']'.repeat(5000)).text, '');
});
