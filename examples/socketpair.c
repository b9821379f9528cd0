/* A link of the program's own: two stacks whose frames travel over a UNIX socket pair, driven by
 * one poll() loop on the real clock. This is how synack is embedded on a link it does not know:
 * give the interface a transmit callback, hand every received frame to synack_if_input(), and call
 * synack_stack_poll() by the deadline it returns. Only the core library is needed.
 * A sends 100000 bytes to B's echo port; B echoes them; A counts what comes back.
 * Build: cc socketpair.c $(pkg-config --cflags --libs synack) -o socketpair */
#define _GNU_SOURCE   /* clock_gettime, getrandom, socketpair under -std=c11 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <synack/synack.h>

#define TOTAL 100000

static synack_time_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (synack_time_t)ts.tv_sec * 1000000u + (synack_time_t)ts.tv_nsec / 1000u;
}

/* The transmit callback: one frame, one SOCK_SEQPACKET message (the pair keeps frame boundaries).
 * A full socket buffer is a lost frame, which TCP recovers from like any other loss. */
static int pair_tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now)
{
    (void)now;
    int fd = *(const int *)ctx;
    return send(fd, frame, len, MSG_DONTWAIT) < 0 ? -errno : 0;
}

static synack_stack_t *make_stack(int *fd, uint32_t addr, uint8_t mac_last, int *ifindex)
{
    struct synack_config cfg;
    synack_config_init(&cfg);
    if (getrandom(cfg.seed, sizeof(cfg.seed), 0) != (ssize_t)sizeof(cfg.seed))   /* real runs: OS entropy */
        return NULL;
    synack_stack_t *st = synack_stack_new(&cfg);
    struct synack_if_config ic = { .name = "pair", .kind = SYNACK_IF_ETHERNET, .mac = { 2, 0, 0, 0, 0, mac_last },
                                   .addr = addr, .prefix_len = 24, .mtu = 1500, .tx = pair_tx, .tx_ctx = fd };
    if (st)
        *ifindex = synack_if_add(st, &ic);
    return st;
}

struct echo {          /* B's side: one accepted connection, echoed back */
    int conn;
    char buf[4096];
    int held, off;     /* bytes read but not yet sent back */
};

static void b_on_event(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    struct echo *e = arg;
    (void)events;                                          /* act on what the calls return instead */
    if (sock != e->conn) {                                 /* the listener: a connection is ready */
        int c = synack_accept(st, sock, NULL, now);
        if (c >= 0) {
            e->conn = c;
            synack_socket_set_handler(st, c, b_on_event, e);
        }
        return;
    }
    for (;;) {
        while (e->off < e->held) {                         /* send back what was read */
            int n = synack_send(st, sock, e->buf + e->off, (size_t)(e->held - e->off), now);
            if (n <= 0)
                return;                                    /* send buffer full: wait for EV_OUT */
            e->off += n;
        }
        int n = synack_recv(st, sock, e->buf, sizeof(e->buf), now);
        if (n <= 0) {
            if (n == 0)                                    /* A finished: finish too */
                synack_close(st, sock, now);
            return;
        }
        e->held = n;
        e->off = 0;
    }
}

int main(void)
{
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds) != 0) {
        perror("socketpair");
        return 1;
    }
    int if_a = -1, if_b = -1;
    synack_stack_t *a = make_stack(&fds[0], 0xC0000201, 1, &if_a);
    synack_stack_t *b = make_stack(&fds[1], 0xC0000202, 2, &if_b);
    if (!a || !b || if_a < 0 || if_b < 0) {
        fprintf(stderr, "socketpair: cannot create the stacks\n");
        return 1;
    }
    struct echo echo = { .conn = -1 };
    struct synack_sockaddr port7 = synack_sockaddr_from_v4(0, 7), to_b = synack_sockaddr_from_v4(0xC0000202, 7);
    int ls = synack_socket(b, SYNACK_SOCK_STREAM);
    if (synack_bind(b, ls, &port7) != 0 || synack_listen(b, ls, 4) != 0)
        return 1;
    synack_socket_set_handler(b, ls, b_on_event, &echo);

    int s = synack_socket(a, SYNACK_SOCK_STREAM);
    int r = synack_connect(a, s, &to_b, now_us());
    if (r != -SYNACK_EINPROGRESS) {
        fprintf(stderr, "connect: %s\n", synack_strerror(r));
        return 1;
    }
    static char out[TOTAL];
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (char)('a' + i % 26);
    size_t sent = 0, got = 0, same = 0;
    int closed = 0, fin = 0;
    synack_time_t start = now_us();
    while (!closed && now_us() - start < SYNACK_SEC(10)) {
        /* Wait for a frame or the earlier of the two stacks' deadlines. */
        synack_time_t now = now_us();
        synack_time_t next = synack_stack_poll(a, now), nb = synack_stack_poll(b, now);
        if (nb < next)
            next = nb;
        int timeout = next == SYNACK_TIME_NEVER ? 100 : next <= now ? 0 : (int)((next - now + 999) / 1000);
        struct pollfd pfd[2] = { { fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 } };
        if (poll(pfd, 2, timeout < 100 ? timeout : 100) < 0)
            break;
        for (int i = 0; i < 2; i++) {
            uint8_t frame[2048];
            ssize_t n;
            while ((pfd[i].revents & POLLIN) && (n = recv(fds[i], frame, sizeof(frame), MSG_DONTWAIT)) > 0)
                synack_if_input(i == 0 ? a : b, i == 0 ? if_a : if_b, frame, (size_t)n, now_us());
        }
        /* A's side, polled rather than through a handler: push data, read the echo. */
        now = now_us();
        while (sent < TOTAL && (r = synack_send(a, s, out + sent, TOTAL - sent, now)) > 0)
            sent += (size_t)r;
        char in[4096];
        while ((r = synack_recv(a, s, in, sizeof(in), now)) > 0) {
            for (int i = 0; i < r; i++)
                same += in[i] == out[got + (size_t)i];
            got += (size_t)r;
        }
        if (r == 0)
            closed = 1;                                    /* B closed after our FIN: done */
        else if (sent == TOTAL && got == TOTAL && !fin++)
            synack_shutdown(a, s, SYNACK_SHUT_WR, now);    /* all back: send our FIN */
    }
    printf("A sent %zu bytes over the socket pair and read %zu back, %zu matching%s\n", sent, got, same,
           closed ? "; closed" : "");
    synack_close(a, s, now_us());
    synack_stack_free(a);
    synack_stack_free(b);
    close(fds[0]);
    close(fds[1]);
    return sent == TOTAL && got == TOTAL && same == TOTAL && closed ? 0 : 1;
}
