/* The control socket of a running synack process (serve, nc): a UNIX stream socket that answers
 * one command per connection. `ss` lists TCP connections like `ss -tan`; `counters` prints the
 * stack's counters. `synack ss` is the client.
 *
 * By default the socket is in the abstract namespace ("@synack-DEV": no file), which Linux keeps
 * per network namespace, as it keeps device names: a process on tap0 in one namespace and another
 * on tap0 in a second one each have their own socket, and `synack ss --dev tap0` reaches the one
 * of its own namespace. An abstract socket vanishes with its process, so none is ever stale. A
 * path given with --ctl is a file: it is taken over only when no live process answers on it, and
 * removed at exit only if it is still the one we created. */
#ifndef TOOLS_CONTROL_H
#define TOOLS_CONTROL_H

#include <stdio.h>

#include "synack/synack.h"
#include "synack/os.h"

struct control;
/* Default address for a device: "@synack-NAME" (abstract, per network namespace). */
void control_default_path(char *buf, size_t cap, const char *ifname);
/* Fills a sockaddr_un for path ("@name" is abstract) and returns its length, or -1 if too long. */
struct sockaddr_un;
int control_sockaddr(const char *path, struct sockaddr_un *a);
/* Listens on path and registers with the driver. Returns NULL (message printed) on failure. */
struct control *control_open(const char *path, synack_stack_t *st, synack_driver_t *drv);
void control_close(struct control *c);
/* serve --threads: listings and counters cover every shard (stacks[k] is shard k's; the control
 * socket runs on shard 0's thread, and reads the others' stacks through synack_shards_call). */
void control_set_shards(struct control *c, synack_shards_t *g, synack_stack_t *const *stacks);
/* Writes the `ss -tan`-style listing of st to f. */
void control_write_ss(synack_stack_t *st, FILE *f, synack_time_t now);
/* The header line of that listing (synack ss prints it alone when no process answers). */
void control_ss_header(FILE *f);

#endif
