// Entry point of the till screen: connect to the engine (taking browser mode's session token off
// the address bar before anything else), load the language, render.
// First: no schema may be built before zod is told not to compile (strict CSP, no eval).
import '../preload/zod-jitless.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { NoSession } from './components/no-session.tsx';
import { initI18n, initialLanguage } from './i18n/index.ts';
import { ApiProvider } from './state/api-context.tsx';
import { connectPosApi } from './transport/index.ts';
import './styles.css';

async function start(): Promise<void> {
  const api = connectPosApi();
  await initI18n(initialLanguage());
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root');
  createRoot(root).render(
    <StrictMode>
      {api ? (
        <ApiProvider api={api}>
          <App />
        </ApiProvider>
      ) : (
        <NoSession />
      )}
    </StrictMode>,
  );
}

void start();
