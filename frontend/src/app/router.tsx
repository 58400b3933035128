// URL map: /login, and /chats/:chatId? inside the authenticated layout. Routes stay thin.
import { createBrowserRouter, Navigate } from 'react-router';
import { AppLayoutRoute } from '@/routes/app-layout';
import { ChatsRoute } from '@/routes/chats';
import { LoginRoute } from '@/routes/login';

export function createAppRouter() {
  return createBrowserRouter([
    { path: '/login', element: <LoginRoute /> },
    {
      path: '/',
      element: <AppLayoutRoute />,
      children: [
        { index: true, element: <Navigate to="/chats" replace /> },
        { path: 'chats/:chatId?', element: <ChatsRoute /> },
        { path: '*', element: <Navigate to="/chats" replace /> },
      ],
    },
  ]);
}
