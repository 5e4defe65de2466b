/**
 * What a moderator may block a public chat for. The list is fixed in code, on purpose: there is no
 * category for political speech and none that applies per country, so no request of a government
 * can be expressed as a block.
 *
 * @module
 */
import { Type as T, type Static } from '@sinclair/typebox';

export const BLOCK_CATEGORIES = ['terrorism', 'childAbuse', 'pornography', 'copyright', 'illegalGoods', 'fraud'] as const;
export const BlockCategory = T.Union(BLOCK_CATEGORIES.map((c) => T.Literal(c)));
export type BlockCategory = (typeof BLOCK_CATEGORIES)[number];

const PURPOSE: Record<BlockCategory, string> = {
  terrorism: 'to spread terrorist propaganda',
  childAbuse: 'to spread child abuse material',
  pornography: 'to spread pornographic content in public',
  copyright: 'to infringe copyright',
  illegalGoods: 'to sell illegal goods',
  fraud: 'for fraud or spam',
};

/** What members of a blocked chat see instead of it, e.g. "This channel can't be displayed because it was used to spread terrorist propaganda". */
export function blockNotice(category: BlockCategory, chatType: 'group' | 'channel' | 'private'): string {
  return `This ${chatType === 'channel' ? 'channel' : 'group'} can't be displayed because it was used ${PURPOSE[category]}`;
}

/** A chat's block as its members see it. */
export const ChatBlock = T.Object({ category: BlockCategory, notice: T.String() }, { additionalProperties: false });
export type ChatBlock = Static<typeof ChatBlock>;
