/* assert() without <assert.h>, named base_assert: an internal invariant that does not hold stops
 * the program at once (a trap instruction: nothing to print with, nothing to call). Bad input never
 * reaches one: it is a counted drop. Compiled out under NDEBUG, as the standard assert is. */
#ifndef BASE_ASSERT_H
#define BASE_ASSERT_H

#ifdef NDEBUG
#define base_assert(cond) ((void)0)
#else
#define base_assert(cond) ((cond) ? (void)0 : __builtin_trap())
#endif

#endif
