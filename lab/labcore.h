/* The TCP lab's C layer: two synack stacks, A (192.0.2.1, the client) and B (192.0.2.2, the server),
 * on one simulated Ethernet link, running a preset scenario from a seed. The page (lab/lab.js,
 * through lab/labwasm.c) and the native runner (lab/labnative.c) use only this header; it uses only
 * the public API (include/synack/) and the ladder of tools/ladder.c, so the same code runs in the
 * browser and natively and gives the same run for the same preset, seed and interventions.
 *
 * A run is a pure function of (preset, seed, spec). The spec is the learner's interventions, a
 * comma-separated list, the same text the page keeps in its URL (`x=`):
 *   f<N>:drop  f<N>:dup  f<N>:corrupt  f<N>:delay:<ms>     what happens to frame number N
 *   a<T>:<A|B>:<op>[:<arg>]   at T microseconds of virtual time, host A or B does op:
 *        send:<bytes>  close  shutdown  abort  rcvbuf:<bytes>  read:<0|1>  backlog:<n>  connect
 * Frames are numbered from 1 in the order they are sent, both hosts together. */
#ifndef LAB_LABCORE_H
#define LAB_LABCORE_H

#include <stddef.h>
#include <stdint.h>

struct lab;

/* Creates a run of `preset` with `seed` and the interventions of `spec` (NULL or "" for none),
 * positioned before its first event. NULL on an unknown preset or a bad spec, with a message in
 * err. */
struct lab *lab_new(const char *preset, uint64_t seed, const char *spec, char *err, size_t errcap);
void lab_free(struct lab *L);
/* Runs the next event (a frame arriving, a timer, an application action, a delayed frame going
 * out): 1 if one ran, 0 when the run is over (nothing left before the preset's end). */
int lab_step(struct lab *L);
/* Steps to the end of the run. */
void lab_run(struct lab *L);
/* The run so far as JSON: {"events":[...], "cwnd":[...], ...} (see lab/lab.js for the fields). */
const char *lab_json(struct lab *L);
/* The run so far as `synack demo` prints it: the header lines, then the ladder, one line per
 * segment or state change. */
const char *lab_transcript(struct lab *L);
/* Every frame sent so far, as its sender sent it, as a pcap file (Ethernet, microseconds). */
const uint8_t *lab_pcap(struct lab *L, size_t *len);
/* The presets as JSON, [{"name":..., "title":..., "end":...}, ...], into buf (cut to cap);
 * returns the length written. */
size_t lab_presets_json(char *buf, size_t cap);

#endif
