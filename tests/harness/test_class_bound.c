/*
 * A class-rounding member can never hold less than the trace's live blocks
 * rounded to its classes. Computed here from the trace alone (the classes
 * written out as ARCHITECTURE.md gives them, not asked of MeMS), then each
 * trace replayed in process through the library under each member: at every
 * operation MeMS's live bytes are exactly the live blocks' classes, its peak
 * mapping is never below their peak, and mems_check finds nothing wrong.
 *
 * Usage: test_class_bound TRACE...
 */
#include "trace.h"
#include "unit.h"

#define ALIGNMENT 16

/* The smallest class of the member holding `bytes`: 16 * 2^n, or with the
 * 3 * 2^n family also 48 * 2^n, whichever is smaller. */
static uint64_t class_bytes(uint64_t bytes, bool triple)
{
    uint64_t power = ALIGNMENT;
    while (power < bytes)
        power *= 2;
    uint64_t three = 3 * ALIGNMENT;
    while (three < bytes)
        three *= 2;
    return triple && three < power ? three : power;
}

/* What the replay asks MeMS for op's block (the study's adapters: malloc(0)
 * asks for 1 byte, an alignment above 16 is over-allocated). */
static uint64_t asked(const struct trace_op *op)
{
    uint64_t bytes = op->kind == OP_REALLOC ? op->size : op_bytes(op);
    if (bytes == 0)
        bytes = 1;
    if (op->kind == OP_ALIGNED && op->extra > ALIGNMENT)
        bytes += op->extra - 1;
    return bytes;
}

static void replay(const struct trace *trace, enum mems_policy policy)
{
    bool triple = policy == MEMS_DOUBLE_BUDDY || policy == MEMS_SIMPLE_SEG_3;
    struct mems_config config;
    mems_default_config(&config);
    config.policy = policy;
    config.alignment = ALIGNMENT;
    CHECK_EQ(mems_init_with(&config), 0);
    void **handle = calloc(trace->num_ids + 1, sizeof *handle);
    uint64_t *held = calloc(trace->num_ids + 1, sizeof *held);
    uint64_t live = 0, peak = 0;
    size_t mismatches = 0, refused = 0;
    for (size_t i = 0; i < trace->num_ops; i++) {
        const struct trace_op *op = &trace->ops[i];
        uint32_t id = op->id;
        if (op->kind == OP_FREE && (op->flags & OP_FLAG_NULL))
            continue; /* free(NULL): no block */
        live -= held[id];
        held[id] = 0;
        bool frees = op->kind == OP_FREE || (op->kind == OP_REALLOC && op->size == 0 && !(op->flags & OP_FLAG_NULL));
        if (frees) {
            mems_free(handle[id]);
            handle[id] = NULL;
        } else {
            size_t bytes = (size_t)asked(op);
            bool fresh = op->kind != OP_REALLOC || (op->flags & OP_FLAG_NULL);
            handle[id] = fresh ? mems_malloc(bytes) : mems_realloc(handle[id], bytes);
            refused += handle[id] == NULL;
            held[id] = class_bytes((bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT, triple);
            live += held[id];
        }
        if (live > peak)
            peak = live;
        struct mems_stats s;
        mems_stats(&s);
        if (s.live_bytes != live && mismatches++ == 0)
            fprintf(stderr, "%s under %s: op %zu: MeMS holds %zu live bytes, the classes %ju\n", trace->name,
                    mems_policy_name(policy), i, s.live_bytes, (uintmax_t)live);
    }
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(refused, 0);
    CHECK_EQ(mismatches, 0);
    CHECK(s.peak_mapped_bytes >= peak);
    CHECK(s.peak_live_bytes >= peak); /* a realloc that moves holds both blocks for a moment */
    CHECK_INVARIANTS();
    printf("  %-14s %-14s live peak rounded to classes %10ju, MeMS's peak mapped %10zu (%.2fx), footprint %10zu\n",
           trace->name, mems_policy_name(policy), (uintmax_t)peak, s.peak_mapped_bytes,
           peak ? (double)s.peak_mapped_bytes / (double)peak : 0.0, s.peak_footprint_bytes);
    free(handle);
    free(held);
    mems_finish();
}

int main(int argc, char **argv)
{
    /* the classes as written, on a few sizes */
    CHECK_EQ(class_bytes(1, false), 16);
    CHECK_EQ(class_bytes(17, false), 32);
    CHECK_EQ(class_bytes(33, true), 48);
    CHECK_EQ(class_bytes(49, true), 64);
    CHECK_EQ(class_bytes(65, true), 96);
    CHECK_EQ(class_bytes(4097, true), 6144);
    CHECK_EQ(class_bytes(4097, false), 8192);
    for (int a = 1; a < argc; a++) {
        struct trace trace;
        struct trace_error error;
        if (trace_load(argv[a], &trace, &error) != 0) {
            fprintf(stderr, "%s\n", error.message);
            return 2;
        }
        for (int policy = MEMS_BUDDY; policy <= MEMS_SIMPLE_SEG_3; policy++)
            if (mems_policy_rounds_to_classes((enum mems_policy)policy))
                replay(&trace, (enum mems_policy)policy);
        trace_free(&trace);
    }
    return unit_report("test_class_bound");
}
