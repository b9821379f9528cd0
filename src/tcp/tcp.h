/* TCP as the rest of the stack sees it: the per-stack table, segment input from IPv4, ICMP errors,
 * and the socket operations. The state machine lives behind this header. */
#ifndef TCP_TCP_H
#define TCP_TCP_H

#include <stdint.h>

#include "net/net.h"
#include "synack/socket.h"


/* What TCP tells the layer above about a connection that layer owns (c->owner), registered by the
 * socket layer (tcp_set_upcalls). TCP never calls the socket layer by name. */
struct tcp_upcalls {
    void (*event)(synack_stack_t *st, void *owner);           /* readiness may have changed */
    void (*error)(synack_stack_t *st, void *owner, int err);  /* a pending error (SO_ERROR) */
    void (*detach)(synack_stack_t *st, void *owner);          /* the connection is freed */
    int (*handle)(void *owner);                               /* the owner's handle (tcp_info) */
};
void tcp_set_upcalls(synack_stack_t *st, const struct tcp_upcalls *up);
struct tcp_conn;
/* Frees a connection its socket still holds, sending nothing (the stack is being torn down). */
void tcp_conn_release(struct tcp_conn *c);

int tcp_table_new(synack_stack_t *st);
void tcp_table_free(synack_stack_t *st);
/* Sends the ACKs coalesced during a batch (synack_stack_batch_end). */
void tcp_flush_acks(synack_stack_t *st, synack_time_t now);
/* The handlers TCP registers with IP (struct net_proto): a received segment, and an ICMP error
 * about one we sent. */
void tcp_input(synack_stack_t *st, const struct net_rx *rx, const uint8_t *p, size_t len, synack_time_t now);
int tcp_net_error(synack_stack_t *st, const struct net_err *err, synack_time_t now);

/* The user calls (RFC 9293 3.10), made by the socket layer on the connection its socket holds.
 * Each returns 0 (or a count) or a negative errno with BSD's meaning; none reads the socket's
 * pending error, which the socket layer keeps and reports first. */
struct tcp_conn *tcp_user_open(synack_stack_t *st, void *owner);
int tcp_user_bind(synack_stack_t *st, struct tcp_conn *c, const struct synack_sockaddr *local);
int tcp_user_connect(synack_stack_t *st, struct tcp_conn *c, const struct synack_sockaddr *peer, synack_time_t now);
int tcp_user_listen(synack_stack_t *st, struct tcp_conn *c, int backlog);
/* 0 if an established connection waits on listener l, -EAGAIN if none, -EINVAL if l does not listen. */
int tcp_user_accept_ready(const struct tcp_conn *l);
/* Takes the first established connection off l's accept queue for `owner` (NULL if none). */
struct tcp_conn *tcp_user_accept(synack_stack_t *st, struct tcp_conn *l, void *owner);
/* Queues data and sends what may go. flags: SYNACK_MSG_MORE, more follows at once, hold a partial
 * segment as TCP_CORK does until a send without it; SYNACK_MSG_OOB, the data is urgent (SND.UP after
 * its last octet, RFC 9293 3.8.5). */
int tcp_user_send(synack_stack_t *st, struct tcp_conn *c, const void *data, size_t len, unsigned flags,
                  synack_time_t now);
int tcp_user_recv(synack_stack_t *st, struct tcp_conn *c, void *buf, size_t cap, synack_time_t now);
int tcp_user_shutdown(synack_stack_t *st, struct tcp_conn *c, int how, synack_time_t now);
/* The owner lets go: the connection closes on its own (or is freed). c must not be used after. */
void tcp_user_close(synack_stack_t *st, struct tcp_conn *c, synack_time_t now);
int tcp_user_setopt(synack_stack_t *st, struct tcp_conn *c, int opt, int v);
int tcp_user_getopt(const struct tcp_conn *c, int opt, int *v);
int tcp_user_connected(const struct tcp_conn *c);
/* Octets from the application's read position to the end of the peer's urgent data (RFC 9293
 * 3.8.5 MUST-33), 0 when none is pending. */
uint32_t tcp_user_urgent(const struct tcp_conn *c);
/* Readiness bits (SYNACK_EV_*) from the connection's state and queues. */
unsigned tcp_user_events(const struct tcp_conn *c);
/* The connection's local and remote addresses. */
void tcp_user_names(const struct tcp_conn *c, struct synack_sockaddr *local, struct synack_sockaddr *remote);
void tcp_user_info(const struct tcp_conn *c, struct synack_tcp_info *out);
/* Congestion control by name (tcp_cc.c): -ENOENT for an unknown one. */
int tcp_user_set_congestion(struct tcp_conn *c, const char *name);
const char *tcp_user_congestion(const struct tcp_conn *c);
/* The known names, space-separated. */
const char *tcp_congestion_names(char *buf, size_t cap);

#endif
