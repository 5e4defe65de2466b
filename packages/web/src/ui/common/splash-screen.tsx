/** A full-screen message while the app starts (or why it cannot). */
export function SplashScreen({ text, isError = false }: { text: string; isError?: boolean }) {
  return (
    <main className="splash" aria-busy={!isError}>
      <div className="splash-logo" aria-hidden="true" />
      <p role={isError ? 'alert' : 'status'}>{text}</p>
    </main>
  );
}
