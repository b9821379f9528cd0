/* The resolver's cache (see cache.h). A small array searched in full: a stub resolver holds a few
 * hundred names at most, and a look-up is a few hundred name comparisons at worst. */
#include "cache.h"

#include <stdlib.h>
#include <string.h>

void dns_cache_init(struct dns_cache *c, unsigned cap)
{
    memset(c, 0, sizeof(*c));
    c->cap = cap;
}

void dns_cache_free(struct dns_cache *c)
{
    for (unsigned i = 0; i < c->n; i++)
        free(c->e[i]);
    free(c->e);
    c->e = NULL;
    c->n = 0;
}

static void drop(struct dns_cache *c, unsigned i)
{
    free(c->e[i]);
    c->e[i] = c->e[--c->n];
}

const struct dns_cache_entry *dns_cache_get(struct dns_cache *c, const struct dns_name *name, uint16_t type,
                                            synack_time_t now)
{
    for (unsigned i = 0; i < c->n; i++) {
        if (c->e[i]->type != type || !dns_name_equal(&c->e[i]->name, name))
            continue;
        if (now >= c->e[i]->expires) {
            drop(c, i);
            break;
        }
        c->hits++;
        return c->e[i];
    }
    c->misses++;
    return NULL;
}

void dns_cache_put(struct dns_cache *c, const struct dns_name *name, uint16_t type, const struct dns_result *r,
                   uint32_t ttl, int neg, synack_time_t now)
{
    if (ttl & 0x80000000u)
        ttl = 0;
    uint32_t max = neg ? DNS_CACHE_NEG_MAX : DNS_CACHE_POS_MAX;
    if (ttl > max)
        ttl = max;
    if (!ttl || !c->cap)
        return;
    struct dns_cache_entry *e = NULL;
    for (unsigned i = 0; i < c->n && !e; i++)
        if (c->e[i]->type == type && dns_name_equal(&c->e[i]->name, name))
            e = c->e[i];
    if (!e && c->n == c->cap) {
        unsigned victim = 0;
        for (unsigned i = 1; i < c->n; i++)
            if (c->e[i]->expires < c->e[victim]->expires)
                victim = i;
        drop(c, victim);
    }
    if (!e) {
        if (!c->e && !(c->e = calloc(c->cap, sizeof(*c->e))))
            return;
        if (!(e = malloc(sizeof(*e))))
            return;
        c->e[c->n++] = e;
    }
    e->name = *name;
    e->type = type;
    e->result = *r;
    e->result.from_hosts = 0;
    e->expires = now + (synack_time_t)ttl * 1000000u;
    c->stored++;
}
