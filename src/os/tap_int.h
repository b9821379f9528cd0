/* What the driver loop (driver.c) shares with the TAP/TUN module (tap.c), inside libsynack_os
 * only: the virtio-net header a frame goes out behind, and its write, for the writes the driver
 * queues itself or writes directly. */
#ifndef OS_TAP_INT_H
#define OS_TAP_INT_H

#include <linux/virtio_net.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/os.h"

/* Fills *h for `frame` as synack_fd_tx_vnet() sends it: segmentation and partial checksum for a
 * large TCP frame (meta->gso_size), else an empty header. */
void tap_vnet_hdr(struct virtio_net_hdr *h, const uint8_t *frame, size_t len, const struct synack_tx_meta *meta);
/* Writes *h then the frame in one writev: as synack_fd_tx_vnet() with the header built already.
 * Returns 0, -EAGAIN if the device's queue is full, or the write's errno. */
int tap_write_vnet(int fd, const struct virtio_net_hdr *h, const uint8_t *frame, size_t len);

#endif
