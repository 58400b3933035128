/* Start-up work against the database, retried until it commits: the seeded providers (with
 * OPENAI_API_KEY / DEEPSEEK_API_KEY sealed by Fernet first) and, without a Telegram token, the
 * simulator's demo bot identity (bot.id 1, bot.username roundtable_demo_bot) when none is set.
 *
 *   edge_setup_start(ctx);   // after ctx->pg_work and ctx->fernet exist
 *   edge_setup_stop();
 */
#ifndef EDGE_SETUP_H
#define EDGE_SETUP_H

#include "edge.h"

#define EDGE_DEMO_BOT_ID "1"
#define EDGE_DEMO_BOT_USERNAME "roundtable_demo_bot"

int edge_setup_start(edge_ctx *ctx);
void edge_setup_stop(void);

#endif
