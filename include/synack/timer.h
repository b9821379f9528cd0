/* Application timers on the stack's clock. An embedding program (or an app such as the HTTP
 * server or the DNS resolver) arms deadlines here instead of keeping a clock of its own; the
 * stack's next deadline (synack_stack_poll) covers them. A timer's callback runs like a socket
 * handler: after the stack has finished its own work, so it may call any API. Like a socket handler
 * it is given `now` (the time of the entry point that ran it) and must not read a clock of its own.
 * Free every timer before the stack. */
#ifndef SYNACK_TIMER_H
#define SYNACK_TIMER_H

#include "synack/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct synack_timer synack_timer_t;
typedef void (*synack_timer_fn)(synack_stack_t *st, void *arg, synack_time_t now);

SYNACK_API synack_timer_t *synack_timer_new(synack_stack_t *st, synack_timer_fn fn, void *arg);
/* Arms (or re-arms) the timer to fire at `deadline` (absolute, the stack's clock). */
SYNACK_API void synack_timer_arm(synack_timer_t *t, synack_time_t deadline);
SYNACK_API void synack_timer_cancel(synack_timer_t *t);
SYNACK_API int synack_timer_armed(const synack_timer_t *t);
SYNACK_API void synack_timer_free(synack_timer_t *t);

#ifdef __cplusplus
}
#endif

#endif
