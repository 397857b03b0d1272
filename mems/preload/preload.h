/*
 * libmems_malloc.so: MeMS as a program's malloc. Internal to the preload.
 */
#ifndef MEMS_PRELOAD_H
#define MEMS_PRELOAD_H

#include "mems.h"

#include <stddef.h>

/* Exit status when a MEMS_* variable is not understood (the program never starts its work). */
#define PRELOAD_EXIT_BAD_SETTING 2

struct preload_settings {
    struct mems_config config;
    const char *stats_to; /* MEMS_STATS: NULL (off), "1" (stderr) or a file name */
    int check_at_exit;    /* MEMS_CHECK=1 */
    int ignore_errors;    /* MEMS_ON_ERROR=ignore: count bad frees instead of aborting */
};

/* preload_env.c */
void preload_read_settings(struct preload_settings *settings);
/* preload_stats.c: MEMS_STATS's descriptor, duplicated from stderr at start
 * (-1 when the line goes to a file or nowhere), and its line, written there or
 * appended to the file, after the process's name and pid. */
int preload_stats_open(const struct preload_settings *settings);
void preload_stats_write(const struct preload_settings *settings, int fd, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* One line on stderr through write(2): never allocates. */
void preload_say(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
