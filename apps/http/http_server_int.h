/* Internals shared by the server's listener (http_server.c) and its connections (http_conn.c). */
#ifndef APPS_HTTP_SERVER_INT_H
#define APPS_HTTP_SERVER_INT_H

#include "http_cache.h"
#include "http_parse.h"
#include "http_reply.h"
#include "http_server.h"
#include "http_static.h"

#define HTTP_IN_FIRST 1024   /* the first input buffer: a typical request head fits */

enum http_conn_state {
    HC_READ,     /* waiting for (the rest of) a request head, or reading a body before answering */
    HC_WRITE,    /* sending a response */
    HC_LINGER,   /* our FIN sent; reading until the peer's, so unread input cannot turn into a RST */
};

/* The response being sent: allocated when it starts, freed when it ends, sized to its head (the
 * pieces of its body point into memory the reply owns, or into its file). */
struct http_out {
    int status;
    int close_after;
    char *head;                 /* the head and a short page, right after this struct */
    size_t head_len, head_off;
    struct http_piece *piece;   /* the body, after the head */
    unsigned npieces, i;
    uint64_t poff;              /* bytes of piece i sent */
    struct http_file *file;     /* the file the pieces without memory are read from, or NULL */
    char *text;                 /* owned memory pieces point into */
    char *chunk;                /* file bytes read and not yet sent (at most cfg.conn_buffer) */
    size_t chunk_cap, chunk_off, chunk_len;
};

/* One connection. What an idle keep-alive connection holds is this struct and its timer: the
 * input buffer exists only while a request is partly received, the output only while a response
 * is being sent. */
struct http_conn {
    struct http_server *srv;
    int sock;
    enum http_conn_state state;
    struct synack_sockaddr peer;
    synack_timer_t *timer;
    synack_time_t deadline;     /* of the current state (arm_timer) */
    synack_time_t timer_at;     /* what the timer is armed for (no later than deadline), 0: not */
    unsigned char refused;      /* a 503 connection (not counted against max_conns) */
    unsigned char peer_eof;
    unsigned char body_chunked;
    char *in;                   /* request bytes received and not yet consumed; NULL when none */
    unsigned char in_borrowed;  /* `in` is the server's rx, lent for one run of the connection */
    size_t in_len, in_cap;
    size_t in_scanned;          /* bytes already offered to the parser without a complete head */
    uint64_t body_left;         /* Content-Length body of the last request still to discard */
    uint64_t body_seen;
    struct http_chunked chunked;
    synack_time_t head_start;   /* first byte of the request being received (0: none yet) */
    synack_time_t last_progress;
    unsigned nresp;             /* responses completed on this connection */
    struct http_out *out;       /* the response being sent, or NULL */
    struct http_pending *pending;   /* a reply held until its request's chunked body is read */
    struct http_conn *prev, *next;
};

struct http_server {
    synack_stack_t *st;
    struct http_server_config cfg;
    struct http_static_root root;
    struct http_cache cache;
    struct http_limits limits;
    int listener;
    struct http_conn *conns;
    unsigned nconns, nrefused;
    struct http_server_stats stats;
    /* Scratch for one request at a time: handlers never run inside one another. rx is the input
     * buffer of the connection being run while it has none of its own (http_conn.c). */
    char rx[HTTP_IN_FIRST];
    struct http_request req;
    struct http_reply reply;
    /* Date for the responses of one second, formatted once. */
    int64_t date_sec;
    size_t date_len;
    char date[40];
    /* The access log, written in batches: lines gather here and go out when the buffer is nearly
     * full or log_timer fires (a second after the first line waiting). */
    char *log;
    size_t log_len;
    synack_timer_t *log_timer;
    int64_t log_sec;            /* the second log_date was formatted for */
    char log_date[40];
};

/* Writes the access log's buffered lines. */
void http_log_flush(struct http_server *s);

/* Takes a newly accepted socket; refused: answer 503 and close. */
void http_conn_new(struct http_server *s, int sock, const struct synack_sockaddr *peer, int refused, synack_time_t now);
/* Aborts the connection (RST) and frees it. */
void http_conn_abort(struct http_conn *c, synack_time_t now);

#endif
