/*
 * mems-run: runs any dynamically linked program with MeMS as its malloc
 * (libmems_malloc.so preloaded), its settings passed as MEMS_* variables.
 *
 *   mems-run [--policy P] [--align N] [--min-pages N] [--release] [--stats[=FILE]] [--check] -- COMMAND [ARGS...]
 *
 * The library is looked for beside this executable (the build tree), then in
 * the install's library folder relative to it.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef MEMS_RUN_LIBDIR
#define MEMS_RUN_LIBDIR "../lib"
#endif

static void usage(FILE *out)
{
    fprintf(out, "usage: mems-run [--policy first|next|best|worst] [--align N] [--min-pages N] [--release]\n"
                 "                [--stats[=FILE]] [--check] [--lib PATH] -- COMMAND [ARGS...]\n"
                 "Runs COMMAND with MeMS as its malloc (libmems_malloc.so preloaded; its exec'd children too).\n");
}

/* The preload beside this executable, or in the install's library folder. */
static int find_library(char *out, size_t size)
{
    char self[PATH_MAX - 64];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return -1;
    self[n] = '\0';
    *strrchr(self, '/') = '\0';
    snprintf(out, size, "%s/libmems_malloc.so", self);
    if (access(out, R_OK) == 0)
        return 0;
    snprintf(out, size, "%s/%s/libmems_malloc.so", self, MEMS_RUN_LIBDIR);
    return access(out, R_OK);
}

static int set_checked(const char *name, const char *value)
{
    if (setenv(name, value, 1) != 0) {
        fprintf(stderr, "mems-run: cannot set %s: %s\n", name, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"policy", required_argument, NULL, 'p'}, {"align", required_argument, NULL, 'a'},
        {"min-pages", required_argument, NULL, 'm'}, {"release", no_argument, NULL, 'r'},
        {"stats", optional_argument, NULL, 's'}, {"check", no_argument, NULL, 'c'},
        {"lib", required_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *library = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "+p:h", options, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case 'p':
            if (strcmp(optarg, "first") && strcmp(optarg, "next") && strcmp(optarg, "best") && strcmp(optarg, "worst")) {
                fprintf(stderr, "mems-run: --policy %s: expected first, next, best or worst\n", optarg);
                return 2;
            }
            rc = set_checked("MEMS_POLICY", optarg);
            break;
        case 'a': rc = set_checked("MEMS_ALIGN", optarg); break; /* the preload checks the values */
        case 'm': rc = set_checked("MEMS_MIN_PAGES", optarg); break;
        case 'r': rc = set_checked("MEMS_RELEASE", "1"); break;
        case 's': rc = set_checked("MEMS_STATS", optarg != NULL ? optarg : "1"); break;
        case 'c': rc = set_checked("MEMS_CHECK", "1"); break;
        case 'l': library = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (rc != 0)
            return 1;
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    char found[PATH_MAX];
    if (library == NULL) {
        if (find_library(found, sizeof found) != 0) {
            fprintf(stderr, "mems-run: cannot find libmems_malloc.so beside mems-run or in %s (use --lib PATH)\n",
                    MEMS_RUN_LIBDIR);
            return 1;
        }
        library = found;
    } else if (access(library, R_OK) != 0) {
        fprintf(stderr, "mems-run: --lib %s: %s\n", library, strerror(errno));
        return 1;
    }
    const char *old = getenv("LD_PRELOAD");
    char preload[PATH_MAX * 2];
    snprintf(preload, sizeof preload, "%s%s%s", library, old && *old ? ":" : "", old ? old : "");
    if (set_checked("LD_PRELOAD", preload) != 0)
        return 1;
    execvp(argv[optind], argv + optind);
    fprintf(stderr, "mems-run: cannot run %s: %s\n", argv[optind], strerror(errno));
    return 127;
}
