/** @file
 * Application timers on the stack's clock. An embedding program (or an app such as the HTTP
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

/** An application timer: opaque, owned by the program, which frees it with synack_timer_free(). */
typedef struct synack_timer synack_timer_t;
/** What a timer calls when it fires (once per arming; re-arm it from here for a periodic timer).
 * @param st  the stack the timer belongs to
 * @param arg the pointer given to synack_timer_new()
 * @param now the time of the entry point that ran the callback (synack_stack_poll() or any other);
 *            at or after the deadline */
typedef void (*synack_timer_fn)(synack_stack_t *st, void *arg, synack_time_t now);

/** Creates a timer, not armed.
 * @param st  the stack whose clock and deadline it joins
 * @param fn  called when the timer fires
 * @param arg passed to @p fn
 * @return the timer, or NULL if the stack's allocator is out of memory */
SYNACK_API synack_timer_t *synack_timer_new(synack_stack_t *st, synack_timer_fn fn, void *arg);
/** Arms (or re-arms) the timer to fire at `deadline` (absolute, the stack's clock). A timer that
 * had fired but whose callback has not run yet is re-armed instead: the callback runs once, at the
 * new deadline. A deadline in the past fires at the next entry into the stack.
 * @param t        the timer
 * @param deadline when to fire, absolute, in the stack's microseconds */
SYNACK_API void synack_timer_arm(synack_timer_t *t, synack_time_t deadline);
/** Disarms the timer; its callback will not run (also if it had fired and waited to run). Safe on
 * a timer that is not armed.
 * @param t the timer */
SYNACK_API void synack_timer_cancel(synack_timer_t *t);
/** Whether the timer's callback is still to come.
 * @param t the timer
 * @return nonzero if armed, or fired with its callback not yet run; 0 otherwise (also from inside
 *         its own callback, until re-armed) */
SYNACK_API int synack_timer_armed(const synack_timer_t *t);
/** Cancels and frees a timer. Call it before synack_stack_free() of its stack; it may be called
 * from the timer's own callback.
 * @param t the timer; NULL is allowed and does nothing */
SYNACK_API void synack_timer_free(synack_timer_t *t);

#ifdef __cplusplus
}
#endif

#endif
