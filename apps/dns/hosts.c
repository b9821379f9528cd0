/* The hosts file (see hosts.h). */
#include "hosts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synack/types.h"

#define HOSTS_MAX_BYTES (1u << 20)

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

/* Copies the next whitespace-separated field of line[*i..end) into tok (cap bytes). Returns its
 * length, 0 at the end of the line, or -1 if it is too long for tok (then skipped). */
static int next_field(const char *line, size_t end, size_t *i, char *tok, size_t cap)
{
    while (*i < end && is_space(line[*i]))
        (*i)++;
    size_t s = *i;
    while (*i < end && !is_space(line[*i]))
        (*i)++;
    size_t l = *i - s;
    if (l == 0)
        return 0;
    if (l >= cap)
        return -1;
    memcpy(tok, line + s, l);
    tok[l] = 0;
    return (int)l;
}

int dns_hosts_lookup_text(const char *text, size_t len, const struct dns_name *name, struct dns_hosts_match *out)
{
    memset(out, 0, sizeof(*out));
    size_t pos = 0;
    while (pos < len) {
        size_t eol = pos;
        while (eol < len && text[eol] != '\n')
            eol++;
        size_t end = eol;
        for (size_t k = pos; k < eol; k++)
            if (text[k] == '#' || text[k] == 0) {   /* comment (or a stray NUL) ends the line */
                end = k;
                break;
            }
        size_t i = pos;
        pos = eol + 1;
        char tok[DNS_MAX_TEXT];
        struct synack_ip addr;
        int l = next_field(text, end, &i, tok, sizeof(tok));
        if (l <= 0 || synack_ip_parse(tok, &addr) != 0)
            continue;   /* blank or malformed (or with a zone): skipped, as the C library does */
        struct dns_name first;
        int nfields = 0, hit = 0;
        while ((l = next_field(text, end, &i, tok, sizeof(tok))) != 0) {
            struct dns_name n;
            if (l < 0 || dns_name_from_text(tok, NULL, &n) != 0)
                continue;
            if (nfields++ == 0)
                first = n;
            if (dns_name_equal(&n, name))
                hit = 1;
        }
        if (!hit)
            continue;
        if (out->naddrs == 0)
            out->canonical = first;
        int dup = 0;
        for (int k = 0; k < out->naddrs; k++)
            dup |= synack_ip_equal(&out->addrs[k], &addr);
        if (!dup && out->naddrs < (int)(sizeof(out->addrs) / sizeof(out->addrs[0])))
            out->addrs[out->naddrs++] = addr;
    }
    return out->naddrs;
}

int dns_hosts_lookup(const char *path, const struct dns_name *name, struct dns_hosts_match *out)
{
    memset(out, 0, sizeof(*out));
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    char *buf = malloc(HOSTS_MAX_BYTES);
    if (!buf) {
        fclose(f);
        return -ENOMEM;
    }
    size_t n = fread(buf, 1, HOSTS_MAX_BYTES, f);
    int err = ferror(f) ? -EIO : 0;
    fclose(f);
    int r = err ? err : dns_hosts_lookup_text(buf, n, name, out);
    free(buf);
    return r;
}
