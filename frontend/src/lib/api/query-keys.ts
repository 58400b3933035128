// Query keys shared by the features and the live-update layer, so both address one cache.
export const queryKeys = {
  me: ['auth', 'me'] as const,
  chatsAll: ['chats'] as const,
  // A chat list per search text and chat filters (features/chats/utils/chat-filters.ts).
  chats: (q: string, filters: Record<string, string | boolean> = {}) =>
    ['chats', { ...filters, q }] as const,
  messagesAll: ['messages'] as const,
  messages: (chatId: number) => ['messages', { chatId }] as const,
  // One-off page fetches ("load more"/"load older") live under their own roots so that code
  // walking every chat list or message window never meets a raw page.
  chatPage: (q: string, cursor: string, filters: object = {}) =>
    ['chat-page', { ...filters, q, cursor }] as const,
  messagePage: (chatId: number, cursor: string) => ['message-page', { chatId, cursor }] as const,
  // History searched with filters: a separate root, refetched rather than merged live.
  messageSearch: (filters: object) => ['message-search', filters] as const,
  messageSearchAll: ['message-search'] as const,
  presets: ['presets'] as const,
  bindings: ['bindings'] as const,
  explain: ['explain'] as const,
  explainFor: (body: object) => ['explain', body] as const,
  playbooks: ['playbooks'] as const,
  moderationRules: ['moderation-rules'] as const,
  users: ['users'] as const,
  usersSearch: (q: string, chatId?: number) => ['users', { q, chatId }] as const,
  notifications: ['notifications'] as const,
  audit: ['audit'] as const,
  auditFor: (filters: object) => ['audit', filters] as const,
  admins: ['admins'] as const,
  settings: ['settings'] as const,
  providers: ['providers'] as const,
  jobs: ['jobs'] as const,
  jobsFor: (filter: object) => ['jobs', filter] as const,
  drafts: ['drafts'] as const,
  draft: (draftId: number) => ['drafts', draftId] as const,
  // Replies and drafts being written right now (llm.delta frames), per chat; never fetched.
  llmStreamsAll: ['llm-streams'] as const,
  llmStreams: (chatId: number) => ['llm-streams', { chatId }] as const,
  // The turns a round-table session's speakers are writing right now, per session.
  sessionStreams: (sessionId: number) => ['llm-streams', { sessionId }] as const,
  // Round-table sessions: lists by filter and one session's detail share the root, so an
  // `entity.changed` session refetches both.
  sessionsAll: ['sessions'] as const,
  sessions: (filter: object) => ['sessions', 'list', filter] as const,
  session: (sessionId: number) => ['sessions', 'detail', sessionId] as const,
  personalities: ['personalities'] as const,
};

export type ChatsKey = ReturnType<typeof queryKeys.chats>;
export type MessagesKey = ReturnType<typeof queryKeys.messages>;
