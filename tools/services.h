/* The small TCP services `synack serve` runs: echo (RFC 862, port 7) and discard (RFC 863,
 * port 9), written against the public socket API as any embedding program would. */
#ifndef TOOLS_SERVICES_H
#define TOOLS_SERVICES_H

#include "synack/synack.h"

struct svc;
/* Starts TCP echo on 7 and discard on 9. Returns the service set, or NULL with *err set. */
struct svc *services_start_tcp(synack_stack_t *st, int *err);
/* Closes every service connection and listener (for a clean stop). */
void services_stop_tcp(struct svc *s);

#endif
