/* The lab's native runner: the same C layer as the page's WebAssembly, built for this machine, so
 * a test can compare the page's run with a native one.
 *   lab_native PRESET [SEED [SPEC]]          prints the transcript (as the page's #transcript)
 *   lab_native --json PRESET [SEED [SPEC]]   prints the run as the page receives it
 *   lab_native --pcap FILE PRESET [SEED [SPEC]]   also writes the pcap
 *   lab_native --list                        prints the presets */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labcore.h"

int main(int argc, char **argv)
{
    int json = 0, i = 1;
    const char *pcap = NULL;
    if (argc > 1 && !strcmp(argv[1], "--list")) {
        char buf[4096];
        lab_presets_json(buf, sizeof(buf));
        printf("%s\n", buf);
        return 0;
    }
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--pcap") && i + 1 < argc)
            pcap = argv[++i];
        else
            break;
    }
    if (i >= argc || argv[i][0] == '-') {
        fprintf(stderr, "usage: lab_native [--json] [--pcap FILE] PRESET [SEED [SPEC]] | --list\n");
        return 2;
    }
    const char *preset = argv[i];
    uint64_t seed = i + 1 < argc ? strtoull(argv[i + 1], NULL, 10) : 1;
    const char *spec = i + 2 < argc ? argv[i + 2] : "";
    char err[128];
    struct lab *L = lab_new(preset, seed, spec, err, sizeof(err));
    if (!L) {
        fprintf(stderr, "lab_native: %s\n", err);
        return 2;
    }
    lab_run(L);
    fputs(json ? lab_json(L) : lab_transcript(L), stdout);
    int rc = 0;
    if (pcap) {
        size_t len;
        const uint8_t *p = lab_pcap(L, &len);
        FILE *f = fopen(pcap, "wb");
        if (!f || fwrite(p, 1, len, f) != len)
            rc = 1;
        if (f)
            fclose(f);
    }
    lab_free(L);
    return rc;
}
