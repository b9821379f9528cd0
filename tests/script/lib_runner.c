/* Script runner core: reads a script, sets up the stack (config lines), and runs each line at its
 * virtual time. Time only moves forward, deadline by deadline, so every timer fires exactly when
 * it is due and each packet the stack sends is stamped with the time it left. A packet that no `>`
 * line expects fails the script at the next line (or at the end). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "script/lib_runner_int.h"
#include "synack/counters.h"
#include "synack/format.h"
#include "synack/socket.h"

/* ---------- strings, failures, log ---------- */

void sr_str_printf(struct sr_str *s, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = s->cap - s->len;
        va_start(ap, fmt);
        int n = vsnprintf(s->s ? s->s + s->len : NULL, s->s ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if (s->s && (size_t)n < room) {
            s->len += (size_t)n;
            return;
        }
        size_t cap = s->cap ? s->cap * 2 : 1024;
        while (cap < s->len + (size_t)n + 1)
            cap *= 2;
        char *ns = realloc(s->s, cap);
        if (!ns)
            abort();
        s->s = ns;
        s->cap = cap;
    }
}

const char *sr_time_str(uint64_t t, char *buf, size_t cap)
{
    snprintf(buf, cap, "%llu.%06llu", (unsigned long long)(t / 1000000u), (unsigned long long)(t % 1000000u));
    return buf;
}

int sr_fail(struct sr *r, const char *fmt, ...)
{
    if (r->err.len)
        return -1;   /* the first failure is the one that matters */
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char tb[32];
    sr_str_printf(&r->err, "%s:%d: at t=%s: %s\n", r->path, r->line, sr_time_str(r->now, tb, sizeof(tb)), msg);
    return -1;
}

void sr_log(struct sr *r, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char tb[32];
    sr_str_printf(&r->log, "%12s  %s\n", sr_time_str(r->now, tb, sizeof(tb)), msg);
    if (r->opt.verbose)
        printf("%12s  %s\n", tb, msg);
}

/* ---------- tokens ---------- */

const char *sr_skip(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int sr_parse_num(const char **pp, int64_t *out)
{
    const char *p = sr_skip(*pp);
    char *end;
    errno = 0;
    long long v = strtoll(p, &end, 0);
    if (end == p || errno)
        return -1;
    *out = v;
    *pp = end;
    return 0;
}

/* Seconds with up to 6 decimals ("1", "0.2", ".05", "1.5ms", "200us") into microseconds. */
static int parse_seconds(const char **pp, uint64_t *out)
{
    const char *p = *pp;
    uint64_t whole = 0, frac = 0, scale = 1000000;
    int digits = 0;
    while (isdigit((unsigned char)*p)) {
        whole = whole * 10 + (uint64_t)(*p++ - '0');
        digits++;
    }
    if (*p == '.') {
        p++;
        uint64_t div = 100000;
        while (isdigit((unsigned char)*p)) {
            frac += (uint64_t)(*p++ - '0') * div;
            div /= 10;
            digits++;
        }
    }
    if (!digits)
        return -1;
    if (p[0] == 'm' && p[1] == 's') {
        scale = 1000;
        p += 2;
    } else if (p[0] == 'u' && p[1] == 's') {
        scale = 1;
        p += 2;
    } else if (p[0] == 's' && !isalpha((unsigned char)p[1])) {
        p++;
    }
    *out = whole * scale + frac * scale / 1000000;
    *pp = p;
    return 0;
}

/* ---------- the stack's link ---------- */

static int tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now)
{
    struct sr *r = ctx;
    (void)now;
    if (r->qhead + r->qlen == r->qcap) {
        if (r->qhead) {
            memmove(r->q, r->q + r->qhead, r->qlen * sizeof(*r->q));
            r->qhead = 0;
        } else {
            r->qcap = r->qcap ? r->qcap * 2 : 64;
            r->q = realloc(r->q, r->qcap * sizeof(*r->q));
            if (!r->q)
                abort();
        }
    }
    struct sr_pkt *p = &r->q[r->qhead + r->qlen++];
    p->data = malloc(len ? len : 1);
    if (!p->data)
        abort();
    memcpy(p->data, frame, len);
    p->len = len;
    p->t = r->now;
    char d[512];
    sr_describe(r, p, d, sizeof(d));
    sr_log(r, "        sent    > %s", d);
    return 0;
}

static void trace(void *ctx, const struct synack_trace_event *ev)
{
    struct sr *r = ctx;
    if (ev->kind == SYNACK_TR_TCP_STATE) {
        sr_log(r, "        state   %u.%u: %s -> %s (%s)", ev->local.port, ev->remote.port,
               synack_tcp_state_name(ev->from_state), synack_tcp_state_name(ev->to_state),
               ev->cause ? ev->cause : "");
    } else if (ev->kind == SYNACK_TR_DROP) {
        sr_log(r, "        drop    %s", synack_counter_name((enum synack_counter)ev->counter));
    }
}

int sr_advance(struct sr *r, uint64_t until, int stop)
{
    for (unsigned guard = 0;; guard++) {
        if (stop && r->qlen)
            return 0;
        if (guard > 10000000u)
            return sr_fail(r, "timers keep firing without time advancing");
        synack_time_t d = synack_stack_next_deadline(r->st);
        if (d == SYNACK_TIME_NEVER || d > r->base + until)
            break;
        uint64_t t = d > r->base ? d - r->base : 0;
        if (t > r->now)
            r->now = t;
        synack_stack_poll(r->st, sr_stack_now(r));
    }
    if (until > r->now)
        r->now = until;
    return 0;
}

struct sr_flow *sr_flow_get(struct sr *r, uint16_t peer_port)
{
    for (int i = 0; i < r->nflows; i++)
        if (r->flows[i].peer_port == peer_port)
            return &r->flows[i];
    if (r->nflows == SR_MAX_FLOWS)
        return NULL;
    struct sr_flow *f = &r->flows[r->nflows++];
    memset(f, 0, sizeof(*f));
    f->peer_port = peer_port;
    f->peer_isn = r->peer_isn;
    return f;
}

/* ---------- config ---------- */

struct cfg_field {
    const char *name;
    int is_time;
    size_t off, size;
};
#define CF(n, t) { #n, t, offsetof(struct synack_config, n), sizeof(((struct synack_config *)0)->n) }
static const struct cfg_field cfg_fields[] = {
    CF(tcp_msl, 1), CF(tcp_rto_initial, 1), CF(tcp_rto_min, 1), CF(tcp_rto_max, 1),
    CF(tcp_syn_retries, 0), CF(tcp_synack_retries, 0), CF(tcp_retries, 0), CF(tcp_fin_timeout, 1),
    CF(tcp_delack, 1), CF(tcp_sndbuf, 0), CF(tcp_rcvbuf, 0), CF(tcp_challenge_ack_limit, 0),
    CF(tcp_syncookies, 0), CF(tcp_ofo_max, 0), CF(tcp_max_orphans, 0), CF(tcp_max_tw, 0), CF(icmp_err_rate, 0),
    CF(icmp_err_burst, 0), CF(eph_port_min, 0), CF(eph_port_max, 0), CF(tcp_timestamps, 0), CF(tcp_sack, 0),
    CF(tcp_rack, 0), CF(tcp_rmem_max, 0), CF(tcp_wmem_max, 0), CF(tcp_mem_max, 0),
};

static int config_line(struct sr *r, const char *p)
{
    if (r->st)
        return sr_fail(r, "config must come before the first event");
    for (;;) {
        p = sr_skip(p);
        if (!*p)
            return 0;
        char key[64];
        size_t n = 0;
        while (*p && *p != '=' && *p != ' ' && n < sizeof(key) - 1)
            key[n++] = *p++;
        key[n] = 0;
        if (*p != '=')
            return sr_fail(r, "config: expected key=value at '%s'", key);
        p++;
        int done = 0;
        for (size_t i = 0; i < sizeof(cfg_fields) / sizeof(cfg_fields[0]) && !done; i++) {
            const struct cfg_field *f = &cfg_fields[i];
            if (strcmp(f->name, key) != 0)
                continue;
            uint8_t *dst = (uint8_t *)&r->cfg + f->off;
            if (f->is_time) {
                uint64_t v;
                if (parse_seconds(&p, &v) < 0)
                    return sr_fail(r, "config %s: expected a time in seconds", key);
                memcpy(dst, &v, sizeof(v));
            } else {
                int64_t v;
                if (sr_parse_num(&p, &v) < 0)
                    return sr_fail(r, "config %s: expected a number", key);
                if (f->size == 2) {
                    uint16_t x = (uint16_t)v;
                    memcpy(dst, &x, 2);
                } else if (f->size == 8) {
                    uint64_t x = (uint64_t)v;
                    memcpy(dst, &x, 8);
                } else {
                    int32_t x = (int32_t)v;
                    memcpy(dst, &x, 4);
                }
            }
            done = 1;
        }
        if (done)
            continue;
        if (!strcmp(key, "tcp_congestion")) {
            size_t m = 0;
            while (*p && *p != ' ' && *p != '\t' && m < sizeof(r->congestion) - 1)
                r->congestion[m++] = *p++;
            r->congestion[m] = 0;
            continue;
        }
        int64_t v;
        if (sr_parse_num(&p, &v) < 0)
            return sr_fail(r, "config %s: expected a number", key);
        if (!strcmp(key, "peer_isn"))
            r->peer_isn = (uint32_t)v;
        else if (!strcmp(key, "mtu"))
            r->mtu = (int)v;
        else if (!strcmp(key, "seed"))
            r->seed = (uint64_t)v;
        else if (!strcmp(key, "peer_port"))
            r->default_peer_port = (uint16_t)v;
        else if (!strcmp(key, "start"))
            r->base = (uint64_t)v * 1000000u;
        else
            return sr_fail(r, "config: unknown key '%s'", key);
    }
}

static int stack_up(struct sr *r)
{
    if (r->st)
        return 0;
    synack_config_seed_u64(&r->cfg, r->seed);
    r->st = synack_stack_new(&r->cfg);
    if (!r->st)
        return sr_fail(r, "synack_stack_new failed");
    synack_stack_set_trace(r->st, trace, r);
    struct synack_if_config ic = { .name = "script0", .kind = SYNACK_IF_RAWIP, .addr = SR_US, .prefix_len = 24,
                                   .mtu = (uint16_t)(r->mtu + (r->opt.ipv6 ? 20 : 0)), .tx = tx, .tx_ctx = r };
    r->ifi = synack_if_add(r->st, &ic);
    if (r->ifi < 0)
        return sr_fail(r, "synack_if_add: %s", synack_errname(r->ifi));
    if (r->opt.ipv6) {
        /* A raw-IP link: no DAD, the address is usable at once and nothing else is sent. */
        struct synack_ip us;
        for (int i = 0; i < 16; i++)
            us.b[i] = SR_US6[i];
        int e = synack_if_add_addr6(r->st, r->ifi, &us, 64, sr_stack_now(r));
        if (e < 0)
            return sr_fail(r, "synack_if_add_addr6: %s", synack_errname(e));
    }
    return 0;
}

/* ---------- lines ---------- */

/* "0.1", "+0.1", and ranges "a~b" (b relative to the previous line if it starts with '+'). */
static int parse_time(struct sr *r, const char **pp, uint64_t *lo, uint64_t *hi)
{
    const char *p = *pp;
    uint64_t v;
    int rel = *p == '+';
    if (rel)
        p++;
    if (parse_seconds(&p, &v) < 0)
        return sr_fail(r, "bad time");
    *lo = rel ? r->line_time + v : v;
    *hi = *lo;
    if (*p == '~') {
        p++;
        rel = *p == '+';
        if (rel)
            p++;
        if (parse_seconds(&p, &v) < 0)
            return sr_fail(r, "bad time range");
        *hi = rel ? r->line_time + v : v;
        if (*hi < *lo)
            return sr_fail(r, "time range ends before it starts");
    }
    *pp = p;
    return 0;
}

static int unexpected(struct sr *r)
{
    if (r->opt.explore) {
        while (r->qlen) {
            free(r->q[r->qhead].data);
            r->qhead++;
            r->qlen--;
        }
        r->qhead = 0;
        return 0;
    }
    struct sr_pkt *p = &r->q[r->qhead];
    char d[512], tb[32];
    sr_describe(r, p, d, sizeof(d));
    return sr_fail(r, "unexpected packet sent at t=%s: > %s", sr_time_str(p->t, tb, sizeof(tb)), d);
}

static int run_line(struct sr *r, char *text)
{
    const char *p = sr_skip(text);
    if (!strncmp(p, "config", 6) && (p[6] == ' ' || p[6] == '\t'))
        return config_line(r, p + 6);
    if (stack_up(r) < 0)
        return -1;
    uint64_t lo = r->line_time, hi = r->line_time;
    if (*p == '+' || *p == '.' || isdigit((unsigned char)*p)) {
        if (parse_time(r, &p, &lo, &hi) < 0)
            return -1;
        p = sr_skip(p);
    }
    if (lo < r->now)
        return sr_fail(r, "time goes backwards (line at %.6f, now %.6f)", lo / 1e6, r->now / 1e6);
    int rc;
    if (*p == '>') {
        rc = sr_expect(r, lo, hi, sr_skip(p + 1));
    } else {
        if (hi != lo)
            return sr_fail(r, "a time range is only for '>' lines");
        do {
            if (sr_advance(r, lo, 1) < 0)
                return -1;
            if (r->qlen && unexpected(r) < 0)
                return -1;
        } while (r->now < lo);
        if (*p == '<') {
            rc = sr_inject(r, sr_skip(p + 1));
        } else {
            rc = sr_call(r, p);
            if (rc == 1)
                return sr_fail(r, "cannot parse line: %s", p);
        }
    }
    r->line_time = r->now;
    return rc;
}

static void strip(char *s)
{
    char *c = strstr(s, "//");
    if (c)
        *c = 0;
    const char *t = sr_skip(s);
    if (*t == '#')
        *s = 0;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
}

static void sr_free(struct sr *r)
{
    if (r->st)
        synack_stack_free(r->st);
    for (size_t i = 0; i < r->qlen; i++)
        free(r->q[r->qhead + i].data);
    free(r->q);
    free(r->err.s);
    free(r->log.s);
}

int sr_run_file(const char *path, const struct sr_options *opts, char **msg)
{
    *msg = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        struct sr_str s = { 0 };
        sr_str_printf(&s, "%s: cannot open: %s\n", path, strerror(errno));
        *msg = s.s;
        return -1;
    }
    struct sr r;
    memset(&r, 0, sizeof(r));
    const char *slash = strrchr(path, '/');
    r.path = slash ? slash + 1 : path;
    if (opts)
        r.opt = *opts;
    synack_config_init(&r.cfg);
    /* The scripts were written against NewReno: reno unless a script asks for another module. */
    strcpy(r.congestion, "reno");
    r.cfg.tcp_congestion = r.congestion;
    r.default_peer_port = 40000;
    r.peer_isn = 1000000;
    r.mtu = 1500;
    r.seed = 1;
    char buf[4096];
    int rc = 0;
    while (rc == 0 && fgets(buf, sizeof(buf), f)) {
        r.line++;
        strip(buf);
        if (!*sr_skip(buf))
            continue;
        r.mutate = r.opt.mutate_line == r.line;
        char tb[32];
        sr_str_printf(&r.log, "%12s  line %d: %s\n", sr_time_str(r.now, tb, sizeof(tb)), r.line, sr_skip(buf));
        if (r.opt.verbose)
            printf("%12s  line %d: %s\n", tb, r.line, sr_skip(buf));
        rc = run_line(&r, buf);
    }
    fclose(f);
    if (rc == 0 && r.st) {
        r.line++;
        if (r.qlen)
            rc = unexpected(&r);
    }
    if (r.opt.mutate_line > 0 && !r.mutated) {
        sr_free(&r);
        return 1;
    }
    if (rc != 0) {
        struct sr_str s = { 0 };
        sr_str_printf(&s, "%s--- log of the run (script time, event) ---\n%s", r.err.s ? r.err.s : "failed\n",
                      r.log.s ? r.log.s : "");
        *msg = s.s;
    }
    sr_free(&r);
    return rc ? -1 : 0;
}

int sr_check_lines(const char *path, int *lines, int cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char buf[4096];
    int n = 0, line = 0;
    while (fgets(buf, sizeof(buf), f)) {
        line++;
        strip(buf);
        if (sr_line_has_check(buf) && n < cap)
            lines[n++] = line;
    }
    fclose(f);
    return n;
}
