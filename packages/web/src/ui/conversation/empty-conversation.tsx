/** The right pane on a wide screen before a chat is chosen. */
export function EmptyConversation() {
  return (
    <section className="conversation-pane conversation-empty" aria-label="Conversation">
      <p>Select a chat to start messaging</p>
    </section>
  );
}
