/* Capture files through libpcap (see pcapread.h). libpcap rather than a hand-rolled reader: it
 * reads pcapng as well as classic pcap, and the byte-order and timestamp-precision variants. */
#include "pcapread.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ladder_conns.h"

int pcapread_file(const char *path, pcapread_fn fn, void *ctx, struct pcapread_info *info, char *err, size_t errcap)
{
    memset(info, 0, sizeof(*info));
    struct stat stt;
    if (stat(path, &stt) != 0) {
        snprintf(err, errcap, "%s", strerror(errno));
        return -1;
    }
    if (S_ISDIR(stt.st_mode)) {
        snprintf(err, errcap, "is a directory");
        return -1;
    }
    if (stt.st_size == 0) {
        snprintf(err, errcap, "empty file (not a capture)");
        return -1;
    }
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
    if (!p) {
        if (strstr(ebuf, "unknown file format"))
            snprintf(err, errcap, "not a pcap or pcapng file");
        else if (strstr(ebuf, "truncated"))
            snprintf(err, errcap, "truncated capture file: its header is incomplete");
        else
            snprintf(err, errcap, "%s", ebuf);
        return -1;
    }
    info->linktype = pcap_datalink(p);
    if (!lc_link_supported(info->linktype)) {
        const char *name = pcap_datalink_val_to_name(info->linktype);
        snprintf(err, errcap, "link type %d (%s) not supported (Ethernet, raw IP, Linux cooked SLL/SLL2 are)",
                 info->linktype, name ? name : "unknown");
        pcap_close(p);
        return -1;
    }
    int rc = 0;
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int r = pcap_next_ex(p, &h, &data);
        if (r == PCAP_ERROR_BREAK)
            break;
        if (r != 1) {
            const char *why = pcap_geterr(p);
            if (strstr(why, "truncated"))
                snprintf(err, errcap, "truncated capture file: packet %llu is cut off",
                         (unsigned long long)info->packets + 1);
            else
                snprintf(err, errcap, "after %llu packets: %s", (unsigned long long)info->packets, why);
            rc = -1;
            break;
        }
        synack_time_t ts = (synack_time_t)h->ts.tv_sec * 1000000u + (synack_time_t)h->ts.tv_usec;
        if (!info->packets)
            info->first_ts = ts;
        info->last_ts = ts;
        info->packets++;
        /* (libpcap reads a pcapng only when all its interfaces share one link type.) */
        fn(ctx, pcap_datalink(p), ts, data, h->caplen);
    }
    pcap_close(p);
    return rc;
}
