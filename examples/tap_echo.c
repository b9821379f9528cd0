/* An echo server (TCP port 7) on a TAP device, with the OS library's driver loop: the kernel on the
 * other side of the device is the client. As root:
 *   ./tap_echo tap0            # the stack is 192.0.2.2/24, the kernel's side 192.0.2.1/24
 *   echo hello | nc -N 192.0.2.2 7
 * Ctrl-C stops it.
 * Build: cc tap_echo.c $(pkg-config --cflags --libs synack-os) -o tap_echo */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <synack/synack.h>
#include <synack/os.h>

static volatile int stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* Each connection: read what is there and write it back. A send that takes fewer bytes than were
 * read drops the rest (a real server would hold it until EV_OUT). */
static void on_conn(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    char buf[2048];
    int n;
    (void)arg;
    while ((n = synack_recv(st, sock, buf, sizeof(buf), now)) > 0)
        synack_send(st, sock, buf, (size_t)n, now);
    if (n == 0 || (n < 0 && n != -SYNACK_EAGAIN) || (events & SYNACK_EV_HUP))
        synack_close(st, sock, now);                      /* the client is done (or gone) */
}

/* A new connection's handler runs only for events after it is set, but the client's data and FIN
 * may have arrived with the handshake, before the accept: run it once at once for what is there. */
static void on_listener(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    int c;
    (void)events;
    while ((c = synack_accept(st, sock, NULL, now)) >= 0) {
        synack_socket_set_handler(st, c, on_conn, arg);
        on_conn(st, c, synack_socket_events(st, c), arg, now);
    }
}

int main(int argc, char **argv)
{
    const char *dev = argc > 1 ? argv[1] : "tap0";
    char name[16];
    int fd = synack_tap_open(dev, 0, name);
    if (fd < 0) {
        fprintf(stderr, "tap_echo: %s: %s (root needed)\n", dev, synack_strerror(fd));
        return 1;
    }
    int r = synack_tap_configure_host(name, 0xC0000201, 24, 1500);   /* the kernel's side, up */
    struct synack_config cfg;
    synack_config_init(&cfg);
    if (r == 0)
        r = synack_os_seed(cfg.seed);
    synack_stack_t *st = r == 0 ? synack_stack_new(&cfg) : NULL;
    if (!st) {
        fprintf(stderr, "tap_echo: %s\n", synack_strerror(r ? r : -SYNACK_ENOMEM));
        return 1;
    }
    /* Frames go out through the driver, which batches them (io_uring where the kernel has it). */
    synack_driver_t *d = synack_driver_new(st);
    struct synack_if_config ic = { .name = name, .kind = SYNACK_IF_ETHERNET, .mac = { 2, 0, 0, 0x53, 0, 2 },
                                   .addr = 0xC0000202, .prefix_len = 24, .mtu = 1500,
                                   .tx = synack_driver_tx, .tx_ctx = synack_driver_tx_ctx(d, fd) };
    int ifindex = ic.tx_ctx ? synack_if_add(st, &ic) : -SYNACK_EINVAL;
    struct synack_sockaddr port7 = synack_sockaddr_from_v4(0, 7);
    int ls = synack_socket(st, SYNACK_SOCK_STREAM);
    if (ifindex < 0 || !d || synack_driver_add_port(d, fd, ifindex) != 0 || synack_bind(st, ls, &port7) != 0 ||
        synack_listen(st, ls, 16) != 0) {
        fprintf(stderr, "tap_echo: set-up failed\n");
        return 1;
    }
    synack_socket_set_handler(st, ls, on_listener, NULL);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    printf("echo on 192.0.2.2:7 via %s (the kernel's side is 192.0.2.1); Ctrl-C stops\n", name);
    fflush(stdout);                                        /* a script waiting for the line sees it */
    r = synack_driver_run(d, &stop);                       /* frames in, timers, events; until stop */
    printf("tap_echo: %s; %llu TCP segments in, %llu out\n", r < 0 ? synack_strerror(r) : "stopped",
           (unsigned long long)synack_counter_get(st, SYNACK_C_TcpInSegs),
           (unsigned long long)synack_counter_get(st, SYNACK_C_TcpOutSegs));
    synack_stack_free(st);
    synack_driver_free(d);   /* after the stack, which transmits through it */
    return r < 0;
}
