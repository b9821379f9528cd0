/* The file cache (see http_cache.h). */
#include "http_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void http_cache_config_default(struct http_cache_config *c)
{
    c->max_entries = 1024;
    c->max_bytes = 16u << 20;
    c->small_max = 64u << 10;
    c->max_fds = 64;
    c->check = SYNACK_SEC(1);
}

int http_cache_init(struct http_cache *c, const struct http_static_root *root, const struct http_cache_config *cfg)
{
    memset(c, 0, sizeof(*c));
    c->root = root;
    c->cfg = *cfg;
    c->nbuckets = 64;
    while (c->nbuckets < c->cfg.max_entries)
        c->nbuckets *= 2;
    c->table = calloc(c->nbuckets, sizeof(*c->table));
    return c->table ? 0 : -ENOMEM;
}

static void file_destroy(struct http_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    free(f->data);
    free(f);
}

void http_file_get(struct http_file *f) { f->refs++; }

void http_file_put(struct http_file *f)
{
    if (f && --f->refs == 0 && !f->cache)
        file_destroy(f);
}

/* Takes the entry out of the table; it lives on while responses hold it. */
static void unlink_file(struct http_cache *c, struct http_file *f)
{
    struct http_file **pp = &c->table[f->hash & (c->nbuckets - 1)];
    while (*pp != f)
        pp = &(*pp)->hnext;
    *pp = f->hnext;
    if (f->prev)
        f->prev->next = f->next;
    else
        c->head = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        c->tail = f->prev;
    c->n--;
    if (f->fd >= 0)
        c->nfds--;
    if (f->data)
        c->bytes -= f->size;
    f->cache = NULL;
    f->refs--;   /* the table's reference */
    if (!f->refs)
        file_destroy(f);
}

void http_cache_free(struct http_cache *c)
{
    while (c->head)
        unlink_file(c, c->head);
    free(c->table);
    c->table = NULL;
}

/* FNV-1a over the raw path. */
static uint64_t hash_key(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

/* The raw path of a request-target: after an absolute-form's authority, before the query. */
static struct http_slice path_of(struct http_slice t)
{
    t = http_target_origin(t);
    const char *q = memchr(t.p, '?', t.n);
    if (q)
        t.n = (size_t)(q - t.p);
    return t;
}

/* A file found by http_static_open: small ones are read into memory and their descriptor closed. */
static struct http_file *file_make(const struct http_static_result *sr, struct http_slice key, uint64_t small_max)
{
    struct http_file *f = calloc(1, sizeof(*f) + key.n + 1);
    if (!f) {
        close(sr->fd);
        return NULL;
    }
    f->fd = sr->fd;
    f->size = sr->size;
    f->ino = sr->ino;
    f->dev = sr->dev;
    f->mtime = sr->mtime;
    f->mtime_ns = sr->mtime_ns;
    f->content_type = sr->content_type;
    f->refs = 1;
    memcpy(f->key, key.p, key.n);
    f->keylen = key.n;
    if (f->size <= small_max) {
        f->data = malloc(f->size ? f->size : 1);
        uint64_t got = 0;
        while (f->data && got < f->size) {
            ssize_t k = pread(f->fd, f->data + got, f->size - got, (off_t)got);
            if (k <= 0)
                break;
            got += (uint64_t)k;
        }
        close(f->fd);
        f->fd = -1;
        if (!f->data || got < f->size) {
            free(f->data);
            free(f);
            return NULL;
        }
    }
    return f;
}

static int same_file(const struct http_file *f, const struct http_static_result *sr)
{
    return f->ino == sr->ino && f->dev == sr->dev && f->size == sr->size && f->mtime == sr->mtime &&
           f->mtime_ns == sr->mtime_ns;
}

/* Drops least recently used entries until one more fits. */
static void make_room(struct http_cache *c, const struct http_file *f)
{
    for (struct http_file *v = c->tail; v;) {
        struct http_file *prev = v->prev;
        int over = c->n >= c->cfg.max_entries || (f->data && c->bytes + f->size > c->cfg.max_bytes) ||
                   (f->fd >= 0 && c->nfds >= c->cfg.max_fds);
        if (!over)
            return;
        /* an entry only goes if that helps with what is over */
        if (c->n >= c->cfg.max_entries || (v->data && f->data) || (v->fd >= 0 && f->fd >= 0)) {
            c->stats.evictions++;
            unlink_file(c, v);
        }
        v = prev;
    }
}

static void insert(struct http_cache *c, struct http_file *f, synack_time_t now)
{
    if (f->data && f->size > c->cfg.max_bytes)
        return;   /* larger than the whole budget: served, not kept */
    make_room(c, f);
    if (c->n >= c->cfg.max_entries)
        return;
    f->cache = c;
    f->refs++;
    f->checked = now;
    f->hash = hash_key(f->key, f->keylen);
    unsigned b = (unsigned)(f->hash & (c->nbuckets - 1));
    f->hnext = c->table[b];
    c->table[b] = f;
    f->prev = NULL;
    f->next = c->head;
    if (c->head)
        c->head->prev = f;
    else
        c->tail = f;
    c->head = f;
    c->n++;
    if (f->fd >= 0)
        c->nfds++;
    if (f->data)
        c->bytes += f->size;
}

static void touch(struct http_cache *c, struct http_file *f)
{
    if (c->head == f)
        return;
    f->prev->next = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        c->tail = f->prev;
    f->prev = NULL;
    f->next = c->head;
    c->head->prev = f;
    c->head = f;
}

static struct http_file *lookup(struct http_cache *c, struct http_slice key)
{
    uint64_t h = hash_key(key.p, key.n);
    struct http_file *f;
    for (f = c->table[h & (c->nbuckets - 1)]; f; f = f->hnext)
        if (f->hash == h && f->keylen == key.n && !memcmp(f->key, key.p, key.n))
            break;
    return f;
}

/* A fresh entry: a hit, with its reference taken. */
static struct http_file *hit(struct http_cache *c, struct http_file *f, synack_time_t now)
{
    if (!f || now - f->checked >= c->cfg.check)
        return NULL;
    c->stats.hits++;
    touch(c, f);
    f->refs++;
    return f;
}

struct http_file *http_cache_hit(struct http_cache *c, struct http_slice target, synack_time_t now)
{
    return c ? hit(c, lookup(c, path_of(target)), now) : NULL;
}

int http_cache_get(struct http_cache *c, const struct http_static_root *root, struct http_slice target,
                   synack_time_t now, struct http_file **file, struct http_static_result *sr)
{
    *file = NULL;
    struct http_slice key = path_of(target);
    struct http_file *f = NULL;
    if (c) {
        f = lookup(c, key);
        if ((*file = hit(c, f, now)) != NULL)
            return 200;
    }
    /* Resolve the path (again): realpath, the root check, open. */
    http_static_open(root, target, sr);
    if (f) {
        c->stats.revalidations++;
        if (sr->status == 200 && same_file(f, sr)) {
            close(sr->fd);
            f->checked = now;
            touch(c, f);
            f->refs++;
            *file = f;
            return 200;
        }
        c->stats.changed++;
        unlink_file(c, f);
    } else if (c) {
        c->stats.misses++;
    }
    if (sr->status != 200)
        return sr->status;
    f = file_make(sr, key, c ? c->cfg.small_max : 64u << 10);
    if (!f)
        return 500;
    if (c)
        insert(c, f, now);
    *file = f;
    return 200;
}
