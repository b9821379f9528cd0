/* Name-resolution failures in words, the same for every command that resolves (nc, get, resolve):
 * apps/dns reports them as errno values (resolver.h), which strerror would misname ("No such file
 * or directory" for NXDOMAIN, "Connection refused" for a server's REFUSED). */
#ifndef TOOLS_DNSERR_H
#define TOOLS_DNSERR_H

/* A short reason for a dns_result err: "NXDOMAIN", "no A record", "DNS server refused", ... */
const char *dns_err_text(int err);

#endif
