/* The HTTP server's listener, configuration and counters (see http_server.h); connections are in
 * http_conn.c. */
#include "http_server_int.h"

#include "http_log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void http_server_config_init(struct http_server_config *c)
{
    memset(c, 0, sizeof(*c));
    c->port = 80;
    c->max_conns = 256;
    c->keepalive_timeout = SYNACK_SEC(5);
    c->keepalive_max = 100;
    c->header_timeout = SYNACK_SEC(10);
    c->send_timeout = SYNACK_SEC(30);
    c->linger_timeout = SYNACK_SEC(2);
    c->max_request_line = 8192;
    c->max_header = 16384;
    c->max_body = 1 << 20;
    c->conn_buffer = 16384;
}

static void accept_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct http_server *s = arg;
    for (;;) {
        struct synack_sockaddr peer;
        int ns = synack_accept(st, sock, &peer, now);
        if (ns < 0)
            return;
        if (s->nconns < s->cfg.max_conns) {
            s->stats.conns_accepted++;
            http_conn_new(s, ns, &peer, 0, now);
        } else if (s->nrefused < s->cfg.max_conns) {
            /* Over the cap: a polite 503 costs one small connection object, itself bounded. */
            s->stats.conns_refused++;
            http_conn_new(s, ns, &peer, 1, now);
        } else {
            s->stats.conns_dropped++;
            synack_setsockopt(st, ns, SYNACK_SO_LINGER, 0, now);
            synack_close(st, ns, now);
        }
    }
}

struct http_server *http_server_start(synack_stack_t *st, const struct http_server_config *cfg, synack_time_t now,
                                      char *err, size_t errcap)
{
    struct http_server *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    s->st = st;
    s->cfg = *cfg;
    s->listener = -1;
    s->date_sec = INT64_MIN;
    if (!cfg->root) {
        snprintf(err, errcap, "no document root given");
        free(s);
        return NULL;
    }
    int r = http_static_root_init(&s->root, cfg->root);
    if (r < 0) {
        snprintf(err, errcap, "document root '%s': %s", cfg->root, strerror(-r));
        free(s);
        return NULL;
    }
    if (!s->cfg.conn_buffer)
        s->cfg.conn_buffer = 16384;
    struct http_cache_config cc;
    http_cache_config_default(&cc);
    if (cfg->cache_entries)
        cc.max_entries = cfg->cache_entries;
    if (cfg->cache_bytes)
        cc.max_bytes = cfg->cache_bytes;
    if (cfg->cache_small)
        cc.small_max = cfg->cache_small;
    if (cfg->cache_fds)
        cc.max_fds = cfg->cache_fds;
    if (cfg->cache_check)
        cc.check = cfg->cache_check;
    if (http_cache_init(&s->cache, &s->root, &cc) != 0) {
        snprintf(err, errcap, "out of memory");
        free(s);
        return NULL;
    }
    if (http_log_init(s) != 0) {
        snprintf(err, errcap, "out of memory");
        http_log_free(s);
        http_cache_free(&s->cache);
        free(s);
        return NULL;
    }
    http_limits_default(&s->limits);
    s->limits.max_line = cfg->max_request_line;
    s->limits.max_head = cfg->max_header;
    if (s->limits.max_line > s->limits.max_head)
        s->limits.max_line = s->limits.max_head;
    s->listener = synack_socket(st, SYNACK_SOCK_STREAM);
    struct synack_sockaddr a = { synack_ip_any6(), cfg->port };
    r = s->listener < 0 ? s->listener : 0;
    if (r == 0)
        synack_setsockopt(st, s->listener, SYNACK_SO_REUSEADDR, 1, now);
    if (r == 0)
        r = synack_bind(st, s->listener, &a);
    if (r == 0)
        r = synack_listen(st, s->listener, 128);
    if (r < 0) {
        snprintf(err, errcap, "cannot listen on TCP port %u: %s", cfg->port, synack_strerror(r));
        if (s->listener >= 0)
            synack_close(st, s->listener, now);
        http_log_free(s);
        http_cache_free(&s->cache);
        free(s);
        return NULL;
    }
    synack_socket_set_handler(st, s->listener, accept_handler, s);
    return s;
}

void http_server_stop(struct http_server *s, synack_time_t now)
{
    if (!s)
        return;
    while (s->conns)
        http_conn_abort(s->conns, now);
    if (s->listener >= 0)
        synack_close(s->st, s->listener, now);
    http_log_free(s);
    http_cache_free(&s->cache);
    free(s);
}

void http_server_get_stats(const struct http_server *s, struct http_server_stats *out)
{
    *out = s->stats;
    out->cache_hits = s->cache.stats.hits;
    out->cache_misses = s->cache.stats.misses;
    out->cache_revalidations = s->cache.stats.revalidations;
    out->cache_changed = s->cache.stats.changed;
    out->cache_evictions = s->cache.stats.evictions;
    out->conns_open = s->nconns;
}

void http_server_write_stats(const struct http_server *s, FILE *f)
{
    struct http_server_stats x;
    http_server_get_stats(s, &x);
#define HTTP_X_PRINT(name, desc) fprintf(f, "%-22s %llu\n", #name, (unsigned long long)x.name);
    HTTP_SERVER_COUNTERS(HTTP_X_PRINT)
#undef HTTP_X_PRINT
    fprintf(f, "%-22s %llu\n", "conns_open", (unsigned long long)x.conns_open);
}
