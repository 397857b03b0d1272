/*
 * The figures are drawn by gnuplot, run through the shell; a run that
 * finds it missing after minutes of replays has wasted them, so each
 * command that draws looks for it first.
 */
#include "gnuplot_check.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* PATH searched as the shell would: an empty entry is the current folder. */
static bool found_on_path(const char *name)
{
    const char *path = getenv("PATH");
    if (path == NULL || *path == '\0')
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path;; p++) {
        const char *end = strchr(p, ':');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        char candidate[PATH_MAX];
        int n = len == 0 ? snprintf(candidate, sizeof candidate, "./%s", name)
                         : snprintf(candidate, sizeof candidate, "%.*s/%s", (int)len, p, name);
        if (n > 0 && (size_t)n < sizeof candidate && access(candidate, X_OK) == 0)
            return true;
        if (end == NULL)
            return false;
        p = end;
    }
}

bool gnuplot_ready(const char *who)
{
    if (found_on_path("gnuplot"))
        return true;
    fprintf(stderr,
            "mems-bench %s: gnuplot is not installed (on Debian: apt-get install gnuplot-nox), and the figures need "
            "it; pass --no-plots to run without them\n",
            who);
    return false;
}
