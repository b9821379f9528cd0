/* The few C library functions the core calls, declared here rather than taken from <string.h>, so
 * the core includes no libc header and builds freestanding. A freestanding compiler still emits
 * calls to memcpy, memmove, memset and memcmp (C11 4p6 leaves them to the environment; GCC and
 * clang document the requirement), so whoever links the core supplies these: the C library on a
 * hosted system, the embedder's runtime elsewhere. The declarations match the standard's, so a file
 * may also include <string.h>. */
#ifndef BASE_MEM_H
#define BASE_MEM_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
char *strchr(const char *s, int c);

#endif
