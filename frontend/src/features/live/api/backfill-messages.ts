// GET /api/messages?chat_id=X&after_id=N: everything newer than what a chat's window holds,
// oldest first, paged forward through next_cursor. Used after every (re)connect.
import { api, unwrap, type MessagePage } from '@/lib/api/client';

export const BACKFILL_PAGE_SIZE = 500;

export type BackfillPageFetcher = (
  chatId: number,
  afterId: number,
  cursor: string | undefined,
) => Promise<MessagePage>;

export const fetchBackfillPage: BackfillPageFetcher = async (chatId, afterId, cursor) =>
  unwrap(
    await api.GET('/api/messages', {
      params: {
        query: { chat_id: chatId, after_id: afterId, cursor, limit: BACKFILL_PAGE_SIZE },
      },
    }),
  );
