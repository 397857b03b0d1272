/*
 * The recorder's output: the trace text, formatted here (numbers too, never
 * by the allocator being recorded) into a buffer of pages it maps itself and
 * written to $MEMS_TRACE_DIR/PROGRAM.PID[-N].trace. Apart from
 * record_preload.c because it is the trace and its file, not the
 * interposition; every call here is made with call_lock held.
 */
#include "record_internal.h"
#include "record_table.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUFFER_BYTES (256 * 1024)
#define FLUSH_EVENTS 4096

static TLS int thread_number = -1;
static int next_thread_number;
int trace_fd = -1;
char *trace_buffer;
size_t buffered, events_since_flush;

static void write_all(const char *data, size_t n)
{
    while (n > 0 && trace_fd >= 0) {
        ssize_t w = write(trace_fd, data, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            disabled = true;
            return;
        }
        data += w;
        n -= (size_t)w;
    }
}

void flush_events(void)
{
    if (buffered > 0)
        write_all(trace_buffer, buffered);
    buffered = 0;
    events_since_flush = 0;
}

void put_text(const char *s)
{
    size_t n = strlen(s);
    if (buffered + n > BUFFER_BYTES)
        flush_events();
    memcpy(trace_buffer + buffered, s, n);
    buffered += n;
}

void put_number(uint64_t v)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    char text[24];
    for (int i = 0; i < n; i++)
        text[i] = digits[n - 1 - i];
    text[n] = '\0';
    put_text(text);
}

/* One event line: op letter, numbers, thread. */
void put_event(char op, int count, ...)
{
    if (buffered + 128 > BUFFER_BYTES)
        flush_events();
    char letter[2] = {op, '\0'};
    put_text(letter);
    va_list args;
    va_start(args, count);
    for (int i = 0; i < count; i++) {
        put_text(" ");
        int64_t v = va_arg(args, int64_t);
        if (v < 0)
            put_text("-");
        else
            put_number((uint64_t)v);
    }
    va_end(args);
    if (thread_number < 0)
        thread_number = next_thread_number++;
    if (thread_number > 0) {
        put_text(" @");
        put_number((uint64_t)thread_number);
    }
    put_text("\n");
    if (++events_since_flush >= FLUSH_EVENTS)
        flush_events();
}

/* Opens DIR/PROGRAM.PID.trace, or PROGRAM.PID-N.trace when an earlier image
 * of this process (before an exec) already wrote that name. */
static void open_trace_file(void)
{
    const char *dir = getenv("MEMS_TRACE_DIR");
    if (dir == NULL || *dir == '\0') {
        disabled = true;
        return;
    }
    char program[64] = "program";
    int fd = open("/proc/self/comm", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, program, sizeof program - 1);
        close(fd);
        if (n > 0) {
            program[n] = '\0';
            program[strcspn(program, "\n/ ")] = '\0';
        }
    }
    char path[4096];
    char pid[24];
    size_t at = 0;
    uint64_t v = (uint64_t)getpid();
    do {
        pid[at++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (int generation = 0; generation < 1000; generation++) {
        size_t n = 0;
        path[0] = '\0';
        strncat(path, dir, sizeof path - 200);
        strcat(path, "/");
        strcat(path, program);
        strcat(path, ".");
        n = strlen(path);
        for (size_t i = 0; i < at; i++)
            path[n + i] = pid[at - 1 - i];
        path[n + at] = '\0';
        if (generation > 0) {
            strcat(path, "-");
            char g[8] = {(char)('0' + generation / 100 % 10), (char)('0' + generation / 10 % 10),
                         (char)('0' + generation % 10), '\0'};
            strcat(path, g[0] == '0' ? (g[1] == '0' ? g + 2 : g + 1) : g);
        }
        strcat(path, ".trace");
        trace_fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (trace_fd >= 0 || errno != EEXIST)
            break;
    }
    if (trace_fd < 0)
        disabled = true;
}

void start_trace(const char *note)
{
    open_trace_file();
    if (disabled)
        return;
    put_text("mems-trace 1\n# recorded by libmems_record.so");
    if (note != NULL)
        put_text(note);
    put_text("\n");
}

/* Called with call_lock held. Returns false when recording is off. */
bool trace_ready(void)
{
    if (disabled)
        return false;
    if (trace_buffer == NULL) {
        trace_buffer = map_pages(BUFFER_BYTES);
        if (trace_buffer == NULL) {
            disabled = true;
            return false;
        }
        start_trace(NULL);
    }
    return !disabled;
}
