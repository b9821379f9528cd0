/* TCP as the rest of the stack sees it: the per-stack table, segment input from IPv4, ICMP errors,
 * and the socket operations. The state machine lives behind this header. */
#ifndef TCP_TCP_H
#define TCP_TCP_H

#include <stdint.h>

#include "net/net.h"
#include "synack/socket.h"

struct sock;

/* What TCP tells the layer above about a connection that layer owns (c->owner), registered by the
 * socket layer (tcp_set_upcalls). TCP never calls the socket layer by name. */
struct tcp_upcalls {
    void (*event)(synack_stack_t *st, void *owner);           /* readiness may have changed */
    void (*error)(synack_stack_t *st, void *owner, int err);  /* a pending error (SO_ERROR) */
    void (*detach)(synack_stack_t *st, void *owner);          /* the connection is freed */
};
void tcp_set_upcalls(synack_stack_t *st, const struct tcp_upcalls *up);
/* Frees a connection its socket still holds, sending nothing (the stack is being torn down). */
struct tcp_conn;
void tcp_conn_release(struct tcp_conn *c);

int tcp_table_new(synack_stack_t *st);
void tcp_table_free(synack_stack_t *st);
/* Sends the ACKs coalesced during a batch (synack_stack_batch_end). */
void tcp_flush_acks(synack_stack_t *st, synack_time_t now);
/* The handlers TCP registers with IP (struct net_proto): a received segment, and an ICMP error
 * about one we sent. */
void tcp_input(synack_stack_t *st, const struct net_rx *rx, const uint8_t *p, size_t len, synack_time_t now);
void tcp_net_error(synack_stack_t *st, const struct net_err *err, synack_time_t now);

int tcp_sock_open(synack_stack_t *st, struct sock *s);
int tcp_sock_bind(synack_stack_t *st, struct sock *s, const struct synack_sockaddr *local);
int tcp_sock_connect(synack_stack_t *st, struct sock *s, const struct synack_sockaddr *peer, synack_time_t now);
int tcp_sock_listen(synack_stack_t *st, struct sock *s, int backlog);
int tcp_sock_accept(synack_stack_t *st, struct sock *s, struct synack_sockaddr *peer, synack_time_t now);
int tcp_sock_send(synack_stack_t *st, struct sock *s, const void *data, size_t len, synack_time_t now);
int tcp_sock_recv(synack_stack_t *st, struct sock *s, void *buf, size_t cap, synack_time_t now);
int tcp_sock_shutdown(synack_stack_t *st, struct sock *s, int how, synack_time_t now);
int tcp_sock_setopt(synack_stack_t *st, struct sock *s, int opt, int v);
int tcp_sock_getopt(synack_stack_t *st, struct sock *s, int opt, int *v);
void tcp_sock_close(synack_stack_t *st, struct sock *s, synack_time_t now);
int tcp_sock_connected(const struct sock *s);
unsigned tcp_sock_events(synack_stack_t *st, struct sock *s);

#endif
