/* Fuzz target: arbitrary bytes as an Ethernet frame and as a raw IP packet, into the one-line
 * formatter and into a dual-stack stack with UDP sockets open (ARP, IPv4, reassembly, ICMP, UDP,
 * TCP input; and with EtherType 0x86DD or a raw version 6 packet, IPv6: ND, router advertisements
 * and SLAAC, extension headers, reassembly, ICMPv6, MLD). The first byte picks the link kind,
 * whether the link vouches for the transport checksum (SYNACK_RX_CSUM_OK: mutations then reach TCP
 * and UDP past their checksum) and a time step, so fragment timeouts, ND's timers and address
 * lifetimes also run. */
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
    cfg.ip6_dad_transmits = -1;   /* addresses usable at once, so input reaches every layer */
    synack_stack_t *st = synack_stack_new(&cfg);
    struct synack_if_config ic = { .name = "f0", .kind = SYNACK_IF_ETHERNET, .mac = { 2, 0, 0, 0, 0, 1 },
                                   .addr = 0xC0000202u, .prefix_len = 24, .mtu = 1500, .tx = null_tx };
    int e = synack_if_add(st, &ic);
    ic.kind = SYNACK_IF_RAWIP;
    ic.addr = 0xC6336402u;
    int r = synack_if_add(st, &ic);
    struct synack_ip a6, b6, gw;
    synack_ip_parse("2001:db8::1", &a6);
    synack_ip_parse("2001:db8:1::1", &b6);
    synack_ip_parse("fe80::1", &gw);
    synack_if_enable_ipv6(st, e, SYNACK_IF6_SLAAC, 1000);
    synack_if_add_addr6(st, e, &a6, 64, 1000);
    synack_if_add_addr6(st, r, &b6, 64, 1000);
    synack_route6_set_gateway(st, &gw);
    int s = synack_socket(st, SYNACK_SOCK_DGRAM);
    struct synack_sockaddr a = { synack_ip_any6(), 7 };
    synack_bind(st, s, &a);
    /* Datagrams waiting for ND (to a neighbour, a link-local one, off-link through the gateway),
     * one big enough to be fragmented to whatever path MTU the input teaches. */
    static const uint8_t big[3000];
    static const char *const dsts[] = { "2001:db8::2", "fe80::2", "2001:db8:9::9" };
    struct synack_sockaddr to = { synack_ip_any6(), 7 };
    for (int k = 0; k < 3; k++) {
        synack_ip_parse(dsts[k], &to.addr);
        synack_sendto(st, s, big, k ? 100 : sizeof(big), &to, 1000);
    }
    /* Split the input into frames at 0xff 0x00 0xff markers so one input can hold several
     * fragments of a datagram. */
    synack_time_t now = 1000;
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || (i + 2 < size && data[i] == 0xff && data[i + 1] == 0x00 && data[i + 2] == 0xff)) {
            if (i > start) {
                const uint8_t *f = data + start;
                size_t n = i - start;
                /* The first byte: the interface, whether the link vouches for the checksum (so
                 * mutated transport bytes reach TCP and UDP unchecked), the time step. */
                int ifx = (f[0] & 1) ? r : e;
                unsigned flags = (f[0] & 2) ? SYNACK_RX_CSUM_OK : 0;
                now += (synack_time_t)(f[0] >> 2) * 500000u;
                synack_if_input_flags(st, ifx, f + 1, n - 1, flags, now);
                synack_stack_poll(st, now);
            }
            start = i + 3;
            i += 2;
        }
    }
    uint8_t buf[2048];
    while (synack_recvfrom(st, s, buf, sizeof(buf), NULL, now) >= 0)
        ;
    synack_sendto(st, s, big, sizeof(big), &to, now);
    synack_stack_poll(st, now + SYNACK_SEC(120));
    synack_stack_free(st);
    return 0;
}
