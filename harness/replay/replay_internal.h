/* What the replay passes share (replay.c, replay_timing.c); see replay.h. */
#ifndef MEMS_BENCH_REPLAY_INTERNAL_H
#define MEMS_BENCH_REPLAY_INTERNAL_H

#include "replay.h"

#include <stdbool.h>

struct slot {
    struct block b;
    uint64_t extent; /* bytes the program asked for */
    uint32_t left, right, priority;
    uint8_t live, indexed;
};

struct replay {
    const struct trace *trace;
    const struct allocator_ops *ops;
    struct slot *slots;
    uint32_t root;
    uint64_t live_bytes;
    uint64_t errors, failed;
    uint32_t rng;
};

void *map_zeroed(size_t bytes);
uint64_t now_ns(void);
int apply(const struct allocator_ops *ops, const struct trace_op *op, struct slot *s);
void note_liveness(struct replay *r, const struct trace_op *op);
void release_leftovers(struct replay *r);
int run_timed(struct replay *r, FILE *out);
int run_latency(struct replay *r, const char *cdf_path, FILE *out);

/* os_count.c: the process's mmap/munmap calls during a replay. The method
 * ("perf" or "interposed"), or NULL when this allocator's calls cannot be
 * counted; `interposable`: the allocator calls mmap through its PLT. */
const char *os_count_method(int interposable);
void os_count_read(unsigned long *mmaps, unsigned long *munmaps);

/* heapmap.c: MeMS's address space over time, for the heap-map figure */
struct heapmap;
struct heapmap *heapmap_start(size_t num_ops);
void heapmap_observe(struct heapmap *map, size_t op_index);
int heapmap_finish(struct heapmap *map, const char *path);

#endif
