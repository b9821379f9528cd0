/* The pcap writer: classic libpcap files (version 2.4, microsecond timestamps) that Wireshark and
 * tshark read. Fields are written little-endian whatever the host, so the same run gives the same
 * bytes everywhere; readers tell the byte order from the magic number. Writes are buffered by
 * stdio: call synack_pcap_flush() before another program reads the file while it is open.
 * Timestamps are whatever `now` the caller passes (monotonic or virtual time, in µs), so a
 * capture starts near the epoch rather than at the wall-clock date. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "synack/os.h"

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_SNAPLEN 262144u   /* what tcpdump uses: no frame of ours is cut */

struct synack_pcap {
    FILE *f;
};

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Returns NULL with errno set if the file cannot be created or the header written. */
synack_pcap_t *synack_pcap_open(const char *path, int linktype)
{
    if (!path || linktype < 0) {
        errno = EINVAL;
        return NULL;
    }
    struct synack_pcap *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->f = fopen(path, "wb");
    if (!p->f) {
        int err = errno;
        free(p);
        errno = err;
        return NULL;
    }
    uint8_t h[24];
    put_le32(h, PCAP_MAGIC_USEC);
    put_le16(h + 4, 2);            /* version major */
    put_le16(h + 6, 4);            /* version minor */
    put_le32(h + 8, 0);            /* thiszone: always 0 in practice */
    put_le32(h + 12, 0);           /* sigfigs */
    put_le32(h + 16, PCAP_SNAPLEN);
    put_le32(h + 20, (uint32_t)linktype);
    errno = 0;
    if (fwrite(h, sizeof(h), 1, p->f) != 1) {
        int err = errno ? errno : EIO;
        fclose(p->f);
        free(p);
        errno = err;
        return NULL;
    }
    return p;
}

/* Borrows `data`. Frames longer than the snap length are cut, keeping the original length in the
 * record as pcap intends. Returns 0 or a negative errno. */
int synack_pcap_write(synack_pcap_t *p, synack_time_t ts, const uint8_t *data, size_t len)
{
    if (!p || (!data && len > 0) || len > UINT32_MAX)
        return -EINVAL;
    uint32_t caplen = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : (uint32_t)len;
    uint8_t r[16];
    /* Seconds wrap after 136 years of microseconds: far beyond any run. */
    put_le32(r, (uint32_t)(ts / 1000000u));
    put_le32(r + 4, (uint32_t)(ts % 1000000u));
    put_le32(r + 8, caplen);
    put_le32(r + 12, (uint32_t)len);
    errno = 0;   /* stdio need not set errno; don't report a stale one */
    if (fwrite(r, sizeof(r), 1, p->f) != 1)
        return errno ? -errno : -EIO;
    if (caplen > 0 && fwrite(data, caplen, 1, p->f) != 1)
        return errno ? -errno : -EIO;
    return 0;
}

int synack_pcap_flush(synack_pcap_t *p)
{
    if (!p)
        return -EINVAL;
    errno = 0;
    if (fflush(p->f) != 0)
        return errno ? -errno : -EIO;
    return 0;
}

/* Flushes and closes; an error writing the tail is lost here, so call synack_pcap_flush() first
 * when it matters. */
void synack_pcap_close(synack_pcap_t *p)
{
    if (!p)
        return;
    fclose(p->f);
    free(p);
}
