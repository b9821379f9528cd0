/* The one tcpdump-like formatter: turns a frame or packet into one line of text, shared by traces,
 * tests, the demo and logs. Works on any bytes: a malformed frame is described, never trusted. */
#ifndef SYNACK_FORMAT_H
#define SYNACK_FORMAT_H

#include "synack/types.h"

/* Formats a frame of the given link kind (enum synack_if_kind) into buf (NUL-terminated, truncated
 * to cap). Returns the length written. Example:
 * "192.0.2.1.40000 > 192.0.2.2.80: Flags [S], seq 1000, win 65535, options [mss 1460], length 0" */
SYNACK_API size_t synack_format_frame(char *buf, size_t cap, int link_kind, const uint8_t *frame, size_t len);
/* Same for a bare IPv4 packet. */
SYNACK_API size_t synack_format_ip(char *buf, size_t cap, const uint8_t *pkt, size_t len);

#endif
