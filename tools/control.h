/* The control socket of a running synack process (serve, nc): a UNIX stream socket that answers
 * one command per connection. `ss` lists TCP connections like `ss -tan`; `counters` prints the
 * stack's counters. `synack ss` is the client. */
#ifndef TOOLS_CONTROL_H
#define TOOLS_CONTROL_H

#include <stdio.h>

#include "synack/synack.h"
#include "synack/os.h"

struct control;
/* Default path for a device: /run/synack-NAME.sock (or /tmp if /run is not writable). */
void control_default_path(char *buf, size_t cap, const char *ifname);
/* Listens on path and registers with the driver. Returns NULL (message printed) on failure. */
struct control *control_open(const char *path, synack_stack_t *st, synack_driver_t *drv);
void control_close(struct control *c);
/* Writes the `ss -tan`-style listing of st to f. */
void control_write_ss(synack_stack_t *st, FILE *f, synack_time_t now);

#endif
