/* The hosts file (/etc/hosts, hosts(5)): "ADDRESS CANONICAL [ALIAS...]" lines, '#' comments. The
 * resolver asks it before DNS, like a host's name service switch with "hosts: files dns". Only IPv4
 * addresses are used; IPv6 lines are skipped. */
#ifndef APPS_DNS_HOSTS_H
#define APPS_DNS_HOSTS_H

#include <stddef.h>
#include <stdint.h>

#include "name.h"

struct dns_hosts_match {
    uint32_t addrs[16];        /* host order, in file order, no duplicates */
    int naddrs;
    struct dns_name canonical; /* the first matching line's first name */
};

/* Looks `name` up in hosts-file text text[0..len) (a pure function, for tests and fuzzing). Names
 * compare ignoring case. Returns the number of addresses found (0: not there). */
int dns_hosts_lookup_text(const char *text, size_t len, const struct dns_name *name, struct dns_hosts_match *out);
/* The same over a file (at most 1 MiB read). Returns the count, 0 if absent, or -errno if the file
 * cannot be read (a missing hosts file is not an error to the resolver: it goes on to DNS). */
int dns_hosts_lookup(const char *path, const struct dns_name *name, struct dns_hosts_match *out);

#endif
