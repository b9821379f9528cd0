/* The lab's insides, shared by the run (labcore.c) and the presets (presets.c): the two hosts,
 * their applications, the timed actions and the frames' fates. Not seen by the page. */
#ifndef LAB_LAB_INT_H
#define LAB_LAB_INT_H

#include "labcore.h"
#include "synack/synack.h"

#define LAB_A_ADDR 0xC0000201u   /* 192.0.2.1 */
#define LAB_B_ADDR 0xC0000202u   /* 192.0.2.2 */
#define LAB_T0 SYNACK_SEC(1)     /* when a scenario starts: ARP is settled by then */
#define LAB_MAX_SOCKS 32
#define LAB_MAX_ACTIONS 512
#define LAB_MAX_FRAME_OPS 256

/* What can happen to a frame (f<N>:... in the spec, or a preset's own rule). */
enum lab_fate { LAB_PASS = 0, LAB_DROP, LAB_DELAY, LAB_DUP, LAB_CORRUPT };

/* What a host's application can do at a time (a<T>:... in the spec, or a preset's script). */
enum lab_op {
    LAB_CONNECT = 1,   /* arg: the peer's port (0: 9, where B's program listens) */
    LAB_SEND,          /* arg: bytes */
    LAB_CLOSE,
    LAB_SHUTDOWN,      /* shutdown(SHUT_WR) */
    LAB_ABORT,         /* close with SO_LINGER 0: RST */
    LAB_RCVBUF,        /* arg: bytes, for the current socket and the next ones */
    LAB_READ,          /* arg: 0 the application stops reading, 1 it reads again */
    LAB_BACKLOG,       /* arg: the listener's backlog (listen() again) */
    LAB_LISTEN,        /* arg: port */
    LAB_HTTP,          /* arg: 10 or 11: send a GET as HTTP/1.0 or HTTP/1.1 */
    LAB_SPOOF_SYN,     /* arg: n, a SYN from 198.51.100.n that nobody will answer */
    LAB_KEEPALIVE,     /* arg: seconds idle before the first probe (for the next sockets too) */
};

struct lab_action {
    synack_time_t t;
    int host;
    int op;
    uint32_t arg;
};

struct lab_preset {
    const char *name;
    const char *title;
    synack_time_t end;                     /* the run stops here (absolute virtual time) */
    double latency_ms;                     /* one way */
    uint64_t bandwidth_bps;
    unsigned queue_limit;
    void (*config)(int host, struct synack_config *cfg);   /* NULL: defaults */
    void (*setup)(struct lab *L);          /* listeners, options, the script of actions */
    /* A preset's own rule for a TCP segment (the k-th of its sender, from 1), e.g. "lose the
     * final ACK"; NULL: none. */
    enum lab_fate (*fate)(struct lab *L, int host, const struct synack_tcp_fields *f, int state, unsigned k);
};

extern const struct lab_preset lab_presets[];
extern const size_t lab_npresets;

/* For presets. */
void lab_at(struct lab *L, synack_time_t t, int host, int op, uint32_t arg);
void lab_host_bind_port(struct lab *L, int host, uint16_t port);
void lab_host_set_http_server(struct lab *L, int host);
int lab_state(const struct lab *L, int host);
unsigned *lab_scratch(struct lab *L);   /* four counters a preset's rule may keep */

#endif
