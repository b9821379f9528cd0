/* The open-file and metadata cache of the HTTP server: a request-target's path is resolved under
 * the root once (http_static_open: decoding, dot-segments, realpath, the root check, open), and the
 * result is kept with the file's identity (device, inode, size, modification time). A file of at
 * most small_max bytes is kept in memory (read once, then served with no system call); a larger
 * one keeps its descriptor open and is streamed from it. An entry is trusted for `check` after its
 * last validation; then the next request resolves the path again and compares identities, so a
 * file changed, replaced, removed or re-linked elsewhere is noticed within `check` (and what is
 * served meanwhile is the old file, always one that was under the root). Time is the `now` the
 * server is given. Bounded: max_entries entries, max_bytes of file data, max_fds descriptors, the
 * least recently used going first. Entries are shared by the responses sending them (a reference
 * each), so one dropped from the table stays alive until its last response ends.
 *
 * Only files are cached (200); redirects and errors are resolved each time. */
#ifndef APPS_HTTP_CACHE_H
#define APPS_HTTP_CACHE_H

#include <stdint.h>

#include "http_static.h"
#include "synack/types.h"

struct http_file {
    struct http_file *hnext;                /* hash chain */
    struct http_file *prev, *next;          /* LRU list, most recent first */
    struct http_cache *cache;               /* NULL: not in a table (freed at its last put) */
    uint64_t hash;
    unsigned refs;
    synack_time_t checked;                  /* last validation */
    int fd;                                 /* large files: open descriptor; else -1 */
    char *data;                             /* small files: the whole file; else NULL */
    uint64_t size, ino, dev;
    int64_t mtime, mtime_ns;
    const char *content_type;
    /* The strong entity-tag and the head's lines that depend on the file alone, written by the
     * first response that sends the file (http_reply.c) and kept with it, so a response to a cached
     * file formats no date or number of the file again. fields_len 0: not written yet. */
    char etag[56];
    char fields[256];
    unsigned short fields_len, fields_val, fields_ar;
    size_t keylen;
    char key[];                             /* the raw path of the request-target */
};

struct http_cache_config {
    unsigned max_entries;        /* [1024] */
    uint64_t max_bytes;          /* file data kept in memory [16 MiB] */
    uint64_t small_max;          /* files up to this size are kept in memory [64 KiB] */
    unsigned max_fds;            /* descriptors of large files kept open [64] */
    synack_time_t check;         /* an entry is revalidated at most this often [1 s] */
};
void http_cache_config_default(struct http_cache_config *c);

struct http_cache_stats {
    uint64_t hits, misses, revalidations, changed, evictions;
};

struct http_cache {
    const struct http_static_root *root;
    struct http_cache_config cfg;
    struct http_file **table;
    unsigned nbuckets;
    struct http_file *head, *tail;
    unsigned n, nfds;
    uint64_t bytes;
    struct http_cache_stats stats;
};

/* Returns 0 or -ENOMEM. */
int http_cache_init(struct http_cache *c, const struct http_static_root *root, const struct http_cache_config *cfg);
void http_cache_free(struct http_cache *c);

/* The file a request-target names. c may be NULL (no caching: the file is loaded for this request
 * alone, under the same rules). Returns the status: 200 with *file set (a reference: put it), else
 * 301 (sr->location set), 400, 403 or 404 with *file NULL. sr is scratch (large). */
int http_cache_get(struct http_cache *c, const struct http_static_root *root, struct http_slice target,
                   synack_time_t now, struct http_file **file, struct http_static_result *sr);
/* The file a request-target names if the cache holds it and need not check it yet (a reference:
 * put it), else NULL (then http_cache_get decides). Touches nothing outside the cache. */
struct http_file *http_cache_hit(struct http_cache *c, struct http_slice target, synack_time_t now);
void http_file_get(struct http_file *f);
void http_file_put(struct http_file *f);

#endif
