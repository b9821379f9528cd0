/* Umbrella header: the whole public API of libsynack. */
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
