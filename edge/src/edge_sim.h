/* Chat simulator: turns a validated SimulatedMessage into a Telegram Update and XADDs it to
 * {rt}:in, where real updates go.
 *
 * Usage: the simulateMessage row's handler (edge_api.c) validates the body and calls
 * edge_sim_handle; edge_sim_build_update is its pure part, unit-tested. */
#ifndef EDGE_SIM_H
#define EDGE_SIM_H

#include <time.h>
#include <jansson.h>

#define EDGE_SIM_FIRST_UPDATE_ID 9000000000000LL

/* Builds {"update_id","message":{"message_id","date","chat","from","text"}} from a body that
 * passed edge_schema_sim_message. chat.type is "private" for chat_id > 0, else "group".
 * Returns a new reference (caller decrefs) or NULL when out of memory. */
json_t *edge_sim_build_update(json_t *body, long long update_id, time_t now);

struct edge_req;

/* Role check (the row's sql), a fresh update id, XADD {rt}:in; answers 202 with
 * {"update_id","stream_id"}. body is borrowed (copied before any asynchronous call). */
void edge_sim_handle(struct edge_req *r, json_t *body);

#endif
