/* `--bridge NAME`: joins the TAP device to a Linux bridge, created when absent, so several synack
 * processes (a server and its clients, each on its own TAP) and the kernel share one Ethernet
 * segment: the topology of the README's walkthrough, with no `ip` commands. The kernel's address
 * (--host-addr) then goes on the bridge, as it would on any bridged host. The bridge is removed
 * when the last port leaves it (a TAP leaves when its process closes it). Uses the bridge ioctls
 * (SIOCBRADDBR, SIOCBRADDIF), which need CAP_NET_ADMIN like the TAP itself. */
#ifndef TOOLS_BRIDGE_H
#define TOOLS_BRIDGE_H

/* Creates bridge `br` if it does not exist, brings it up and adds device `port` to it. Returns 0
 * or a negative errno. *created is set to 1 if this call created the bridge. */
int bridge_join(const char *br, const char *port, int *created);
/* Removes bridge `br` if it exists and has no ports left. */
void bridge_release(const char *br);

#endif
