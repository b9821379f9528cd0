/* A core file that includes an OS header: unit/freestanding_check_fails must reject it. */
#include <stdio.h>

int freestanding_probe(void);
int freestanding_probe(void) { return 0; }
