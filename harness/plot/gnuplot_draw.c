/*
 * One gnuplot run per figure and format, for every command that draws. The
 * assignments hold paths, trace and allocator names, so the command line
 * quotes each of its words for the shell: a name with a blank, a quote or a
 * dollar sign reaches gnuplot as it is.
 */
#include "gnuplot_draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MEMS_SOURCE_DIR
#define MEMS_SOURCE_DIR "."
#endif

/* 'text', each ' written '\'': at most 4 bytes for each of text's, and 2. */
static char *put_quoted(char *to, const char *text)
{
    *to++ = '\'';
    for (; *text != '\0'; text++) {
        if (*text == '\'') {
            memcpy(to, "'\\''", 4);
            to += 4;
        } else {
            *to++ = *text;
        }
    }
    *to++ = '\'';
    return to;
}

static int run_gnuplot(const char *assignments, const char *script_path, const char *log)
{
    char *command = malloc(4 * (strlen(assignments) + strlen(script_path) + strlen(log)) + 64);
    if (command == NULL)
        return -1;
    char *end = command + sprintf(command, "gnuplot -e ");
    end = put_quoted(end, assignments);
    *end++ = ' ';
    end = put_quoted(end, script_path);
    end += sprintf(end, " 2>>");
    end = put_quoted(end, log);
    *end = '\0';
    int rc = system(command) == 0 ? 0 : -1;
    free(command);
    return rc;
}

static char *print_assignments(const char *format, const char *out, const char *variables)
{
    static const char pattern[] = "fmt='%s'; out='%s'; plots='%s/plots'; %s";
    int n = snprintf(NULL, 0, pattern, format, out, MEMS_SOURCE_DIR, variables);
    char *text = n < 0 ? NULL : malloc((size_t)n + 1);
    if (text != NULL)
        snprintf(text, (size_t)n + 1, pattern, format, out, MEMS_SOURCE_DIR, variables);
    return text;
}

int gnuplot_draw(const char *who, const char *script, const char *out, const char *log, const char *variables)
{
    static const char *const formats[] = {"png", "svg"};
    size_t size = strlen(MEMS_SOURCE_DIR) + strlen(script) + 16;
    char *script_path = malloc(size);
    int rc = script_path == NULL ? -1 : 0;
    if (script_path != NULL)
        snprintf(script_path, size, "%s/plots/%s.gp", MEMS_SOURCE_DIR, script);
    /* both formats tried even when one fails: the log then says which */
    for (size_t f = 0; script_path != NULL && f < 2; f++) {
        char *assignments = print_assignments(formats[f], out, variables);
        if (assignments == NULL || run_gnuplot(assignments, script_path, log) != 0)
            rc = -1;
        free(assignments);
    }
    free(script_path);
    if (rc != 0)
        fprintf(stderr, "mems-bench %s: gnuplot failed on %s (see %s)\n", who, script, log);
    return rc;
}
