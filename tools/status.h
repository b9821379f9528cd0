/* The live status page of a running synack process: every socket with its state, queues, RTT and
 * cwnd (the netstat view, half-open connections counted), the stack's counters, and SVG ladders of
 * the most recent connections, as HTML that refreshes itself (/status) and as JSON (/status.json).
 * A trace consumer records the recent connections' segments as they pass. */
#ifndef TOOLS_STATUS_H
#define TOOLS_STATUS_H

#include <stddef.h>
#include <stdio.h>

#include "synack/synack.h"

struct status;

/* keep: how many recent connections to keep ladders of. */
struct status *status_new(synack_stack_t *st, unsigned keep);
void status_free(struct status *s);
/* Feed every trace event of the stack here. */
void status_on_trace(struct status *s, const struct synack_trace_event *ev);
/* Extra section writers (e.g. the HTTP server's counters): called while rendering. */
typedef void (*status_extra_fn)(void *arg, FILE *f, int json);
void status_set_extra(struct status *s, status_extra_fn fn, void *arg);
/* Renders `path` ("/status" or "/status.json"). Returns a malloc'd body (caller frees) and sets
 * *len and *ctype, or returns NULL for any other path. */
char *status_render(struct status *s, const char *path, size_t *len, const char **ctype, synack_time_t now);

#endif
