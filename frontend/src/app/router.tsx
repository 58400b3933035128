// URL map: /login, and inside the authenticated layout /chats/:chatId?, /presets, /playbooks,
// /moderation, /audit, /admins and /settings. Routes stay thin.
import { createBrowserRouter, Navigate } from 'react-router';
import { AppLayoutRoute } from '@/routes/app-layout';
import { ChatsRoute } from '@/routes/chats';
import { LoginRoute } from '@/routes/login';
import {
  AdminsRoute,
  AuditRoute,
  ModerationRoute,
  PlaybooksRoute,
  PresetsRoute,
  SettingsRoute,
} from '@/routes/pages';

export function createAppRouter() {
  return createBrowserRouter([
    { path: '/login', element: <LoginRoute /> },
    {
      path: '/',
      element: <AppLayoutRoute />,
      children: [
        { index: true, element: <Navigate to="/chats" replace /> },
        { path: 'chats/:chatId?', element: <ChatsRoute /> },
        { path: 'presets', element: <PresetsRoute /> },
        { path: 'playbooks', element: <PlaybooksRoute /> },
        { path: 'moderation', element: <ModerationRoute /> },
        { path: 'audit', element: <AuditRoute /> },
        { path: 'admins', element: <AdminsRoute /> },
        { path: 'settings', element: <SettingsRoute /> },
        { path: '*', element: <Navigate to="/chats" replace /> },
      ],
    },
  ]);
}
