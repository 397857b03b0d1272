/* Files the replay child writes (time series, latency CDF, heap map) without
 * stdio: write(2) from a buffer of their own, so the allocator under test is
 * not asked for memory, and one that refuses everything cannot stop them. */
#include "replay_internal.h"

#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

int out_open(struct out_file *f, const char *path)
{
    f->used = 0;
    f->failed = false;
    f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    return f->fd < 0 ? -1 : 0;
}

static void out_flush(struct out_file *f)
{
    if (f->used > 0 && write(f->fd, f->buffer, f->used) != (ssize_t)f->used)
        f->failed = true;
    f->used = 0;
}

void out_printf(struct out_file *f, const char *format, ...)
{
    if (sizeof f->buffer - f->used < OUT_LINE_MAX)
        out_flush(f);
    va_list args;
    va_start(args, format);
    int n = vsnprintf(f->buffer + f->used, sizeof f->buffer - f->used, format, args);
    va_end(args);
    if (n < 0 || (size_t)n >= sizeof f->buffer - f->used)
        f->failed = true; /* a line longer than OUT_LINE_MAX */
    else
        f->used += (size_t)n;
}

int out_close(struct out_file *f)
{
    out_flush(f);
    return close(f->fd) != 0 || f->failed ? -1 : 0;
}
