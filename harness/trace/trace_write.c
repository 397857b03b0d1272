/* Writers of the text formats: native, CS:APP .rep and glibc mtrace. */
#include "trace_builder.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>


/* Opens for writing; a name ending in .gz is compressed. */
static gzFile open_output(const char *path, struct trace_error *error)
{
    size_t n = strlen(path);
    bool gz = n > 3 && strcmp(path + n - 3, ".gz") == 0;
    gzFile f = gzopen(path, gz ? "wb9" : "wbT");
    if (f == NULL)
        trace_error_set(error, "%s: cannot write: %s", path, strerror(errno));
    return f;
}

static int close_output(gzFile f, bool ok, const char *path, struct trace_error *error)
{
    ok = (gzclose(f) == Z_OK) && ok;
    if (!ok)
        trace_error_set(error, "%s: write failed", path);
    return ok ? 0 : -1;
}

int trace_write_native(const struct trace *trace, const char *path, struct trace_error *error)
{
    gzFile f = open_output(path, error);
    if (f == NULL)
        return -1;
    bool ok = gzprintf(f, "mems-trace 1\n# %s: %zu ops, %zu ids\n", trace->name, trace->num_ops, trace->num_ids) > 0;
    for (size_t i = 0; ok && i < trace->num_ops; i++) {
        const struct trace_op *op = &trace->ops[i];
        char thread[16] = "";
        if (op->thread != 0)
            snprintf(thread, sizeof thread, " @%u", op->thread);
        int w = 0;
        switch (op->kind) {
        case OP_MALLOC: w = gzprintf(f, "a %u %ju%s\n", op->id, (uintmax_t)op->size, thread); break;
        case OP_CALLOC: w = gzprintf(f, "c %u %ju %ju%s\n", op->id, (uintmax_t)op->extra, (uintmax_t)op->size, thread); break;
        case OP_ALIGNED: w = gzprintf(f, "m %u %ju %ju%s\n", op->id, (uintmax_t)op->extra, (uintmax_t)op->size, thread); break;
        case OP_REALLOC:
            w = gzprintf(f, "%c %u %ju%s\n", (op->flags & OP_FLAG_NULL) ? 'R' : 'r', op->id, (uintmax_t)op->size, thread);
            break;
        case OP_FREE:
            w = (op->flags & OP_FLAG_NULL) ? gzprintf(f, "f -%s\n", thread) : gzprintf(f, "f %u%s\n", op->id, thread);
            break;
        }
        ok = w > 0;
    }
    return close_output(f, ok, path, error);
}


/* .rep keeps malloc, realloc and free: calloc and aligned allocations become
 * plain allocations of their size, realloc(NULL) an 'r' of a free id (the
 * course dialect), free(NULL) 'f -1'. */
int trace_write_rep(const struct trace *trace, const char *path, struct trace_error *error)
{
    gzFile f = open_output(path, error);
    if (f == NULL)
        return -1;
    bool ok = gzprintf(f, "%ju\n%zu\n%zu\n1\n", (uintmax_t)trace->facts.peak_live_bytes, trace->num_ids,
                       trace->num_ops) > 0;
    for (size_t i = 0; ok && i < trace->num_ops; i++) {
        const struct trace_op *op = &trace->ops[i];
        switch (op->kind) {
        case OP_MALLOC:
        case OP_CALLOC:
        case OP_ALIGNED: ok = gzprintf(f, "a %u %ju\n", op->id, (uintmax_t)op_bytes(op)) > 0; break;
        case OP_REALLOC: ok = gzprintf(f, "r %u %ju\n", op->id, (uintmax_t)op->size) > 0; break;
        case OP_FREE:
            ok = (op->flags & OP_FLAG_NULL) ? gzprintf(f, "f -1\n") > 0 : gzprintf(f, "f %u\n", op->id) > 0;
            break;
        }
    }
    return close_output(f, ok, path, error);
}

/* mtrace needs addresses: each id gets a made-up one of its own, distinct
 * while the block is live, which is all mtrace readers rely on. */
int trace_write_mtrace(const struct trace *trace, const char *path, struct trace_error *error)
{
    gzFile f = open_output(path, error);
    if (f == NULL)
        return -1;
    bool ok = gzprintf(f, "= Start\n") > 0;
    for (size_t i = 0; ok && i < trace->num_ops; i++) {
        const struct trace_op *op = &trace->ops[i];
        uintmax_t address = 0x10000000u + (uintmax_t)op->id * 16;
        switch (op->kind) {
        case OP_MALLOC:
        case OP_CALLOC:
        case OP_ALIGNED: ok = gzprintf(f, "@ mems-trace:[0x0] + %#jx %#jx\n", address, (uintmax_t)op_bytes(op)) > 0; break;
        case OP_REALLOC:
            if (op->flags & OP_FLAG_NULL)
                ok = gzprintf(f, "@ mems-trace:[0x0] + %#jx %#jx\n", address, (uintmax_t)op->size) > 0;
            else if (op->size == 0)
                ok = gzprintf(f, "@ mems-trace:[0x0] - %#jx\n", address) > 0;
            else
                ok = gzprintf(f, "@ mems-trace:[0x0] < %#jx\n@ mems-trace:[0x0] > %#jx %#jx\n", address, address,
                              (uintmax_t)op->size) > 0;
            break;
        case OP_FREE:
            if (!(op->flags & OP_FLAG_NULL)) /* glibc does not log free(NULL) */
                ok = gzprintf(f, "@ mems-trace:[0x0] - %#jx\n", address) > 0;
            break;
        }
    }
    ok = ok && gzprintf(f, "= End\n") > 0;
    return close_output(f, ok, path, error);
}

enum trace_format trace_format_by_name(const char *path)
{
    size_t n = strlen(path);
    const char *end = path + n;
    if (n > 3 && strcmp(end - 3, ".gz") == 0)
        end -= 3;
    size_t stem = (size_t)(end - path);
    if (stem > 4 && strncmp(end - 4, ".bin", 4) == 0)
        return FORMAT_BINARY;
    if (stem > 4 && strncmp(end - 4, ".rep", 4) == 0)
        return FORMAT_REP;
    if (stem > 7 && strncmp(end - 7, ".mtrace", 7) == 0)
        return FORMAT_MTRACE;
    return FORMAT_NATIVE;
}

int trace_write_by_name(const struct trace *trace, const char *path, struct trace_error *error)
{
    switch (trace_format_by_name(path)) {
    case FORMAT_BINARY: return trace_write_binary(trace, path, error);
    case FORMAT_REP: return trace_write_rep(trace, path, error);
    case FORMAT_MTRACE: return trace_write_mtrace(trace, path, error);
    default: return trace_write_native(trace, path, error);
    }
}
