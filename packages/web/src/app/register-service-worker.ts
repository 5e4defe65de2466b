/**
 * Registers `sw.js` (from `public/`), which keeps the app's own files so that a reload without
 * the server still starts the app and shows the offline cache ([WEB50]). Production builds only
 * (Vite's dev server serves modules the worker must not pin), and only where the browser allows
 * service workers (secure contexts: https, localhost and 127.0.0.1).
 */
export function registerServiceWorker(): void {
  // A production build loads its script from /assets/; Vite's dev server does not.
  const isBuild = document.querySelector('script[src^="/assets/"]') !== null;
  if (!isBuild || !('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error: unknown) => console.warn('service worker', error));
}
