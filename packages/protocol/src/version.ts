/**
 * The wire protocol's version. A client announces it in its `hello` frame; the server refuses a
 * different one with `PROTOCOL_VERSION_UNSUPPORTED` rather than guess at frames it does not know.
 */
export const PROTOCOL_VERSION = 1;

/** Largest frame, in bytes, that the server reads; a larger one closes the connection (WebSocket 1009). */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Longest message text, in UTF-16 code units, as Telegram counts it. */
export const MAX_MESSAGE_LENGTH = 4096;

/** How many updates one `updates.getDifference` answer carries at the most. */
export const MAX_DIFFERENCE_SLICE = 1000;

/** A client further behind than this gets `differenceTooLong` and refetches its chats instead. */
export const DIFFERENCE_TOO_LONG_THRESHOLD = 100_000;

/** Upload parts are a power of two between these sizes, as on Telegram. */
export const MIN_FILE_PART_BYTES = 1024;
export const MAX_FILE_PART_BYTES = 512 * 1024;

/** Longest caption of a media message. */
export const MAX_CAPTION_LENGTH = 1024;

/** How many chats a user may pin to the top of their list, as on Telegram. */
export const MAX_PINNED_CHATS = 10;
