/*
 * mems-run: runs any dynamically linked program with MeMS as its malloc
 * (libmems_malloc.so preloaded), its settings passed as MEMS_* variables.
 *
 *   mems-run [--policy P] [--align N] [--min-pages N] [--release] [--arenas N] [--stats[=FILE]] [--check]
 *            [--lib PATH] -- COMMAND [ARGS...]
 *
 * The library is looked for beside this executable (the build tree), then in
 * the install's library folder relative to it.
 */
#include "cli.h"
#include "mems.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef MEMS_RUN_LIBDIR
#define MEMS_RUN_LIBDIR "../lib"
#endif

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

static char policy_help[256];
static const struct cli_option run_options[] = {
    {'p', 'p', "policy", "P", policy_help},
    {'a', 0, "align", "N", "MeMS's alignment in bytes, a power of two from 16 (malloc's) to the page size\n"
                           "(default 16): MEMS_ALIGN"},
    {'m', 0, "min-pages", "N", "pages MeMS maps at least at a time, 1 to 1048576 (default 1): MEMS_MIN_PAGES"},
    {'r', 0, "release", NULL, "give empty nodes back to the system at once: MEMS_RELEASE=1"},
    {'n', 0, "arenas", "N", "N heaps, each with its own lock, threads bound to one round robin, 1 to 64\n"
                            "(default 1: one heap, one lock): MEMS_ARENAS"},
    {'s', 0, "stats", "[=FILE]", "at exit, one line of MeMS's statistics per process, with its pid and\n"
                                 "program name: on stderr as it was when the program started (even if\n"
                                 "the program closes it), or appended to FILE: MEMS_STATS"},
    {'c', 0, "check", NULL, "check MeMS's structures at exit, abort on a problem: MEMS_CHECK=1"},
    {'l', 0, "lib", "PATH", "the libmems_malloc.so to preload (default: beside mems-run, or installed)"},
    {0},
};
static const struct cli_command run_command = {
    "mems-run", "[OPTIONS] [--] COMMAND [ARGS...]",
    "Runs COMMAND with MeMS as its malloc (libmems_malloc.so preloaded; its exec'd children too), the\n"
    "options passed as the MEMS_* variables the library reads (each also works set by hand).",
    run_options, NULL, true};

static const char *policy_names[MEMS_POLICY_COUNT + 1];

/* Checks one option's value and sets its variable; 0, or -1 after saying why. */
static int take_option(const struct cli_parser *p, int id, const char **library)
{
    long long n;
    long page = sysconf(_SC_PAGESIZE);
    int policy;
    char text[32], *end;
    switch (id) {
    case 'p': return cli_choice(p, policy_names, &policy) != 0 ? -1 : set_checked("MEMS_POLICY", p->value);
    case 'a':
        errno = 0;
        n = strtoll(p->value, &end, 10);
        if (errno != 0 || end == p->value || *end != '\0' || n < 16 || n > page || (n & (n - 1)) != 0)
            return cli_refuse(p, "%s takes a power of two from 16 (malloc's alignment) to %ld, not '%s'", p->flag,
                              page, p->value);
        snprintf(text, sizeof text, "%lld", n);
        return set_checked("MEMS_ALIGN", text);
    case 'm':
        if (cli_count(p, 1, 1 << 20, &n) != 0)
            return -1;
        snprintf(text, sizeof text, "%lld", n);
        return set_checked("MEMS_MIN_PAGES", text);
    case 's':
        if (p->value != NULL && p->value[0] == '\0')
            return cli_refuse(p, "%s= needs a file name (without '=': stderr)", p->flag);
        return set_checked("MEMS_STATS", p->value != NULL ? p->value : "1");
    case 'n':
        if (cli_count(p, 1, MEMS_MAX_ARENAS, &n) != 0)
            return -1;
        snprintf(text, sizeof text, "%lld", n);
        return set_checked("MEMS_ARENAS", text);
    case 'r': return set_checked("MEMS_RELEASE", "1");
    case 'c': return set_checked("MEMS_CHECK", "1");
    case 'l':
        if (access(p->value, R_OK) != 0)
            return cli_refuse(p, "%s %s: %s", p->flag, p->value, strerror(errno));
        *library = p->value;
        return 0;
    default: return -1;
    }
}

int main(int argc, char **argv)
{
    /* the policies the library knows, for --policy and its help */
    size_t used = (size_t)snprintf(policy_help, sizeof policy_help, "MeMS's placement policy:");
    for (int i = 0; i < MEMS_POLICY_COUNT; i++) {
        policy_names[i] = mems_policy_name((enum mems_policy)i);
        used += (size_t)snprintf(policy_help + used, sizeof policy_help - used, "%s%s", i == 0 ? " " : ", ",
                                 policy_names[i]);
    }
    snprintf(policy_help + used, sizeof policy_help - used, " (default first): MEMS_POLICY");
    const char *library = NULL;
    struct cli_parser p;
    cli_start(&p, &run_command, argc, argv);
    for (int id; (id = cli_next(&p)) != CLI_DONE;)
        if (take_option(&p, id, &library) != 0)
            return cli_status(id);
    if (cli_operands(&p, 1, -1, "no command to run given") != 0)
        return 2;
    char found[PATH_MAX];
    if (library == NULL) {
        if (find_library(found, sizeof found) != 0) {
            fprintf(stderr, "mems-run: cannot find libmems_malloc.so beside mems-run or in %s (use --lib PATH)\n",
                    MEMS_RUN_LIBDIR);
            return 1;
        }
        library = found;
    }
    const char *old = getenv("LD_PRELOAD");
    char preload[PATH_MAX * 2];
    snprintf(preload, sizeof preload, "%s%s%s", library, old && *old ? ":" : "", old ? old : "");
    if (set_checked("LD_PRELOAD", preload) != 0)
        return 1;
    execvp(p.operand[0], p.operand);
    fprintf(stderr, "mems-run: cannot run %s: %s\n", p.operand[0], strerror(errno));
    return 127;
}
