// The web client's service worker ([WEB50]): keeps the app's own files so that a reload without the
// server still starts the app, which then shows the chats and histories saved in IndexedDB.
// Pages: network first, the saved copy when the network fails. Hashed files under /assets/: saved
// once, served from the cache (they never change). Nothing else is touched: /ws, /files, /healthz
// and /transparency always go to the network.
const CACHE = 'samizdat-shell-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const response = await fetch('/', { cache: 'no-cache' });
      if (!response.ok) return;
      const html = await response.clone().text();
      await cache.put('/', response);
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]);
      await cache.addAll([...new Set(assets)]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const isServerPath = /^\/(ws|files|healthz|transparency)(\/|$)/.test(url.pathname);
  if (request.mode === 'navigate' && !isServerPath) {
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request);
          if (response.ok && (response.headers.get('content-type') ?? '').startsWith('text/html')) {
            const cache = await caches.open(CACHE);
            await cache.put('/', response.clone());
          }
          return response;
        } catch (error) {
          const saved = await caches.match('/');
          if (saved !== undefined) return saved;
          throw error;
        }
      })(),
    );
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(
      (async () => {
        const saved = await caches.match(request);
        if (saved !== undefined) return saved;
        const response = await fetch(request);
        if (response.ok) {
          const cache = await caches.open(CACHE);
          await cache.put(request, response.clone());
        }
        return response;
      })(),
    );
  }
});
