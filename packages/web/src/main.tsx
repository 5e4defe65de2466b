import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app.tsx';
import { createClient } from './app/create-client.ts';
import { registerServiceWorker } from './app/register-service-worker.ts';
import { OfflineCache } from './model/offline-cache.ts';
import { IndexedDbHistoryCache } from './storage/idb-history-cache.ts';
import { storedSessionUserId } from './storage/stored-session.ts';
import './styles/app.css';

const root = document.getElementById('root');
if (root === null) throw new Error('Cannot start the app: the page has no #root element');
// One client for the page's lifetime: it keeps the connection and the outbox across screens.
const client = createClient();
const cache = new OfflineCache(new IndexedDbHistoryCache());
registerServiceWorker();
createRoot(root).render(
  <StrictMode>
    <App client={client} cache={cache} storedUserId={storedSessionUserId} />
  </StrictMode>,
);
