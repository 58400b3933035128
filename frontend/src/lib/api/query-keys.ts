// Query keys shared by the features and the live-update layer, so both address one cache.
export const queryKeys = {
  me: ['auth', 'me'] as const,
  chatsAll: ['chats'] as const,
  chats: (q: string) => ['chats', { q }] as const,
  messagesAll: ['messages'] as const,
  messages: (chatId: number) => ['messages', { chatId }] as const,
  // One-off page fetches ("load more"/"load older") live under their own roots so that code
  // walking every chat list or message window never meets a raw page.
  chatPage: (q: string, cursor: string) => ['chat-page', { q, cursor }] as const,
  messagePage: (chatId: number, cursor: string) => ['message-page', { chatId, cursor }] as const,
};

export type ChatsKey = ReturnType<typeof queryKeys.chats>;
export type MessagesKey = ReturnType<typeof queryKeys.messages>;
