/* What edge_auth.c calls outside its pure part (Redis, PostgreSQL, the WebSocket table): the
 * harness never reaches it; if a call ever does, it aborts with the name. Logging is a no-op. */
#include <stdio.h>
#include <stdlib.h>

int edge_log_level = 100; /* above every level: EDGE_* log macros skip the call */

void edge_log_write(int level, const char *msg, ...);
void edge_log_write(int level, const char *msg, ...)
{
    (void)level;
    (void)msg;
}

#define UNREACHABLE(name)                                                      \
    void name(void);                                                           \
    void name(void)                                                            \
    {                                                                          \
        fprintf(stderr, "edge_stubs: %s is not part of the harness\n", #name); \
        abort();                                                               \
    }

UNREACHABLE(edge_pg_call)
UNREACHABLE(edge_redis_cmd)
UNREACHABLE(edge_redis_ready)
UNREACHABLE(edge_ws_admins)
UNREACHABLE(edge_ws_close_admin)
UNREACHABLE(edge_ws_recheck_sessions)
