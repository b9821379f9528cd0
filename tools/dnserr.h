/* Name-resolution failures in words, the same for every command that resolves (nc, get, resolve),
 * worded after the system's tools: host(1)'s "Host NAME not found: 3(NXDOMAIN)", "5(REFUSED)",
 * "2(SERVFAIL)", "NAME has no A record" (AAAA, "A or AAAA" by what was asked), "connection timed out; no servers could be reached",
 * "communications error to A.B.C.D#53: connection refused"; curl's "Could not resolve host: NAME".
 *
 * apps/dns reports each outcome as its own code (enum dns_error) and lists which server failed how
 * (dns_result.fails), so a message can name every server and what it said. */
#ifndef TOOLS_DNSERR_H
#define TOOLS_DNSERR_H

#include <stddef.h>

#include "../apps/dns/resolver.h"

/* Why the lookup r failed, for after a command's own words ("could not resolve host: NAME (...)"):
 * "3(NXDOMAIN)", "no A record", "5(REFUSED) from 192.0.2.1#53", "communications error to
 * 192.0.2.5#53: connection refused; no servers could be reached", ... Written to buf (cap bytes);
 * returns buf. */
const char *dns_err_reason(const struct dns_result *r, char *buf, size_t cap);

/* The line host(1) would print for the failed lookup of `name` ("Host NAME not found: 2(SERVFAIL)",
 * "NAME has no A record", "NAME: connection timed out; no servers could be reached"), with
 * " (cached)" when the outcome came from the cache. Written to buf; returns buf. */
const char *dns_err_host_line(const char *name, const struct dns_result *r, char *buf, size_t cap);

#endif
