// URL map: /login, and inside the authenticated layout /chats/:chatId?, /sessions,
// /sessions/:sessionId, /presets, /providers, /personalities, /playbooks, /moderation, /queue,
// /audit, /admins, /settings and /usage. Routes stay thin.
import type { ComponentType } from 'react';
import { createBrowserRouter, Navigate, type RouteObject } from 'react-router';
import { PageFallback } from '@/components/page-fallback';
import { AppLayoutRoute } from '@/routes/app-layout';
import { LoginRoute } from '@/routes/login';

// Every screen loads on first visit, each its own chunk: the entry holds the shell (layout,
// login, live updates), not the chat screen's or any configuration screen's code
// (bench/bundle/run.sh). routes/pages holds the thin routes with logic of their own.
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
        // /usage in its own chunk; its charts (recharts) load in a further one (usage-page.tsx)
        lazyScreen(
          'usage',
          async () => (await import('@/features/usage/components/usage-page')).UsagePage,
        ),
        lazyScreen('chats/:chatId?', async () => (await import('@/routes/chats')).ChatsRoute),
        lazyScreen(
          'sessions',
          async () => (await import('@/features/sessions/components/sessions-page')).SessionsPage,
        ),
        lazyScreen('sessions/:sessionId', async () => (await pages()).SessionRoute),
        lazyScreen(
          'personalities',
          async () =>
            (await import('@/features/personalities/components/personalities-page'))
              .PersonalitiesPage,
        ),
        lazyScreen(
          'presets',
          async () => (await import('@/features/presets/components/presets-page')).PresetsPage,
        ),
        lazyScreen(
          'providers',
          async () =>
            (await import('@/features/providers/components/providers-page')).ProvidersPage,
        ),
        lazyScreen(
          'playbooks',
          async () => (await import('@/features/rules/components/playbooks-page')).PlaybooksPage,
        ),
        lazyScreen(
          'moderation',
          async () => (await import('@/features/rules/components/moderation-page')).ModerationPage,
        ),
        lazyScreen(
          'queue',
          async () => (await import('@/features/jobs/components/queue-page')).QueuePage,
        ),
        lazyScreen(
          'audit',
          async () => (await import('@/features/audit/components/audit-page')).AuditPage,
        ),
        lazyScreen('admins', async () => (await pages()).AdminsRoute),
        lazyScreen(
          'settings',
          async () => (await import('@/features/settings/components/settings-page')).SettingsPage,
        ),
        { path: '*', element: <Navigate to="/chats" replace /> },
      ],
    },
  ]);
}
