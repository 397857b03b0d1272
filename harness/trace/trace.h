/*
 * Traces: a sequence of allocation operations on numbered blocks (ids).
 * Every reader (native text, .rep, mtrace, heaptrack; plain, gzip or zstd)
 * feeds one builder that validates liveness and computes the facts; the
 * result is written once to a compact binary form that replays memory-map.
 */
#ifndef MEMS_BENCH_TRACE_H
#define MEMS_BENCH_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum op_kind { OP_MALLOC = 1, OP_CALLOC, OP_REALLOC, OP_FREE, OP_ALIGNED, OP_KIND_LIMIT };

/* realloc(NULL, n) or free(NULL) */
#define OP_FLAG_NULL 1u

/* One operation; 24 bytes, the unit of the binary form. */
struct trace_op {
    uint8_t kind;
    uint8_t flags;
    uint16_t thread;
    uint32_t id;    /* the block this op makes, changes or frees */
    uint64_t size;  /* bytes; for calloc the element size */
    uint64_t extra; /* calloc: element count; aligned: alignment */
};

struct trace_facts {
    uint64_t count[OP_KIND_LIMIT]; /* ops by kind */
    uint64_t peak_live_bytes;      /* max over time of the bytes the program holds */
    uint64_t peak_live_op;         /* index of the op after which that peak holds */
    uint64_t final_live_bytes;
    uint64_t threads;
};

/* What a replay with one thread per recorded thread needs, per op; computed
 * once (trace_sync.c) and stored in the binary form after the ops. An op
 * waits for the op before it on the same id when another thread made that
 * one: a free or realloc for the block's last allocation or reallocation, an
 * allocation reusing an id for the free that ended its previous block. Every
 * wait is on an earlier op, so replaying each thread in order cannot
 * deadlock. */
#define TRACE_SYNC_NONE UINT32_MAX
#define TRACE_SYNC_WAITED 1u /* another thread's op waits for this one */
#define TRACE_SYNC_CROSS 2u  /* frees or reallocs a block another thread made */
struct trace_sync {
    uint32_t thread; /* the replay thread: 0, 1, ... in the order of their first ops */
    uint32_t next;   /* that thread's next op, or TRACE_SYNC_NONE */
    uint32_t after;  /* the op of another thread to wait for, or TRACE_SYNC_NONE */
    uint32_t rank;   /* this op's place among its thread's ops, from 0 */
    uint32_t flags;  /* TRACE_SYNC_WAITED, TRACE_SYNC_CROSS */
};

enum trace_format {
    FORMAT_UNKNOWN,
    FORMAT_NATIVE,
    FORMAT_REP,
    FORMAT_MTRACE,
    FORMAT_BINARY,
    FORMAT_HEAPTRACK,     /* heaptrack's interpreted data file (its default) */
    FORMAT_HEAPTRACK_RAW, /* heaptrack -r */
};

struct trace {
    char name[128];      /* file name without directory and format extensions */
    char path[1024];
    enum trace_format format;
    struct trace_op *ops;
    size_t num_ops, num_ids;
    struct trace_facts facts;
    /* the threaded replay's table, one per op, or NULL (a trace only read,
     * not written to or mapped from the binary form; or one of more ops than
     * the table can number) */
    const struct trace_sync *sync;
    uint32_t sync_threads;     /* distinct recorded threads */
    uint64_t cross_thread_ops; /* ops flagged TRACE_SYNC_CROSS */
    /* storage: heap (loaded) or a mapping (binary form) */
    void *mapping;
    size_t mapping_bytes;
};

/* An error in one sentence, "file:line: what is wrong". */
struct trace_error {
    char message[640];
};

/* Reads any supported format, plain, gzip- or zstd-compressed. Returns 0, or -1 with
 * *error set and nothing allocated. Warnings go to stderr. */
int trace_load(const char *path, struct trace *trace, struct trace_error *error);
/* trace_load for a command: on failure says why on stderr ("file:line: ...") and returns -1. */
int trace_load_or_say(const char *path, struct trace *trace);
/* Writes the binary form; returns 0 or -1 with *error. */
int trace_write_binary(const struct trace *trace, const char *path, struct trace_error *error);
/* Maps a binary form read-only (no allocation: the replay child uses it). */
int trace_map_binary(const char *path, struct trace *trace, struct trace_error *error);
/* Writers of the text forms; a name ending in ".gz" is compressed. */
int trace_write_native(const struct trace *trace, const char *path, struct trace_error *error);
int trace_write_rep(const struct trace *trace, const char *path, struct trace_error *error);
int trace_write_mtrace(const struct trace *trace, const char *path, struct trace_error *error);
/* Picks the writer from the name: .bin, .rep[.gz], .mtrace[.gz], else native. */
int trace_write_by_name(const struct trace *trace, const char *path, struct trace_error *error);
enum trace_format trace_format_by_name(const char *path);
/* What the commands' help says the readers take. */
#define TRACE_FORMATS_HELP                                                                                          \
    "Traces: native text (traces/FORMAT.md), CS:APP .rep, glibc mtrace, heaptrack (raw or interpreted);\n"          \
    "plain, gzip or zstd, told apart by content."
/* trace_convert.c: the convert command, under `command`'s name; argv[0] is "convert". */
int trace_convert_main(const char *command, int argc, char **argv);
void trace_free(struct trace *trace);
/* trace_sync.c: fills `sync` (num_ops entries) from the ops; returns the
 * number of distinct threads, and the cross-thread ops in *cross. */
uint32_t trace_sync_compute(const struct trace *trace, struct trace_sync *sync, uint64_t *cross);
/* Checks a table read from a file: every wait on an earlier op of another
 * thread, every thread's ops chained in order. NULL, or what is wrong. */
const char *trace_sync_validate(const struct trace *trace, const struct trace_sync *sync, uint32_t threads);

const char *op_kind_name(int kind);
const char *trace_format_name(enum trace_format format);
uint64_t op_bytes(const struct trace_op *op); /* bytes the op asks for */

/* Does the op end a block: a free, or realloc(p, 0) of a block (which frees
 * it, while realloc(NULL, 0) makes one)? free(NULL) answers yes too; the
 * callers that care look at OP_FLAG_NULL. */
static inline bool op_frees(const struct trace_op *op)
{
    return op->kind == OP_FREE || (op->kind == OP_REALLOC && op->size == 0 && !(op->flags & OP_FLAG_NULL));
}

/* free(NULL): the one op that names no block (its id means nothing). */
static inline bool op_frees_null(const struct trace_op *op)
{
    return op->kind == OP_FREE && (op->flags & OP_FLAG_NULL);
}

/* Does the op free or reallocate a block an earlier op made? */
static inline bool op_acts_on_block(const struct trace_op *op)
{
    return (op->kind == OP_FREE || op->kind == OP_REALLOC) && !(op->flags & OP_FLAG_NULL);
}

#endif
