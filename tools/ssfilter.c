/* `synack ss`'s filter (see ssfilter.h). */
#include "ssfilter.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "synack/synack.h"

#define ST(s) (1u << SYNACK_TCP_##s)
#define ALL_STATES (ST(TIME_WAIT) * 2u - 1u)

/* ss(8)'s state names and groups. */
static const struct {
    const char *name;
    unsigned bits;
} state_names[] = {
    { "established", ST(ESTABLISHED) },
    { "syn-sent", ST(SYN_SENT) },
    { "syn-recv", ST(SYN_RECEIVED) },
    { "fin-wait-1", ST(FIN_WAIT_1) },
    { "fin-wait-2", ST(FIN_WAIT_2) },
    { "time-wait", ST(TIME_WAIT) },
    { "closed", ST(CLOSED) },
    { "close-wait", ST(CLOSE_WAIT) },
    { "last-ack", ST(LAST_ACK) },
    { "listening", ST(LISTEN) },
    { "listen", ST(LISTEN) },
    { "closing", ST(CLOSING) },
    { "all", ALL_STATES },
    /* ss: connected is every state but listening and closed; synchronized, connected but syn-sent;
     * bucket, the states Linux keeps as minisockets; big, the rest */
    { "connected", ALL_STATES & ~(ST(LISTEN) | ST(CLOSED)) },
    { "synchronized", ALL_STATES & ~(ST(LISTEN) | ST(CLOSED) | ST(SYN_SENT)) },
    { "bucket", ST(SYN_RECEIVED) | ST(TIME_WAIT) },
    { "big", ALL_STATES & ~(ST(SYN_RECEIVED) | ST(TIME_WAIT)) },
};

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int state_bits(const char *name, unsigned *bits)
{
    for (size_t k = 0; k < sizeof(state_names) / sizeof(state_names[0]); k++)
        if (!strcasecmp(name, state_names[k].name)) {
            *bits = state_names[k].bits;
            return 0;
        }
    return -1;
}

/* The comparison word of a port term, or 0 if word is none (then '=' and the word is the port). */
static char op_of(const char *w)
{
    static const struct {
        const char *w;
        char op;
    } ops[] = { { "=", '=' }, { "==", '=' }, { "eq", '=' }, { "!=", '!' }, { "ne", '!' }, { "neq", '!' },
                { "<", '<' }, { "lt", '<' }, { ">", '>' }, { "gt", '>' }, { "<=", 'l' }, { "le", 'l' },
                { ">=", 'g' }, { "ge", 'g' } };
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
        if (!strcmp(w, ops[k].w))
            return ops[k].op;
    return 0;
}

static int parse_port(const char *s, long *port)
{
    char *end;
    if (!strcmp(s, "*")) {
        *port = 0;
        return 0;
    }
    if (*s < '0' || *s > '9')
        return -1;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || v > 65535)
        return -1;
    *port = (long)v;
    return 0;
}

/* "host:port" or "[v6]:port" as the listing writes an end, into host (no brackets) and port
 * (0 for "*"); a bare host (no port) when allow_bare, port -1. */
static int split_end(const char *s, char *host, size_t cap, long *port, int allow_bare)
{
    const char *colon = NULL;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || (size_t)(close - s - 1) >= cap)
            return -1;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = 0;
        if (!close[1] && allow_bare) {
            *port = -1;
            return 0;
        }
        if (close[1] != ':')
            return -1;
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon && strchr(s, ':') != colon) {   /* an IPv6 address without brackets: no port */
            if (!allow_bare || strlen(s) >= cap)
                return -1;
            strcpy(host, s);
            *port = -1;
            return 0;
        }
        if (!colon) {
            if (!allow_bare || strlen(s) >= cap)
                return -1;
            strcpy(host, s);
            *port = -1;
            return 0;
        }
        if ((size_t)(colon - s) >= cap)
            return -1;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = 0;
    }
    return parse_port(colon + 1, port);
}

int ssfilter_parse(struct ssfilter *f, unsigned states, int argc, char **argv, char *err, size_t errlen)
{
    memset(f, 0, sizeof(*f));
    unsigned asked = 0, excluded = 0;
    int have_state = 0;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "and") || !strcmp(w, "&&") || !strcmp(w, "&"))
            continue;
        if (!strcmp(w, "or") || !strcmp(w, "||") || !strcmp(w, "|") || !strcmp(w, "not") || !strcmp(w, "!") ||
            !strcmp(w, "(") || !strcmp(w, ")"))
            return bad(err, errlen, "'%s': only terms joined by 'and' are understood", w);
        if (!strcmp(w, "state") || !strcmp(w, "exclude") || !strcmp(w, "excl")) {
            unsigned b;
            if (i + 1 >= argc || state_bits(argv[i + 1], &b) != 0)
                return bad(err, errlen, "%s needs a state name (established, syn-sent, syn-recv, fin-wait-1, "
                                        "fin-wait-2, time-wait, closed, close-wait, last-ack, listening, closing, "
                                        "all, connected, synchronized, bucket, big)%s%s",
                           w, i + 1 < argc ? ", not " : "", i + 1 < argc ? argv[i + 1] : "");
            if (w[0] == 's') {
                asked |= b;
                have_state = 1;
            } else {
                excluded |= b;
            }
            i++;
            continue;
        }
        int is_port = !strcmp(w, "sport") || !strcmp(w, "dport");
        int is_addr = !strcmp(w, "src") || !strcmp(w, "dst");
        if (!is_port && !is_addr)
            return bad(err, errlen, "unknown filter word '%s' (state, exclude, sport, dport, src, dst, and)", w);
        if (f->nterms == SSFILTER_TERMS)
            return bad(err, errlen, "at most %d terms", SSFILTER_TERMS);
        struct ssfilter_term *t = &f->terms[f->nterms];
        t->which = w[0] == 's' ? 's' : 'd';
        t->kind = is_port ? 'p' : 'a';
        t->op = '=';
        if (i + 1 < argc && op_of(argv[i + 1])) {
            t->op = op_of(argv[i + 1]);
            i++;
        }
        if (i + 1 >= argc)
            return bad(err, errlen, "%s needs a value", w);
        const char *v = argv[++i];
        if (is_port) {
            /* ss writes ports as ":80"; a bare number is taken too */
            if (parse_port(v[0] == ':' ? v + 1 : v, &t->port) != 0 || !strcmp(v, "*") || !strcmp(v, ":*"))
                return bad(err, errlen, "%s: '%s' is no port (:0 to :65535)", w, v);
        } else {
            if (t->op != '=' && t->op != '!')
                return bad(err, errlen, "%s compares with = or != only", w);
            if (split_end(v, t->addr, sizeof(t->addr), &t->port, 1) != 0)
                return bad(err, errlen, "%s: '%s' is no address (ADDR, ADDR:PORT, [IPv6]:PORT)", w, v);
            struct synack_ip ip;
            if (strcmp(t->addr, "*") != 0 && synack_ip_parse(t->addr, &ip) != 0)
                return bad(err, errlen, "%s: '%s' is no IPv4 or IPv6 address", w, t->addr);
        }
        f->nterms++;
    }
    f->states = (have_state ? asked : states) & ~excluded;
    return 0;
}

int ssfilter_row_state(const char *row)
{
    char name[16];
    if (sscanf(row, "%15s", name) != 1)
        return -1;
    for (int s = SYNACK_TCP_CLOSED; s <= SYNACK_TCP_TIME_WAIT; s++)
        if (!strcmp(name, synack_tcp_state_name(s)))
            return s;
    return -1;
}

/* Whether the listing's host (or "*", any) is the address a term names. */
static int same_host(const char *listed, const char *want)
{
    if (!strcmp(want, "*"))
        return 1;
    struct synack_ip a, b;
    if (synack_ip_parse(want, &b) != 0)
        return 0;
    if (!strcmp(listed, "*"))   /* a socket on :: taking both families: `src ::` names it */
        return synack_ip_is_unspecified(&b) && !synack_ip_is_v4(&b);
    return synack_ip_parse(listed, &a) == 0 && !memcmp(&a, &b, sizeof(a));
}

static int term_match(const struct ssfilter_term *t, const char *host, long port)
{
    if (t->kind == 'p') {
        switch (t->op) {
        case '=': return port == t->port;
        case '!': return port != t->port;
        case '<': return port < t->port;
        case '>': return port > t->port;
        case 'l': return port <= t->port;
        default: return port >= t->port;
        }
    }
    int m = same_host(host, t->addr) && (t->port < 0 || port == t->port);
    return t->op == '!' ? !m : m;
}

int ssfilter_match(const struct ssfilter *f, const char *row)
{
    int s = ssfilter_row_state(row);
    char local[80], peer[80], lh[64], ph[64];
    unsigned rq, sq;
    long lp, pp;
    if (s < 0 || sscanf(row, "%*s %u %u %79s %79s", &rq, &sq, local, peer) != 4 ||
        split_end(local, lh, sizeof(lh), &lp, 0) != 0 || split_end(peer, ph, sizeof(ph), &pp, 0) != 0)
        return -1;
    if (!(f->states & (1u << s)))
        return 0;
    for (unsigned k = 0; k < f->nterms; k++) {
        const struct ssfilter_term *t = &f->terms[k];
        if (!term_match(t, t->which == 's' ? lh : ph, t->which == 's' ? lp : pp))
            return 0;
    }
    return 1;
}
