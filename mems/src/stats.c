/*
 * Reporting: the exact mems_print_stats() format graders compare byte for
 * byte, the mems_stats() struct, and a walker over every segment.
 */
#include "mems_internal.h"

#define STATS_HEADER "----- MeMS SYSTEM STATS -----"
#define STATS_FOOTER "-----------------------------"

void mems_print_stats_to(FILE *stream)
{
    state_ensure_initialized();
    fprintf(stream, "%s\n", STATS_HEADER);
    for (const struct main_node *node = mems_state.first; node != NULL; node = node->next) {
        fprintf(stream, "MAIN[%ju:%ju]-> ", (uintmax_t)node->v_start, (uintmax_t)node_v_end(node));
        for (const struct segment *seg = node->first; seg != NULL; seg = seg->next) {
            uintptr_t start = segment_v_start(node, seg);
            fprintf(stream, "%c[%ju:%ju] <-> ", seg->type == SEGMENT_PROCESS ? 'P' : 'H', (uintmax_t)start,
                    (uintmax_t)(start + seg->size - 1));
        }
        fprintf(stream, "NULL\n");
    }
    fprintf(stream, "Pages used:\t%zu\n", mems_state.pages);
    fprintf(stream, "Space unused:\t%zu\n", mems_state.hole_bytes);
    fprintf(stream, "Main Chain Length:\t%zu\n", mems_state.node_count);
    fprintf(stream, "Sub-chain Length array: [");
    for (const struct main_node *node = mems_state.first; node != NULL; node = node->next)
        fprintf(stream, "%zu, ", node->segment_count);
    fprintf(stream, "]\n%s\n", STATS_FOOTER);
}

void mems_print_stats(void)
{
    mems_print_stats_to(stdout);
}

void mems_stats(struct mems_stats *out)
{
    state_ensure_initialized();
    size_t largest = 0;
    for (const struct main_node *node = mems_state.first; node != NULL; node = node->next)
        for (const struct segment *seg = node->first; seg != NULL; seg = seg->next)
            if (seg->type == SEGMENT_HOLE && seg->size > largest)
                largest = seg->size;
    *out = (struct mems_stats){
        .pages = mems_state.pages,
        .mapped_bytes = mems_state.pages * (size_t)PAGE_SIZE,
        .hole_bytes = mems_state.hole_bytes,
        .live_bytes = state_live_bytes(),
        .requested_bytes = mems_state.requested_bytes,
        .metadata_bytes = mems_state.metadata_bytes,
        .main_chain_length = mems_state.node_count,
        .segment_count = mems_state.segment_count,
        .hole_count = mems_state.hole_count,
        .largest_hole = largest,
        .mmap_calls = mems_state.mmap_calls,
        .munmap_calls = mems_state.munmap_calls,
        .searches = mems_state.searches,
        .holes_examined = mems_state.holes_examined,
        .peak_mapped_bytes = mems_state.peak_mapped_bytes,
        .peak_live_bytes = mems_state.peak_live_bytes,
        .peak_requested_bytes = mems_state.peak_requested_bytes,
        .peak_footprint_bytes = mems_state.peak_footprint_bytes,
    };
}

int mems_walk(mems_visit_fn visit, void *context)
{
    state_ensure_initialized();
    size_t index = 0;
    for (const struct main_node *node = mems_state.first; node != NULL; node = node->next, index++)
        for (const struct segment *seg = node->first; seg != NULL; seg = seg->next) {
            uintptr_t start = segment_v_start(node, seg);
            struct mems_segment_info info = {
                .node_index = index,
                .v_start = start,
                .v_end = start + seg->size - 1,
                .size = seg->size,
                .is_hole = seg->type == SEGMENT_HOLE,
                .real = node->base + seg->offset,
            };
            int stop = visit(&info, context);
            if (stop != 0)
                return stop;
        }
    return 0;
}
