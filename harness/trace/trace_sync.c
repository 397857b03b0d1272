/* The threaded replay's table: see struct trace_sync in trace.h. */
#include "trace.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The table is computed by the parent, which may allocate, and checked by the
 * replay child, which must not: scratch memory comes from mmap. */
static void *scratch_map(size_t bytes)
{
    void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

uint32_t trace_sync_compute(const struct trace *trace, struct trace_sync *sync, uint64_t *cross)
{
    enum { RECORDED_THREADS = 1 << 16 };
    /* per recorded thread: its replay thread + 1 and its last op; per id: the last op on it */
    size_t map_bytes = RECORDED_THREADS * sizeof(uint32_t) * 2 + trace->num_ids * sizeof(uint32_t);
    uint32_t *dense = scratch_map(map_bytes);
    if (dense == NULL)
        return 0;
    uint32_t *last_of_thread = dense + RECORDED_THREADS, *last_on_id = last_of_thread + RECORDED_THREADS;
    memset(last_on_id, 0xff, trace->num_ids * sizeof *last_on_id);
    uint32_t threads = 0;
    *cross = 0;
    for (size_t i = 0; i < trace->num_ops; i++) {
        const struct trace_op *op = &trace->ops[i];
        struct trace_sync *s = &sync[i];
        if (dense[op->thread] == 0) {
            dense[op->thread] = ++threads;
            s->rank = 0;
        } else {
            struct trace_sync *before = &sync[last_of_thread[op->thread]];
            before->next = (uint32_t)i;
            s->rank = before->rank + 1;
        }
        last_of_thread[op->thread] = (uint32_t)i;
        s->thread = dense[op->thread] - 1;
        s->next = s->after = TRACE_SYNC_NONE;
        s->flags = 0;
        if (op_frees_null(op))
            continue;
        uint32_t previous = last_on_id[op->id];
        last_on_id[op->id] = (uint32_t)i;
        if (previous == TRACE_SYNC_NONE || trace->ops[previous].thread == op->thread)
            continue;
        s->after = previous;
        sync[previous].flags |= TRACE_SYNC_WAITED;
        if (op_acts_on_block(op)) {
            s->flags |= TRACE_SYNC_CROSS;
            (*cross)++;
        }
    }
    munmap(dense, map_bytes);
    return threads;
}

const char *trace_sync_validate(const struct trace *trace, const struct trace_sync *sync, uint32_t threads)
{
    if (threads == 0 || threads > trace->num_ops)
        return "bad thread count in the sync table";
    size_t bytes = (size_t)threads * sizeof(uint32_t);
    uint32_t *last = scratch_map(bytes); /* per replay thread: its last op + 1 so far */
    if (last == NULL)
        return "no memory to check the sync table";
    const char *problem = NULL;
    for (size_t i = 0; i < trace->num_ops && problem == NULL; i++) {
        const struct trace_sync *s = &sync[i];
        if (s->thread >= threads)
            problem = "sync table: thread out of range";
        else if (last[s->thread] == 0 ? s->rank != 0 || (s->thread > 0 && last[s->thread - 1] == 0)
                                      : sync[last[s->thread] - 1].next != i ||
                                            s->rank != sync[last[s->thread] - 1].rank + 1)
            problem = "sync table: a thread's ops are not chained in order";
        else if (s->after != TRACE_SYNC_NONE && (s->after >= i || sync[s->after].thread == s->thread ||
                                                 !(sync[s->after].flags & TRACE_SYNC_WAITED)))
            problem = "sync table: a wait on a later op, or on the same thread";
        else
            last[s->thread] = (uint32_t)i + 1;
    }
    for (uint32_t t = 0; t < threads && problem == NULL; t++)
        if (last[t] == 0 || sync[last[t] - 1].next != TRACE_SYNC_NONE)
            problem = "sync table: a thread without ops, or chained past its last";
    munmap(last, bytes);
    return problem;
}
