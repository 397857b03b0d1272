/*
 * The line source every text reader reads from: plain, gzip or zstd, told
 * apart by the file's first bytes and never by its name. zlib reads plain and
 * gzip alike; zstd (heaptrack's own compression) goes through libzstd.
 */
#include "trace_builder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

static const unsigned char zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};

struct zstd_input {
    FILE *file;
    ZSTD_DStream *stream;
    ZSTD_inBuffer in;
    size_t frame_left; /* ZSTD_decompressStream's last hint: 0 when a frame just ended */
    char in_bytes[1 << 17];
    char out_bytes[1 << 17];
    size_t out_start, out_end;
    bool file_done, at_end;
};

struct line_source {
    gzFile gz;               /* plain or gzip */
    struct zstd_input *zstd; /* or zstd */
    const char *path;
    struct trace_error *error;
    size_t line;
    bool failed;
    bool newline; /* the last line read ended with one */
    char buffer[1 << 16];
};

static int fail_source(struct line_source *s, const char *format, const char *detail)
{
    char what[256];
    snprintf(what, sizeof what, format, detail);
    snprintf(s->error->message, sizeof s->error->message, "%s:%zu: %s", s->path, s->line + 1, what);
    s->failed = true;
    return -1;
}

static const char *file_kind(mode_t mode)
{
    return S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a pipe" : S_ISCHR(mode) || S_ISBLK(mode) ? "a device"
         : S_ISSOCK(mode)                                                                    ? "a socket"
                                                                                              : "not a file";
}

/* Whether the whole file is zero bytes; only called when its start is. */
static bool rest_is_zero(int fd)
{
    static char chunk[1 << 16];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        for (ssize_t i = 0; i < n; i++)
            if (chunk[i] != 0)
                return false;
    return n == 0;
}

/* Refuses what no reader could make sense of, with a message that says what
 * the file is: not a regular file, or nothing but zero bytes (a file
 * preallocated and never written). Sets *zstd when the zstd magic opens it. */
static int check_file(const char *path, bool *zstd, struct trace_error *error)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        trace_error_set(error, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        trace_error_set(error, "%s: cannot read: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        trace_error_set(error, "%s: not a regular file (%s)", path, file_kind(st.st_mode));
        close(fd);
        return -1;
    }
    unsigned char start[4096];
    ssize_t n = read(fd, start, sizeof start);
    bool zero = n > 0;
    for (ssize_t i = 0; zero && i < n; i++)
        zero = start[i] == 0;
    if (zero && rest_is_zero(fd)) {
        trace_error_set(error, "%s: all %jd bytes of the file are zero (not a trace)", path, (intmax_t)st.st_size);
        close(fd);
        return -1;
    }
    *zstd = n >= 4 && memcmp(start, zstd_magic, sizeof zstd_magic) == 0;
    close(fd);
    return 0;
}

static struct zstd_input *open_zstd(const char *path, struct trace_error *error)
{
    struct zstd_input *z = calloc(1, sizeof *z);
    if (z == NULL) {
        trace_error_set(error, "%s: out of memory", path);
        return NULL;
    }
    z->file = fopen(path, "rb");
    z->stream = ZSTD_createDStream();
    if (z->file == NULL || z->stream == NULL) {
        trace_error_set(error, "%s: cannot open: %s", path, z->file == NULL ? strerror(errno) : "no memory for zstd");
        if (z->file != NULL)
            fclose(z->file);
        ZSTD_freeDStream(z->stream);
        free(z);
        return NULL;
    }
    ZSTD_initDStream(z->stream);
    z->in.src = z->in_bytes;
    return z;
}

struct line_source *source_open(const char *path, struct trace_error *error)
{
    bool zstd;
    if (check_file(path, &zstd, error) != 0)
        return NULL;
    struct line_source *s = calloc(1, sizeof *s);
    if (s == NULL) {
        trace_error_set(error, "%s: out of memory", path);
        return NULL;
    }
    s->path = path;
    s->error = error;
    if (zstd) {
        s->zstd = open_zstd(path, error);
        if (s->zstd == NULL) {
            free(s);
            return NULL;
        }
        return s;
    }
    s->gz = gzopen(path, "rb");
    if (s->gz == NULL) {
        trace_error_set(error, "%s: cannot open: %s", path, strerror(errno));
        free(s);
        return NULL;
    }
    gzbuffer(s->gz, 1 << 17);
    return s;
}

/* Decompresses more of the stream into out_bytes; false at its end or on error. */
static bool refill_zstd(struct line_source *s)
{
    struct zstd_input *z = s->zstd;
    z->out_start = z->out_end = 0;
    for (;;) {
        if (z->in.pos == z->in.size && !z->file_done) {
            z->in.size = fread(z->in_bytes, 1, sizeof z->in_bytes, z->file);
            z->in.pos = 0;
            if (z->in.size == 0 && ferror(z->file)) {
                fail_source(s, "cannot read: %s", strerror(errno));
                return false;
            }
            z->file_done = z->in.size == 0;
        }
        bool input_spent = z->file_done && z->in.pos == z->in.size;
        if (input_spent && z->frame_left == 0)
            return false;
        ZSTD_outBuffer out = {z->out_bytes, sizeof z->out_bytes, 0};
        size_t hint = ZSTD_decompressStream(z->stream, &out, &z->in);
        if (ZSTD_isError(hint)) {
            fail_source(s, "the compressed stream is truncated or corrupt (zstd: %s)", ZSTD_getErrorName(hint));
            return false;
        }
        z->frame_left = hint;
        z->out_end = out.pos;
        if (out.pos > 0)
            return true;
        if (input_spent) {
            fail_source(s, "the compressed stream is truncated or corrupt (%s)", "zstd: the file ends inside a frame");
            return false;
        }
    }
}

/* One line from the zstd stream into s->buffer; false at the end. */
static bool next_zstd_line(struct line_source *s, size_t *length)
{
    struct zstd_input *z = s->zstd;
    size_t n = 0;
    for (;;) {
        if (z->out_start == z->out_end && (z->at_end || !refill_zstd(s))) {
            z->at_end = true;
            *length = n;
            return n > 0 && !s->failed;
        }
        const char *from = z->out_bytes + z->out_start;
        size_t available = z->out_end - z->out_start;
        const char *newline = memchr(from, '\n', available);
        size_t take = newline != NULL ? (size_t)(newline - from) + 1 : available;
        if (n + take > sizeof s->buffer - 1) {
            fail_source(s, "line longer than %s bytes", "65534");
            return false;
        }
        memcpy(s->buffer + n, from, take);
        n += take;
        z->out_start += take;
        if (newline != NULL) {
            *length = n;
            return true;
        }
    }
}

static bool next_gzip_line(struct line_source *s, size_t *length)
{
    if (gzgets(s->gz, s->buffer, sizeof s->buffer) == NULL) {
        int code;
        const char *why = gzerror(s->gz, &code);
        if (code != Z_OK && code != Z_STREAM_END)
            fail_source(s, "the compressed stream is truncated or corrupt (%s)", why);
        return false;
    }
    *length = strlen(s->buffer);
    if (*length == sizeof s->buffer - 1 && s->buffer[*length - 1] != '\n') {
        fail_source(s, "line longer than %s bytes", "65534");
        return false;
    }
    return true;
}

char *source_next(struct line_source *s, size_t *line_number)
{
    if (s->failed)
        return NULL;
    size_t n;
    if (!(s->zstd != NULL ? next_zstd_line(s, &n) : next_gzip_line(s, &n)))
        return NULL;
    s->buffer[n] = '\0';
    s->line++;
    *line_number = s->line;
    s->newline = n > 0 && s->buffer[n - 1] == '\n';
    while (n > 0 && (s->buffer[n - 1] == '\n' || s->buffer[n - 1] == '\r'))
        s->buffer[--n] = '\0';
    return s->buffer;
}

bool source_failed(const struct line_source *s)
{
    return s->failed;
}

bool source_ended_line(const struct line_source *s)
{
    return s->newline;
}

void source_close(struct line_source *s)
{
    if (s == NULL)
        return;
    if (s->zstd != NULL) {
        fclose(s->zstd->file);
        ZSTD_freeDStream(s->zstd->stream);
        free(s->zstd);
    } else {
        gzclose(s->gz);
    }
    free(s);
}
