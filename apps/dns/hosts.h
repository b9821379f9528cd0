/* The hosts file (/etc/hosts, hosts(5)): "ADDRESS CANONICAL [ALIAS...]" lines, '#' comments. The
 * resolver asks it before DNS, like a host's name service switch with "hosts: files dns". Addresses of
 * both families ("2001:db8::2 www.example.test", "::1 localhost"); the resolver keeps those of the
 * families asked. An address with a zone ("fe80::1%eth0") is skipped: synack's addresses have none. */
#ifndef APPS_DNS_HOSTS_H
#define APPS_DNS_HOSTS_H

#include <stddef.h>
#include <stdint.h>

#include "name.h"
#include "synack/types.h"

struct dns_hosts_match {
    struct synack_ip addrs[16];  /* in file order, no duplicates (IPv4 IPv4-mapped) */
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
