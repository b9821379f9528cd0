/* Unit tests of the pcap writer: the file header and each record are checked byte for byte
 * against the classic libpcap format (little-endian, version 2.4, microsecond timestamps). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synack/link.h"
#include "synack/os.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Reads the whole file; the caller frees. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static void temp_path(char *path, size_t cap)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, cap, "%s/synack-pcap-XXXXXX", dir ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

static void test_header_and_records(void **state)
{
    char path[256];
    temp_path(path, sizeof(path));
    synack_pcap_t *p = synack_pcap_open(path, SYNACK_PCAP_LINKTYPE_ETHERNET);
    assert_non_null(p);

    const uint8_t a[] = {0xde, 0xad, 0xbe, 0xef, 0x01};
    const uint8_t b[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, [59] = 0x42};
    assert_int_equal(synack_pcap_write(p, SYNACK_SEC(3) + 250, a, sizeof(a)), 0);
    assert_int_equal(synack_pcap_write(p, 999999, b, sizeof(b)), 0);
    assert_int_equal(synack_pcap_write(p, SYNACK_SEC(4000000000u), NULL, 0), 0);
    assert_int_equal(synack_pcap_flush(p), 0);

    size_t len;
    uint8_t *f = slurp(path, &len);
    assert_int_equal(len, 24 + (16 + 5) + (16 + 60) + 16);

    /* File header: magic, version 2.4, zone, sigfigs, snaplen, linktype. */
    const uint8_t magic[4] = {0xd4, 0xc3, 0xb2, 0xa1};
    assert_memory_equal(f, magic, 4);
    assert_int_equal(le16(f + 4), 2);
    assert_int_equal(le16(f + 6), 4);
    assert_int_equal(le32(f + 8), 0);
    assert_int_equal(le32(f + 12), 0);
    assert_int_equal(le32(f + 16), 262144);
    assert_int_equal(le32(f + 20), 1);

    /* Record 1: 3 s + 250 µs, 5 bytes. */
    const uint8_t *r = f + 24;
    assert_int_equal(le32(r), 3);
    assert_int_equal(le32(r + 4), 250);
    assert_int_equal(le32(r + 8), 5);
    assert_int_equal(le32(r + 12), 5);
    assert_memory_equal(r + 16, a, sizeof(a));

    /* Record 2: just under a second. */
    r += 16 + 5;
    assert_int_equal(le32(r), 0);
    assert_int_equal(le32(r + 4), 999999);
    assert_int_equal(le32(r + 8), 60);
    assert_int_equal(le32(r + 12), 60);
    assert_memory_equal(r + 16, b, sizeof(b));

    /* Record 3: empty, large timestamp. */
    r += 16 + 60;
    assert_int_equal(le32(r), 4000000000u);
    assert_int_equal(le32(r + 4), 0);
    assert_int_equal(le32(r + 8), 0);
    assert_int_equal(le32(r + 12), 0);

    synack_pcap_close(p);
    free(f);
    unlink(path);
}

static void test_raw_linktype_and_close_flushes(void **state)
{
    char path[256];
    temp_path(path, sizeof(path));
    synack_pcap_t *p = synack_pcap_open(path, SYNACK_PCAP_LINKTYPE_RAW);
    assert_non_null(p);
    uint8_t ip[20] = {0x45};
    assert_int_equal(synack_pcap_write(p, 1, ip, sizeof(ip)), 0);
    synack_pcap_close(p);   /* no explicit flush: close must write everything */

    size_t len;
    uint8_t *f = slurp(path, &len);
    assert_int_equal(len, 24 + 16 + 20);
    assert_int_equal(le32(f + 20), 101);
    assert_int_equal(le32(f + 24 + 4), 1);
    assert_int_equal(f[24 + 16], 0x45);
    free(f);
    unlink(path);
}

/* Frames beyond the snap length keep their true length in orig_len. */
static void test_snaplen_truncates(void **state)
{
    char path[256];
    temp_path(path, sizeof(path));
    synack_pcap_t *p = synack_pcap_open(path, SYNACK_PCAP_LINKTYPE_ETHERNET);
    assert_non_null(p);
    size_t big = 262144 + 100;
    uint8_t *data = calloc(1, big);
    assert_non_null(data);
    assert_int_equal(synack_pcap_write(p, 0, data, big), 0);
    synack_pcap_close(p);
    free(data);

    size_t len;
    uint8_t *f = slurp(path, &len);
    assert_int_equal(len, 24 + 16 + 262144);
    assert_int_equal(le32(f + 24 + 8), 262144);
    assert_int_equal(le32(f + 24 + 12), big);
    free(f);
    unlink(path);
}

static void test_open_errors(void **state)
{
    errno = 0;
    assert_null(synack_pcap_open("/nonexistent-dir/x.pcap", SYNACK_PCAP_LINKTYPE_ETHERNET));
    assert_int_equal(errno, ENOENT);
    assert_int_equal(synack_pcap_write(NULL, 0, NULL, 0), -EINVAL);
    synack_pcap_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_and_records),
        cmocka_unit_test(test_raw_linktype_and_close_flushes),
        cmocka_unit_test(test_snaplen_truncates),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
