/* Unit tests of the HTTP server's file cache (apps/http/http_cache.c) on a temporary root: a
 * second request within `check` touches no file system (the file can even be gone), a change of
 * content, a replacement or a removal is seen at the first request after `check`, a symlink
 * re-pointed out of the root is never followed out, small files are kept in memory and large ones
 * by descriptor, the bounds hold, and an entry dropped while a response holds it lives on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "../apps/http/http_cache.h"

static char dir[256], www[300];
static struct http_static_root root;

static void put_file(const char *rel, const char *text, long mtime)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", www, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    struct timeval tv[2] = { { mtime, 0 }, { mtime, 0 } };
    utimes(p, tv);
}

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/synack-http-cache.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(www, sizeof(www), "%s/www", dir);
    mkdir(www, 0755);
    char p[600];
    snprintf(p, sizeof(p), "%s/secret", dir);
    FILE *f = fopen(p, "w");
    fputs("SECRET", f);
    fclose(f);
    return http_static_root_init(&root, www);
}

static int teardown(void **state)
{
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct http_slice S(const char *s) { return (struct http_slice){ s, strlen(s) }; }

static struct http_static_result sr;

static int get(struct http_cache *c, const char *target, synack_time_t now, struct http_file **f)
{
    return http_cache_get(c, &root, S(target), now, f, &sr);
}

static struct http_cache_config cfg(void)
{
    struct http_cache_config cc;
    http_cache_config_default(&cc);
    cc.check = SYNACK_MS(500);
    cc.small_max = 100;
    return cc;
}

static void hits_and_changes(void **state)
{
    struct http_cache_config cc = cfg();
    struct http_cache c;
    assert_int_equal(http_cache_init(&c, &root, &cc), 0);
    put_file("a.txt", "hello", 1000);
    struct http_file *f, *g;
    synack_time_t t = SYNACK_SEC(10);
    assert_int_equal(get(&c, "/a.txt", t, &f), 200);
    assert_non_null(f->data);   /* small: in memory */
    assert_int_equal(f->fd, -1);
    assert_memory_equal(f->data, "hello", 5);
    assert_int_equal(c.stats.misses, 1);
    /* within `check`: the same entry, no look at the file system even once the file is gone */
    char p[512];
    snprintf(p, sizeof(p), "%s/a.txt", www);
    unlink(p);
    assert_int_equal(get(&c, "/a.txt?x=1", t + SYNACK_MS(400), &g), 200);
    assert_ptr_equal(f, g);
    assert_int_equal(c.stats.hits, 1);
    http_file_put(g);
    /* after it: resolved again, gone -> 404, the entry dropped (the response still holding it keeps
     * its bytes) */
    assert_int_equal(get(&c, "/a.txt", t + SYNACK_MS(600), &g), 404);
    assert_null(g);
    assert_int_equal(c.stats.changed, 1);
    assert_int_equal(c.n, 0);
    assert_memory_equal(f->data, "hello", 5);
    http_file_put(f);
    /* a change of content (and mtime) is seen after `check`; an unchanged file is only revalidated */
    put_file("b.txt", "one", 2000);
    assert_int_equal(get(&c, "/b.txt", t, &f), 200);
    http_file_put(f);
    assert_int_equal(get(&c, "/b.txt", t + SYNACK_SEC(1), &f), 200);
    assert_int_equal(c.stats.revalidations, 2);
    assert_int_equal(c.stats.changed, 1);
    http_file_put(f);
    put_file("b.txt", "two!", 2001);
    assert_int_equal(get(&c, "/b.txt", t + SYNACK_MS(1200), &f), 200);
    assert_int_equal(f->size, 3);   /* still within check of the last validation */
    http_file_put(f);
    assert_int_equal(get(&c, "/b.txt", t + SYNACK_SEC(2), &f), 200);
    assert_int_equal(f->size, 4);
    assert_memory_equal(f->data, "two!", 4);
    assert_int_equal(c.stats.changed, 2);
    http_file_put(f);
    http_cache_free(&c);
}

/* A symlink inside the root re-pointed at a file outside it: never served, cached or not. */
static void symlink_swap(void **state)
{
    struct http_cache_config cc = cfg();
    struct http_cache c;
    assert_int_equal(http_cache_init(&c, &root, &cc), 0);
    put_file("inside.txt", "inside", 3000);
    char l[512], out[512];
    snprintf(l, sizeof(l), "%s/link", www);
    snprintf(out, sizeof(out), "%s/secret", dir);
    unlink(l);
    assert_int_equal(symlink("inside.txt", l), 0);
    struct http_file *f;
    assert_int_equal(get(&c, "/link", SYNACK_SEC(1), &f), 200);
    assert_memory_equal(f->data, "inside", 6);
    http_file_put(f);
    unlink(l);
    assert_int_equal(symlink(out, l), 0);
    /* within check: still the inside file's bytes; after: 404, never SECRET */
    assert_int_equal(get(&c, "/link", SYNACK_MS(1100), &f), 200);
    assert_memory_equal(f->data, "inside", 6);
    http_file_put(f);
    assert_int_equal(get(&c, "/link", SYNACK_SEC(3), &f), 404);
    assert_int_equal(get(&c, "/link", SYNACK_SEC(3), &f), 404);
    http_cache_free(&c);
}

static void large_files_and_bounds(void **state)
{
    struct http_cache_config cc = cfg();
    cc.max_entries = 3;
    cc.max_fds = 1;
    struct http_cache c;
    assert_int_equal(http_cache_init(&c, &root, &cc), 0);
    char big[300];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    put_file("big1", big, 4000);
    put_file("big2", big, 4000);
    struct http_file *f, *g;
    assert_int_equal(get(&c, "/big1", SYNACK_SEC(1), &f), 200);
    assert_null(f->data);   /* larger than small_max: by descriptor */
    assert_true(f->fd >= 0);
    assert_int_equal(c.nfds, 1);
    /* a second large file: the first goes (one descriptor kept), but lives on while held */
    assert_int_equal(get(&c, "/big2", SYNACK_SEC(1), &g), 200);
    assert_int_equal(c.nfds, 1);
    assert_int_equal(c.stats.evictions, 1);
    char b[4];
    assert_int_equal(pread(f->fd, b, 4, 0), 4);
    http_file_put(f);
    http_file_put(g);
    /* entries: at most 3 */
    for (int i = 0; i < 6; i++) {
        char name[16], t[20];
        snprintf(name, sizeof(name), "s%d", i);
        put_file(name, "s", 5000);
        snprintf(t, sizeof(t), "/s%d", i);
        assert_int_equal(get(&c, t, SYNACK_SEC(1), &f), 200);
        http_file_put(f);
        assert_true(c.n <= 3);
    }
    /* the most recent stay */
    uint64_t hits = c.stats.hits;
    assert_int_equal(get(&c, "/s5", SYNACK_SEC(1), &f), 200);
    http_file_put(f);
    assert_int_equal(c.stats.hits, hits + 1);
    /* no cache at all: loaded for the one request, freed at its put */
    assert_int_equal(http_cache_get(NULL, &root, S("/s5"), SYNACK_SEC(1), &f, &sr), 200);
    assert_null(f->cache);
    http_file_put(f);
    assert_int_equal(get(&c, "/nope", SYNACK_SEC(1), &f), 404);
    assert_int_equal(get(&c, "/../secret", SYNACK_SEC(1), &f), 400);
    http_cache_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hits_and_changes),
        cmocka_unit_test(symlink_swap),
        cmocka_unit_test(large_files_and_bounds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
