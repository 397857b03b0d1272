/*
 * The heap map of a MeMS replay: at up to HEAPMAP_SNAPSHOTS evenly spaced
 * points, how much of each page of MeMS's virtual address space is HOLE. At
 * the end the pages are binned into at most HEAPMAP_ROWS rows over the whole
 * address range, so the figure shows holes forming and merging under a policy.
 * Memory comes from mmap (reserved, touched only as far as used), like the
 * rest of the replay's own state.
 */
#include "replay_internal.h"

#include "mems.h"

#include <string.h>
#include <sys/mman.h>

#define HEAPMAP_SNAPSHOTS 200
#define HEAPMAP_ROWS 300
#define HEAPMAP_MAX_PAGES ((size_t)1 << 24)
#define UNMAPPED 255

struct heapmap {
    size_t every, count, page_size;
    size_t op_index[HEAPMAP_SNAPSHOTS];
    size_t offset[HEAPMAP_SNAPSHOTS], pages[HEAPMAP_SNAPSHOTS];
    unsigned char *cells;        /* per snapshot, per page: hole share 0..254, or UNMAPPED */
    size_t used;
    uint32_t *hole, *covered;    /* per page, for the snapshot being taken */
    size_t touched;              /* pages of the scratch arrays in use */
};

/* Shared anonymous memory: reserved address space that the memory budget
 * (RLIMIT_DATA, budget.c) does not count, so a small budget leaves room for
 * the allocator under test. */
static void *reserve(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

struct heapmap *heapmap_start(size_t num_ops)
{
    struct heapmap *map = map_zeroed(sizeof *map);
    if (map == NULL)
        return NULL;
    map->every = num_ops / HEAPMAP_SNAPSHOTS + 1;
    map->page_size = mems_page_size();
    map->cells = reserve(HEAPMAP_SNAPSHOTS * HEAPMAP_MAX_PAGES);
    map->hole = reserve(HEAPMAP_MAX_PAGES * sizeof *map->hole);
    map->covered = reserve(HEAPMAP_MAX_PAGES * sizeof *map->covered);
    return map->cells != NULL && map->hole != NULL && map->covered != NULL ? map : NULL;
}

/* Spreads one segment's bytes over the pages it covers. */
static int heapmap_add_segment(const struct mems_segment_info *seg, void *context)
{
    struct heapmap *map = context;
    size_t start = seg->v_start - MEMS_VIRTUAL_BASE, end = seg->v_end - MEMS_VIRTUAL_BASE + 1;
    for (size_t at = start; at < end;) {
        size_t page = at / map->page_size;
        size_t page_end = (page + 1) * map->page_size;
        size_t chunk = (end < page_end ? end : page_end) - at;
        if (page >= HEAPMAP_MAX_PAGES)
            return 1; /* beyond what the map covers: stop here */
        map->covered[page] += (uint32_t)chunk;
        if (seg->is_hole)
            map->hole[page] += (uint32_t)chunk;
        if (page + 1 > map->touched)
            map->touched = page + 1;
        at += chunk;
    }
    return 0;
}

void heapmap_observe(struct heapmap *map, size_t op_index)
{
    if (op_index % map->every != 0 || map->count == HEAPMAP_SNAPSHOTS)
        return;
    memset(map->hole, 0, map->touched * sizeof *map->hole);
    memset(map->covered, 0, map->touched * sizeof *map->covered);
    map->touched = 0;
    mems_walk(heapmap_add_segment, map);
    size_t n = map->count++;
    map->op_index[n] = op_index;
    map->offset[n] = map->used;
    map->pages[n] = map->touched;
    for (size_t p = 0; p < map->touched; p++)
        map->cells[map->used + p] =
            map->covered[p] == 0 ? UNMAPPED : (unsigned char)(254u * map->hole[p] / map->covered[p]);
    map->used += map->touched;
}

/* Writes "op_index address hole_share" for a regular grid (gnuplot's `with
 * image`): hole_share 0 (all given out) to 1 (all hole), -1 where nothing is
 * mapped (gnuplot's image plots do not take NaN pixels well). */
int heapmap_finish(struct heapmap *map, const char *path)
{
    static struct out_file file;
    struct out_file *f = &file;
    if (out_open(f, path) != 0)
        return -1;
    size_t pages = 1;
    for (size_t s = 0; s < map->count; s++)
        if (map->pages[s] > pages)
            pages = map->pages[s];
    size_t rows = pages < HEAPMAP_ROWS ? pages : HEAPMAP_ROWS;
    double pages_per_row = (double)pages / (double)rows;
    out_printf(f, "# op_index mems_virtual_address hole_share (-1: not mapped); %zu snapshots x %zu rows, page %zu B\n",
            map->count, rows, map->page_size);
    for (size_t s = 0; s < map->count; s++) {
        for (size_t row = 0; row < rows; row++) {
            size_t first = (size_t)(row * pages_per_row), last = (size_t)((row + 1) * pages_per_row);
            if (last <= first)
                last = first + 1;
            double sum = 0;
            size_t mapped = 0;
            for (size_t p = first; p < last && p < map->pages[s]; p++) {
                unsigned char c = map->cells[map->offset[s] + p];
                if (c != UNMAPPED) {
                    sum += c / 254.0;
                    mapped++;
                }
            }
            /* exactly even spacing: gnuplot draws `with image` only on a regular grid */
            double address = MEMS_VIRTUAL_BASE + ((double)row + 0.5) * pages_per_row * (double)map->page_size;
            if (mapped == 0)
                out_printf(f, "%zu %.0f -1\n", map->op_index[s], address);
            else
                out_printf(f, "%zu %.0f %.4f\n", map->op_index[s], address, sum / (double)mapped);
        }
        out_printf(f, "\n");
    }
    return out_close(f);
}
