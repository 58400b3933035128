// URL map: /login, and inside the authenticated layout /chats/:chatId?, /sessions,
// /sessions/:sessionId, /presets, /providers, /personalities, /playbooks, /moderation, /queue,
// /audit, /admins and /settings. Routes stay thin.
import { createBrowserRouter, Navigate } from 'react-router';
import { AppLayoutRoute } from '@/routes/app-layout';
import { ChatsRoute } from '@/routes/chats';
import { LoginRoute } from '@/routes/login';

// The configuration screens load on first visit, keeping the chat screen's bundle small.
const pages = () => import('@/routes/pages');

export function createAppRouter() {
  return createBrowserRouter([
    { path: '/login', element: <LoginRoute /> },
    {
      path: '/',
      element: <AppLayoutRoute />,
      children: [
        { index: true, element: <Navigate to="/chats" replace /> },
        { path: 'chats/:chatId?', element: <ChatsRoute /> },
        { path: 'sessions', lazy: async () => ({ Component: (await pages()).SessionsRoute }) },
        {
          path: 'sessions/:sessionId',
          lazy: async () => ({ Component: (await pages()).SessionRoute }),
        },
        {
          path: 'personalities',
          lazy: async () => ({ Component: (await pages()).PersonalitiesRoute }),
        },
        { path: 'presets', lazy: async () => ({ Component: (await pages()).PresetsRoute }) },
        { path: 'providers', lazy: async () => ({ Component: (await pages()).ProvidersRoute }) },
        { path: 'playbooks', lazy: async () => ({ Component: (await pages()).PlaybooksRoute }) },
        { path: 'moderation', lazy: async () => ({ Component: (await pages()).ModerationRoute }) },
        { path: 'queue', lazy: async () => ({ Component: (await pages()).QueueRoute }) },
        { path: 'audit', lazy: async () => ({ Component: (await pages()).AuditRoute }) },
        { path: 'admins', lazy: async () => ({ Component: (await pages()).AdminsRoute }) },
        { path: 'settings', lazy: async () => ({ Component: (await pages()).SettingsRoute }) },
        { path: '*', element: <Navigate to="/chats" replace /> },
      ],
    },
  ]);
}
