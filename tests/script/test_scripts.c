/* Script tier: every .pkt file in tests/script (not pending/) is one cmocka test case, run against a
 * fresh stack with virtual time by lib_runner.
 *
 *   test_scripts                       run every script in $SYNACK_SCRIPT_DIR
 *   test_scripts [-v] FILE.pkt ...     run the given scripts (e.g. pending/ ones), -v logs each event
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

static int verbose_flag;

static void run_script(void **state)
{
    const char *path = *state;
    struct sr_options o = { .verbose = verbose_flag };
    char *msg = NULL;
    int rc = sr_run_file(path, &o, &msg);
    if (rc != 0) {
        fputs(msg ? msg : "failed\n", stdout);
        fflush(stdout);
        free(msg);
        fail_msg("script %s failed", path);
    }
}

/* Each check of the script, perturbed, must make the script fail. */
static void mutate_script(void **state)
{
    const char *path = *state;
    int lines[1024];
    int n = sr_check_lines(path, lines, 1024);
    int survivors = 0;
    for (int i = 0; i < n; i++) {
        struct sr_options o = { .mutate_line = lines[i] };
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
    struct CMUnitTest *tests = calloc(n, sizeof(*tests));
    for (size_t i = 0; i < n; i++) {
        const char *slash = strrchr(paths[i], '/');
        tests[i].name = slash ? slash + 1 : paths[i];
        tests[i].test_func = mutate ? mutate_script : run_script;
        tests[i].initial_state = paths[i];
    }
    int rc = _cmocka_run_group_tests(mutate ? "script mutations" : "scripts", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    free(tests);
    return rc;
}
