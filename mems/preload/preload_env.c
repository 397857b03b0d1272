/*
 * The preload's settings, read from the environment once, before MeMS
 * starts: MEMS_POLICY, MEMS_ALIGN, MEMS_MIN_PAGES, MEMS_RELEASE, MEMS_ARENAS,
 * MEMS_STATS, MEMS_CHECK, MEMS_ON_ERROR. A value that is not understood stops the program
 * with a message naming the variable: a run on silently different settings
 * would measure something else than was asked for.
 *
 * Nothing here may allocate: it runs inside the first malloc of the process,
 * sometimes before libc has finished starting. Only getenv, strcmp, strtoull
 * and write(2).
 */
#include "preload.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void preload_say(const char *format, ...)
{
    char line[512];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n < 0)
        return;
    size_t length = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    while (length > 0) {
        ssize_t written = write(STDERR_FILENO, line, length);
        if (written <= 0 && errno != EINTR)
            return;
        if (written > 0)
            length -= (size_t)written, memmove(line, line + written, length);
    }
}

static _Noreturn void refuse(const char *name, const char *value, const char *expected)
{
    preload_say("libmems_malloc: %s=%s: %s\n", name, value, expected);
    _exit(PRELOAD_EXIT_BAD_SETTING);
}

static size_t read_count(const char *name, const char *value, size_t least, size_t most, int power_of_two)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || value[0] == '-' || n < least || n > most ||
        (power_of_two && (n & (n - 1)) != 0)) {
        char expected[96];
        snprintf(expected, sizeof expected, "expected a %s from %zu to %zu", power_of_two ? "power of two" : "whole number",
                 least, most);
        refuse(name, value, expected);
    }
    return (size_t)n;
}

static int read_switch(const char *name, const char *value)
{
    if (strcmp(value, "0") == 0)
        return 0;
    if (strcmp(value, "1") == 0)
        return 1;
    refuse(name, value, "expected 0 or 1");
}

void preload_read_settings(struct preload_settings *s)
{
    mems_default_config(&s->config);
    s->config.alignment = 16; /* malloc's contract on x86-64 */
    s->stats_to = NULL;
    s->check_at_exit = 0;
    s->ignore_errors = 0;

    const char *v;
    if ((v = getenv("MEMS_POLICY")) != NULL) {
        int policy = mems_policy_from_name(v);
        if (policy < 0 || !mems_policy_implemented((enum mems_policy)policy)) {
            char expected[400] = "expected one of";
            for (int i = 0; i < MEMS_POLICY_COUNT; i++)
                if (mems_policy_implemented((enum mems_policy)i)) {
                    strncat(expected, " ", sizeof expected - strlen(expected) - 1);
                    strncat(expected, mems_policy_name((enum mems_policy)i), sizeof expected - strlen(expected) - 1);
                }
            refuse("MEMS_POLICY", v, expected);
        }
        s->config.policy = (enum mems_policy)policy;
    }
    if ((v = getenv("MEMS_ALIGN")) != NULL) /* from malloc's own alignment to a page */
        s->config.alignment = read_count("MEMS_ALIGN", v, 16, mems_page_size(), 1);
    if ((v = getenv("MEMS_MIN_PAGES")) != NULL)
        s->config.min_pages = read_count("MEMS_MIN_PAGES", v, 1, (size_t)1 << 20, 0);
    if ((v = getenv("MEMS_RELEASE")) != NULL)
        s->config.release_empty_nodes = read_switch("MEMS_RELEASE", v);
    if ((v = getenv("MEMS_ARENAS")) != NULL)
        s->config.arenas = read_count("MEMS_ARENAS", v, 1, MEMS_MAX_ARENAS, 0);
    if ((v = getenv("MEMS_STATS")) != NULL) {
        if (v[0] == '\0')
            refuse("MEMS_STATS", v, "expected 1 (stderr) or a file name");
        s->stats_to = strcmp(v, "0") == 0 ? NULL : v;
    }
    if ((v = getenv("MEMS_CHECK")) != NULL)
        s->check_at_exit = read_switch("MEMS_CHECK", v);
    if ((v = getenv("MEMS_ON_ERROR")) != NULL) {
        if (strcmp(v, "abort") == 0)
            s->ignore_errors = 0;
        else if (strcmp(v, "ignore") == 0)
            s->ignore_errors = 1;
        else
            refuse("MEMS_ON_ERROR", v, "expected abort or ignore");
    }
}
