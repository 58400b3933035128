#!/usr/bin/env bash
# History search benchmark: 1,000,000 messages over ~1,000 chats and 30 days of mixed
# Russian/English text, then 200 random keyword + chat + time-range queries through
# rt.list_messages; prints p50/p95/p99 in ms (target: p95 < 50 ms).
#
#   PGHOST=/socket/dir PGPORT=5432 PGUSER=postgres bench/history/run.sh
#
# Uses (and drops first) the database $BENCH_DB (default rt_bench_history) on that server; the
# roundtable extension must be installed there (make -C pg_extension install).
# MESSAGES, CHATS, QUERIES override the sizes; KEEP=1 keeps the database for EXPLAIN.
set -euo pipefail

DB=${BENCH_DB:-rt_bench_history}
MESSAGES=${MESSAGES:-1000000}
CHATS=${CHATS:-1000}
QUERIES=${QUERIES:-200}
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

dropdb --if-exists "$DB" >/dev/null
createdb "$DB"
psql_db -c 'CREATE EXTENSION roundtable CASCADE' 2>/dev/null

echo "generating $MESSAGES messages over $CHATS chats and 30 days..."
start=$(date +%s)
psql_db -v messages="$MESSAGES" -v chats="$CHATS" <<'SQL'
-- a month ago may lie before the partitions the install created: give it its own
SELECT rt.maintain_partitions(3) \g /dev/null
DO $$
DECLARE
    m timestamptz := date_trunc('month', now() - interval '31 days');
    part text := 'messages_' || to_char(m, 'YYYY_MM');
BEGIN
    IF to_regclass('rt.' || part) IS NULL THEN
        EXECUTE format('CREATE TABLE rt.%I PARTITION OF rt.messages FOR VALUES FROM (%L) TO (%L)',
                       part, m, m + interval '1 month');
    END IF;
END
$$;

CREATE TEMP TABLE words (n int PRIMARY KEY, w text);
INSERT INTO words
SELECT row_number() OVER (), w FROM unnest(string_to_array(
 'привет как дела сегодня завтра вчера работа проект встреча созвон бот ответ вопрос помощь '
 'спасибо пожалуйста заказ доставка оплата счёт ошибка сервер база данных запрос отчёт '
 'клиент менеджер цена скидка акция подписка тариф поддержка регистрация пароль аккаунт '
 'телефон почта адрес город москва петербург новости погода выходные отпуск билет поезд '
 'самолёт гостиница ресторан кофе обед ужин время минута неделя месяц год хорошо плохо '
 'отлично понятно конечно может быть нужно надо сделать проверить отправить получить '
 'hello how are you today tomorrow yesterday work project meeting call bot answer question '
 'help thanks please order delivery payment invoice error server database query report '
 'client manager price discount promo subscription plan support signup password account '
 'phone email address city london berlin news weather weekend vacation ticket train flight '
 'hotel restaurant coffee lunch dinner time minute week month year good bad great sure '
 'maybe need should check send receive deploy release bug feature review merge branch '
 'kubernetes postgres redis telegram openai deepseek model prompt token latency', ' ')) AS w;

INSERT INTO rt.chats (id, type, title)
SELECT -1000000 - g, CASE WHEN g % 4 = 0 THEN 'private' ELSE 'supergroup' END, 'bench chat ' || g
FROM generate_series(1, :chats) g;
INSERT INTO rt.users (id, first_name)
SELECT 5000000 + g, 'user' || g FROM generate_series(1, 5000) g;

-- chat popularity is skewed (a few busy groups, many quiet chats), like real history
INSERT INTO rt.messages (chat_id, message_id, user_id, direction, author_type, kind, text, created_at)
SELECT -1000000 - (1 + floor(:chats * power(random(), 2)))::int,
       g, 5000000 + 1 + floor(random() * 5000)::int, 'in', 'user', 'text',
       (SELECT string_agg(x.word, ' ')
        FROM (SELECT v.wa[1 + floor(random() * cardinality(v.wa))::int] AS word
              FROM generate_series(1, 4 + (g % 13)) k) x),
       now() - random() * interval '30 days'
FROM generate_series(1, :messages) g, (SELECT array_agg(w ORDER BY n) AS wa FROM words) v;
ANALYZE rt.messages;
ANALYZE rt.chats;
SQL
echo "generated in $(( $(date +%s) - start )) s"
psql_db -Atc "SELECT 'rows: ' || count(*) || ', chats with messages: ' || count(DISTINCT chat_id) || ', avg text bytes: ' || round(avg(octet_length(text))) FROM rt.messages"

echo "running $QUERIES keyword + chat + time-range queries..."
psql_db -v queries="$QUERIES" <<'SQL'
SET bench.queries = :queries;
CREATE TEMP TABLE timings (kind text, ms float8);
DO $$
DECLARE
    kw text[] := ARRAY['привет', 'заказ', 'доставк', 'ошибка', 'сервер', 'отчёт', 'скидк', 'поддержка',
                       'пароль', 'москва', 'встреч', 'оплат', 'hello', 'order', 'deliver', 'error',
                       'database', 'invoice', 'password', 'meeting', 'postgres', 'telegram', 'weather',
                       'discount', 'kubern', 'ресторан', 'billing', 'несуществующее'];
    chats bigint[] := ARRAY(SELECT chat_id FROM rt.messages GROUP BY chat_id ORDER BY random() LIMIT 400);
    t0 timestamptz;
    f jsonb;
    r jsonb;
    lo timestamptz;
BEGIN
    FOR i IN 1 .. current_setting('bench.queries')::int LOOP
        lo := now() - random() * interval '30 days';
        -- keyword + chat + time range (the target)
        f := jsonb_build_object('q', kw[1 + floor(random() * array_length(kw, 1))::int],
                                'chat_id', chats[1 + floor(random() * array_length(chats, 1))::int],
                                'from', to_char(lo, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                'to', to_char(lo + random() * interval '10 days', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
        t0 := clock_timestamp();
        r := rt.list_messages(f);
        INSERT INTO timings VALUES ('keyword+chat+time', extract(epoch FROM clock_timestamp() - t0) * 1000);
        -- keyword + time range over every chat (harder: no chat to narrow by)
        f := f - 'chat_id';
        t0 := clock_timestamp();
        r := rt.list_messages(f);
        INSERT INTO timings VALUES ('keyword+time (all chats)', extract(epoch FROM clock_timestamp() - t0) * 1000);
        -- keyword alone, newest first
        f := jsonb_build_object('q', f -> 'q');
        t0 := clock_timestamp();
        r := rt.list_messages(f);
        INSERT INTO timings VALUES ('keyword only', extract(epoch FROM clock_timestamp() - t0) * 1000);
    END LOOP;
END
$$;
SELECT kind, count(*) AS queries,
       round(percentile_cont(0.50) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS p50_ms,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS p95_ms,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS p99_ms,
       round(max(ms)::numeric, 2) AS max_ms
FROM timings GROUP BY kind ORDER BY kind DESC;
SELECT CASE WHEN percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) < 50 THEN 'PASS' ELSE 'FAIL' END
       || ': keyword+chat+time p95 ' || round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 2) || ' ms (target < 50 ms)'
FROM timings WHERE kind = 'keyword+chat+time';
SQL
[ "${KEEP:-0}" = 1 ] || dropdb "$DB"
