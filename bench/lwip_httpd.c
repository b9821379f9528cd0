/* The reference HTTP server of bench/http_bench.sh: a minimal HTTP/1.1 server written for this
 * benchmark against lwIP's raw TCP API (Debian's liblwip-dev, lwIP 2.1.3, whose library ships no
 * httpd), on a TAP device through a netif of our own. Nothing here comes from lwIP's contrib or
 * apps; only its public API is used.
 *
 * It answers every request (GET, any path) with the same 100-byte body, keeping the connection
 * open unless the request is HTTP/1.0 without "Connection: keep-alive" or says "Connection: close"
 * (RFC 9112 9.3). The response head and body leave in one write. One thread reads frames from the
 * TAP and feeds lwIP under its core lock; lwIP's own thread runs its timers.
 *
 * Usage: lwip_httpd TAP ADDR MASK [PORT]   e.g. lwip_httpd blwip0 192.0.2.2 255.255.255.0 80
 * Prints "ready" once listening; runs until SIGTERM/SIGINT, then prints the requests it answered. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#define BODY_LEN 100
#define HEAD_MAX 2048   /* a request head longer than this closes the connection */

static int tap_fd = -1;
static volatile sig_atomic_t stopping;
static volatile int lwip_ready;
static unsigned long long answered;
static char resp_keep[256], resp_close[256];
static u16_t resp_keep_len, resp_close_len;

struct conn {
    char head[HEAD_MAX];
    size_t len;
};

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

/* Frames out: one write per frame (the library is built with LWIP_NETIF_TX_SINGLE_PBUF, but a
 * chain is gathered anyway). */
static err_t tap_linkoutput(struct netif *nif, struct pbuf *p)
{
    (void)nif;
    unsigned char frame[1600];
    if (p->tot_len > sizeof(frame))
        return ERR_BUF;
    u16_t n = pbuf_copy_partial(p, frame, p->tot_len, 0);
    if (write(tap_fd, frame, n) != (ssize_t)n)
        return ERR_IF;
    return ERR_OK;
}

static err_t tap_netif_init(struct netif *nif)
{
    static const u8_t mac[6] = { 0x02, 0x00, 0x00, 0x4c, 0x77, 0x01 };   /* locally administered */
    nif->name[0] = 't';
    nif->name[1] = 'p';
    nif->output = etharp_output;
    nif->linkoutput = tap_linkoutput;
    nif->mtu = 1500;
    nif->hwaddr_len = 6;
    memcpy(nif->hwaddr, mac, 6);
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    return ERR_OK;
}

static void conn_free(struct tcp_pcb *pcb, struct conn *c)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_err(pcb, NULL);
    free(c);
    if (tcp_close(pcb) != ERR_OK)
        tcp_abort(pcb);
}

/* Whether header text h (NUL-terminated) holds `needle`, ignoring case. */
static int has(const char *h, const char *needle) { return strcasestr(h, needle) != NULL; }

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct conn *c = arg;
    if (!p || err != ERR_OK) {   /* the peer closed */
        if (p)
            pbuf_free(p);
        conn_free(pcb, c);
        return ERR_OK;
    }
    tcp_recved(pcb, p->tot_len);
    if (c->len + p->tot_len >= sizeof(c->head)) {
        pbuf_free(p);
        conn_free(pcb, c);
        return ERR_OK;
    }
    c->len += pbuf_copy_partial(p, c->head + c->len, p->tot_len, 0);
    c->head[c->len] = 0;
    pbuf_free(p);
    char *end;
    while ((end = strstr(c->head, "\r\n\r\n")) != NULL) {
        *end = 0;
        int http10 = strstr(c->head, "HTTP/1.0\r\n") != NULL;
        int close = has(c->head, "\nconnection: close") || (http10 && !has(c->head, "\nconnection: keep-alive"));
        err_t e = close ? tcp_write(pcb, resp_close, resp_close_len, 0) : tcp_write(pcb, resp_keep, resp_keep_len, 0);
        if (e != ERR_OK) {
            conn_free(pcb, c);
            return ERR_OK;
        }
        answered++;
        tcp_output(pcb);
        if (close) {
            conn_free(pcb, c);   /* the FIN follows the queued response */
            return ERR_OK;
        }
        size_t used = (size_t)(end + 4 - c->head);
        memmove(c->head, c->head + used, c->len - used + 1);
        c->len -= used;
    }
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    (void)err;
    free(arg);   /* the pcb is already gone */
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    struct conn *c = calloc(1, sizeof(*c));
    if (!c) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    tcp_arg(pcb, c);
    tcp_recv(pcb, on_recv);
    tcp_err(pcb, on_err);
    tcp_nagle_disable(pcb);
    return ERR_OK;
}

static void on_tcpip_ready(void *arg)
{
    (void)arg;
    lwip_ready = 1;
}

static int tap_open(const char *name)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: lwip_httpd TAP ADDR MASK [PORT]\n");
        return 2;
    }
    ip4_addr_t addr, mask, gw;
    if (!ip4addr_aton(argv[2], &addr) || !ip4addr_aton(argv[3], &mask)) {
        fprintf(stderr, "lwip_httpd: bad address or mask\n");
        return 2;
    }
    ip4_addr_set_zero(&gw);
    int port = argc > 4 ? atoi(argv[4]) : 80;
    tap_fd = tap_open(argv[1]);
    if (tap_fd < 0) {
        fprintf(stderr, "lwip_httpd: cannot attach TAP %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    char body[BODY_LEN];
    memset(body, 'x', sizeof(body));
    resp_keep_len = (u16_t)snprintf(resp_keep, sizeof(resp_keep),
                                    "HTTP/1.1 200 OK\r\nServer: lwip-bench\r\nContent-Type: text/plain\r\n"
                                    "Content-Length: %d\r\n\r\n%.*s", BODY_LEN, BODY_LEN, body);
    resp_close_len = (u16_t)snprintf(resp_close, sizeof(resp_close),
                                     "HTTP/1.1 200 OK\r\nServer: lwip-bench\r\nContent-Type: text/plain\r\n"
                                     "Content-Length: %d\r\nConnection: close\r\n\r\n%.*s", BODY_LEN, BODY_LEN, body);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;   /* no SA_RESTART: read() returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    tcpip_init(on_tcpip_ready, NULL);
    while (!lwip_ready)
        usleep(1000);

    static struct netif nif;
    LOCK_TCPIP_CORE();
    netif_add(&nif, &addr, &mask, &gw, NULL, tap_netif_init, ethernet_input);
    netif_set_default(&nif);
    netif_set_up(&nif);
    netif_set_link_up(&nif);
    struct tcp_pcb *lp = tcp_new_ip_type(IPADDR_TYPE_V4);
    err_t e = lp ? tcp_bind(lp, IP4_ADDR_ANY, (u16_t)port) : ERR_MEM;
    if (e == ERR_OK)
        lp = tcp_listen_with_backlog(lp, 255);
    if (e != ERR_OK || !lp) {
        UNLOCK_TCPIP_CORE();
        fprintf(stderr, "lwip_httpd: cannot listen on port %d\n", port);
        return 1;
    }
    tcp_accept(lp, on_accept);
    UNLOCK_TCPIP_CORE();
    printf("ready\n");
    fflush(stdout);

    unsigned char frame[2048];
    while (!stopping) {
        ssize_t n = read(tap_fd, frame, sizeof(frame));
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            break;
        }
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_POOL);
        if (!p)
            continue;
        pbuf_take(p, frame, (u16_t)n);
        LOCK_TCPIP_CORE();
        if (nif.input(p, &nif) != ERR_OK)
            pbuf_free(p);
        UNLOCK_TCPIP_CORE();
    }
    printf("lwip_httpd: %llu requests answered\n", answered);
    return 0;
}
