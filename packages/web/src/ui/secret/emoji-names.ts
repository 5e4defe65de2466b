/**
 * Words for the emoji of a safety-number fingerprint ([WEB44]), so that two people can read the
 * sequence to each other over a call ("dog, cat, lion…"); an emoji not listed shows without one.
 */
const NAMES: Readonly<Record<string, string>> = {
  '🐶': 'dog', '🐱': 'cat', '🦁': 'lion', '🐴': 'horse', '🦄': 'unicorn', '🐷': 'pig', '🐘': 'elephant', '🐰': 'rabbit',
  '🐼': 'panda', '🐓': 'rooster', '🐧': 'penguin', '🐢': 'turtle', '🐟': 'fish', '🐙': 'octopus', '🦋': 'butterfly', '🌷': 'tulip',
  '🌳': 'tree', '🌵': 'cactus', '🍄': 'mushroom', '🌏': 'globe', '🌙': 'moon', '☁️': 'cloud', '🔥': 'fire', '🍌': 'banana',
  '🍎': 'apple', '🍓': 'strawberry', '🌽': 'corn', '🍕': 'pizza', '🎂': 'cake', '❤️': 'heart', '😀': 'smile', '🤖': 'robot',
  '🎩': 'hat', '👓': 'glasses', '🔧': 'wrench', '🎅': 'santa', '👍': 'thumbs up', '☂️': 'umbrella', '⌛': 'hourglass', '⏰': 'clock',
  '🎁': 'gift', '💡': 'light bulb', '📕': 'book', '✏️': 'pencil', '📎': 'paperclip', '✂️': 'scissors', '🔒': 'lock', '🔑': 'key',
  '🔨': 'hammer', '☎️': 'telephone', '🏁': 'flag', '🚂': 'train', '🚲': 'bicycle', '✈️': 'airplane', '🚀': 'rocket', '🏆': 'trophy',
  '⚽': 'ball', '🎸': 'guitar', '🎺': 'trumpet', '🔔': 'bell', '⚓': 'anchor', '🎧': 'headphones', '📁': 'folder', '📌': 'pin',
};

/** The word for a fingerprint emoji, or '' when there is none. */
export function emojiName(emoji: string): string {
  return NAMES[emoji] ?? '';
}
