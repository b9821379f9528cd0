/* The public socket calls (include/synack/socket.h), dispatching to UDP or TCP.
 *
 * Every call that takes `now` runs inside the stack's entry bracket (stack_enter/stack_leave): what
 * it transmits is stamped with that time, and the socket events it raises (on any socket, even
 * through a link that hands a frame straight back) are delivered when the call's own work is done,
 * never in the middle of it. Calls without `now` neither transmit nor change timers. */
#include "base/errno.h"
#include "base/mem.h"

#include "core/ctx.h"
#include "socket/sock.h"
#include "tcp/tcp.h"
#include "udp/udp.h"

/* TCP binds implicitly too (connect, listen) and accept makes a named socket: the same. */
static void tcp_sync_name(struct sock *s)
{
    if (!s->conn)
        return;
    tcp_user_names(s->conn, &s->local, &s->remote);
    s->bound = s->local.port != 0;
}

/* The socket's pending error (SO_ERROR), taken: reported before what the transport would say. */
static int take_error(struct sock *s)
{
    int e = s->error;
    s->error = 0;
    return e;
}

/* UDP binds implicitly (sendto, connect): the socket's name follows its endpoint's. */
static void udp_sync_name(struct sock *s)
{
    s->bound = s->udp->bound;
    s->local.addr = s->udp->laddr;
    s->local.port = s->udp->lport;
}

/* A peer of the other family than the socket's name (RFC 3493 3.7 as sockets have it): a socket
 * bound to an IPv4 address or to 0.0.0.0 is IPv4's, one bound to a specific IPv6 address IPv6's;
 * bound to :: (or not bound) it reaches both, IPv4 as IPv4-mapped. */
static int family_clash(const struct sock *s, const struct synack_sockaddr *peer)
{
    if (!s->bound)
        return 0;
    const struct synack_ip *l = &s->local.addr;
    if (synack_ip_is_v4(l))
        return !synack_ip_is_v4(&peer->addr);
    return !synack_ip_is_unspecified(l) && synack_ip_is_v4(&peer->addr);
}

int synack_socket(synack_stack_t *st, enum synack_sock_type type)
{
    if (type != SYNACK_SOCK_DGRAM && type != SYNACK_SOCK_STREAM)
        return -EPROTONOSUPPORT;
    struct sock *s = sock_alloc(st, type);
    if (!s)
        return -ENOMEM;
    if (type == SYNACK_SOCK_STREAM ? !(s->conn = tcp_user_open(st, s)) : !(s->udp = udp_open(st, s))) {
        sock_release(st, s);
        return -ENOMEM;
    }
    return s->id;
}

int synack_bind(synack_stack_t *st, int id, const struct synack_sockaddr *local)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    if (!local)
        return -EINVAL;
    if (s->type == SYNACK_SOCK_DGRAM) {
        int r = udp_bind(st, s->udp, local);
        udp_sync_name(s);
        return r;
    }
    if (!s->conn)
        return -EINVAL;
    int r = tcp_user_bind(st, s->conn, local);
    tcp_sync_name(s);
    return r;
}

int synack_getsockname(synack_stack_t *st, int id, struct synack_sockaddr *out)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    *out = s->local;
    return 0;
}

int synack_getpeername(synack_stack_t *st, int id, struct synack_sockaddr *out)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    if (s->type == SYNACK_SOCK_DGRAM ? !s->connected : !(s->conn && tcp_user_connected(s->conn)))
        return -ENOTCONN;
    *out = s->remote;
    return 0;
}

int synack_close(synack_stack_t *st, int id, synack_time_t now)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    stack_enter(st, now);
    if (s->type == SYNACK_SOCK_STREAM && s->conn) {
        tcp_user_close(st, s->conn, now);
        s->conn = NULL;
    }
    sock_release(st, s);
    stack_leave(st);
    return 0;
}

int synack_sendto(synack_stack_t *st, int id, const void *data, size_t len, const struct synack_sockaddr *dst,
                  synack_time_t now)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    if (s->type != SYNACK_SOCK_DGRAM)
        return -EOPNOTSUPP;
    if (dst && family_clash(s, dst))
        return -EAFNOSUPPORT;
    stack_enter(st, now);
    int r = udp_sendto(st, s->udp, data, len, dst, now);
    udp_sync_name(s);
    stack_leave(st);
    return r;
}

int synack_recvfrom(synack_stack_t *st, int id, void *buf, size_t cap, struct synack_sockaddr *src,
                    synack_time_t now)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    if (s->type != SYNACK_SOCK_DGRAM)
        return -EOPNOTSUPP;
    if (s->error)
        return take_error(s);
    return udp_recvfrom(st, s->udp, buf, cap, src);
}

unsigned synack_socket_events(synack_stack_t *st, int id)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return SYNACK_EV_ERR;
    if (s->type == SYNACK_SOCK_STREAM)
        return (s->conn ? tcp_user_events(s->conn) : SYNACK_EV_ERR | SYNACK_EV_HUP) |
               (s->error ? SYNACK_EV_ERR | SYNACK_EV_IN : 0);
    unsigned ev = SYNACK_EV_OUT;
    if (udp_readable(s->udp))
        ev |= SYNACK_EV_IN;
    if (s->error)
        ev |= SYNACK_EV_ERR | SYNACK_EV_IN;
    return ev;
}

int synack_socket_set_handler(synack_stack_t *st, int id, synack_socket_handler_fn fn, void *arg)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    s->handler = fn;
    s->handler_arg = arg;
    return 0;
}

int synack_socket_error(synack_stack_t *st, int id)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    return take_error(s);
}

int synack_connect(synack_stack_t *st, int id, const struct synack_sockaddr *peer, synack_time_t now)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    if (!peer)
        return -EINVAL;
    if (family_clash(s, peer))
        return -EAFNOSUPPORT;
    if (s->type == SYNACK_SOCK_STREAM) {
        stack_enter(st, now);
        int r = s->conn ? tcp_user_connect(st, s->conn, peer, now) : -EBADF;
        tcp_sync_name(s);
        stack_leave(st);
        return r;
    }
    /* UDP: set the default destination and filter what is received (BSD connect on a datagram
     * socket); binds an ephemeral port if needed. */
    int r = udp_connect(st, s->udp, peer);
    udp_sync_name(s);
    if (r)
        return r;
    s->remote = *peer;
    s->connected = 1;
    return 0;
}

#define TCP_SOCK_OR_FAIL(st, id, s) \
    struct sock *s = sock_get(st, id); \
    if (!s) \
        return -EBADF; \
    if (s->type != SYNACK_SOCK_STREAM) \
        return -EOPNOTSUPP

int synack_listen(synack_stack_t *st, int id, int backlog)
{
    TCP_SOCK_OR_FAIL(st, id, s);
    if (!s->conn)
        return -EBADF;
    int r = tcp_user_listen(st, s->conn, backlog);
    tcp_sync_name(s);
    return r;
}

int synack_accept(synack_stack_t *st, int id, struct synack_sockaddr *peer, synack_time_t now)
{
    TCP_SOCK_OR_FAIL(st, id, s);
    if (!s->conn)
        return -EINVAL;
    int r = tcp_user_accept_ready(s->conn);
    if (r)
        return r;
    struct sock *ns = sock_alloc(st, SYNACK_SOCK_STREAM);
    if (!ns)
        return -ENOMEM;
    stack_enter(st, now);
    ns->conn = tcp_user_accept(st, s->conn, ns);
    tcp_sync_name(ns);
    if (peer)
        *peer = ns->remote;
    stack_leave(st);
    return ns->id;
}

int synack_send_flags(synack_stack_t *st, int id, const void *data, size_t len, unsigned flags, synack_time_t now)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    if (flags & ~(SYNACK_MSG_MORE | SYNACK_MSG_OOB))
        return -EINVAL;
    if (s->type == SYNACK_SOCK_DGRAM)
        return flags ? -EINVAL : synack_sendto(st, id, data, len, NULL, now);
    if (!s->conn)
        return -EBADF;
    if (s->error)
        return take_error(s);
    stack_enter(st, now);
    int r = tcp_user_send(st, s->conn, data, len, flags, now);
    stack_leave(st);
    return r;
}

int synack_send(synack_stack_t *st, int id, const void *data, size_t len, synack_time_t now)
{
    return synack_send_flags(st, id, data, len, 0, now);
}

int synack_recv(synack_stack_t *st, int id, void *buf, size_t cap, synack_time_t now)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    if (s->type == SYNACK_SOCK_DGRAM)
        return synack_recvfrom(st, id, buf, cap, NULL, now);
    if (!s->conn)
        return -EBADF;
    stack_enter(st, now);
    int r = tcp_user_recv(st, s->conn, buf, cap, now);   /* may send a window update */
    stack_leave(st);
    /* Data already received comes before the error; the error before end-of-stream. */
    return r <= 0 && s->error ? take_error(s) : r;
}

int synack_shutdown(synack_stack_t *st, int id, int how, synack_time_t now)
{
    TCP_SOCK_OR_FAIL(st, id, s);
    if (!s->conn)
        return -EBADF;
    stack_enter(st, now);
    int r = tcp_user_shutdown(st, s->conn, how, now);
    stack_leave(st);
    return r;
}

int synack_setsockopt(synack_stack_t *st, int id, enum synack_sockopt opt, int value, synack_time_t now)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    if (s->type == SYNACK_SOCK_DGRAM)
        return udp_setopt(s->udp, (int)opt, value);
    /* TCP_NODELAY sends what Nagle held back; SO_KEEPALIVE and the TCP_KEEP* options re-arm the
     * keepalive timer from the stack's time, which the bracket sets to `now`. */
    if (!s->conn)
        return -EBADF;
    stack_enter(st, now);
    int r = tcp_user_setopt(st, s->conn, (int)opt, value);
    stack_leave(st);
    return r;
}

int synack_getsockopt(synack_stack_t *st, int id, enum synack_sockopt opt, int *value)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    if (s->type == SYNACK_SOCK_DGRAM)
        return udp_getopt(s->udp, (int)opt, value);
    if (!s->conn)
        return -EBADF;
    return tcp_user_getopt(s->conn, (int)opt, value);
}

int synack_tcp_set_congestion(synack_stack_t *st, int id, const char *name, synack_time_t now)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    if (s->type != SYNACK_SOCK_STREAM)
        return -ENOPROTOOPT;
    if (!s->conn)
        return -EBADF;
    if (!name)
        return -EINVAL;
    stack_enter(st, now);
    int r = tcp_user_set_congestion(s->conn, name);
    stack_leave(st);
    return r;
}

int synack_tcp_get_congestion(synack_stack_t *st, int id, char *buf, size_t cap)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    if (s->type != SYNACK_SOCK_STREAM)
        return -ENOPROTOOPT;
    if (!s->conn)
        return -EBADF;
    const char *n = tcp_user_congestion(s->conn);
    size_t len = strlen(n);
    if (len + 1 > cap)
        return -ENOSPC;
    memcpy(buf, n, len + 1);
    return 0;
}

const char *synack_tcp_congestion_names(char *buf, size_t cap) { return tcp_congestion_names(buf, cap); }

int synack_tcp_info(synack_stack_t *st, int id, struct synack_tcp_info *out)
{
    struct sock *s = sock_get(st, id);
    if (!s)
        return -EBADF;
    if (s->type != SYNACK_SOCK_STREAM || !s->conn)
        return -EOPNOTSUPP;
    tcp_user_info(s->conn, out);
    return 0;
}

int synack_tcp_urgent(synack_stack_t *st, int id)
{
    TCP_SOCK_OR_FAIL(st, id, s);
    if (!s->conn)
        return -EBADF;
    uint32_t n = tcp_user_urgent(s->conn);
    return (int)(n > 0x7fffffff ? 0x7fffffff : n);
}
