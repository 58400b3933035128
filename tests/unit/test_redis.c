/* edge_redis: REDIS_URL parsing, and the async + sync clients against a real redis-server that
 * this test starts on its own port (63900) and stops again; it fails, never skips, when
 * redis-server cannot be started. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "edge.h"
#include "edge_config.h"
#include "edge_log.h"
#include "edge_redis.h"

#define TEST_PORT "63900"

static pid_t server_pid;

static void test_url_full(void **state)
{
    edge_redis_url u;
    (void)state;
    assert_int_equal(edge_redis_parse_url("redis://:p%40ss%3A@example.org:6380/3", &u), EDGE_OK);
    assert_string_equal(u.host, "example.org");
    assert_int_equal(u.port, 6380);
    assert_string_equal(u.password, "p@ss:");
    assert_int_equal(u.db, 3);
}

static void test_url_defaults(void **state)
{
    edge_redis_url u;
    (void)state;
    assert_int_equal(edge_redis_parse_url("redis://localhost", &u), EDGE_OK);
    assert_string_equal(u.host, "localhost");
    assert_int_equal(u.port, 6379);
    assert_string_equal(u.password, "");
    assert_int_equal(u.db, 0);
    assert_int_equal(edge_redis_parse_url("redis://h:1/", &u), EDGE_OK);
    assert_int_equal(u.port, 1);
}

static void test_url_user_and_ipv6(void **state)
{
    edge_redis_url u;
    (void)state;
    assert_int_equal(edge_redis_parse_url("redis://default:pw@[::1]:7000/15", &u), EDGE_OK);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 7000);
    assert_string_equal(u.password, "pw");
    assert_int_equal(u.db, 15);
}

static void test_url_rejects_bad_input(void **state)
{
    edge_redis_url u;
    (void)state;
    assert_int_equal(edge_redis_parse_url("http://localhost", &u), EDGE_ERR);
    assert_int_equal(edge_redis_parse_url("redis://", &u), EDGE_ERR);
    assert_int_equal(edge_redis_parse_url("redis://:pw@/0", &u), EDGE_ERR);
    assert_int_equal(edge_redis_parse_url("redis://h:0/0", &u), EDGE_ERR);
    assert_int_equal(edge_redis_parse_url("redis://h:70000/0", &u), EDGE_ERR);
    assert_int_equal(edge_redis_parse_url("redis://h:12a/0", &u), EDGE_ERR);
    assert_int_equal(edge_redis_parse_url("redis://h:/0", &u), EDGE_ERR);
    assert_int_equal(edge_redis_parse_url("redis://h/16", &u), EDGE_ERR);
    assert_int_equal(edge_redis_parse_url("redis://h/x", &u), EDGE_ERR);
    assert_int_equal(edge_redis_parse_url(NULL, &u), EDGE_ERR);
}

/* ---- against a real server ---- */

static int start_server(void **state)
{
    (void)state;
    server_pid = fork();
    if (server_pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(126);
        execlp("redis-server", "redis-server", "--port", TEST_PORT, "--bind", "127.0.0.1", "--save",
               "", "--appendonly", "no", "--requirepass", "t3st", "--loglevel", "warning",
               (char *)NULL);
        _exit(127);
    }
    if (server_pid < 0) return -1;
    for (int i = 0; i < 100; i++) { /* wait until it accepts connections */
        if (system("redis-cli -p " TEST_PORT " -a t3st --no-auth-warning ping >/dev/null 2>&1") ==
            0)
            return 0;
        usleep(50000);
    }
    return -1;
}

static int stop_server(void **state)
{
    (void)state;
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
    }
    return 0;
}

typedef struct async_state {
    uv_loop_t *loop;
    edge_redis *r;
    uv_timer_t timer;
    int step;
    char got[64];
    int done;
} async_state;

static void on_get(redisReply *reply, void *ud)
{
    async_state *s = ud;
    assert_non_null(reply);
    assert_int_equal(reply->type, REDIS_REPLY_STRING);
    snprintf(s->got, sizeof(s->got), "%s", reply->str);
    s->done = 1;
}

static void on_tick(uv_timer_t *t)
{
    async_state *s = t->data;
    if (s->done || s->step > 200) {
        uv_timer_stop(t);
        uv_close((uv_handle_t *)t, NULL);
        edge_redis_destroy(s->r);
        return;
    }
    s->step++;
    if (s->step == 1 || !edge_redis_ready(s->r)) return;
    if (s->got[0] == '\0' && s->step < 1000) {
        const char *set[] = {"SET", "edge:test", "va\0lue"};
        size_t lens[] = {3, 9, 6};
        assert_int_equal(edge_redis_cmd(s->r, NULL, NULL, 3, set, lens), EDGE_OK);
        const char *get[] = {"GET", "edge:test"};
        assert_int_equal(edge_redis_cmd(s->r, on_get, s, 2, get, NULL), EDGE_OK);
        s->got[0] = '?';
        s->step = 1000;
    }
}

static void test_redis_async_roundtrip_with_auth_and_db(void **state)
{
    edge_config cfg;
    async_state s;
    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    memset(&s, 0, sizeof(s));
    snprintf(cfg.redis_url, sizeof(cfg.redis_url), "redis://:t3st@127.0.0.1:%s/2", TEST_PORT);
    s.loop = uv_default_loop();
    s.r = edge_redis_create(s.loop, &cfg);
    assert_non_null(s.r);
    uv_timer_init(s.loop, &s.timer);
    s.timer.data = &s;
    uv_timer_start(&s.timer, on_tick, 10, 10);
    uv_run(s.loop, UV_RUN_DEFAULT);
    assert_int_equal(s.done, 1);
    assert_string_equal(s.got, "va"); /* %s stops at the NUL: the value was stored binary-safe */
    /* it went to db 2 */
    assert_int_equal(system("test \"$(redis-cli -p " TEST_PORT
                            " -a t3st --no-auth-warning -n 2 strlen edge:test)\" = 6"),
                     0);
}

static void test_redis_get_sync(void **state)
{
    edge_config cfg;
    uv_loop_t loop;
    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    snprintf(cfg.redis_url, sizeof(cfg.redis_url), "redis://:t3st@127.0.0.1:%s/2", TEST_PORT);
    uv_loop_init(&loop);
    edge_redis *r = edge_redis_create(&loop, &cfg);
    assert_non_null(r);
    assert_int_equal(system("redis-cli -p " TEST_PORT
                            " -a t3st --no-auth-warning -n 2 set edge:s hi >/dev/null"),
                     0);
    char *v = edge_redis_get_sync(r, "edge:s");
    assert_non_null(v);
    assert_string_equal(v, "hi");
    free(v);
    assert_null(edge_redis_get_sync(r, "edge:missing"));
    edge_redis_destroy(r);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_redis_cmd_fails_when_not_connected(void **state)
{
    edge_config cfg;
    uv_loop_t loop;
    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    snprintf(cfg.redis_url, sizeof(cfg.redis_url), "redis://127.0.0.1:1/0"); /* nobody there */
    uv_loop_init(&loop);
    edge_redis *r = edge_redis_create(&loop, &cfg);
    assert_non_null(r);
    uv_run(&loop, UV_RUN_NOWAIT);
    const char *ping[] = {"PING"};
    assert_int_equal(edge_redis_ready(r), 0);
    assert_int_equal(edge_redis_cmd(r, NULL, NULL, 1, ping, NULL), EDGE_ERR);
    assert_null(edge_redis_get_sync(r, "x"));
    edge_redis_destroy(r);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    edge_log_level = EDGE_LOG_ERROR + 1; /* quiet */
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_url_full),
        cmocka_unit_test(test_url_defaults),
        cmocka_unit_test(test_url_user_and_ipv6),
        cmocka_unit_test(test_url_rejects_bad_input),
    };
    const struct CMUnitTest live[] = {
        cmocka_unit_test(test_redis_async_roundtrip_with_auth_and_db),
        cmocka_unit_test(test_redis_get_sync),
        cmocka_unit_test(test_redis_cmd_fails_when_not_connected),
    };
    int failed = cmocka_run_group_tests_name("redis_url", pure, NULL, NULL);
    failed += cmocka_run_group_tests_name("redis_live", live, start_server, stop_server);
    return failed;
}
