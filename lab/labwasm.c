/* The lab's WebAssembly face: the functions lab/lab.js calls, each a thin wrapper of labcore.h with
 * plain integers and pointers into the module's memory (strings are NUL-terminated UTF-8). Built
 * with clang --target=wasm32-wasi as a reactor (no main); see cmake/lab.cmake. */
#include <stdlib.h>
#include <string.h>

#include "labcore.h"

#define EXPORT(name) __attribute__((export_name(#name), visibility("default")))

/* Memory for the page to write its arguments into. */
EXPORT(lab_malloc) void *lab_malloc(size_t n);
void *lab_malloc(size_t n) { return malloc(n ? n : 1); }
EXPORT(lab_mfree) void lab_mfree(void *p);
void lab_mfree(void *p) { free(p); }

/* A run, or NULL with the reason in err (errcap bytes). The seed is a double so that JavaScript
 * passes it as a plain number (exact up to 2^53). */
EXPORT(lab_w_new) struct lab *lab_w_new(const char *preset, double seed, const char *spec, char *err, size_t errcap);
struct lab *lab_w_new(const char *preset, double seed, const char *spec, char *err, size_t errcap)
{
    if (seed < 0 || seed > 9007199254740992.0) {
        strncpy(err, "bad seed", errcap);
        return NULL;
    }
    return lab_new(preset, (uint64_t)seed, spec, err, errcap);
}

EXPORT(lab_w_free) void lab_w_free(struct lab *L);
void lab_w_free(struct lab *L) { lab_free(L); }
EXPORT(lab_w_step) int lab_w_step(struct lab *L);
int lab_w_step(struct lab *L) { return lab_step(L); }
EXPORT(lab_w_run) void lab_w_run(struct lab *L);
void lab_w_run(struct lab *L) { lab_run(L); }
EXPORT(lab_w_json) const char *lab_w_json(struct lab *L);
const char *lab_w_json(struct lab *L) { return lab_json(L); }
EXPORT(lab_w_transcript) const char *lab_w_transcript(struct lab *L);
const char *lab_w_transcript(struct lab *L) { return lab_transcript(L); }
/* The pcap's bytes; its length is written at *len. */
EXPORT(lab_w_pcap) const uint8_t *lab_w_pcap(struct lab *L, size_t *len);
const uint8_t *lab_w_pcap(struct lab *L, size_t *len) { return lab_pcap(L, len); }
EXPORT(lab_w_presets) size_t lab_w_presets(char *buf, size_t cap);
size_t lab_w_presets(char *buf, size_t cap) { return lab_presets_json(buf, cap); }
