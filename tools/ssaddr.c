/* Socket addresses as ss prints them (see ssaddr.h). */
#include "ssaddr.h"

#include <stdio.h>

void ssaddr_format(char *buf, size_t cap, const struct synack_sockaddr *a, int v6only)
{
    char host[SYNACK_IP_STRLEN + 2], port[8];
    if (a->port)
        snprintf(port, sizeof(port), "%u", a->port);
    else
        snprintf(port, sizeof(port), "*");
    if (synack_ip_is_v4(&a->addr)) {
        if (synack_ip_format(&a->addr, host, sizeof(host)) < 0)
            snprintf(host, sizeof(host), "?");
    } else if (synack_ip_is_unspecified(&a->addr) && !v6only) {
        snprintf(host, sizeof(host), "*");
    } else {
        char t[SYNACK_IP_STRLEN];
        if (synack_ip_format(&a->addr, t, sizeof(t)) < 0)
            snprintf(t, sizeof(t), "?");
        snprintf(host, sizeof(host), "[%s]", t);
    }
    snprintf(buf, cap, "%s:%s", host, port);
}

void ssaddr_ends(const struct synack_tcp_info *i, int v6only, char *local, char *remote, size_t cap)
{
    ssaddr_format(local, cap, &i->local, v6only);
    if (i->state == SYNACK_TCP_LISTEN) {
        struct synack_sockaddr any = { synack_ip_is_v4(&i->local.addr) ? synack_ip_any4() : synack_ip_any6(), 0 };
        ssaddr_format(remote, cap, &any, v6only);
    } else {
        ssaddr_format(remote, cap, &i->remote, v6only);
    }
}

int ssaddr_v6only(synack_stack_t *st, const struct synack_tcp_info *i)
{
    int v = 0;
    if (i->sock < 0 || synack_ip_is_v4(&i->local.addr) || !synack_ip_is_unspecified(&i->local.addr))
        return 0;
    if (synack_getsockopt(st, i->sock, SYNACK_IPV6_V6ONLY, &v) != 0)
        return 0;
    return v != 0;
}
