/* Script tier: every .pkt file in tests/script (not pending/) is one cmocka test case, run against a
 * fresh stack with virtual time by lib_runner.
 *
 *   test_scripts                       run every script in $SYNACK_SCRIPT_DIR, then the
 *                                      mutation self-test of each
 *   test_scripts [-v] FILE.pkt ...     run the given scripts (e.g. pending/ ones), -v logs each event
 *   test_scripts -x -v FILE.pkt        explore: packets no line expects are logged, not failures
 *   test_scripts -6 FILE.pkt           play it over IPv6 (without arguments every script runs over
 *                                      both families, unless it says "ipv4-only" or "ipv6-only"
 *                                      in a comment)
 *   test_scripts --mutate [FILE ...]   self-test: perturb each check of each script in turn and
 *                                      report any check whose perturbation still passes
 *
 * A failing script prints its name, the line, the expected and the actual segment (or value), and
 * the log of the run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/lib_runner.h"

static int verbose_flag, explore_flag, ipv6_flag;

static void run(const char *path, int ipv6)
{
    struct sr_options o = { .verbose = verbose_flag, .explore = explore_flag, .ipv6 = ipv6 };
    char *msg = NULL;
    int rc = sr_run_file(path, &o, &msg);
    if (rc != 0) {
        fputs(msg ? msg : "failed\n", stdout);
        fflush(stdout);
        free(msg);
        fail_msg("script %s failed%s", path, ipv6 ? " over IPv6" : "");
    }
}

static int ipv6_only(const char *path);
static void run_script(void **state) { run(*state, ipv6_flag || ipv6_only(*state)); }
/* The same script over IPv6: every TCP rule holds the same for both families. */
static void run_script6(void **state) { run(*state, 1); }

/* A script that says "ipv4-only" ("ipv6-only") in a comment tests something IPv4's (IPv6's) own
 * and says why. */
static int only_marker(const char *path, const char *marker)
{
    FILE *f = fopen(path, "r");
    char line[512];
    int only = 0;
    while (f && !only && fgets(line, sizeof(line), f))
        only = (line[0] == '/' || line[0] == '#') && strstr(line, marker) != NULL;
    if (f)
        fclose(f);
    return only;
}
static int ipv4_only(const char *path) { return only_marker(path, "ipv4-only"); }
static int ipv6_only(const char *path) { return only_marker(path, "ipv6-only"); }

/* Each check of the script, perturbed, must make the script fail. */
static void mutate_script(void **state)
{
    const char *path = *state;
    int lines[1024];
    int n = sr_check_lines(path, lines, 1024);
    int survivors = 0;
    for (int i = 0; i < n; i++) {
        struct sr_options o = { .mutate_line = lines[i], .ipv6 = ipv6_flag || ipv6_only(path) };
        char *msg = NULL;
        int rc = sr_run_file(path, &o, &msg);
        free(msg);
        if (rc == 0) {
            print_error("%s:%d: the check still passes when perturbed\n", path, lines[i]);
            survivors++;
        }
    }
    printf("%s: %d checks, %d survived perturbation\n", path, n, survivors);
    assert_int_equal(survivors, 0);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    int mutate = 0;
    char **paths = NULL;
    size_t n = 0, cap = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v")) {
            verbose_flag = 1;
            continue;
        }
        if (!strcmp(argv[i], "-x")) {
            explore_flag = 1;
            continue;
        }
        if (!strcmp(argv[i], "-6")) {
            ipv6_flag = 1;
            continue;
        }
        if (!strcmp(argv[i], "--mutate")) {
            mutate = 1;
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            paths = realloc(paths, cap * sizeof(*paths));
        }
        paths[n++] = strdup(argv[i]);
    }
    int all_mode = n == 0;
    if (n == 0) {
        const char *dir = getenv("SYNACK_SCRIPT_DIR");
        if (!dir)
            dir = "tests/script";
        DIR *d = opendir(dir);
        if (!d) {
            fprintf(stderr, "cannot open script directory %s\n", dir);
            return 1;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t l = strlen(e->d_name);
            if (l < 5 || strcmp(e->d_name + l - 4, ".pkt"))
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                paths = realloc(paths, cap * sizeof(*paths));
            }
            size_t pl = strlen(dir) + l + 2;
            paths[n] = malloc(pl);
            snprintf(paths[n], pl, "%s/%s", dir, e->d_name);
            n++;
        }
        closedir(d);
        if (n == 0) {
            fprintf(stderr, "no scripts in %s\n", dir);
            return 1;
        }
        qsort(paths, n, sizeof(*paths), by_name);
    }
    /* Without arguments (ctest): each script, then each script's mutation self-test. */
    size_t nt = 0;
    struct CMUnitTest *tests = calloc(3 * n, sizeof(*tests));
    char **names = calloc(n, sizeof(*names)), **names6 = calloc(n, sizeof(*names6));
    for (size_t i = 0; i < n; i++) {
        const char *slash = strrchr(paths[i], '/');
        const char *base = slash ? slash + 1 : paths[i];
        if (!mutate) {
            tests[nt].name = base;
            tests[nt].test_func = run_script;
            tests[nt++].initial_state = paths[i];
        }
        if (all_mode && !mutate && !ipv4_only(paths[i]) && !ipv6_only(paths[i])) {
            size_t l = strlen(base) + 16;
            names6[i] = malloc(l);
            snprintf(names6[i], l, "%s (IPv6)", base);
            tests[nt].name = names6[i];
            tests[nt].test_func = run_script6;
            tests[nt++].initial_state = paths[i];
        }
        if (mutate || all_mode) {
            size_t l = strlen(base) + 16;
            names[i] = malloc(l);
            snprintf(names[i], l, "%s (mutations)", base);
            tests[nt].name = mutate ? base : names[i];
            tests[nt].test_func = mutate_script;
            tests[nt++].initial_state = paths[i];
        }
    }
    int rc = _cmocka_run_group_tests(mutate ? "script mutations" : "scripts", tests, nt, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        free(paths[i]);
        free(names[i]);
        free(names6[i]);
    }
    free(names);
    free(names6);
    free(paths);
    free(tests);
    return rc;
}
