// URL map: /login, and inside the authenticated layout /chats/:chatId?, /sessions,
// /sessions/:sessionId, /presets, /providers, /personalities, /playbooks, /moderation, /queue,
// /audit, /admins and /settings. Routes stay thin.
import type { ComponentType } from 'react';
import { createBrowserRouter, Navigate, type RouteObject } from 'react-router';
import { PageFallback } from '@/components/page-fallback';
import { AppLayoutRoute } from '@/routes/app-layout';
import { LoginRoute } from '@/routes/login';

// Every screen loads on first visit: the entry chunk holds the shell (layout, login, live
// updates), not the chat screen's or the configuration screens' code (bench/bundle/run).
const pages = () => import('@/routes/pages');

/** A lazily loaded screen. HydrateFallback sits on the lazy route itself, so a direct load
 * renders the layout with this fallback in its outlet (not a blank page and react-router's
 * "No HydrateFallback" warning). */
export function lazyScreen(path: string, load: () => Promise<ComponentType>): RouteObject {
  return { path, HydrateFallback: PageFallback, lazy: async () => ({ Component: await load() }) };
}

export function createAppRouter() {
  return createBrowserRouter([
    { path: '/login', element: <LoginRoute /> },
    {
      path: '/',
      element: <AppLayoutRoute />,
      children: [
        { index: true, element: <Navigate to="/chats" replace /> },
        lazyScreen('chats/:chatId?', async () => (await import('@/routes/chats')).ChatsRoute),
        // /usage in its own chunk; its charts (recharts) load in a further one (usage-page.tsx)
        lazyScreen(
          'usage',
          async () => (await import('@/features/usage/components/usage-page')).UsagePage,
        ),
        lazyScreen('sessions', async () => (await pages()).SessionsRoute),
        lazyScreen('sessions/:sessionId', async () => (await pages()).SessionRoute),
        lazyScreen('personalities', async () => (await pages()).PersonalitiesRoute),
        lazyScreen('presets', async () => (await pages()).PresetsRoute),
        lazyScreen('providers', async () => (await pages()).ProvidersRoute),
        lazyScreen('playbooks', async () => (await pages()).PlaybooksRoute),
        lazyScreen('moderation', async () => (await pages()).ModerationRoute),
        lazyScreen('queue', async () => (await pages()).QueueRoute),
        lazyScreen('audit', async () => (await pages()).AuditRoute),
        lazyScreen('admins', async () => (await pages()).AdminsRoute),
        lazyScreen('settings', async () => (await pages()).SettingsRoute),
        { path: '*', element: <Navigate to="/chats" replace /> },
      ],
    },
  ]);
}
