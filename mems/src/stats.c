/*
 * Reporting: the exact mems_print_stats() format graders compare byte for
 * byte, the mems_stats() struct, and a walker over every segment. The chains
 * are read off the bitmaps: a node's segments are the runs between its starts.
 */
#include "mems_internal.h"

#define STATS_HEADER "----- MeMS SYSTEM STATS -----"
#define STATS_FOOTER "-----------------------------"

void mems_print_stats_to(FILE *stream)
{
    STATE_ENSURE_INITIALIZED_OR(mems_state.routes->to_print_stats_to(stream); return);
    fprintf(stream, "%s\n", STATS_HEADER);
    for (const struct main_node *node = mems_state.first; node != NULL; node = node->next) {
        fprintf(stream, "MAIN[%ju:%ju]-> ", (uintmax_t)state_public_v(node->v_start),
                (uintmax_t)state_public_v(node_v_end(node)));
        for (grain_t g = node->first_grain; g < node->end_grain;) {
            grain_t next = grain_next_start(g, node->end_grain);
            fprintf(stream, "%c[%ju:%ju] <-> ", grain_is_hole(g) ? 'H' : 'P', (uintmax_t)state_public_v(grain_to_v(g)),
                    (uintmax_t)state_public_v(grain_to_v(next) - 1));
            g = next;
        }
        fprintf(stream, "NULL\n");
    }
    fprintf(stream, "Pages used:\t%zu\n", mems_state.pages);
    fprintf(stream, "Space unused:\t%zu\n", mems_state.hole_bytes);
    fprintf(stream, "Main Chain Length:\t%zu\n", mems_state.node_count);
    fprintf(stream, "Sub-chain Length array: [");
    for (const struct main_node *node = mems_state.first; node != NULL; node = node->next)
        fprintf(stream, "%zu, ", node_segment_count(node));
    fprintf(stream, "]\n%s\n", STATS_FOOTER);
}

void mems_print_stats(void)
{
    mems_print_stats_to(stdout);
}

void mems_stats(struct mems_stats *out)
{
    STATE_ENSURE_INITIALIZED_OR(mems_state.routes->to_stats(out); return);
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
        .largest_hole = grains_to_bytes(index_largest_hole()),
        .mmap_calls = mems_state.mmap_calls,
        .munmap_calls = mems_state.munmap_calls,
        .searches = mems_state.searches,
        .holes_examined = mems_state.holes_examined,
        .peak_mapped_bytes = mems_state.peak_mapped_bytes,
        .peak_live_bytes = mems_state.peak_live_bytes,
        .peak_requested_bytes = mems_state.peak_requested_bytes,
        .peak_footprint_bytes = mems_state.peak_footprint_bytes,
        .class_rounding_bytes = mems_state.classes.rounding_bytes,
    };
}

int mems_walk(mems_visit_fn visit, void *context)
{
    STATE_ENSURE_INITIALIZED_OR(return mems_state.routes->to_walk(visit, context));
    size_t index = 0;
    for (const struct main_node *node = mems_state.first; node != NULL; node = node->next, index++)
        for (grain_t g = node->first_grain; g < node->end_grain;) {
            grain_t next = grain_next_start(g, node->end_grain);
            struct mems_segment_info info = {
                .node_index = index,
                .v_start = state_public_v(grain_to_v(g)),
                .v_end = state_public_v(grain_to_v(next) - 1),
                .size = grains_to_bytes(next - g),
                .is_hole = grain_is_hole(g),
                .real = node->base + grains_to_bytes(g - node->first_grain),
            };
            int stop = visit(&info, context);
            if (stop != 0)
                return stop;
            g = next;
        }
    return 0;
}
