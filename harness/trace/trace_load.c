/* Format detection, loading, and the binary form replays map. */
#include "trace_builder.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define BINARY_MAGIC "MEMSTRB1"

struct binary_header {
    char magic[8];
    uint32_t version;
    uint32_t op_size;
    uint64_t num_ops;
    uint64_t num_ids;
    struct trace_facts facts;
    char name[128];
    /* version 2: the threaded replay's table follows the ops (sync_size 0: none) */
    uint32_t sync_size, sync_threads;
    uint64_t cross_thread_ops;
};
#define BINARY_VERSION 2

const char *op_kind_name(int kind)
{
    static const char *const names[OP_KIND_LIMIT] = {"?", "malloc", "calloc", "realloc", "free", "aligned"};
    return kind > 0 && kind < OP_KIND_LIMIT ? names[kind] : "?";
}

const char *trace_format_name(enum trace_format format)
{
    switch (format) {
    case FORMAT_NATIVE: return "native";
    case FORMAT_REP: return "rep";
    case FORMAT_MTRACE: return "mtrace";
    case FORMAT_BINARY: return "binary";
    case FORMAT_HEAPTRACK: return "heaptrack";
    case FORMAT_HEAPTRACK_RAW: return "heaptrack-raw";
    default: return "unknown";
    }
}

uint64_t op_bytes(const struct trace_op *op)
{
    return op->kind == OP_CALLOC ? op->size * op->extra : op->size;
}


static void name_from_path(const char *path, char *name, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    snprintf(name, size, "%s", base);
    static const char *const extensions[] = {".gz",  ".bin", ".rep", ".trace", ".mtrace",
                                             ".txt", ".log", ".mt",  ".zst",   ".raw"};
    for (size_t again = 0; again < 2; again++)
        for (size_t i = 0; i < sizeof extensions / sizeof *extensions; i++) {
            size_t n = strlen(name), e = strlen(extensions[i]);
            if (n > e && strcmp(name + n - e, extensions[i]) == 0)
                name[n - e] = '\0';
        }
}

static bool file_starts_with_magic(const char *path)
{
    char magic[8] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, magic, sizeof magic);
    close(fd);
    return n == (ssize_t)sizeof magic && memcmp(magic, BINARY_MAGIC, sizeof magic) == 0;
}

/* Judges the text format from the first line that is not blank. */
static enum trace_format detect_text_format(const char *path, struct trace_error *error)
{
    struct line_source *s = source_open(path, error);
    if (s == NULL)
        return FORMAT_UNKNOWN;
    enum trace_format format = FORMAT_UNKNOWN;
    size_t line_number;
    char *line;
    while ((line = source_next(s, &line_number)) != NULL) {
        line += strspn(line, " \t");
        if (*line == '\0')
            continue;
        if (strncmp(line, "mems-trace", 10) == 0)
            format = FORMAT_NATIVE;
        else if (line[0] == '=' || line[0] == '@' || ((line[0] == '+' || line[0] == '-') && line[1] == ' '))
            format = FORMAT_MTRACE;
        else if (line[0] >= '0' && line[0] <= '9')
            format = FORMAT_REP;
        else if (line[0] == 'v' && line[1] == ' ')
            format = FORMAT_HEAPTRACK; /* heaptrack's version line; its reader tells raw from interpreted */
        else
            trace_error_set(error, "%s:%zu: unknown trace format (not native, .rep, mtrace, heaptrack or binary)", path,
                            line_number);
        break;
    }
    if (line == NULL && !source_failed(s))
        trace_error_set(error, "%s: empty file", path);
    source_close(s);
    return format;
}

int trace_load_or_say(const char *path, struct trace *trace)
{
    struct trace_error error;
    if (trace_load(path, trace, &error) == 0)
        return 0;
    fprintf(stderr, "%s\n", error.message);
    return -1;
}

int trace_load(const char *path, struct trace *trace, struct trace_error *error)
{
    memset(trace, 0, sizeof *trace);
    snprintf(trace->path, sizeof trace->path, "%s", path);
    name_from_path(path, trace->name, sizeof trace->name);
    if (file_starts_with_magic(path))
        return trace_map_binary(path, trace, error);

    enum trace_format format = detect_text_format(path, error);
    if (format == FORMAT_UNKNOWN)
        return -1;
    struct line_source *s = source_open(path, error);
    if (s == NULL)
        return -1;
    struct trace_builder b;
    builder_start(&b, trace, error, path, (size_t)1 << 28);
    trace->format = format;
    int rc = format == FORMAT_NATIVE    ? read_native(s, &b)
           : format == FORMAT_REP       ? read_rep(s, &b)
           : format == FORMAT_HEAPTRACK ? read_heaptrack(s, &b)
                                        : read_mtrace(s, &b);
    source_close(s);
    if (rc == 0 && trace->num_ops == 0) {
        trace_error_set(error, "%s: the trace has no operations", path);
        rc = -1;
    }
    if (rc != 0) {
        builder_abandon(&b);
        return -1;
    }
    builder_finish(&b);
    return 0;
}

int trace_write_binary(const struct trace *trace, const char *path, struct trace_error *error)
{
    struct binary_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, BINARY_MAGIC, sizeof h.magic);
    h.version = BINARY_VERSION;
    h.op_size = sizeof(struct trace_op);
    h.num_ops = trace->num_ops;
    h.num_ids = trace->num_ids;
    h.facts = trace->facts;
    snprintf(h.name, sizeof h.name, "%s", trace->name);
    /* the table numbers ops in 32 bits; a longer trace replays serially only */
    struct trace_sync *sync = NULL;
    if (trace->num_ops < TRACE_SYNC_NONE && (sync = malloc(trace->num_ops * sizeof *sync)) != NULL) {
        h.sync_threads = trace_sync_compute(trace, sync, &h.cross_thread_ops);
        h.sync_size = h.sync_threads > 0 ? sizeof *sync : 0;
    }
    char temporary[1100];
    snprintf(temporary, sizeof temporary, "%s.tmp%d", path, (int)getpid());
    FILE *f = fopen(temporary, "wb");
    if (f == NULL) {
        trace_error_set(error, "%s: cannot write: %s", path, strerror(errno)); /* the temporary is ours, not the user's */
        free(sync);
        return -1;
    }
    bool ok = fwrite(&h, sizeof h, 1, f) == 1 &&
              fwrite(trace->ops, sizeof *trace->ops, trace->num_ops, f) == trace->num_ops &&
              (h.sync_size == 0 || fwrite(sync, sizeof *sync, trace->num_ops, f) == trace->num_ops);
    free(sync);
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(temporary, path) != 0) {
        trace_error_set(error, "%s: cannot write: %s", path, strerror(errno));
        unlink(temporary);
        return -1;
    }
    return 0;
}

int trace_map_binary(const char *path, struct trace *trace, struct trace_error *error)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        trace_error_set(error, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(struct binary_header)) {
        close(fd);
        trace_error_set(error, "%s: too short for a binary trace", path);
        return -1;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        trace_error_set(error, "%s: cannot map: %s", path, strerror(errno));
        return -1;
    }
    const struct binary_header *h = map;
    const char *problem = NULL;
    if (memcmp(h->magic, BINARY_MAGIC, sizeof h->magic) != 0)
        problem = "not a binary trace (bad magic)";
    else if (h->version != BINARY_VERSION || h->op_size != sizeof(struct trace_op) ||
             (h->sync_size != 0 && h->sync_size != sizeof(struct trace_sync)))
        problem = "binary trace of another version";
    else if (h->num_ops > ((size_t)st.st_size - sizeof *h) / (sizeof(struct trace_op) + h->sync_size) ||
             sizeof *h + h->num_ops * (sizeof(struct trace_op) + h->sync_size) != (size_t)st.st_size)
        problem = "binary trace size does not match its op count (truncated?)";
    else if (h->num_ops == 0)
        problem = "the trace has no operations";
    if (problem != NULL) {
        munmap(map, (size_t)st.st_size);
        trace_error_set(error, "%s: %s", path, problem);
        return -1;
    }
    trace->ops = (struct trace_op *)((char *)map + sizeof *h);
    /* the builder validated these when the form was written; a hand-edited
     * file must still not send a replay out of bounds */
    for (size_t i = 0; i < h->num_ops; i++) {
        const struct trace_op *op = &trace->ops[i];
        if (op->kind == 0 || op->kind >= OP_KIND_LIMIT || op->id >= h->num_ids) {
            if (op_frees_null(op))
                continue;
            munmap(map, (size_t)st.st_size);
            trace_error_set(error, "%s: op %zu: bad kind or id", path, i);
            return -1;
        }
    }
    trace->num_ops = h->num_ops;
    trace->num_ids = h->num_ids;
    if (h->sync_size != 0) {
        const struct trace_sync *sync = (const void *)(trace->ops + h->num_ops);
        const char *wrong = trace_sync_validate(trace, sync, h->sync_threads);
        if (wrong != NULL) {
            munmap(map, (size_t)st.st_size);
            trace_error_set(error, "%s: %s", path, wrong);
            return -1;
        }
        trace->sync = sync;
        trace->sync_threads = h->sync_threads;
        trace->cross_thread_ops = h->cross_thread_ops;
    }
    trace->facts = h->facts;
    trace->format = FORMAT_BINARY;
    snprintf(trace->name, sizeof trace->name, "%s", h->name);
    if (trace->path[0] == '\0')
        snprintf(trace->path, sizeof trace->path, "%s", path);
    trace->mapping = map;
    trace->mapping_bytes = (size_t)st.st_size;
    return 0;
}

void trace_free(struct trace *trace)
{
    if (trace->mapping != NULL)
        munmap(trace->mapping, trace->mapping_bytes);
    else
        free(trace->ops);
    memset(trace, 0, sizeof *trace);
}
