/* Reading capture files for `synack ladder`, through libpcap: classic pcap (any byte order,
 * microsecond or nanosecond timestamps) and pcapng, as tcpdump, tshark and dumpcap write them. */
#ifndef TOOLS_PCAPREAD_H
#define TOOLS_PCAPREAD_H

#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"

/* Called for each packet: ts in microseconds since the epoch, the captured bytes. */
typedef void (*pcapread_fn)(void *ctx, int linktype, synack_time_t ts, const uint8_t *frame, size_t caplen);

struct pcapread_info {
    int linktype;          /* of the (first) interface */
    uint64_t packets;
    synack_time_t first_ts, last_ts;
};

/* Reads the whole file. Returns 0, or -1 with a one-line reason in err ("empty file", "not a pcap
 * or pcapng file", "truncated ...", "link type ... not supported"); packets read before a
 * truncation have been delivered. */
int pcapread_file(const char *path, pcapread_fn fn, void *ctx, struct pcapread_info *info, char *err, size_t errcap);

#endif
