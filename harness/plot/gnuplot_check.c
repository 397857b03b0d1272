/*
 * The figures are drawn by gnuplot, run through the shell; a run that
 * finds it missing after minutes of replays has wasted them, so each
 * command that draws looks for it first, as the shell that will run it
 * would (the suite asks for hyperfine the same way).
 */
#include "gnuplot_check.h"

#include <stdio.h>
#include <stdlib.h>

bool gnuplot_ready(const char *who)
{
    if (system("command -v gnuplot >/dev/null 2>&1") == 0)
        return true;
    fprintf(stderr,
            "mems-bench %s: gnuplot is not installed (on Debian: apt-get install gnuplot-nox), and the figures need "
            "it; pass --no-plots to run without them\n",
            who);
    return false;
}
