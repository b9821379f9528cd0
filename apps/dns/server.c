/* The authoritative server's socket side (see server.h): datagrams in, dns_respond, datagrams out.
 * The answer itself is respond.c's pure function.
 *
 * The socket handler drains the socket with the `now` the stack gives it (no clock of its own), so
 * simulations stay exact. */
#include "server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "respond.h"
#include "server_int.h"
#include "zone.h"

void dns_server_count_answer(struct dns_server *s, const struct dns_respond_info *info, int ancount, int ok)
{
    if (!ok) {
        s->stats.send_errors++;
        return;
    }
    s->stats.answered++;
    switch (info->rcode) {
    case DNS_R_NXDOMAIN: s->stats.nxdomain++; break;
    case DNS_R_REFUSED: s->stats.refused++; break;
    case DNS_R_FORMERR: s->stats.formerr++; break;
    case DNS_R_NOTIMP: s->stats.notimp++; break;
    case DNS_R_BADVERS: s->stats.badvers++; break;
    case DNS_R_NOERROR:
        if (!ancount && !info->referral)
            s->stats.nodata++;
        break;
    }
    s->stats.referrals += (uint64_t)info->referral;
    s->stats.truncated += (uint64_t)info->truncated;
}

static void on_socket(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    struct dns_server *s = arg;
    s->now = now;
    for (;;) {
        struct synack_sockaddr from;
        int n = synack_recvfrom(st, s->sock, s->in, sizeof(s->in), &from, now);
        if (n == -EAGAIN)
            break;
        if (n < 0)
            continue;   /* a pending ICMP error for an earlier answer: nothing to do */
        s->stats.queries++;
        struct dns_respond_info info;
        int len = dns_respond(s->zone, s->in, (size_t)n, s->out, sizeof(s->out), &info);
        if (len < 0) {
            struct dns_header h;
            if (dns_header_read(s->in, (size_t)n, &h) == 0 && (h.flags & DNS_F_QR))
                s->stats.responses++;
            else
                s->stats.malformed++;
            continue;
        }
        int ancount = s->out[6] << 8 | s->out[7];
        dns_server_count_answer(s, &info, ancount, synack_sendto(st, s->sock, s->out, (size_t)len, &from, now) == len);
    }
}

struct dns_server *dns_server_start(synack_stack_t *st, const char *zone_path, uint16_t port, char *err,
                                    size_t errcap)
{
    struct dns_server *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    s->st = st;
    s->sock = -1;
    s->tcp_listener = -1;
    if (dns_zone_load(zone_path, &s->zone, err, errcap) != 0)
        goto fail;
    dns_name_to_text(&s->zone->origin, s->origin, sizeof(s->origin));
    s->sock = synack_socket(st, SYNACK_SOCK_DGRAM);
    if (s->sock < 0) {
        snprintf(err, errcap, "cannot create the DNS socket: %s", synack_strerror(s->sock));
        goto fail;
    }
    struct synack_sockaddr a = { synack_ip_any6(), port };
    int r = synack_bind(st, s->sock, &a);
    if (r < 0) {
        snprintf(err, errcap, "cannot bind UDP port %u: %s", port, synack_strerror(r));
        goto fail;
    }
    synack_socket_set_handler(st, s->sock, on_socket, s);
    r = dns_server_tcp_start(s, port);
    if (r < 0) {
        snprintf(err, errcap, "cannot listen on TCP port %u: %s", port, synack_strerror(r));
        goto fail;
    }
    return s;
fail:
    dns_server_stop(s);
    return NULL;
}

void dns_server_stop(struct dns_server *s)
{
    if (!s)
        return;
    dns_server_tcp_stop(s);
    if (s->sock >= 0)
        synack_close(s->st, s->sock, s->now);   /* closing UDP sends nothing: the last time seen will do */
    dns_zone_free(s->zone);
    free(s);
}

uint64_t dns_server_answered(const struct dns_server *s) { return s->stats.answered; }
uint64_t dns_server_dropped(const struct dns_server *s)
{
    return s->stats.malformed + s->stats.responses + s->stats.send_errors;
}
void dns_server_stats(const struct dns_server *s, struct dns_server_stats *out) { *out = s->stats; }
const char *dns_server_origin(const struct dns_server *s) { return s->origin; }
int dns_server_socket(const struct dns_server *s) { return s->sock; }
