/* AddressSanitizer's manual poisoning, for memory the core keeps for reuse instead of freeing (the
 * buffer pool, the simulated link's free frames): poisoned while it waits, so a use after its
 * release is still reported. The two functions are the sanitizer runtime's, declared here since
 * the core includes no system header; without ASan both macros do nothing. */
#ifndef CORE_ASAN_H
#define CORE_ASAN_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define CORE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORE_ASAN 1
#endif
#endif

#ifdef CORE_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define ASAN_POISON(p, n) __asan_poison_memory_region((p), (n))
#define ASAN_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define ASAN_POISON(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#endif
