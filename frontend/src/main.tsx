// Entry point: i18n first (so the first paint is translated), then the app.
import './lib/i18n';
// The colour theme before the first paint.
import './components/theme-store';
import './index.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
