/* Master-file parser (RFC 1035 5.1; $TTL from RFC 2308 4). See zone.h for the subset. */
#include "zone.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "synack/types.h"

#define ZP_MAX_TOK 16          /* fields in one entry: SOA with TTL and class needs 13 */
#define ZP_TOK_LEN DNS_MAX_TEXT

/* One entry: an RR or a directive, possibly over several lines inside parentheses. */
struct zp_entry {
    int ntok;
    int blank_owner;           /* the line began with white space: the owner is the previous one */
    int line;
    char tok[ZP_MAX_TOK][ZP_TOK_LEN];
};

struct zp {
    const char *t;
    size_t len, pos;
    int line;
    struct dns_name origin;
    int have_origin;
    uint32_t default_ttl, last_ttl;
    int have_default_ttl, have_last_ttl;
    struct dns_name last_owner;
    int have_last_owner;
    char *err;
    size_t errcap;
    struct dns_zone *z;
    struct zp_entry e;
};

__attribute__((format(printf, 3, 4))) static int zp_fail(struct zp *p, int line, const char *fmt, ...)
{
    int o = snprintf(p->err, p->errcap, "line %d: ", line);
    if (o >= 0 && (size_t)o < p->errcap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err + o, p->errcap - (size_t)o, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Reads the next entry into p->e. Returns 1 for an entry, 0 at the end of the text, <0 on error. */
static int zp_read_entry(struct zp *p)
{
    struct zp_entry *e = &p->e;
    int depth = 0, at_line_start = 1;
    e->ntok = 0;
    e->blank_owner = 0;
    e->line = p->line;
    for (;;) {
        if (p->pos >= p->len) {
            if (depth)
                return zp_fail(p, p->line, "'(' without ')' before the end of the file");
            return e->ntok > 0;
        }
        char c = p->t[p->pos];
        if (c == '\n') {
            p->line++;
            p->pos++;
            at_line_start = 1;
            if (depth == 0 && e->ntok > 0)
                return 1;
            continue;
        }
        if (at_line_start && depth == 0 && e->ntok == 0) {
            e->blank_owner = is_blank(c);
            e->line = p->line;
        }
        at_line_start = 0;
        if (is_blank(c)) {
            p->pos++;
        } else if (c == ';') {   /* comment to the end of the line */
            while (p->pos < p->len && p->t[p->pos] != '\n')
                p->pos++;
        } else if (c == '(') {
            if (depth++)
                return zp_fail(p, p->line, "nested '('");
            p->pos++;
        } else if (c == ')') {
            if (!depth--)
                return zp_fail(p, p->line, "')' without '('");
            p->pos++;
        } else if (c == '"') {
            return zp_fail(p, p->line, "quoted strings are not used by SOA, NS, A or CNAME");
        } else if (c == 0) {
            return zp_fail(p, p->line, "NUL byte in the zone file");
        } else {
            if (e->ntok == ZP_MAX_TOK)
                return zp_fail(p, p->line, "too many fields");
            char *tok = e->tok[e->ntok];
            size_t n = 0;
            while (p->pos < p->len) {
                c = p->t[p->pos];
                if (is_blank(c) || c == '\n' || c == ';' || c == '(' || c == ')' || c == '"' || c == 0)
                    break;
                /* A backslash keeps the next character in the token (\; \( \ ); the name parser
                 * interprets the escape itself. */
                size_t take = (c == '\\' && p->pos + 1 < p->len && p->t[p->pos + 1] != '\n') ? 2 : 1;
                if (n + take >= ZP_TOK_LEN)
                    return zp_fail(p, p->line, "field longer than %d characters", ZP_TOK_LEN - 1);
                memcpy(tok + n, p->t + p->pos, take);
                n += take;
                p->pos += take;
            }
            tok[n] = 0;
            e->ntok++;
        }
    }
}

/* A TTL: decimal seconds, or BIND's units (1h30m). RFC 2181 8: at most 2^31 - 1. */
static int zp_ttl(const char *s, uint32_t *out)
{
    uint64_t total = 0, cur = 0;
    int digits = 0, units = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            cur = cur * 10 + (uint64_t)(*s - '0');
            digits++;
            if (cur > 0x7fffffffull)
                return -ERANGE;
            continue;
        }
        uint64_t mul;
        switch (*s | 0x20) {
        case 's': mul = 1; break;
        case 'm': mul = 60; break;
        case 'h': mul = 3600; break;
        case 'd': mul = 86400; break;
        case 'w': mul = 604800; break;
        default: return -EINVAL;
        }
        if (!digits)
            return -EINVAL;
        total += cur * mul;
        if (total > 0x7fffffffull)
            return -ERANGE;
        cur = 0;
        digits = 0;
        units = 1;
    }
    if (digits)
        total += cur;
    else if (!units)
        return -EINVAL;
    if (total > 0x7fffffffull)
        return -ERANGE;
    *out = (uint32_t)total;
    return 0;
}

/* A plain 32-bit number (the SOA serial, RFC 1982 space). */
static int zp_u32(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -EINVAL;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > 0xffffffffull)
            return -ERANGE;
    }
    *out = (uint32_t)v;
    return 0;
}

/* Ends with an unescaped dot: an absolute name. */
static int text_absolute(const char *s)
{
    size_t l = strlen(s);
    if (l == 0 || s[l - 1] != '.')
        return 0;
    size_t bs = 0;
    while (bs + 1 < l && s[l - 2 - bs] == '\\')
        bs++;
    return bs % 2 == 0;
}

/* A domain name field: '@' is the origin, relative names are completed with it (RFC 1035 5.1). */
static int zp_name(struct zp *p, const char *s, struct dns_name *out)
{
    int line = p->e.line;
    if (!strcmp(s, "@")) {
        if (!p->have_origin)
            return zp_fail(p, line, "'@' used with no $ORIGIN");
        *out = p->origin;
        return 0;
    }
    if (!text_absolute(s) && !p->have_origin)
        return zp_fail(p, line, "relative name '%s' with no $ORIGIN", s);
    int r = dns_name_from_text(s, p->have_origin ? &p->origin : NULL, out);
    if (r == -ENAMETOOLONG)
        return zp_fail(p, line, "name '%s' too long (labels up to 63, names up to 255 bytes)", s);
    if (r)
        return zp_fail(p, line, "bad name '%s'", s);
    return 0;
}

static int zp_directive(struct zp *p)
{
    struct zp_entry *e = &p->e;
    const char *d = e->tok[0];
    if (!strcasecmp(d, "$ORIGIN")) {
        if (e->ntok != 2)
            return zp_fail(p, e->line, "$ORIGIN takes one name");
        struct dns_name o;
        if (zp_name(p, e->tok[1], &o))
            return -EINVAL;
        p->origin = o;
        p->have_origin = 1;
        return 0;
    }
    if (!strcasecmp(d, "$TTL")) {
        if (e->ntok != 2 || zp_ttl(e->tok[1], &p->default_ttl) != 0)
            return zp_fail(p, e->line, "$TTL takes one TTL (seconds, up to 2147483647)");
        p->have_default_ttl = 1;
        return 0;
    }
    if (!strcasecmp(d, "$INCLUDE"))
        return zp_fail(p, e->line, "$INCLUDE is not supported");
    return zp_fail(p, e->line, "unknown directive '%s'", d);
}

static int zp_add(struct zp *p, const struct dns_zrr *rr)
{
    struct dns_zone *z = p->z;
    if (z->n == DNS_ZONE_MAX_RR)
        return zp_fail(p, rr->line, "more than %d records", DNS_ZONE_MAX_RR);
    if (z->n == z->cap) {
        size_t nc = z->cap ? z->cap * 2 : 16;
        struct dns_zrr *n = realloc(z->rr, nc * sizeof(*n));
        if (!n) {
            snprintf(p->err, p->errcap, "out of memory");
            return -ENOMEM;
        }
        z->rr = n;
        z->cap = nc;
    }
    z->rr[z->n++] = *rr;
    return 0;
}

/* owner [TTL] [class] type RDATA, TTL and class in either order (RFC 1035 5.1). */
static int zp_record(struct zp *p)
{
    struct zp_entry *e = &p->e;
    struct dns_zrr rr;
    memset(&rr, 0, sizeof(rr));
    rr.line = e->line;
    int i = 0;
    if (e->blank_owner) {
        if (!p->have_last_owner)
            return zp_fail(p, e->line, "a record with no owner name and none before it");
        rr.owner = p->last_owner;
    } else {
        if (zp_name(p, e->tok[0], &rr.owner))
            return -EINVAL;
        i = 1;
    }
    int have_ttl = 0, have_class = 0;
    while (i < e->ntok) {
        const char *t = e->tok[i];
        if (t[0] >= '0' && t[0] <= '9' && !have_ttl) {
            if (zp_ttl(t, &rr.ttl) != 0)
                return zp_fail(p, e->line, "bad TTL '%s'", t);
            have_ttl = 1;
        } else if (!strcasecmp(t, "IN") && !have_class) {
            have_class = 1;
        } else if (!strcasecmp(t, "CH") || !strcasecmp(t, "HS") || !strcasecmp(t, "CS")) {
            return zp_fail(p, e->line, "class %s: only IN is served", t);
        } else {
            break;
        }
        i++;
    }
    if (i >= e->ntok)
        return zp_fail(p, e->line, "record with no type");
    const char *type = e->tok[i++];
    int nrd = e->ntok - i;
    if (!strcasecmp(type, "A")) {
        rr.type = DNS_T_A;
        if (nrd != 1 || synack_addr_parse(e->tok[i], &rr.d.a) != 0)
            return zp_fail(p, e->line, "A takes one IPv4 address");
    } else if (!strcasecmp(type, "AAAA")) {
        struct synack_ip ip;
        rr.type = DNS_T_AAAA;
        if (nrd != 1 || synack_ip_parse(e->tok[i], &ip) != 0 || (synack_ip_is_v4(&ip) && !strchr(e->tok[i], ':')))
            return zp_fail(p, e->line, "AAAA takes one IPv6 address");
        memcpy(rr.d.aaaa, ip.b, 16);
    } else if (!strcasecmp(type, "NS") || !strcasecmp(type, "CNAME")) {
        rr.type = !strcasecmp(type, "NS") ? DNS_T_NS : DNS_T_CNAME;
        if (nrd != 1)
            return zp_fail(p, e->line, "%s takes one name", type);
        if (zp_name(p, e->tok[i], &rr.d.target))
            return -EINVAL;
    } else if (!strcasecmp(type, "SOA")) {
        rr.type = DNS_T_SOA;
        if (nrd != 7)
            return zp_fail(p, e->line, "SOA takes MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM");
        struct dns_soa *s = &rr.d.soa;
        if (zp_name(p, e->tok[i], &s->mname) || zp_name(p, e->tok[i + 1], &s->rname))
            return -EINVAL;
        if (zp_u32(e->tok[i + 2], &s->serial))
            return zp_fail(p, e->line, "bad SOA serial '%s'", e->tok[i + 2]);
        uint32_t *f[4] = { &s->refresh, &s->retry, &s->expire, &s->minimum };
        for (int k = 0; k < 4; k++)
            if (zp_ttl(e->tok[i + 3 + k], f[k]))
                return zp_fail(p, e->line, "bad SOA time '%s'", e->tok[i + 3 + k]);
    } else {
        return zp_fail(p, e->line, "unsupported type '%s' (SOA, NS, A and CNAME are)", type);
    }
    /* RFC 2308 4: $TTL is the default; without it, RFC 1035 5.1's "last explicitly stated". */
    if (have_ttl) {
        p->last_ttl = rr.ttl;
        p->have_last_ttl = 1;
    } else if (p->have_default_ttl) {
        rr.ttl = p->default_ttl;
    } else if (p->have_last_ttl) {
        rr.ttl = p->last_ttl;
    } else {
        return zp_fail(p, e->line, "no TTL given and no $TTL before it");
    }
    p->last_owner = rr.owner;
    p->have_last_owner = 1;
    return zp_add(p, &rr);
}

/* Whole-zone rules, checked once every record is in. */
static int zp_check(struct zp *p)
{
    struct dns_zone *z = p->z;
    for (size_t i = 0; i < z->n; i++)
        if (z->rr[i].type == DNS_T_SOA) {
            if (z->soa)
                return zp_fail(p, z->rr[i].line, "a second SOA record (the first is on line %d)", z->soa->line);
            z->soa = &z->rr[i];
        }
    if (!z->soa) {
        snprintf(p->err, p->errcap, "no SOA record: the zone needs one at its apex");
        return -EINVAL;
    }
    z->origin = z->soa->owner;
    for (size_t i = 0; i < z->n; i++) {
        const struct dns_zrr *r = &z->rr[i];
        char t[DNS_MAX_TEXT];
        if (!dns_name_under(&r->owner, &z->origin)) {
            dns_name_to_text(&r->owner, t, sizeof(t));
            return zp_fail(p, r->line, "'%s' is outside the zone", t);
        }
        if (r->type != DNS_T_CNAME)
            continue;
        for (size_t k = 0; k < z->n; k++)
            if (k != i && dns_name_equal(&z->rr[k].owner, &r->owner)) {
                dns_name_to_text(&r->owner, t, sizeof(t));
                return zp_fail(p, r->line, "'%s' has a CNAME and other data (line %d)", t, z->rr[k].line);
            }
    }
    return 0;
}

int dns_zone_parse(const char *text, size_t len, struct dns_zone **out, char *err, size_t errcap)
{
    static const char none[1];
    *out = NULL;
    struct zp *p = calloc(1, sizeof(*p));
    struct dns_zone *z = calloc(1, sizeof(*z));
    if (!p || !z) {
        free(p);
        free(z);
        snprintf(err, errcap, "out of memory");
        return -ENOMEM;
    }
    p->t = text ? text : none;
    p->len = len;
    p->line = 1;
    p->err = err;
    p->errcap = errcap;
    p->z = z;
    int r;
    while ((r = zp_read_entry(p)) > 0) {
        r = p->e.tok[0][0] == '$' && !p->e.blank_owner ? zp_directive(p) : zp_record(p);
        if (r)
            break;
    }
    if (r == 0)
        r = zp_check(p);
    free(p);
    if (r) {
        dns_zone_free(z);
        return r;
    }
    *out = z;
    return 0;
}

int dns_zone_load(const char *path, struct dns_zone **out, char *err, size_t errcap)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        int e = errno;
        snprintf(err, errcap, "%s: %s", path, strerror(e));
        return -e;
    }
    char *buf = malloc(DNS_ZONE_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errcap, "%s: out of memory", path);
        return -ENOMEM;
    }
    size_t n = fread(buf, 1, DNS_ZONE_MAX_BYTES + 1, f);
    int rerr = ferror(f);
    fclose(f);
    if (rerr || n > DNS_ZONE_MAX_BYTES) {
        free(buf);
        snprintf(err, errcap, "%s: %s", path, rerr ? "read error" : "larger than 16 MiB");
        return rerr ? -EIO : -EFBIG;
    }
    char msg[256];
    int r = dns_zone_parse(buf, n, out, msg, sizeof(msg));
    free(buf);
    if (r) {
        /* "line N: why" becomes "PATH:N: why", the way compilers point at a file. */
        if (!strncmp(msg, "line ", 5))
            snprintf(err, errcap, "%s:%s", path, msg + 5);
        else
            snprintf(err, errcap, "%s: %s", path, msg);
    }
    return r;
}

void dns_zone_free(struct dns_zone *z)
{
    if (!z)
        return;
    free(z->rr);
    free(z);
}

int dns_zone_name_exists(const struct dns_zone *z, const struct dns_name *name)
{
    for (size_t i = 0; i < z->n; i++)
        if (dns_name_under(&z->rr[i].owner, name))
            return 1;
    return 0;
}
