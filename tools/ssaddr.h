/* Socket addresses as `ss` prints them, shared by `synack ss` (control.c) and the status page
 * (status.c): IPv4 as "192.0.2.1:80", IPv6 in brackets as "[2001:db8::2]:80"; the unspecified
 * address as Linux's ss writes it (iproute2): "0.0.0.0" for IPv4, "*" for an IPv6 socket that also
 * takes IPv4 (a dual-stack listener: "*:80"), "[::]" for one with IPV6_V6ONLY; port 0 as "*". */
#ifndef TOOLS_SSADDR_H
#define TOOLS_SSADDR_H

#include <stddef.h>

#include "synack/synack.h"

/* One end. v6only: the socket has IPV6_V6ONLY (only matters for ::). */
void ssaddr_format(char *buf, size_t cap, const struct synack_sockaddr *a, int v6only);
/* Both ends of a connection's snapshot: a listener's peer takes its local address's family
 * ("0.0.0.0:*", "*:*", "[::]:*"). cap: SYNACK_SOCKADDR_STRLEN suffices for each. */
void ssaddr_ends(const struct synack_tcp_info *i, int v6only, char *local, char *remote, size_t cap);
/* Whether the socket behind a snapshot has IPV6_V6ONLY (asked only of a socket bound to ::, the
 * one case where it changes the text). Not from inside synack_tcp_foreach(): it calls the stack. */
int ssaddr_v6only(synack_stack_t *st, const struct synack_tcp_info *i);

#endif
