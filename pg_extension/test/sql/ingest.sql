-- rt.ingest on mixed batches: good and bad updates side by side
SET TimeZone = 'UTC';

-- a private chat: text, caption, a service message and a photo without caption
SELECT jsonb_pretty(rt.ingest($$[
  {"update_id": 100, "message": {"message_id": 1, "date": 1700000000,
    "chat": {"id": 42, "type": "private", "first_name": "Ada", "last_name": "Lovelace"},
    "from": {"id": 42, "is_bot": false, "first_name": "Ada", "last_name": "Lovelace", "username": "ada", "language_code": "en"},
    "text": "hello"}},
  {"update_id": 101, "message": {"message_id": 2, "date": 1700000001,
    "chat": {"id": 42, "type": "private", "first_name": "Ada", "last_name": "Lovelace"},
    "from": {"id": 42, "first_name": "Ada", "last_name": "Lovelace"},
    "photo": [{"file_id": "x"}], "caption": "a cat"}},
  {"update_id": 102, "message": {"message_id": 3, "date": 1700000002,
    "chat": {"id": 42, "type": "private"}, "from": {"id": 42, "first_name": "Ada"},
    "sticker": {"file_id": "y"}}}
]$$));

-- a group: bad elements between good ones; the good ones are stored
SELECT jsonb_pretty(rt.ingest($$[
  {"update_id": 200, "message": {"message_id": 10, "date": 1700000100,
    "chat": {"id": -1001, "type": "supergroup", "title": "Engines"},
    "from": {"id": 7, "first_name": "Charles"}, "text": "first"}},
  {"update_id": 201, "message": {"message_id": 11, "date": 1700000101, "chat": "x", "text": "no"}},
  {"message": {"message_id": 12, "date": 1700000102, "chat": {"id": -1001, "type": "supergroup"}}},
  "not an object",
  {"update_id": 203, "message": {"message_id": 13, "date": 1700000103,
    "chat": {"type": "supergroup"}, "text": "no chat id"}},
  {"update_id": 204, "message": {"message_id": 14, "date": "yesterday",
    "chat": {"id": -1001, "type": "supergroup"}, "text": "bad date"}},
  {"update_id": 205, "message": {"message_id": 15, "date": 1700000105,
    "chat": {"id": -1001, "type": "forum"}, "text": "bad chat type"}},
  {"update_id": 206, "message": {"message_id": 16, "date": 1700000106,
    "chat": {"id": -1001, "type": "supergroup"}, "from": {"id": "seven"}, "text": "bad from"}},
  {"update_id": 207, "message": {"message_id": 17, "date": 1700000107,
    "chat": {"id": -1001, "type": "supergroup"}, "text": 5}},
  {"update_id": 208, "message": {"message_id": 18, "date": 1700000108,
    "chat": {"id": -1001, "type": "supergroup", "title": "Engines"},
    "from": {"id": 8, "first_name": "Mary"},
    "new_chat_members": [{"id": 8, "first_name": "Mary"}, {"id": 9, "first_name": "Luigi", "last_name": "Menabrea"}]}},
  {"update_id": 209, "message": {"message_id": 19, "date": 1700000109,
    "chat": {"id": -1001, "type": "supergroup", "title": "Analytical Engines"},
    "from": {"id": 7, "first_name": "Charles"}, "new_chat_title": "Analytical Engines"}},
  {"update_id": 210, "callback_query": {"id": "cb1", "data": "x"}},
  {"update_id": 211},
  {"update_id": 212, "message": {"message_id": 20, "date": 1700000110,
    "chat": {"id": -1001, "type": "supergroup"}, "from": {"id": 7, "first_name": "Charles"},
    "pinned_message": {"message_id": 10, "date": 1700000100, "chat": {"id": -1001, "type": "supergroup"}, "text": "first"}}},
  {"update_id": 213, "message": {"message_id": 21, "date": 1700000111,
    "chat": {"id": -1001, "type": "supergroup"}, "from": {"id": 9, "first_name": "Luigi"},
    "left_chat_member": {"id": 9, "first_name": "Luigi"}}},
  {"update_id": 214, "message": {"message_id": 22, "date": 1700000112.5,
    "chat": {"id": -1001, "type": "supergroup"}, "text": "fractional date"}}
]$$));

-- the same updates again: everything is a duplicate; so is a known (chat, message) under a new update_id
SELECT rt.ingest($$[
  {"update_id": 100, "message": {"message_id": 1, "date": 1700000000,
    "chat": {"id": 42, "type": "private"}, "from": {"id": 42, "first_name": "Ada"}, "text": "hello"}},
  {"update_id": 300, "message": {"message_id": 10, "date": 1700000100,
    "chat": {"id": -1001, "type": "supergroup"}, "from": {"id": 7, "first_name": "Charles"}, "text": "first"}},
  {"update_id": 301, "message": {"message_id": 30, "date": 1700000200,
    "chat": {"id": -1001, "type": "supergroup"}, "from": {"id": 7, "first_name": "Charles"}, "text": "twice in one batch"}},
  {"update_id": 302, "message": {"message_id": 30, "date": 1700000200,
    "chat": {"id": -1001, "type": "supergroup"}, "from": {"id": 7, "first_name": "Charles"}, "text": "twice in one batch"}}
]$$);

-- edits: known original keeps its history, a repeated edit is a duplicate, an unknown original is stored
SELECT rt.ingest($$[
  {"update_id": 400, "edited_message": {"message_id": 1, "date": 1700000000, "edit_date": 1700000500,
    "chat": {"id": 42, "type": "private"}, "from": {"id": 42, "first_name": "Ada"}, "text": "hello, world"}},
  {"update_id": 401, "edited_message": {"message_id": 1, "date": 1700000000, "edit_date": 1700000500,
    "chat": {"id": 42, "type": "private"}, "from": {"id": 42, "first_name": "Ada"}, "text": "hello, world"}},
  {"update_id": 402, "edited_message": {"message_id": 1, "date": 1700000000, "edit_date": 1700000600,
    "chat": {"id": 42, "type": "private"}, "from": {"id": 42, "first_name": "Ada"}, "text": "hello again"}},
  {"update_id": 403, "edited_message": {"message_id": 99, "date": 1700000300, "edit_date": 1700000700,
    "chat": {"id": -1001, "type": "supergroup"}, "from": {"id": 7, "first_name": "Charles"}, "text": "edited before we saw it"}}
]$$);

-- channel posts and their edits
SELECT rt.ingest($$[
  {"update_id": 500, "channel_post": {"message_id": 1, "date": 1700001000,
    "chat": {"id": -1002, "type": "channel", "title": "News", "username": "news"},
    "sender_chat": {"id": -1002, "type": "channel", "title": "News"}, "text": "issue 1"}},
  {"update_id": 501, "edited_channel_post": {"message_id": 1, "date": 1700001000, "edit_date": 1700001060,
    "chat": {"id": -1002, "type": "channel", "title": "News", "username": "news"}, "text": "issue #1"}}
]$$);

-- text over roundtable.max_text_bytes is rejected, naming the field
SET roundtable.max_text_bytes = 10;
SELECT rt.ingest($$[
  {"update_id": 600, "message": {"message_id": 40, "date": 1700002000,
    "chat": {"id": 42, "type": "private"}, "text": "this text is too long"}},
  {"update_id": 601, "message": {"message_id": 41, "date": 1700002001,
    "chat": {"id": 42, "type": "private"}, "caption": "way too long caption"}},
  {"update_id": 602, "message": {"message_id": 42, "date": 1700002002,
    "chat": {"id": 42, "type": "private"}, "text": "short"}}
]$$);
RESET roundtable.max_text_bytes;

-- not an array, or null
SELECT rt.ingest('{"update_id": 1}');
SELECT rt.ingest('5');
SELECT rt.ingest(NULL);
SELECT rt.ingest('[]');

-- what is stored
SELECT chat_id, message_id, user_id, update_id, direction, author_type, kind, text,
       edited_at, edit_history, created_at
FROM rt.messages ORDER BY id;
SELECT id, type, title, username, last_message_at,
       (SELECT text FROM rt.messages m WHERE m.id = c.last_message_id) AS last_text
FROM rt.chats c ORDER BY id;
SELECT id, is_bot, first_name, last_name, username, language_code FROM rt.users ORDER BY id;
SELECT update_id, error, sqlstate, left(raw, 40) AS raw FROM rt.ingest_rejects ORDER BY id;

-- rt.reject_update keeps text that is not even JSON
SELECT rt.reject_update(E'{"update_id": 700, "message": "\\ud800 broken', 'invalid json: lone surrogate') > 0 AS stored;
SELECT update_id, error, raw FROM rt.ingest_rejects WHERE update_id = 700;
