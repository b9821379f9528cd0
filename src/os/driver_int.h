/* What the shards (shard.c) need of the driver loop (driver.c), inside libsynack_os only: a port
 * whose frames are first shown to a steering function, which may take a frame to hand it to the
 * shard that owns its flow, and a flush after each burst read, to wake the shards handed frames. */
#ifndef OS_DRIVER_INT_H
#define OS_DRIVER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "synack/os.h"

/* Returns 1 if it took the frame (borrowed: copy what is kept), 0 to let it go to the stack. */
typedef int (*driver_steer_fn)(void *arg, const uint8_t *frame, size_t len);
typedef void (*driver_flush_fn)(void *arg);

/* Steers the frames read from port `fd` (already added): every frame passes `steer` before the
 * stack (or the impaired path), and `flush` runs after each burst. Returns 0 or -EINVAL. */
int driver_port_steer(synack_driver_t *d, int fd, driver_steer_fn steer, driver_flush_fn flush, void *arg);

#endif
