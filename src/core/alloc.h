/* The core's memory: every allocation goes through the embedder's allocator (struct
 * synack_allocator, given in synack_config.alloc and kept in the stack's config), or through the
 * default when it is NULL or has no function. An allocator pointer may be NULL: the simulated link
 * and network belong to no stack, and use the default. */
#ifndef CORE_ALLOC_H
#define CORE_ALLOC_H

#include <stddef.h>

#include "synack/types.h"

/* n bytes (at least one), or NULL. */
void *mem_alloc(const struct synack_allocator *a, size_t n);
/* n * size zeroed bytes, or NULL (also when n * size overflows). */
void *mem_calloc(const struct synack_allocator *a, size_t n, size_t size);
/* Resizes p (NULL: allocates) to n > 0 bytes; NULL when out of memory, p then left as it was. */
void *mem_realloc(const struct synack_allocator *a, void *p, size_t n);
void mem_free(const struct synack_allocator *a, void *p);

#endif
