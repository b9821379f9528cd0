/* Internals shared by the DNS server's UDP side (server.c) and its TCP side (server_tcp.c). */
#ifndef APPS_DNS_SERVER_INT_H
#define APPS_DNS_SERVER_INT_H

#include "msg.h"
#include "respond.h"
#include "server.h"
#include "zone.h"

struct dns_tcp_conn;

struct dns_server {
    synack_stack_t *st;
    struct dns_zone *zone;
    int sock;
    int tcp_listener;
    struct dns_tcp_conn *tcp_conns;
    unsigned ntcp;
    struct dns_server_stats stats;
    synack_time_t now;          /* the latest time the stack gave us */
    char origin[DNS_MAX_TEXT];
    uint8_t in[65536];
    uint8_t out[65535];         /* one answer at a time: up to DNS_EDNS_SIZE over UDP, 65535 over TCP */
};

/* Counts a response sent (ok) or not. */
void dns_server_count_answer(struct dns_server *s, const struct dns_respond_info *info, int ancount, int ok);
/* Listens on TCP `port` (if 0: the UDP socket's port). Returns 0 or a negative errno. */
int dns_server_tcp_start(struct dns_server *s, uint16_t port);
/* Closes every TCP connection and the listener. */
void dns_server_tcp_stop(struct dns_server *s);

#endif
