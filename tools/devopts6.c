/* The device options' IPv6 side: --addr, --gateway and --host-addr with IPv6 arguments, --slaac,
 * and what they set up once the device and stack exist (devopts.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devopts.h"

/* Why a /N address cannot be a host's, or NULL (RFC 4291 2.4, 2.5.2, 2.5.3, 2.7). */
static const char *not_a_host6(const struct synack_ip *a)
{
    static const uint8_t zero[16];
    if (synack_ip_is_v4(a))
        return "an IPv4-mapped address is IPv4's: give the IPv4 address itself";
    if (memcmp(a->b, zero, 16) == 0)
        return ":: is the unspecified address";
    if (memcmp(a->b, zero, 15) == 0 && a->b[15] == 1)
        return "::1 is loopback";
    if (a->b[0] == 0xff)
        return "multicast";
    return NULL;
}

static int parse_prefix6(const char *arg, struct synack_ip *a, uint8_t *plen)
{
    const char *slash = strchr(arg, '/');
    char text[64];
    if (!slash || (size_t)(slash - arg) >= sizeof(text) || !slash[1])
        return -1;
    memcpy(text, arg, (size_t)(slash - arg));
    text[slash - arg] = 0;
    char *end;
    long n = strtol(slash + 1, &end, 10);
    if (*end || n < 1 || n > 128 || slash[1] == '+' || slash[1] == '-' || slash[1] == ' ')
        return -1;
    if (synack_ip_parse(text, a) != 0)
        return -1;
    *plen = (uint8_t)n;
    return 0;
}

int devopts6_parse(struct devopts *d, int c, const char *arg, const char *cmd)
{
    struct synack_ip a;
    uint8_t plen = 0;
    if (c == 1004) {
        if (synack_ip_parse(arg, &a) != 0 || synack_ip_is_v4(&a) || not_a_host6(&a)) {
            fprintf(stderr, "synack %s: bad --gateway '%s' (expected an IPv6 unicast address)\n", cmd, arg);
            return 2;
        }
        d->gateway6 = a;
        d->have_gateway6 = 1;
        return 0;
    }
    const char *opt = c == 1003 ? "--addr" : "--host-addr";
    if (parse_prefix6(arg, &a, &plen) != 0) {
        fprintf(stderr, "synack %s: bad %s '%s' (expected an IPv6 address and prefix, e.g. 2001:db8::2/64)\n",
                cmd, opt, arg);
        return 2;
    }
    const char *why = not_a_host6(&a);
    if (why) {
        fprintf(stderr, "synack %s: bad %s '%s': %s\n", cmd, opt, arg, why);
        return 2;
    }
    if (c == 1005) {
        d->host_addr6 = a;
        d->host_prefix6 = plen;
        d->have_host6 = 1;
        return 0;
    }
    if (d->naddr6 == DEVOPTS_ADDR6_MAX) {
        fprintf(stderr, "synack %s: at most %d IPv6 addresses (--addr)\n", cmd, DEVOPTS_ADDR6_MAX);
        return 2;
    }
    d->addr6[d->naddr6] = a;
    d->plen6[d->naddr6] = plen;
    d->naddr6++;
    return 0;
}

static int prefix_has(const struct synack_ip *p, uint8_t plen, const struct synack_ip *a)
{
    for (unsigned i = 0; i < plen; i++) {
        unsigned byte = i / 8, bit = 7 - i % 8;
        if (((p->b[byte] >> bit) & 1) != ((a->b[byte] >> bit) & 1))
            return 0;
    }
    return 1;
}

int devopts6_check(const struct devopts *d, const char *cmd)
{
    char t[SYNACK_IP_STRLEN];
    if (d->have_host6) {
        int on_link = d->slaac || d->have_gateway6;
        for (int i = 0; i < d->naddr6 && !on_link; i++) {
            if (synack_ip_equal(&d->addr6[i], &d->host_addr6)) {
                fprintf(stderr, "synack %s: --host-addr must differ from --addr\n", cmd);
                return -1;
            }
            on_link = prefix_has(&d->addr6[i], d->plen6[i], &d->host_addr6);
        }
        if (!on_link) {
            synack_ip_format(&d->host_addr6, t, sizeof(t));
            fprintf(stderr, "synack %s: --host-addr %s is on none of --addr's IPv6 prefixes: synack could not answer it\n",
                    cmd, t);
            return -1;
        }
    }
    if (d->have_gateway6 && !d->slaac && !(d->gateway6.b[0] == 0xfe && (d->gateway6.b[1] & 0xc0) == 0x80)) {
        int on_link = 0;
        for (int i = 0; i < d->naddr6; i++)
            on_link |= prefix_has(&d->addr6[i], d->plen6[i], &d->gateway6);
        if (!on_link) {
            synack_ip_format(&d->gateway6, t, sizeof(t));
            fprintf(stderr, "synack %s: --gateway %s is neither link-local nor on --addr's IPv6 prefixes\n", cmd, t);
            return -1;
        }
    }
    if (d->tun && d->slaac) {
        fprintf(stderr, "synack %s: --slaac needs a TAP device (router advertisements come over Ethernet)\n", cmd);
        return -1;
    }
    return 0;
}

/* Whether any of the interface's IPv6 addresses is still tentative. */
static int tentative(const struct devrun *r)
{
    struct synack_if_addr v[16];
    int n = synack_if_addrs(r->st, r->ifindex, v, 16);
    for (int i = 0; i < n && i < 16; i++)
        if (v[i].state == SYNACK_ADDR_TENTATIVE)
            return 1;
    return 0;
}

int devrun6_setup(struct devrun *r, const struct devopts *d, const char *cmd)
{
    if (!d->naddr6 && !d->slaac)
        return 0;
    if (d->have_host6) {
        int e = synack_tap_host_addr6(d->bridge ? d->bridge : r->ifname, &d->host_addr6, d->host_prefix6);
        if (e < 0) {
            fprintf(stderr, "synack %s: cannot give the kernel side its IPv6 address: %s\n", cmd, synack_strerror(e));
            return -1;
        }
    }
    synack_time_t now = synack_clock_now();
    int e = synack_if_enable_ipv6(r->st, r->ifindex, d->slaac ? SYNACK_IF6_SLAAC : 0, now);
    for (int i = 0; i < d->naddr6 && e == 0; i++)
        e = synack_if_add_addr6(r->st, r->ifindex, &d->addr6[i], d->plen6[i], now);
    if (e == 0 && d->have_gateway6)
        e = synack_route6_set_gateway(r->st, &d->gateway6);
    if (e < 0) {
        fprintf(stderr, "synack %s: cannot configure IPv6: %s\n", cmd, synack_strerror(e));
        return -1;
    }
    /* Run until duplicate address detection is over (a second per address, RFC 4862 5.4), so a
     * command can use its addresses at once; bounded. */
    synack_time_t end = now + SYNACK_SEC(3);
    while (tentative(r) && synack_clock_now() < end)
        devrun_run_once(r, SYNACK_MS(50));
    struct synack_if_addr v[16];
    int n = synack_if_addrs(r->st, r->ifindex, v, 16);
    for (int i = 0; i < n && i < 16; i++)
        if (v[i].state == SYNACK_ADDR_DUPLICATE) {
            char t[SYNACK_IP_STRLEN];
            synack_ip_format(&v[i].addr, t, sizeof(t));
            fprintf(stderr, "synack %s: IPv6 address %s is already in use on the link (duplicate address detection)\n",
                    cmd, t);
            return -1;
        }
    return 0;
}
