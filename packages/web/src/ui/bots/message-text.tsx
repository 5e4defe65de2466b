import type { MessageEntity } from '@samizdat/protocol';
import { memo, useState, type ReactNode } from 'react';
import { safeExternalUrl } from '../../model/bot-markup.ts';
import { commandOf, entityTree, type TextNode } from '../../model/message-entities.ts';
import { useBotChat } from './bot-chat-context.ts';

/**
 * A message's text with its entities ([WEB72]): bold, italic, underline, strikethrough, spoiler
 * (hidden until clicked), code, pre, links (new tab, `rel="noopener noreferrer"`, only http(s),
 * mailto and tg), mentions, hashtags, emails (`mailto:`), quotes (a quote block) and bot
 * commands, which send themselves in the chat when clicked where `canSendCommands`.
 */
export const MessageText = memo(function MessageText({ text, entities, canSendCommands }: { text: string; entities: readonly MessageEntity[]; canSendCommands: boolean }) {
  if (entities.length === 0) return <>{text}</>;
  return <>{renderNodes(entityTree(text, entities), canSendCommands)}</>;
});

function renderNodes(nodes: readonly TextNode[], canSendCommands: boolean): ReactNode[] {
  return nodes.map((node, index) => (node.kind === 'text' ? node.text : <EntityView key={index} node={node} canSendCommands={canSendCommands} />));
}

function EntityView({ node, canSendCommands }: { node: Extract<TextNode, { kind: 'entity' }>; canSendCommands: boolean }) {
  const children = renderNodes(node.children, canSendCommands);
  const { entity } = node;
  switch (entity.type) {
    case 'bold':
      return <strong>{children}</strong>;
    case 'italic':
      return <em>{children}</em>;
    case 'underline':
      return <u>{children}</u>;
    case 'strikethrough':
      return <s>{children}</s>;
    case 'spoiler':
      return <Spoiler>{children}</Spoiler>;
    case 'code':
      return <code className="entity-code">{children}</code>;
    case 'pre':
      return (
        <pre className="entity-pre">
          <code {...(entity.language === undefined ? {} : { 'data-language': entity.language })}>{children}</code>
        </pre>
      );
    case 'blockquote':
      return <blockquote className="entity-blockquote">{children}</blockquote>;
    case 'textUrl':
    case 'url': {
      const href = safeExternalUrl(entity.type === 'textUrl' ? (entity.url ?? '') : node.text);
      if (href === null) return <>{children}</>;
      return (
        <a className="entity-link" href={href} target="_blank" rel="noopener noreferrer">
          {children}
        </a>
      );
    }
    case 'email':
      return (
        <a className="entity-link" href={`mailto:${node.text}`}>
          {children}
        </a>
      );
    case 'mention':
    case 'hashtag':
      return <span className="entity-link">{children}</span>;
    case 'botCommand':
      return <BotCommandLink text={node.text} canSend={canSendCommands} />;
  }
}

/** A `/command` in a message: link-like, and in a bot chat a click sends it ([WEB72]). */
function BotCommandLink({ text, canSend }: { text: string; canSend: boolean }) {
  const bots = useBotChat();
  const command = commandOf(text);
  if (!canSend || bots === null || command === null) return <span className="entity-link entity-command">{text}</span>;
  return (
    <span
      className="entity-link entity-command"
      role="link"
      tabIndex={0}
      title={`Send ${command}`}
      onClick={(event) => {
        event.stopPropagation();
        bots.sendText(command);
      }}
      onKeyDown={(event) => {
        if (event.key !== 'Enter' && event.key !== ' ') return;
        event.preventDefault();
        bots.sendText(command);
      }}
    >
      {text}
    </span>
  );
}

function Spoiler({ children }: { children: ReactNode }) {
  const [isShown, setShown] = useState(false);
  return (
    <span className={`entity-spoiler ${isShown ? 'shown' : ''}`} onClick={() => setShown(true)}>
      {children}
    </span>
  );
}
