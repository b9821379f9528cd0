/* The allocator front (alloc.h) and the default allocator. The default is the only code in the
 * core that names the C library's realloc and free, declared here rather than by <stdlib.h>: an
 * embedder that supplies its own allocator for every stack still links these two names (a hosted
 * C library has them; elsewhere the embedder may define them to fail). */
#include "core/alloc.h"

#include <stdint.h>

#include "base/mem.h"

void *realloc(void *p, size_t n);
void free(void *p);

static void *mem_default(void *ctx, void *p, size_t n)
{
    (void)ctx;
    if (n == 0) {
        free(p);
        return NULL;
    }
    return realloc(p, n);
}

static void *call(const struct synack_allocator *a, void *p, size_t n)
{
    return a && a->fn ? a->fn(a->ctx, p, n) : mem_default(NULL, p, n);
}

void *mem_alloc(const struct synack_allocator *a, size_t n)
{
    return call(a, NULL, n ? n : 1);
}

void *mem_calloc(const struct synack_allocator *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = mem_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *mem_realloc(const struct synack_allocator *a, void *p, size_t n)
{
    return call(a, p, n ? n : 1);
}

void mem_free(const struct synack_allocator *a, void *p)
{
    if (p)
        call(a, p, 0);
}
