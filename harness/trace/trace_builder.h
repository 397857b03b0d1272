/* The one place every reader sends its ops: it checks that each op makes
 * sense for the blocks live at that point and keeps the trace's facts. */
#ifndef MEMS_BENCH_TRACE_BUILDER_H
#define MEMS_BENCH_TRACE_BUILDER_H

#include "trace.h"

#include <stdarg.h>

struct trace_builder {
    struct trace *trace;
    struct trace_error *error;
    const char *file;
    size_t line;
    size_t op_capacity;
    size_t max_ids;      /* ids must stay below this */
    uint64_t *live_size; /* per id: bytes held, or UINT64_MAX when not live */
    size_t id_capacity;
    uint64_t live_bytes;
    uint16_t max_thread;
};

void builder_start(struct trace_builder *b, struct trace *trace, struct trace_error *error, const char *file,
                   size_t max_ids);
int builder_finish(struct trace_builder *b);
void builder_abandon(struct trace_builder *b);
bool builder_is_live(const struct trace_builder *b, uint64_t id);

int builder_malloc(struct trace_builder *b, uint64_t id, uint64_t size, uint16_t thread);
int builder_calloc(struct trace_builder *b, uint64_t id, uint64_t count, uint64_t size, uint16_t thread);
int builder_aligned(struct trace_builder *b, uint64_t id, uint64_t alignment, uint64_t size, uint16_t thread);
/* realloc of a live id; size 0 frees it */
int builder_realloc(struct trace_builder *b, uint64_t id, uint64_t size, uint16_t thread);
/* realloc(NULL, size) into a new id */
int builder_realloc_null(struct trace_builder *b, uint64_t id, uint64_t size, uint16_t thread);
int builder_free(struct trace_builder *b, uint64_t id, uint16_t thread);
int builder_free_null(struct trace_builder *b, uint16_t thread);

/* Formats *error (no file or line added). */
void trace_error_set(struct trace_error *error, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Sets the error as "file:line: ..." and returns -1. */
int builder_fail(struct trace_builder *b, const char *format, ...) __attribute__((format(printf, 2, 3)));
void builder_warn(const struct trace_builder *b, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Line-by-line reading of plain, gzip or zstd files (told apart by their
 * first bytes), with line numbers. A file that is not a regular file or holds
 * only zero bytes is refused at opening. */
struct line_source;
struct line_source *source_open(const char *path, struct trace_error *error);
/* Returns the next line without its newline, NULL at the end or on error
 * (then source_failed() is true and *error says why). */
char *source_next(struct line_source *s, size_t *line_number);
bool source_failed(const struct line_source *s);
/* Whether the last line read ended with a newline (a file cut inside a line does not). */
bool source_ended_line(const struct line_source *s);
void source_close(struct line_source *s);

/* Field parsing shared by the readers: strict non-negative decimal (or 0x hex). */
int parse_u64(const char *text, uint64_t *out);

/* Addresses become ids through an open-addressing table; freed ids are reused
 * so the id space stays as small as the peak number of live blocks. */
struct address_map {
    uint64_t *keys; /* 0 = empty, 1 = deleted */
    uint32_t *ids;
    size_t capacity, used;
    uint32_t *free_ids;
    size_t nfree, free_capacity;
    uint32_t next_id;
};
/* The slot holding `address`, or -1. */
long address_find(const struct address_map *m, uint64_t address);
/* Inserts `address` with a given id. */
int address_put(struct address_map *m, uint64_t address, uint32_t id);
/* Inserts `address` with a fresh (or recycled) id. */
int address_add(struct address_map *m, uint64_t address, uint32_t *id);
/* Removes the address in `slot` and returns its id; tombstones count as used
 * until the next grow rebuilds the table. */
uint32_t address_take(struct address_map *m, size_t slot);
/* A fresh or recycled id, and giving one back once its block is freed. */
uint32_t id_take(struct address_map *m);
int id_recycle(struct address_map *m, uint32_t id);
void address_map_free(struct address_map *m);

int read_native(struct line_source *s, struct trace_builder *b);
int read_rep(struct line_source *s, struct trace_builder *b);
int read_mtrace(struct line_source *s, struct trace_builder *b);
int read_heaptrack(struct line_source *s, struct trace_builder *b);

#endif
