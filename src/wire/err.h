/* Why a wire parser rejected bytes. One positive enum for every parser of the layer, so that a
 * parse result can never be mistaken for a negative errno (the stack's error convention): callers
 * turn a reason into a counted drop, the formatter into a word. */
#ifndef WIRE_ERR_H
#define WIRE_ERR_H

enum wire_err {
    WIRE_OK = 0,
    WIRE_ERR_SHORT = 1,     /* span shorter than the fixed header or than the header's own length */
    WIRE_ERR_VERSION = 2,   /* IPv4 version field is not 4 */
    WIRE_ERR_HDRLEN = 3,    /* header length field below the minimum (IPv4 IHL < 5, TCP offset < 5) */
    WIRE_ERR_LEN = 4,       /* a length field below its header (IPv4 total length < IHL, UDP < 8) */
    WIRE_ERR_TRUNC = 5,     /* a length field larger than the span (the packet was cut) */
    WIRE_ERR_CSUM = 6,      /* checksum does not verify */
    WIRE_ERR_OPTS = 7,      /* an option overruns its header or has a bad length */
    WIRE_ERR_UNSUPPORTED = 8, /* well formed but of a kind not handled (ARP not Ethernet/IPv4) */
};

#endif
