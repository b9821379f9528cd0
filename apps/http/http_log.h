/* The HTTP server's access log, buffered and written in batches (see http_log.c). */
#ifndef APPS_HTTP_LOG_H
#define APPS_HTTP_LOG_H

#include "http_server_int.h"

/* Sets up the buffer and its timer if the server has a log. Returns 0 or -1. */
int http_log_init(struct http_server *s);
/* Writes what is buffered, then frees the buffer. */
void http_log_free(struct http_server *s);
/* One response: the request line req[0..n) (n = 0: "-"), its status and body bytes. */
void http_log_line(struct http_server *s, const struct synack_ip *peer, const char *req, size_t n, int status,
                   uint64_t bytes, synack_time_t now);

#endif
