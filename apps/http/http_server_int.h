/* Internals shared by the server's listener (http_server.c) and its connections (http_conn.c). */
#ifndef APPS_HTTP_SERVER_INT_H
#define APPS_HTTP_SERVER_INT_H

#include "http_parse.h"
#include "http_reply.h"
#include "http_server.h"
#include "http_static.h"

#define HTTP_OUT_CAP 65536

enum http_conn_state {
    HC_READ,     /* waiting for (the rest of) a request head */
    HC_WRITE,    /* sending a response */
    HC_LINGER,   /* our FIN sent; reading until the peer's, so unread input cannot turn into a RST */
};

struct http_conn {
    struct http_server *srv;
    int sock;
    struct synack_sockaddr peer;
    synack_timer_t *timer;
    enum http_conn_state state;
    int refused;                /* a 503 connection (not counted against max_conns) */
    char *in;                   /* request bytes received and not yet consumed */
    size_t in_len, in_cap;
    size_t in_scanned;          /* bytes already offered to the parser without a complete head */
    int peer_eof;
    uint64_t body_left;         /* Content-Length body of the last request still to discard */
    int body_chunked;
    struct http_chunked chunked;
    uint64_t body_seen;
    synack_time_t head_start;   /* first byte of the request being received (0: none yet) */
    synack_time_t last_progress;
    unsigned nresp;             /* responses completed on this connection */
    /* the response being sent */
    char out[HTTP_OUT_CAP];
    size_t out_off, out_len;
    int fd;
    uint64_t file_off, file_left;
    int close_after;
    int status;
    uint64_t body_bytes;
    char logline[256];
    struct http_conn *prev, *next;
};

struct http_server {
    synack_stack_t *st;
    struct http_server_config cfg;
    struct http_static_root root;
    struct http_limits limits;
    int listener;
    struct http_conn *conns;
    unsigned nconns, nrefused;
    struct http_server_stats stats;
};

/* Takes a newly accepted socket; refused: answer 503 and close. */
void http_conn_new(struct http_server *s, int sock, const struct synack_sockaddr *peer, int refused, synack_time_t now);
/* Aborts the connection (RST) and frees it. */
void http_conn_abort(struct http_conn *c, synack_time_t now);

#endif
