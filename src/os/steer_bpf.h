/* The shards' steering program for the kernel (see steer_bpf.c and docs/ARCHITECTURE.md, "Shards"):
 * an eBPF socket filter that the tun driver runs for every frame it sends to a multi-queue device
 * (TUNSETSTEERINGEBPF), returning the queue of the shard that owns the frame's flow, computed with
 * the hash of steer_hash.h. */
#ifndef SYNACK_OS_STEER_BPF_H
#define SYNACK_OS_STEER_BPF_H

#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

/* The most instructions the program takes (it is built for one key, N and link kind). */
#define STEER_BPF_MAX 256

/* Builds the program into `out` (STEER_BPF_MAX instructions): for frames that begin with the
 * Ethernet header (`ethernet`, a TAP) or the IP header (a TUN). Returns the number of
 * instructions. */
int steer_bpf_build(struct bpf_insn *out, const uint64_t key[2], unsigned n, int ethernet);

/* Builds and loads it (bpf(BPF_PROG_LOAD), a socket filter). Returns the program's fd, or a
 * negative errno: -EPERM without CAP_BPF or CAP_SYS_ADMIN, -ENOSYS without bpf(2), -EINVAL or
 * -EACCES if the verifier refused it, when `log` (if not NULL) receives the verifier's log,
 * else an empty string. */
int steer_bpf_load(const uint64_t key[2], unsigned n, int ethernet, char *log, size_t logcap);

#endif
