/* Fuzz target: arbitrary bytes as an Ethernet frame and as a raw IPv4 packet, into the one-line
 * formatter and into a stack with UDP sockets open (ARP, IPv4, reassembly, ICMP, UDP, TCP input).
 * The first byte picks the link kind and a time step, so fragment timeouts also run. */
#include <stdint.h>
#include <stdlib.h>

#include "synack/synack.h"

static int null_tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now) { return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char line[512];
    synack_format_frame(line, sizeof(line), SYNACK_IF_ETHERNET, data, size);
    synack_format_frame(line, sizeof(line), SYNACK_IF_RAWIP, data, size);

    struct synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, 1);
    synack_stack_t *st = synack_stack_new(&cfg);
    struct synack_if_config ic = { .name = "f0", .kind = SYNACK_IF_ETHERNET, .mac = { 2, 0, 0, 0, 0, 1 },
                                   .addr = 0xC0000202u, .prefix_len = 24, .mtu = 1500, .tx = null_tx };
    int e = synack_if_add(st, &ic);
    ic.kind = SYNACK_IF_RAWIP;
    ic.addr = 0xC6336402u;
    int r = synack_if_add(st, &ic);
    int s = synack_socket(st, SYNACK_SOCK_DGRAM);
    struct synack_sockaddr a = { synack_ip_any6(), 7 };
    synack_bind(st, s, &a);
    /* Split the input into frames at 0xff 0x00 0xff markers so one input can hold several
     * fragments of a datagram. */
    synack_time_t now = 1000;
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || (i + 2 < size && data[i] == 0xff && data[i + 1] == 0x00 && data[i + 2] == 0xff)) {
            if (i > start) {
                const uint8_t *f = data + start;
                size_t n = i - start;
                int ifx = (f[0] & 1) ? r : e;
                now += (synack_time_t)(f[0] >> 1) * 500000u;
                synack_if_input(st, ifx, f + 1, n - 1, now);
                synack_stack_poll(st, now);
            }
            start = i + 3;
            i += 2;
        }
    }
    uint8_t buf[2048];
    while (synack_recvfrom(st, s, buf, sizeof(buf), NULL, now) >= 0)
        ;
    synack_stack_poll(st, now + SYNACK_SEC(120));
    synack_stack_free(st);
    return 0;
}
