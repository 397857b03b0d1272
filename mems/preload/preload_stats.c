/*
 * Where MEMS_STATS's line goes. MEMS_STATS=1 means the stderr the program
 * started with: it is duplicated when the library starts, because programs
 * close their own stderr before exit (coreutils' close_stdout does), long
 * before the destructor that writes the line runs. A file name is opened for
 * appending at exit. Every line names its process, "ls[1234]", so the lines
 * of a program's children can be told apart.
 *
 * No stdio: one write(2) per line, which O_APPEND keeps whole among the lines
 * of several processes.
 */
#include "preload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Far above the descriptors scripts name (exec 3>, 9>, bash's from 10 up). */
#define STATS_FD_FLOOR 512

int preload_stats_open(const struct preload_settings *s)
{
    if (s->stats_to == NULL || strcmp(s->stats_to, "1") != 0)
        return -1;
    int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, STATS_FD_FLOOR);
    if (fd < 0) /* a descriptor limit below the floor */
        fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    return fd;
}

static void write_all(int fd, const char *text, size_t length)
{
    while (length > 0) {
        ssize_t written = write(fd, text, length);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return;
        text += written, length -= (size_t)written;
    }
}

void preload_stats_write(const struct preload_settings *s, int fd, const char *format, ...)
{
    char line[1536];
    int n = snprintf(line, sizeof line, "libmems_malloc: %s[%ld]: ", program_invocation_short_name, (long)getpid());
    va_list args;
    va_start(args, format);
    int m = n < 0 ? -1 : vsnprintf(line + n, sizeof line - (size_t)n, format, args);
    va_end(args);
    if (m < 0)
        return;
    size_t length = (size_t)n + (size_t)m < sizeof line ? (size_t)n + (size_t)m : sizeof line - 1;
    if (fd >= 0) {
        write_all(fd, line, length);
        return;
    }
    fd = open(s->stats_to, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0) {
        preload_say("libmems_malloc: MEMS_STATS=%s: cannot open: %s\n", s->stats_to, strerror(errno));
        return;
    }
    write_all(fd, line, length);
    close(fd);
}
