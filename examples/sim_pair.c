/* Two stacks on a simulated Ethernet link, in virtual time: B listens, A connects and says hello,
 * B reads it. No root, no device; the same run every time.
 * Build: cc sim_pair.c $(pkg-config --cflags --libs synack) -o sim_pair */
#include <stdio.h>
#include <synack/synack.h>

static synack_stack_t *add_stack(synack_simnet_t *net, synack_simlink_t *link, int side, uint32_t addr)
{
    struct synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, 1 + side);                /* a fixed seed: a reproducible run */
    synack_stack_t *st = synack_stack_new(&cfg);
    struct synack_if_config ic = { .name = "eth0", .kind = SYNACK_IF_ETHERNET, .mac = { 2, 0, 0, 0, 0, 1 + side },
                                   .addr = addr, .prefix_len = 24, .mtu = 1500,
                                   .tx = synack_simlink_tx, .tx_ctx = synack_simlink_end(link, side) };
    synack_simlink_attach(link, side, st, synack_if_add(st, &ic));
    synack_simnet_add_stack(net, st);
    return st;
}

int main(void)
{
    struct synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.latency = SYNACK_MS(10);                            /* 10 ms each way */
    synack_simnet_t *net = synack_simnet_new(0);
    synack_simlink_t *link = synack_simlink_new(&lc);
    synack_simnet_add_link(net, link);
    synack_stack_t *a = add_stack(net, link, 0, 0xC0000201), *b = add_stack(net, link, 1, 0xC0000202);

    struct synack_sockaddr any = synack_sockaddr_from_v4(0, 80), to_b = synack_sockaddr_from_v4(0xC0000202, 80);
    int ls = synack_socket(b, SYNACK_SOCK_STREAM);
    synack_bind(b, ls, &any);
    synack_listen(b, ls, 8);
    int s = synack_socket(a, SYNACK_SOCK_STREAM);
    synack_connect(a, s, &to_b, synack_simnet_now(net));  /* -EINPROGRESS: the SYN is on its way */
    synack_simnet_run_until(net, SYNACK_MS(100));          /* ARP and the handshake */
    int c = synack_accept(b, ls, NULL, synack_simnet_now(net));
    synack_send(a, s, "hello, B", 8, synack_simnet_now(net));
    synack_simnet_run_until(net, SYNACK_MS(200));

    char buf[64];
    int n = synack_recv(b, c, buf, sizeof(buf), synack_simnet_now(net));
    printf("B accepted %d and read %d bytes: %.*s\n", c >= 0, n, n > 0 ? n : 0, buf);
    synack_stack_free(a);
    synack_stack_free(b);
    synack_simnet_free(net);                               /* and the link it owns */
    return n == 8 ? 0 : 1;
}
