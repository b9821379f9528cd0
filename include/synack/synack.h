/** @file
 * Umbrella header: the whole public API of libsynack, the core library (everything but synack/os.h,
 * which is libsynack_os's). `#include <synack/synack.h>` and link with `pkg-config --libs synack`. */
#ifndef SYNACK_SYNACK_H
#define SYNACK_SYNACK_H
#include "synack/types.h"
#include "synack/errno.h"
#include "synack/counters.h"
#include "synack/trace.h"
#include "synack/stack.h"
#include "synack/socket.h"
#include "synack/link.h"
#include "synack/format.h"
#include "synack/timer.h"
#include "synack/version.h"
#endif
