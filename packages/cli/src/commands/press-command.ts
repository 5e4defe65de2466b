import { RpcError, type Message, type MethodResult, type Peer } from '@samizdat/protocol';
import { Command } from 'commander';
import { commandContext } from '../command-context.ts';
import { inlineButtons, sanitize, type NumberedButton } from '../format.ts';
import { MESSAGE_REF_HELP, parseMessageRef } from '../message-ref.ts';
import { output } from '../output.ts';
import { resolvePeer, type MethodCaller } from '../peer.ts';
import { withSession } from '../session.ts';

/**
 * How long `press` waits for the server at least: the server gives the bot about 15 s to answer
 * before it says BOT_RESPONSE_TIMEOUT, and that answer should arrive before the CLI gives up.
 */
const PRESS_TIMEOUT_MS = 25_000;

/** What a press answers: the bot's notice, alert or URL; see `messages.getBotCallbackAnswer`. */
export type CallbackAnswer = MethodResult<'messages.getBotCallbackAnswer'>;

/** `samizdat press PEER:MESSAGE_ID BUTTON`: presses an inline button under a bot's message. */
export function pressCommand(): Command {
  return new Command('press')
    .description("Press a button under a bot's message and print the bot's answer")
    .argument('<message>', MESSAGE_REF_HELP)
    .argument('<button>', 'the button: its number as history and listen print it ([1] → 1) or its text')
    .addHelpText(
      'after',
      '\nButtons are numbered from 1, row by row, as history shows them: "  [1] Yes  [2] No". A BUTTON\n' +
        'that is exactly the text of a button presses that one; otherwise digits (or [2], #2) pick by number.\n' +
        'The bot gets the press and answers within about 15 s (else BOT_RESPONSE_TIMEOUT). Printed:\n' +
        '  its notice, or "ALERT: notice" for an alert, and a URL it asks to open on a line of its own.\n' +
        'A URL button is not sent to the bot: its url is printed.\n' +
        '\nWith --json: {"message":"You chose yes","alert":false,"url":null} (a URL button: {"message":null,"alert":false,"url":"…"}).',
    )
    .action(async (reference: string, buttonInput: string, _options: unknown, command: Command) => {
      const context = commandContext(command);
      const { peerInput, messageId } = parseMessageRef(reference);
      await withSession({ ...context, timeoutMs: Math.max(context.timeoutMs, PRESS_TIMEOUT_MS) }, async ({ client, user: self }) => {
        const { peer } = await resolvePeer(client, peerInput, self);
        const message = await findMessage(client, peer, messageId, reference);
        const button = chooseButton(inlineButtons(message.replyMarkup), buttonInput, reference);
        let answer: CallbackAnswer;
        if (button.callbackData !== null) {
          answer = await client.call('messages.getBotCallbackAnswer', { peer, messageId, data: button.callbackData });
        } else if (button.url !== null) {
          answer = { message: null, alert: false, url: button.url };
        } else {
          throw new RpcError('DATA_INVALID', `Cannot press button [${button.number}] of ${reference}: it has neither callback data nor a url`);
        }
        if (context.isJson) {
          output.json(answer);
          return;
        }
        const lines = formatCallbackAnswer(answer);
        if (lines.length === 0) output.note('The bot answered without a notice');
        for (const line of lines) output.line(line);
      });
    });
}

/**
 * The button BUTTON names: the one whose text it is exactly, else (digits, `[2]`, `#2`) the one of
 * that number, else one whose text matches ignoring case and surrounding spaces. DATA_INVALID,
 * listing the buttons, when there is none.
 */
export function chooseButton(buttons: readonly NumberedButton[], input: string, reference: string): NumberedButton {
  if (buttons.length === 0) throw new RpcError('DATA_INVALID', `Cannot press a button of ${reference}: the message has no buttons`);
  const exact = buttons.find((button) => button.text === input);
  if (exact !== undefined) return exact;
  const numbered = /^\s*(?:\[(\d+)\]|#?(\d+))\s*$/.exec(input);
  if (numbered !== null) {
    const number = Number(numbered[1] ?? numbered[2]);
    const button = buttons.find((candidate) => candidate.number === number);
    if (button !== undefined) return button;
  }
  const wanted = input.trim().toLowerCase();
  const loose = buttons.filter((button) => button.text.trim().toLowerCase() === wanted);
  if (loose.length === 1 && loose[0] !== undefined) return loose[0];
  const listed = buttons.map((button) => `[${button.number}] ${sanitize(button.text)}`).join('  ');
  throw new RpcError('DATA_INVALID', `Cannot press "${sanitize(input)}" on ${reference}: no such button; it has ${listed}`);
}

/** What `press` prints of an answer: `notice` or `ALERT: notice`, then the URL; nothing when the bot said nothing. */
export function formatCallbackAnswer(answer: CallbackAnswer): string[] {
  const lines: string[] = [];
  if (answer.message !== null && answer.message !== '') lines.push(`${answer.alert ? 'ALERT: ' : ''}${sanitize(answer.message)}`);
  if (answer.url !== null && answer.url !== '') lines.push(sanitize(answer.url));
  return lines;
}

/** The message `messageId` of the chat: the one history page that starts right after it. */
async function findMessage(caller: MethodCaller, peer: Peer, messageId: number, reference: string): Promise<Message> {
  const page = await caller.call('messages.getHistory', { peer, offsetId: messageId + 1, limit: 1 });
  const message = page.messages[0];
  if (message === undefined || message.id !== messageId) {
    throw new RpcError('MESSAGE_ID_INVALID', `Cannot press a button of ${reference}: the chat has no message #${messageId}`);
  }
  return message;
}
