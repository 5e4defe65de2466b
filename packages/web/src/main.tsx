import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app.tsx';
import { createClient } from './app/create-client.ts';
import './styles/app.css';

const root = document.getElementById('root');
if (root === null) throw new Error('Cannot start the app: the page has no #root element');
// One client for the page's lifetime: it keeps the connection and the outbox across screens.
const client = createClient();
createRoot(root).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
