/* synack public types shared by every header: time, addresses, the stack handle.
 *
 * Time is a monotonic count of microseconds chosen by the caller (the real clock in a driver, a
 * virtual clock in a simulation). The stack never reads a clock itself: every entry point takes
 * `now`, and synack_stack_poll() reports the next deadline. IPv4 addresses are uint32_t in host
 * byte order (192.0.2.1 is 0xC0000201); ports are host-order uint16_t. */
#ifndef SYNACK_TYPES_H
#define SYNACK_TYPES_H

#include <stddef.h>
#include <stdint.h>

#if defined(SYNACK_BUILDING)
#define SYNACK_API __attribute__((visibility("default")))
#else
#define SYNACK_API
#endif

typedef uint64_t synack_time_t;           /* microseconds, monotonic */
#define SYNACK_TIME_NEVER UINT64_MAX      /* "no deadline" */
#define SYNACK_US(x) ((synack_time_t)(x))
#define SYNACK_MS(x) ((synack_time_t)(x) * 1000u)
#define SYNACK_SEC(x) ((synack_time_t)(x) * 1000000u)

typedef struct synack_stack synack_stack_t;

struct synack_sockaddr {
    uint32_t addr;   /* IPv4, host byte order */
    uint16_t port;   /* host byte order */
};

/* Parses dotted-quad text ("192.0.2.1") into *out. Returns 0 or -EINVAL. */
SYNACK_API int synack_addr_parse(const char *text, uint32_t *out);
/* Parses "A.B.C.D/N" into address and prefix length. Returns 0 or -EINVAL. */
SYNACK_API int synack_prefix_parse(const char *text, uint32_t *addr, uint8_t *prefix_len);
/* Formats an address into buf (at least 16 bytes); returns buf. */
SYNACK_API char *synack_addr_format(uint32_t addr, char *buf, size_t cap);

/* The message for a negative errno value returned by any synack call ("Connection refused"). */
SYNACK_API const char *synack_strerror(int err);
/* The symbolic name of a negative errno value ("ECONNREFUSED"). */
SYNACK_API const char *synack_errname(int err);

#endif
