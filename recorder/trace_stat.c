/* mems-trace stat: the facts of a trace, for provenance tables and for
 * judging whether a workload is worth replaying. */
#include "mems_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 48

static int bucket_of(uint64_t v)
{
    int b = 0;
    while (v > 1 && b < BUCKETS - 1) {
        v >>= 1;
        b++;
    }
    return b;
}

static void print_histogram(const char *title, const char *unit, const uint64_t *counts, uint64_t extra,
                            const char *extra_label)
{
    uint64_t total = extra;
    for (int b = 0; b < BUCKETS; b++)
        total += counts[b];
    printf("%s\n", title);
    for (int b = 0; b < BUCKETS; b++) {
        if (counts[b] == 0)
            continue;
        char range[64];
        if (b == 0)
            snprintf(range, sizeof range, "0-1 %s", unit);
        else
            snprintf(range, sizeof range, "%ju-%ju %s", (uintmax_t)1 << b, ((uintmax_t)1 << (b + 1)) - 1, unit);
        printf("  %-28s %10ju  %5.1f%%\n", range, (uintmax_t)counts[b], 100.0 * (double)counts[b] / (double)total);
    }
    if (extra > 0)
        printf("  %-28s %10ju  %5.1f%%\n", extra_label, (uintmax_t)extra, 100.0 * (double)extra / (double)total);
}

int trace_stat(const struct trace *t, FILE *out)
{
    (void)out;
    uint64_t sizes[BUCKETS] = {0}, lifetimes[BUCKETS] = {0}, never_freed = 0;
    uint64_t *born = calloc(t->num_ids ? t->num_ids : 1, sizeof *born);
    unsigned char *live = calloc(t->num_ids ? t->num_ids : 1, 1);
    if (born == NULL || live == NULL) {
        free(born);
        free(live);
        return -1;
    }
    uint64_t total_bytes = 0;
    for (size_t i = 0; i < t->num_ops; i++) {
        const struct trace_op *op = &t->ops[i];
        bool makes = op->kind == OP_MALLOC || op->kind == OP_CALLOC || op->kind == OP_ALIGNED ||
                     (op->kind == OP_REALLOC && (op->flags & OP_FLAG_NULL));
        if (makes) {
            sizes[bucket_of(op_bytes(op))]++;
            total_bytes += op_bytes(op);
            born[op->id] = i;
            live[op->id] = 1;
        } else if (op->kind == OP_REALLOC && op->size > 0) {
            sizes[bucket_of(op->size)]++;
            total_bytes += op->size;
        } else if (!(op->kind == OP_FREE && (op->flags & OP_FLAG_NULL))) {
            lifetimes[bucket_of(i - born[op->id])]++;
            live[op->id] = 0;
        }
    }
    for (size_t id = 0; id < t->num_ids; id++)
        never_freed += live[id];
    free(born);
    free(live);

    printf("trace:            %s (%s format)\n", t->path, trace_format_name(t->format));
    printf("ops:              %zu\n", t->num_ops);
    for (int kind = 1; kind < OP_KIND_LIMIT; kind++)
        printf("  %-16s%ju\n", op_kind_name(kind), (uintmax_t)t->facts.count[kind]);
    printf("ids:              %zu\n", t->num_ids);
    printf("threads:          %ju\n", (uintmax_t)t->facts.threads);
    printf("bytes requested:  %ju\n", (uintmax_t)total_bytes);
    printf("peak live bytes:  %ju (after op %ju)\n", (uintmax_t)t->facts.peak_live_bytes,
           (uintmax_t)t->facts.peak_live_op);
    printf("final live bytes: %ju\n", (uintmax_t)t->facts.final_live_bytes);
    print_histogram("request sizes (malloc, calloc, aligned, realloc):", "B", sizes, 0, "");
    print_histogram("lifetimes (ops from allocation to free):", "ops", lifetimes, never_freed, "never freed");
    return 0;
}
