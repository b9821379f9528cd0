/** @file
 * Types every other header uses: time, the stack handle, the allocator, addresses of either family
 * and their text forms, and the names and messages of error values.
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

/** @cond SYNACK_INTERNAL */
#if defined(SYNACK_BUILDING)
#define SYNACK_API __attribute__((visibility("default")))
#else
#define SYNACK_API
#endif
/** @endcond */

/** A point in time or a duration, in microseconds on a monotonic clock the caller chooses (the real
 * clock in a driver, a virtual one in a simulation). The stack never reads a clock itself. */
typedef uint64_t synack_time_t;
#define SYNACK_TIME_NEVER UINT64_MAX      /**< "No deadline": what synack_stack_poll() returns when nothing is due. */
#define SYNACK_US(x) ((synack_time_t)(x))              /**< @p x microseconds as a synack_time_t. */
#define SYNACK_MS(x) ((synack_time_t)(x) * 1000u)      /**< @p x milliseconds in microseconds. */
#define SYNACK_SEC(x) ((synack_time_t)(x) * 1000000u)  /**< @p x seconds in microseconds. */

/** A stack: the opaque object that holds everything one TCP/IP stack knows (interfaces, sockets,
 * connections, timers, counters). Created by synack_stack_new(), freed by synack_stack_free(). Any
 * number of stacks can live in one process; none sees another. A stack is not thread-safe: use each
 * one from one thread at a time. */
typedef struct synack_stack synack_stack_t;

/** Memory, supplied by the embedder (synack_config.alloc). One realloc-style function:
 * fn(ctx, NULL, n) allocates n bytes, fn(ctx, p, n) resizes p (moving it if needed), fn(ctx, p, 0)
 * frees p and returns NULL. It returns NULL when out of memory; memory must be aligned for any
 * type, as malloc's is. fn NULL means the default: the C library's realloc and free. */
struct synack_allocator {
    void *(*fn)(void *ctx, void *ptr, size_t size);   /**< The realloc-style function, or NULL for the C library's. */
    void *ctx;                                        /**< Passed as the first argument of every call of fn. */
};

/** An IP address of either family: an IPv6 address in network byte order, with IPv4 stored
 * IPv4-mapped (\::ffff:a.b.c.d, RFC 4291 2.5.5.2), so one type, one comparison and one hash serve
 * both families. Build one with synack_ip_from_v4() or synack_ip_parse(). */
struct synack_ip {
    uint8_t b[16];   /**< The 16 bytes of the (IPv6 or IPv4-mapped) address, in network order. */
};

/** The IPv4-mapped form of an IPv4 address.
 * @param a the IPv4 address in host byte order (192.0.2.1 is 0xC0000201)
 * @return \::ffff:a as a struct synack_ip */
static inline struct synack_ip synack_ip_from_v4(uint32_t a)
{
    struct synack_ip ip = { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, (uint8_t)(a >> 24), (uint8_t)(a >> 16),
                              (uint8_t)(a >> 8), (uint8_t)a } };
    return ip;
}
/** Whether an address is IPv4 (stored IPv4-mapped).
 * @param ip the address
 * @return nonzero if @p ip is an IPv4(-mapped) address, 0 for an IPv6 one */
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
/** The IPv4 address held in an IPv4-mapped address.
 * @param ip the address; meaningful only if synack_ip_is_v4() is true of it
 * @return its last four bytes as an IPv4 address in host byte order */
static inline uint32_t synack_ip_to_v4(const struct synack_ip *ip)
{
    return ((uint32_t)ip->b[12] << 24) | ((uint32_t)ip->b[13] << 16) | ((uint32_t)ip->b[14] << 8) | ip->b[15];
}
/** Compares two addresses of either family.
 * @param a one address
 * @param b the other
 * @return nonzero if all 16 bytes are equal (an IPv4 address never equals an IPv6 one) */
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

/** Whether an address is the unspecified ("any") address of its family.
 * @param ip the address
 * @return nonzero for :: or 0.0.0.0 (stored \::ffff:0.0.0.0), 0 otherwise */
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

/** The unspecified IPv4 address, 0.0.0.0 (IPv4-mapped). Binding to it means every local address.
 * @return \::ffff:0.0.0.0 */
static inline struct synack_ip synack_ip_any4(void) { return synack_ip_from_v4(0); }
/** The unspecified IPv6 address, ::. Binding to it means every local address.
 * @return :: (16 zero bytes) */
static inline struct synack_ip synack_ip_any6(void)
{
    struct synack_ip ip = { { 0 } };
    return ip;
}

/** A socket address: an address of either family and a port in host byte order. A zeroed one is
 * [::]:0, the unspecified address. */
struct synack_sockaddr {
    struct synack_ip addr;   /**< The address (IPv4-mapped for IPv4). */
    uint16_t port;           /**< The port, host byte order; 0 where any port is meant (synack_bind()). */
};

/** A socket address from an IPv4 address and a port.
 * @param addr the IPv4 address, host byte order (0 for any)
 * @param port the port, host byte order
 * @return the address IPv4-mapped, with the port */
static inline struct synack_sockaddr synack_sockaddr_from_v4(uint32_t addr, uint16_t port)
{
    struct synack_sockaddr sa = { synack_ip_from_v4(addr), port };
    return sa;
}

/** A buffer size that always suffices for synack_ip_format() and synack_ip6_format(), NUL included:
 * "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255". */
#define SYNACK_IP_STRLEN 46
/** A buffer size that always suffices for synack_sockaddr_format(), NUL included: "[" the longest
 * address "]:65535". */
#define SYNACK_SOCKADDR_STRLEN 54

/** Parses an address of either family.
 * @param text a dotted quad ("192.0.2.1", stored IPv4-mapped) or IPv6 text as RFC 4291 2.2 writes
 *             it ("2001:db8::1", "\::ffff:192.0.2.1", "::"), NUL-terminated, nothing around it
 * @param out  where the address goes; untouched on error
 * @return 0, or -EINVAL if @p text is not an address or an argument is NULL */
SYNACK_API int synack_ip_parse(const char *text, struct synack_ip *out);
/** Formats an address: IPv4(-mapped) as a dotted quad, IPv6 as RFC 5952 says (lowercase, leading
 * zeros dropped, the longest run of two or more zero groups as "::", the first on a tie).
 * @param ip  the address
 * @param buf where the NUL-terminated text goes
 * @param cap the size of @p buf; SYNACK_IP_STRLEN always suffices
 * @return the length of the text (without the NUL), -ENOSPC if @p cap is too small (@p buf is then
 *         ""), or -EINVAL if @p ip or @p buf is NULL */
SYNACK_API int synack_ip_format(const struct synack_ip *ip, char *buf, size_t cap);
/** Formats an address as IPv6 text always: an IPv4-mapped address becomes "\::ffff:192.0.2.1"
 * (RFC 5952 5); otherwise as synack_ip_format().
 * @param ip  the address
 * @param buf where the NUL-terminated text goes
 * @param cap the size of @p buf; SYNACK_IP_STRLEN always suffices
 * @return the length, -ENOSPC or -EINVAL as synack_ip_format() */
SYNACK_API int synack_ip6_format(const struct synack_ip *ip, char *buf, size_t cap);
/** Parses a socket address: "192.0.2.1:80" or "[2001:db8::1]:80" (the brackets are required
 * around IPv6, and the port, 0 to 65535, is required).
 * @param text the NUL-terminated text
 * @param out  where the socket address goes; untouched on error
 * @return 0, or -EINVAL if @p text is not a socket address or an argument is NULL */
SYNACK_API int synack_sockaddr_parse(const char *text, struct synack_sockaddr *out);
/** Formats a socket address the way synack_sockaddr_parse() reads it: "192.0.2.1:80",
 * "[2001:db8::1]:80".
 * @param sa  the socket address
 * @param buf where the NUL-terminated text goes
 * @param cap the size of @p buf; SYNACK_SOCKADDR_STRLEN always suffices
 * @return the length, -ENOSPC or -EINVAL as synack_ip_format() */
SYNACK_API int synack_sockaddr_format(const struct synack_sockaddr *sa, char *buf, size_t cap);

/* IPv4 only, host order (interface configuration and routes are IPv4 for now). */
/** Parses an IPv4 address in strict dotted-quad form: four decimal numbers 0 to 255 of one to
 * three digits each, separated by dots, nothing else ("192.0.2.1"; not "192.0.2" or "0x7f.1").
 * @param text the NUL-terminated text
 * @param out  where the address goes, host byte order
 * @return 0, or -EINVAL if @p text is not a dotted quad */
SYNACK_API int synack_addr_parse(const char *text, uint32_t *out);
/** Parses an IPv4 address with a prefix length, "A.B.C.D/N" (N from 0 to 32), as interface
 * addresses are written.
 * @param text       the NUL-terminated text
 * @param addr       where the address goes, host byte order
 * @param prefix_len where the prefix length goes
 * @return 0, or -EINVAL if @p text is not in that form */
SYNACK_API int synack_prefix_parse(const char *text, uint32_t *addr, uint8_t *prefix_len);
/** Formats an IPv4 address as a dotted quad, truncating rather than failing if @p cap is short, so
 * that the result can go straight into printf.
 * @param addr the address, host byte order
 * @param buf  where the NUL-terminated text goes; 16 bytes always suffice
 * @param cap  the size of @p buf (0: nothing is written)
 * @return @p buf */
SYNACK_API char *synack_addr_format(uint32_t addr, char *buf, size_t cap);

/** The message for an error value any synack call returns.
 * @param err a negative errno value (the sign is ignored), e.g. -SYNACK_ECONNREFUSED
 * @return a static string, "Connection refused"; "Unknown error" for a value synack never returns
 *         (for an error from the operating system, use the C library's strerror) */
SYNACK_API const char *synack_strerror(int err);
/** The symbolic name of an error value any synack call returns.
 * @param err a negative errno value (the sign is ignored)
 * @return a static string, "ECONNREFUSED"; "E?" for a value synack never returns */
SYNACK_API const char *synack_errname(int err);

#ifdef __cplusplus
}
#endif

#endif
