import { useBotChat } from './bot-chat-context.ts';

/** In a bot's chat with no messages yet, a big "Start" in the composer's place sends "/start" ([WEB71]). */
export function BotStartButton() {
  const bots = useBotChat();
  if (bots === null) return null;
  return (
    <div className="bot-start">
      <button type="button" className="primary-button bot-start-button" onClick={() => bots.sendText('/start')}>
        Start
      </button>
    </div>
  );
}

/** An empty bot chat says what the bot does (its description), as Telegram's "What can this bot do?". */
export function BotEmptyIntro() {
  const bots = useBotChat();
  if (bots === null || bots.bot === null) return null;
  return (
    <div className="bot-intro">
      <p className="bot-intro-title">What can this bot do?</p>
      <p className="bot-intro-text">{bots.description.trim() === '' ? `${bots.bot.displayName} is a bot. Press Start to begin.` : bots.description}</p>
    </div>
  );
}
