/* Domain names (RFC 1035 2.3, 3.1, 4.1.4): the uncompressed wire form every other DNS module works
 * in, reading a possibly compressed name out of a message with every byte checked, and the text
 * form of zone files, hosts files and command lines. Pure functions: no allocation, no I/O.
 *
 * A name is kept as its wire form (length-prefixed labels ending with the zero-length root label),
 * at most 255 bytes in all (RFC 1035 2.3.4), labels at most 63 bytes. Comparisons ignore ASCII case
 * (RFC 1035 2.3.3, RFC 4343). */
#ifndef APPS_DNS_NAME_H
#define APPS_DNS_NAME_H

#include <stddef.h>
#include <stdint.h>

#define DNS_MAX_NAME 255   /* RFC 1035 2.3.4: octets of the wire form, length bytes and root included */
#define DNS_MAX_LABEL 63
#define DNS_MAX_TEXT 1024  /* enough for any name in text form, even with every byte escaped as \DDD */

struct dns_name {
    uint8_t len;                   /* bytes used in wire, 1 (the root) to 255 */
    uint8_t wire[DNS_MAX_NAME];
};

/* Reads the name at `off` in message msg[0..len), following compression pointers (RFC 1035 4.1.4).
 * Every pointer must point before the start of the run of labels it ends, so a name cannot loop and
 * reading it touches each byte at most once; pointers past the end, label types 0x40 and 0x80,
 * labels running past the end and names over 255 bytes are rejected. On success *end is the offset
 * just after the name as it sits at `off` (after the first pointer, if any). Returns 0 or -EBADMSG. */
int dns_name_read(const uint8_t *msg, size_t len, size_t off, struct dns_name *out, size_t *end);

/* Parses text ("www.example.com", "www.example.com.", "." for the root; \. and \DDD escapes of
 * RFC 1035 5.1). A name without a trailing dot is relative: `origin` is appended to it, or with
 * origin NULL it is taken as absolute (a stub resolver's view). Returns 0, or -EINVAL (empty label,
 * bad escape) or -ENAMETOOLONG (a label over 63 bytes, a name over 255). */
int dns_name_from_text(const char *text, const struct dns_name *origin, struct dns_name *out);

/* Writes the name as text without the final dot ("." for the root), escaping '.', '\\' and bytes
 * outside printable ASCII (RFC 1035 5.1). Returns the length, or -ENOSPC if cap is too small. */
int dns_name_to_text(const struct dns_name *n, char *buf, size_t cap);

/* 1 if the names are equal ignoring ASCII case. */
int dns_name_equal(const struct dns_name *a, const struct dns_name *b);
/* 1 if `n` is `parent` or below it ("www.example.com" is under "example.com" and under "."). */
int dns_name_under(const struct dns_name *n, const struct dns_name *parent);
/* The number of labels, the root not counted ("www.example.com" has 3). */
int dns_name_labels(const struct dns_name *n);
/* The name with its first `skip` labels removed (the parent after one). */
void dns_name_suffix(const struct dns_name *n, int skip, struct dns_name *out);
void dns_name_root(struct dns_name *out);

#endif
