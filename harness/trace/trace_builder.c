/* Validation and facts for every reader. */
#include "trace_builder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOT_LIVE UINT64_MAX

void trace_error_set(struct trace_error *error, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(error->message, sizeof error->message, format, args);
    va_end(args);
}

int builder_fail(struct trace_builder *b, const char *format, ...)
{
    char what[512];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    snprintf(b->error->message, sizeof b->error->message, "%s:%zu: %s", b->file, b->line, what);
    return -1;
}

void builder_warn(const struct trace_builder *b, const char *format, ...)
{
    char what[512];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    fprintf(stderr, "%s:%zu: warning: %s\n", b->file, b->line, what);
}

void builder_start(struct trace_builder *b, struct trace *trace, struct trace_error *error, const char *file,
                   size_t max_ids)
{
    memset(b, 0, sizeof *b);
    b->trace = trace;
    b->error = error;
    b->file = file;
    b->max_ids = max_ids;
}

bool builder_is_live(const struct trace_builder *b, uint64_t id)
{
    return id < b->id_capacity && b->live_size[id] != NOT_LIVE;
}

static int ensure_id(struct trace_builder *b, uint64_t id)
{
    if (id >= b->max_ids)
        return builder_fail(b, "id %ju is out of range (ids must be below %zu)", (uintmax_t)id, b->max_ids);
    if (id < b->id_capacity)
        return 0;
    size_t n = b->id_capacity ? b->id_capacity : 1024;
    while (n <= id)
        n *= 2;
    uint64_t *grown = realloc(b->live_size, n * sizeof *grown);
    if (grown == NULL)
        return builder_fail(b, "out of memory for %zu ids", n);
    for (size_t i = b->id_capacity; i < n; i++)
        grown[i] = NOT_LIVE;
    b->live_size = grown;
    b->id_capacity = n;
    return 0;
}

static int push_op(struct trace_builder *b, struct trace_op op)
{
    struct trace *t = b->trace;
    if (t->num_ops == b->op_capacity) {
        size_t n = b->op_capacity ? b->op_capacity * 2 : 4096;
        struct trace_op *grown = realloc(t->ops, n * sizeof *grown);
        if (grown == NULL)
            return builder_fail(b, "out of memory for %zu ops", n);
        t->ops = grown;
        b->op_capacity = n;
    }
    if (!op_frees_null(&op))
        if (op.id + 1 > t->num_ids)
            t->num_ids = op.id + 1;
    if (op.thread > b->max_thread)
        b->max_thread = op.thread;
    t->facts.count[op.kind]++;
    t->ops[t->num_ops++] = op;
    if (b->live_bytes > t->facts.peak_live_bytes) {
        t->facts.peak_live_bytes = b->live_bytes;
        t->facts.peak_live_op = t->num_ops - 1;
    }
    return 0;
}

/* `id` arrives full width so an out-of-range one is reported as written. */
static int make_block(struct trace_builder *b, uint64_t id, struct trace_op op, uint64_t bytes)
{
    if (ensure_id(b, id) != 0)
        return -1;
    op.id = (uint32_t)id;
    if (b->live_size[id] != NOT_LIVE)
        return builder_fail(b, "id %ju is allocated again while still live", (uintmax_t)id);
    b->live_size[id] = bytes;
    b->live_bytes += bytes;
    return push_op(b, op);
}

int builder_malloc(struct trace_builder *b, uint64_t id, uint64_t size, uint16_t thread)
{
    return make_block(b, id, (struct trace_op){OP_MALLOC, 0, thread, 0, size, 0}, size);
}

int builder_calloc(struct trace_builder *b, uint64_t id, uint64_t count, uint64_t size, uint16_t thread)
{
    if (size != 0 && count > UINT64_MAX / size)
        return builder_fail(b, "calloc of %ju elements of %ju bytes overflows", (uintmax_t)count, (uintmax_t)size);
    return make_block(b, id, (struct trace_op){OP_CALLOC, 0, thread, 0, size, count}, count * size);
}

int builder_aligned(struct trace_builder *b, uint64_t id, uint64_t alignment, uint64_t size, uint16_t thread)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        return builder_fail(b, "alignment %ju is not a power of two", (uintmax_t)alignment);
    return make_block(b, id, (struct trace_op){OP_ALIGNED, 0, thread, 0, size, alignment}, size);
}

int builder_realloc_null(struct trace_builder *b, uint64_t id, uint64_t size, uint16_t thread)
{
    return make_block(b, id, (struct trace_op){OP_REALLOC, OP_FLAG_NULL, thread, 0, size, 0}, size);
}

/* In a trace with threads the recorded order is still the one order every
 * replay keeps between threads: a block freed by one thread before another
 * allocates it cannot be replayed, so the message says which thread. */
static int fail_not_live(struct trace_builder *b, const char *what, uint64_t id, uint16_t thread)
{
    if (thread == 0 && b->max_thread == 0)
        return builder_fail(b, "%s of id %ju, which is not live", what, (uintmax_t)id);
    return builder_fail(b, "%s of id %ju, which is not live, in thread %u (across threads too, a block is freed or "
                           "reallocated after its allocation in recorded order)", what, (uintmax_t)id, thread);
}

int builder_realloc(struct trace_builder *b, uint64_t id, uint64_t size, uint16_t thread)
{
    if (!builder_is_live(b, id))
        return fail_not_live(b, "realloc", id, thread);
    b->live_bytes -= b->live_size[id];
    b->live_size[id] = size == 0 ? NOT_LIVE : size;
    b->live_bytes += size;
    return push_op(b, (struct trace_op){OP_REALLOC, 0, thread, (uint32_t)id, size, 0});
}

int builder_free(struct trace_builder *b, uint64_t id, uint16_t thread)
{
    if (!builder_is_live(b, id))
        return fail_not_live(b, "free", id, thread);
    b->live_bytes -= b->live_size[id];
    b->live_size[id] = NOT_LIVE;
    return push_op(b, (struct trace_op){OP_FREE, 0, thread, (uint32_t)id, 0, 0});
}

int builder_free_null(struct trace_builder *b, uint16_t thread)
{
    return push_op(b, (struct trace_op){OP_FREE, OP_FLAG_NULL, thread, 0, 0, 0});
}

int builder_finish(struct trace_builder *b)
{
    b->trace->facts.final_live_bytes = b->live_bytes;
    b->trace->facts.threads = (uint64_t)b->max_thread + 1;
    free(b->live_size);
    b->live_size = NULL;
    return 0;
}

void builder_abandon(struct trace_builder *b)
{
    free(b->live_size);
    b->live_size = NULL;
    free(b->trace->ops);
    b->trace->ops = NULL;
    b->trace->num_ops = 0;
}

int parse_u64(const char *text, uint64_t *out)
{
    if (text == NULL || *text == '\0' || *text == '-' || *text == '+')
        return -1;
    int base = 10;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text += 2;
        if (*text == '\0')
            return -1;
    }
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, base);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = value;
    return 0;
}
