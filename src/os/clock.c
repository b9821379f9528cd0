/* The real clock and OS randomness: the only places synack reads time or entropy from the OS. The
 * core never calls them; a driver passes the clock as `now` and a program seeds a stack with
 * synack_os_seed(), so a run on the core alone stays a pure function of its inputs. */
#include <errno.h>
#include <sys/random.h>
#include <time.h>

#include "synack/os.h"

synack_time_t synack_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (synack_time_t)ts.tv_sec * 1000000u + (synack_time_t)ts.tv_nsec / 1000u;
}

int synack_os_seed(uint8_t seed[32])
{
    size_t got = 0;
    while (got < 32) {
        ssize_t n = getrandom(seed + got, 32 - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        got += (size_t)n;
    }
    return 0;
}
