/* synack public types shared by every header: time, addresses, the stack handle.
 *
 * Time is a monotonic count of microseconds chosen by the caller (the real clock in a driver, a
 * virtual clock in a simulation). The stack never reads a clock itself: every entry point takes
 * `now`, and synack_stack_poll() reports the next deadline. Addresses are struct synack_ip (either
 * family); the IPv4-only calls take a uint32_t in host byte order (192.0.2.1 is 0xC0000201); ports
 * are host-order uint16_t. */
#ifndef SYNACK_TYPES_H
#define SYNACK_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

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

/* Memory, supplied by the embedder (synack_config.alloc). One realloc-style function:
 * fn(ctx, NULL, n) allocates n bytes, fn(ctx, p, n) resizes p (moving it if needed), fn(ctx, p, 0)
 * frees p and returns NULL. It returns NULL when out of memory; memory must be aligned for any
 * type, as malloc's is. fn NULL means the default: the C library's realloc and free. */
struct synack_allocator {
    void *(*fn)(void *ctx, void *ptr, size_t size);
    void *ctx;
};

/* An IP address of either family: an IPv6 address in network byte order, with IPv4 stored
 * IPv4-mapped (::ffff:a.b.c.d, RFC 4291 2.5.5.2), so one type, one comparison and one hash serve
 * both families. */
struct synack_ip {
    uint8_t b[16];
};

/* The IPv4-mapped form of an IPv4 address given in host order. */
static inline struct synack_ip synack_ip_from_v4(uint32_t a)
{
    struct synack_ip ip = { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, (uint8_t)(a >> 24), (uint8_t)(a >> 16),
                              (uint8_t)(a >> 8), (uint8_t)a } };
    return ip;
}
/* Nonzero if ip is an IPv4(-mapped) address. */
static inline int synack_ip_is_v4(const struct synack_ip *ip)
{
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
#if defined(__GNUC__)
    /* A fixed-size compare the compiler turns into two word loads (this runs per packet). */
    return __builtin_memcmp(ip->b, mapped, 12) == 0;
#else
    for (int i = 0; i < 12; i++)
        if (ip->b[i] != mapped[i])
            return 0;
    return 1;
#endif
}
/* The IPv4 address in host order (meaningful only if synack_ip_is_v4). */
static inline uint32_t synack_ip_to_v4(const struct synack_ip *ip)
{
    return ((uint32_t)ip->b[12] << 24) | ((uint32_t)ip->b[13] << 16) | ((uint32_t)ip->b[14] << 8) | ip->b[15];
}
static inline int synack_ip_equal(const struct synack_ip *a, const struct synack_ip *b)
{
#if defined(__GNUC__)
    return __builtin_memcmp(a->b, b->b, 16) == 0;
#else
    for (int i = 0; i < 16; i++)
        if (a->b[i] != b->b[i])
            return 0;
    return 1;
#endif
}

/* Nonzero for an unspecified address of either family: :: or 0.0.0.0 (::ffff:0.0.0.0). */
static inline int synack_ip_is_unspecified(const struct synack_ip *ip)
{
    static const uint8_t zero[16] = { 0 };
    if (synack_ip_is_v4(ip))
        return !(ip->b[12] | ip->b[13] | ip->b[14] | ip->b[15]);
#if defined(__GNUC__)
    return __builtin_memcmp(ip->b, zero, 16) == 0;
#else
    for (int i = 0; i < 16; i++)
        if (ip->b[i] != zero[i])
            return 0;
    return 1;
#endif
}

/* The unspecified ("any") address of each family: 0.0.0.0 (IPv4-mapped) and ::. Binding to either
 * means every local address. */
static inline struct synack_ip synack_ip_any4(void) { return synack_ip_from_v4(0); }
static inline struct synack_ip synack_ip_any6(void)
{
    struct synack_ip ip = { { 0 } };
    return ip;
}

/* A socket address: an address of either family and a port in host byte order. A zeroed one is
 * [::]:0, the unspecified address. */
struct synack_sockaddr {
    struct synack_ip addr;
    uint16_t port;
};

static inline struct synack_sockaddr synack_sockaddr_from_v4(uint32_t addr, uint16_t port)
{
    struct synack_sockaddr sa = { synack_ip_from_v4(addr), port };
    return sa;
}

/* Buffer sizes that always suffice for the formatters below, NUL included:
 * "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" and "[" that "]:65535". */
#define SYNACK_IP_STRLEN 46
#define SYNACK_SOCKADDR_STRLEN 54

/* Parses an address: a dotted quad ("192.0.2.1", stored IPv4-mapped) or IPv6 text as RFC 4291 2.2
 * writes it ("2001:db8::1", "::ffff:192.0.2.1", "::"). Returns 0 or -EINVAL (out untouched). */
SYNACK_API int synack_ip_parse(const char *text, struct synack_ip *out);
/* Formats an address: IPv4(-mapped) as a dotted quad, IPv6 as RFC 5952 says (lowercase, leading
 * zeros dropped, the longest run of two or more zero groups as "::", the first on a tie). Returns
 * the length, -ENOSPC if cap is too small (buf is then ""), -EINVAL for NULL. */
SYNACK_API int synack_ip_format(const struct synack_ip *ip, char *buf, size_t cap);
/* The same, but always IPv6 text: an IPv4-mapped address is "::ffff:192.0.2.1" (RFC 5952 5). */
SYNACK_API int synack_ip6_format(const struct synack_ip *ip, char *buf, size_t cap);
/* Parses "192.0.2.1:80" or "[2001:db8::1]:80" (port 0..65535 required). 0 or -EINVAL. */
SYNACK_API int synack_sockaddr_parse(const char *text, struct synack_sockaddr *out);
/* Formats a socket address the same way ("192.0.2.1:80", "[2001:db8::1]:80"). Returns the length,
 * -ENOSPC or -EINVAL as synack_ip_format. */
SYNACK_API int synack_sockaddr_format(const struct synack_sockaddr *sa, char *buf, size_t cap);

/* IPv4 only, host order (interface configuration and routes are IPv4 for now). */
/* Parses dotted-quad text ("192.0.2.1") into *out. Returns 0 or -EINVAL. */
SYNACK_API int synack_addr_parse(const char *text, uint32_t *out);
/* Parses "A.B.C.D/N" into address and prefix length. Returns 0 or -EINVAL. */
SYNACK_API int synack_prefix_parse(const char *text, uint32_t *addr, uint8_t *prefix_len);
/* Formats an address into buf (at least 16 bytes); returns buf. */
SYNACK_API char *synack_addr_format(uint32_t addr, char *buf, size_t cap);

/* The message for a negative errno value returned by any synack call ("Connection refused");
 * "Unknown error" for a value synack never returns (for an OS error, use the C library's strerror). */
SYNACK_API const char *synack_strerror(int err);
/* The symbolic name of a negative errno value ("ECONNREFUSED"). */
SYNACK_API const char *synack_errname(int err);

#ifdef __cplusplus
}
#endif

#endif
