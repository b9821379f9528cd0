/* The order of a lookup's addresses and the merging of its A and AAAA outcomes.
 *
 * RFC 6724 6 orders destinations by ten rules; a stub with one stack needs only the gist of the
 * first ones, so this is a simplification: rule 1 (avoid unusable destinations) and rule 2 (prefer
 * a matching scope) reduce to "IPv6 first if the stack has an IPv6 address that can reach beyond
 * the link (not link-local, not DAD-tentative or duplicate); IPv4 first otherwise", and within a
 * family the server's order is kept (rules 9 and 10 as a stable sort; no longest-prefix matching,
 * no policy table, no precedence between IPv6 kinds). */
#ifndef APPS_DNS_ORDER_H
#define APPS_DNS_ORDER_H

#include "resolver.h"

/* Nonzero if the stack `st` has a usable IPv6 address of more than link-local scope. */
int dns_order_v6_first(const synack_stack_t *st);

/* Puts a[0..n) in order: the preferred family first, each family's addresses in their own order. */
void dns_order_addrs(struct synack_ip *a, int n, int v6_first);

/* The lookup's outcome from its A query's (r4) and AAAA query's (r6) outcomes; either may be NULL
 * (not asked). The rules are resolver.h's (struct dns_result). */
void dns_merge(const struct dns_result *r4, const struct dns_result *r6, int v6_first, struct dns_result *out);

#endif
