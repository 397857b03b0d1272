/* What every pass shares: memory the allocator under test never sees, the
 * clock, one op applied the same way in every pass, and what an op leaves
 * behind for its id. */
#include "replay_internal.h"

#include <string.h>
#include <sys/mman.h>
#include <time.h>

void *map_zeroed(size_t bytes)
{
    void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}


uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int replay_apply(const struct allocator_ops *ops, const struct trace_op *op, struct block *b, uint64_t extent)
{
    struct block none = {NULL, 0};
    switch (op->kind) {
    case OP_MALLOC: return ops->alloc(op->size, b);
    case OP_CALLOC: return ops->zalloc(op->extra, op->size, b);
    case OP_ALIGNED: return ops->aligned(op->extra, op->size, b);
    case OP_REALLOC:
        /* realloc(NULL, n) is malloc(n), a block even for 0 bytes (traces/FORMAT.md) */
        if (op->flags & OP_FLAG_NULL)
            return ops->alloc(op->size, b);
        return ops->resize(b, extent, op->size);
    case OP_FREE:
        ops->release(op->flags & OP_FLAG_NULL ? &none : b);
        return 0;
    }
    return 0;
}

uint64_t replay_extent_after(const struct trace_op *op, uint64_t before)
{
    if (op_frees_null(op))
        return before;
    return op_frees(op) ? 0 : op_bytes(op);
}

void note_outcome(struct replay *r, const struct trace_op *op, int rc)
{
    if (op_frees_null(op))
        return;
    if (rc != 0) {
        r->failed++;
        if (!op_acts_on_block(op)) /* a refused realloc leaves the old block */
            r->slots[op->id].live = 0;
        return;
    }
    r->slots[op->id].live = !op_frees(op);
    r->slots[op->id].extent = replay_extent_after(op, r->slots[op->id].extent);
}

void release_leftovers(struct replay *r)
{
    for (size_t id = 0; id < r->trace->num_ids; id++)
        if (r->slots[id].live) {
            r->ops->release(&r->slots[id].b);
            r->slots[id].live = 0;
        }
}

/* Touches every page the replay will use, so RSS growth is the allocator's. */
void prefault(const struct trace *trace, struct slot *slots)
{
    volatile const unsigned char *p = (const unsigned char *)trace->ops;
    size_t bytes = trace->num_ops * sizeof *trace->ops;
    unsigned sum = 0;
    for (size_t i = 0; i < bytes; i += 4096)
        sum += p[i];
    (void)sum;
    memset(slots, 0, trace->num_ids * sizeof *slots);
}
