/* Segmentation offload undone for captures (`--pcap-wire`): a TCP frame handed to the device with
 * gso_size set (one IPv4 or IPv6 header, one TCP header, up to 64 KB of payload, the TCP checksum
 * field holding only the pseudo-header sum) is cut into the frames the kernel puts on the wire, as
 * the virtio-net header asks: gso_size bytes of payload each; IPv4 total length, ID (incremented
 * per segment) and header checksum, or IPv6 payload length (no ID, no header checksum); TCP
 * sequence number and a full TCP checksum over the family's pseudo-header per segment; FIN and PSH
 * only on the last segment, CWR only on the first. */
#ifndef TOOLS_WIRESEG_H
#define TOOLS_WIRESEG_H

#include <stddef.h>
#include <stdint.h>

#include "synack/stack.h"

typedef void (*wireseg_emit_fn)(void *ctx, const uint8_t *frame, size_t len);

/* l2_len: 14 on Ethernet, 0 on a raw-IP (TUN) device. A frame without gso_size (or that is not
 * IPv4/TCP or IPv6/TCP) is emitted unchanged. Returns the number of frames emitted, or -1 if a GSO frame is
 * malformed (it is then emitted unchanged). */
int wireseg_cut(const uint8_t *frame, size_t len, const struct synack_tx_meta *meta, size_t l2_len,
                wireseg_emit_fn emit, void *ctx);

/* A frame received from an offload device: the kernel may hand over several segments merged (GRO)
 * and TCP checksums left partial. Cut as the sender's wire carried it: segments of the largest
 * payload the MTU leaves beside this frame's headers, each with full checksums. Frames that are not
 * TCP over IPv4 or IPv6 are emitted unchanged. */
int wireseg_cut_in(const uint8_t *frame, size_t len, unsigned mtu, size_t l2_len, wireseg_emit_fn emit, void *ctx);

/* The Internet checksum (RFC 1071) of buf, folded, starting from sum; not complemented. */
uint32_t wireseg_sum(const uint8_t *buf, size_t len, uint32_t sum);

#endif
