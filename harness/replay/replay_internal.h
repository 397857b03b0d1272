/* What the files of the replay child share; see replay.h. */
#ifndef MEMS_BENCH_REPLAY_INTERNAL_H
#define MEMS_BENCH_REPLAY_INTERNAL_H

#include "replay.h"

#include <pthread.h>
#include <stdatomic.h>
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
    bool threaded;    /* one thread per recorded thread (threads.c): no overlap index */
    uint32_t rng;
};

/* replay_ops.c: what every pass shares */
void *map_zeroed(size_t bytes);
uint64_t now_ns(void);
static inline int apply(const struct allocator_ops *ops, const struct trace_op *op, struct slot *s)
{
    /* a free(NULL) still names an id, whose slot another thread may own at
     * that moment (no dependency orders them): it is not read */
    if (op_frees_null(op)) {
        struct block none = {NULL, 0};
        return replay_apply(ops, op, &none, 0);
    }
    return replay_apply(ops, op, &s->b, s->extent);
}
/* what an op that returned `rc` from apply() leaves behind for its id, in the
 * passes that do not check; a refused block is not live */
void note_outcome(struct replay *r, const struct trace_op *op, int rc);
void release_leftovers(struct replay *r);
void prefault(const struct trace *trace, struct slot *slots);

/* the passes: check_pass.c, timed_pass.c */
int run_check(struct replay *r, const char *timeseries_path, const char *heapmap_path, FILE *out);
int run_timed(struct replay *r, size_t steady_from, FILE *out);
int run_latency(struct replay *r, const char *cdf_path, FILE *out);

/* threads.c: a pass on one thread per recorded thread. Each runs its ops
 * with `run_op`, on its own copy of the replay (its counters; the id table
 * and the trace shared), and waits where the trace's sync table says. */
struct replay_worker;
typedef void (*replay_op_fn)(struct replay_worker *w, size_t op_index);
struct replay_worker {
    _Alignas(64) _Atomic uint32_t done; /* ops published: rank + 1 of the last one others wait for */
    _Atomic uint32_t sleepers;          /* threads asleep on `done` */
    _Atomic uint32_t wake_at;           /* the least count a sleeper waits for (stale once `done` passed it) */
    _Atomic uint32_t finished;
    struct replay r;
    uint32_t index, first; /* replay thread, its first op */
    uint64_t waits, wait_ns, op_ns;
    pthread_t id;
    struct replay_worker *workers;
    replay_op_fn run_op;
    void *pass; /* what the pass's threads share */
    /* the check pass's samples taken on this thread */
    struct footprint peak_fp;
    uint64_t peak_fp_live, peak_reported;
};
struct thread_totals {
    uint32_t threads;
    uint64_t waits, wait_ns; /* on other threads, out of op_ns */
    uint64_t op_ns;          /* the threads' own time, summed */
    uint64_t wall_ns, cpu_ns; /* first start to last join; user + system of the process */
};
/* Returns the workers (for the pass to read, then replay_threads_free), or
 * NULL when there is no memory for them; their counters are added to r's. */
struct replay_worker *replay_threads_run(struct replay *r, replay_op_fn run_op, void *pass,
                                         struct thread_totals *totals);
void replay_threads_free(struct replay_worker *workers, uint32_t n);
uint64_t cpu_ns_now(void);
/* "replay_threads", "cross_thread_ops", the waits, wall and CPU time */
void print_thread_totals(const struct replay *r, const struct thread_totals *t, FILE *out);

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
