/* What the files of the replay child share; see replay.h. */
#ifndef MEMS_BENCH_REPLAY_INTERNAL_H
#define MEMS_BENCH_REPLAY_INTERNAL_H

#include "replay.h"

#include <stdbool.h>

#define NO_SLOT UINT32_MAX

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
    uint64_t errors;
    uint64_t failed;  /* allocations the allocator refused (returned NULL) */
    uint64_t skipped; /* later frees and reallocs of ids it refused */
    bool bounded;     /* the check pass writes only parts of big blocks (pattern.c) */
    uint32_t rng;
};

/* replay_ops.c: what every pass shares */
void *map_zeroed(size_t bytes);
uint64_t now_ns(void);
int apply(const struct allocator_ops *ops, const struct trace_op *op, struct slot *s);
/* frees or reallocs a block the trace made earlier */
bool acts_on_block(const struct trace_op *op);
/* what an op that returned `rc` from apply() leaves behind for its id, in the
 * passes that do not check; a refused block is not live */
void note_outcome(struct replay *r, const struct trace_op *op, int rc);
void release_leftovers(struct replay *r);
void prefault(const struct trace *trace, struct slot *slots);

/* the passes: check_pass.c, timed_pass.c */
int run_check(struct replay *r, const char *timeseries_path, const char *heapmap_path, FILE *out);
int run_timed(struct replay *r, size_t steady_from, FILE *out);
int run_latency(struct replay *r, const char *cdf_path, FILE *out);

/* pattern.c: what the check pass writes into a block and reads back */
#define PATTERN_WHOLE_MAX ((uint64_t)1 << 20)
#define PATTERN_EDGE ((uint64_t)64 << 10)
#define PATTERN_SAMPLES 256
void pattern_fill(void *block, uint32_t id, uint64_t extent, bool bounded);
/* the first byte below `limit` that differs from what pattern_fill wrote for
 * `extent`, or UINT64_MAX */
uint64_t pattern_check(const void *block, uint32_t id, uint64_t extent, uint64_t limit, bool bounded);
/* the first of those bytes that is not zero, or UINT64_MAX */
uint64_t zero_check(const void *block, uint32_t id, uint64_t extent, bool bounded);

/* overlap.c: the live blocks by address; insert returns a block the new one
 * overlaps (then it is not inserted), or NO_SLOT */
uint32_t overlap_insert(struct replay *r, uint32_t id);
void overlap_remove(struct replay *r, uint32_t id);

/* out_file.c: a file written without stdio (no allocation) */
#define OUT_LINE_MAX 512
struct out_file {
    int fd;
    bool failed;
    size_t used;
    char buffer[1 << 16];
};
int out_open(struct out_file *f, const char *path);
void out_printf(struct out_file *f, const char *format, ...) __attribute__((format(printf, 2, 3)));
int out_close(struct out_file *f); /* 0 when every line was written */

/* budget.c: the process may map at most `bytes` of private writable memory */
int budget_enforce(uint64_t bytes);

/* rss.c: the process's resident set now, and its peak since the reset */
uint64_t rss_bytes(void);
void reset_peak_rss(void);
uint64_t peak_rss_bytes(void);

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
