/*
 * The scaling sweep. For each size N a trace is generated: a ramp to N live
 * blocks of small mixed sizes (16 to 256 bytes, one in sixteen 512 to 4096),
 * then 100,000 rounds of freeing a random live block and allocating a new one,
 * so the heap is fragmented and every policy searches among many holes. Each
 * MeMS policy replays it in the harness's child processes: the check pass
 * gives the holes examined per search, timed passes (the median of `repeats`)
 * the time per operation, over the whole trace and over the steady phase
 * alone (the 200,000 operations made with N blocks live, timed apart from the
 * ramp, whose cost is mapping and first touching the heap). A structure that
 * scales keeps both flat as N grows a thousandfold, as far as the caches let
 * it: glibc and the other real allocators replay the same traces as the
 * reference for what a bigger heap costs an allocator built for speed, and bump, which
 * does no work (no reuse, no metadata), for what the replay itself costs (its
 * slot per id, the trace read, the call): that part of every allocator's
 * growth is the replay's, so bump is drawn as the floor under the others.
 * bump has no check pass here: it searches nothing, so it has no search cost.
 */
#include "scaling.h"

#include "alloc_list.h"
#include "report.h"
#include "gnuplot_check.h"
#include "gnuplot_draw.h"
#include "result_csv.h"
#include "trace_builder.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SCALING_STEADY_ROUNDS 100000
/* By default: the four policies; glibc and the other real allocators that are
 * installed, for what a bigger heap costs an allocator built for speed; and
 * always, last, bump: the replay's own cost, an allocator that does no work. */
static const char *const scaling_real_allocators[] = {"glibc", "jemalloc", "mimalloc", "tcmalloc"};
#define SCALING_FLOOR "bump"

/* The allocators of one sweep, resolved, in the order of the table and the
 * figure; bump, the floor, is the last. */
struct scaling_allocators {
    struct backend backend[SCALING_MAX_ALLOCATORS];
    size_t count;
};

/* Adds `spec` unless it is bump (always there, last). A real allocator that
 * is not installed is left out when `skip_missing`, else refused. */
static int allocators_add(struct scaling_allocators *a, const char *spec, bool skip_missing)
{
    if (strcmp(spec, SCALING_FLOOR) == 0)
        return 0;
    /* the last place is the floor's */
    struct alloc_list list = {"scaling", a->backend, a->count, SCALING_MAX_ALLOCATORS - 1};
    int rc = alloc_list_add(&list, spec, skip_missing ? ALLOC_MISSING_SAID : ALLOC_MISSING_REFUSED);
    a->count = list.count;
    return rc;
}

/* `list` (comma-separated, as replay's --alloc), or the default, where a
 * real allocator that is not installed is left out; then the floor. */
static int allocators_choose(const char *list, struct scaling_allocators *a)
{
    a->count = 0;
    int rc = 0;
    if (list == NULL) {
        for (int p = 0; p < BACKEND_DEFAULT_MEMS_POLICIES && rc == 0; p++)
            rc = allocators_add(a, backend_mems_name(p), true);
        for (size_t i = 0; i < sizeof scaling_real_allocators / sizeof *scaling_real_allocators && rc == 0; i++)
            rc = allocators_add(a, scaling_real_allocators[i], true);
    } else {
        struct cli_list names;
        rc = cli_split("mems-bench scaling", "--alloc", list, &names);
        for (size_t i = 0; i < names.count && rc == 0; i++)
            rc = allocators_add(a, names.item[i], false);
    }
    if (rc != 0)
        return -1;
    char why[512];
    return backend_resolve(SCALING_FLOOR, &a->backend[a->count++], why, sizeof why);
}

void scaling_default_sizes(struct scaling_options *o, bool quick)
{
    size_t n = 1000;
    o->nsizes = 0;
    for (int i = 0; i < (quick ? 3 : 4); i++, n *= 10)
        o->sizes[o->nsizes++] = n;
}

static uint64_t scale_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static uint64_t scale_block_size(uint64_t *rng)
{
    uint64_t r = scale_random(rng);
    return r % 16 == 0 ? 512 + (r >> 8) % 3585 : 16 + (r >> 8) % 241;
}

/* The trace for `live` blocks, deterministic (the seed is fixed). */
static int scale_trace_build(size_t live, struct trace *trace, struct trace_error *error)
{
    memset(trace, 0, sizeof *trace);
    struct trace_builder b;
    size_t ids = live + SCALING_STEADY_ROUNDS;
    builder_start(&b, trace, error, "scale", ids);
    uint32_t *live_ids = malloc(live * sizeof *live_ids);
    if (live_ids == NULL) {
        trace_error_set(error, "scale: out of memory for %zu ids", live);
        builder_abandon(&b);
        return -1;
    }
    uint64_t rng = 0x9E3779B97F4A7C15ULL ^ live;
    int rc = 0;
    for (size_t i = 0; i < live && rc == 0; i++) {
        live_ids[i] = (uint32_t)i;
        rc = builder_malloc(&b, i, scale_block_size(&rng), 0);
    }
    for (size_t round = 0; round < SCALING_STEADY_ROUNDS && rc == 0; round++) {
        size_t victim = scale_random(&rng) % live;
        rc = builder_free(&b, live_ids[victim], 0);
        live_ids[victim] = (uint32_t)(live + round);
        if (rc == 0)
            rc = builder_malloc(&b, live + round, scale_block_size(&rng), 0);
    }
    free(live_ids);
    if (rc != 0) {
        builder_abandon(&b);
        return -1;
    }
    if (builder_finish(&b) != 0)
        return -1;
    snprintf(trace->name, sizeof trace->name, "scale-%zu", live);
    return 0;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct scaling_row {
    size_t live;
    const char *policy;
    double ns_per_op, steady_ns_per_op, holes_per_search;
    size_t ops;
};

static double median(double *values, unsigned n)
{
    qsort(values, n, sizeof values[0], compare_double);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* `steady_from`: the first op of the steady phase (the ramp's length). */
static int replay_policy(const char *self, const char *bin, size_t num_ops, size_t steady_from,
                         const struct backend *backend, const struct scaling_options *o, struct scaling_row *row)
{
    struct pass_request request = {MODE_CHECK, bin, num_ops, backend, 16, NULL, NULL, 0, REPLAY_THREADS_SERIAL};
    struct pass_result result;
    row->holes_per_search = -1;
    /* the check pass is here for the search cost, and bump searches nothing */
    if (backend->kind != BACKEND_BUMP) {
        if (runner_run(self, &request, &o->limits, &result) != 0 || pass_failed(&result) || result.exit_status != 0) {
            fprintf(stderr, "mems-bench scaling: the check pass of %s on %s failed\n", backend->name, bin);
            return -1;
        }
        double searches = result_number(&result, "searches");
        row->holes_per_search = searches > 0 ? result_number(&result, "holes_examined") / searches : -1;
    }
    double times[16], steady[16];
    unsigned repeats = o->repeats < 1 ? 1 : o->repeats > 16 ? 16 : o->repeats;
    request.mode = MODE_TIMED;
    request.steady_from = steady_from;
    for (unsigned r = 0; r < repeats; r++) {
        if (runner_run(self, &request, &o->limits, &result) != 0 || pass_failed(&result)) {
            fprintf(stderr, "mems-bench scaling: the timed pass of %s on %s failed\n", backend->name, bin);
            return -1;
        }
        times[r] = result_number(&result, "ns_per_op");
        steady[r] = result_number(&result, "steady_ns_per_op");
    }
    row->ns_per_op = median(times, repeats);
    row->steady_ns_per_op = median(steady, repeats);
    row->ops = num_ops;
    return 0;
}

/* Only MeMS's rows have a search cost: glibc does not count its own, bump has none. */
static bool has_search_cost(const char *allocator)
{
    return strncmp(allocator, "mems-", 5) == 0;
}

/* Allocator p's steady time less the floor's (bump, the last allocator) at
 * the size whose rows start at `size_rows`; NAN when either replay failed.
 * It can come out at or below zero on a loaded machine: a fast allocator at a
 * small size is then within the noise of the floor, and that is reported. */
static double above_floor(const struct scaling_row *size_rows, size_t p, size_t allocators)
{
    double own = size_rows[p].steady_ns_per_op, floor = size_rows[allocators - 1].steady_ns_per_op;
    return own > 0 && floor > 0 ? own - floor : NAN;
}

/* The allocators' own cost: each one's steady time less bump's at the same
 * size (the replay's share, which grows with the heap too), and how much it
 * grew from the first size to the last; "–" where a replay failed, and for a
 * growth from or to a cost not above the floor, which has no meaning. */
static void write_above_floor(FILE *md, const struct scaling_allocators *a, const struct scaling_row *rows,
                              size_t nrows)
{
    const size_t allocators = a->count - 1; /* all but the floor */
    if (allocators == 0 || nrows < a->count)
        return; /* bump alone: nothing stands above it */
    const struct scaling_row *first = rows, *last = rows + nrows - a->count;
    fprintf(md, "\nAbove the floor: steady ns/op less bump's (the replay's own cost) at the same size\n\n| live blocks |");
    for (size_t p = 0; p < allocators; p++)
        fprintf(md, " %s |", a->backend[p].name);
    fprintf(md, "\n|---:|");
    for (size_t p = 0; p < allocators; p++)
        fprintf(md, "---:|");
    fprintf(md, "\n");
    for (const struct scaling_row *size_rows = first; size_rows <= last; size_rows += a->count) {
        fprintf(md, "| %zu |", size_rows->live);
        for (size_t p = 0; p < allocators; p++) {
            double own = above_floor(size_rows, p, a->count);
            fprintf(md, isnan(own) ? " – |" : " %.1f |", own);
        }
        fprintf(md, "\n");
    }
    fprintf(md, "| growth, %zu → %zu |", first->live, last->live);
    for (size_t p = 0; p < allocators; p++) {
        double from = above_floor(first, p, a->count), to = above_floor(last, p, a->count);
        fprintf(md, from > 0 && to > 0 ? " %.1f× |" : " – |", to / from);
    }
    fprintf(md, "\n");
}

static int write_outputs(const struct scaling_options *o, const struct scaling_allocators *a,
                         const struct scaling_row *rows, size_t nrows)
{
    FILE *csv = csv_open(o->out_dir, "scaling.csv",
                         "live_blocks,allocator,ops,ns_per_op,holes_examined_per_search,steady_ns_per_op");
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/scaling.md", o->out_dir);
    FILE *md = fopen(path, "w");
    if (csv == NULL || md == NULL) {
        fprintf(stderr, "mems-bench scaling: cannot write in %s: %s\n", o->out_dir, strerror(errno));
        if (csv != NULL)
            fclose(csv);
        if (md != NULL)
            fclose(md);
        return -1;
    }
    for (size_t i = 0; i < nrows; i++) {
        fprintf(csv, "%zu,%s,%zu,%.3f,", rows[i].live, rows[i].policy, rows[i].ops, rows[i].ns_per_op);
        if (rows[i].holes_per_search >= 0)
            fprintf(csv, "%.4f", rows[i].holes_per_search);
        fprintf(csv, ",%.3f\n", rows[i].steady_ns_per_op);
    }
    /* per allocator: steady-phase ns/op, whole-trace ns/op, and for MeMS holes examined per search */
    fprintf(md, "| live blocks |");
    for (size_t p = 0; p < a->count; p++)
        fprintf(md, has_search_cost(a->backend[p].name) ? " %s steady ns/op | whole | holes/search |"
                                                : " %s steady ns/op | whole |",
                a->backend[p].name);
    fprintf(md, "\n|---:|");
    for (size_t p = 0; p < a->count; p++)
        fprintf(md, has_search_cost(a->backend[p].name) ? "---:|---:|---:|" : "---:|---:|");
    fprintf(md, "\n");
    for (size_t i = 0; i < nrows; i += a->count) {
        fprintf(md, "| %zu |", rows[i].live);
        for (size_t p = 0; p < a->count; p++) {
            fprintf(md, " %.1f | %.1f |", rows[i + p].steady_ns_per_op, rows[i + p].ns_per_op);
            if (has_search_cost(a->backend[p].name))
                fprintf(md, " %.2f |", rows[i + p].holes_per_search);
        }
        fprintf(md, "\n");
    }
    write_above_floor(md, a, rows, nrows);
    int rc = fclose(csv) | fclose(md);
    return rc == 0 ? 0 : -1;
}

/* The figure draws the allocators it is given, by name: gnuplot's words()
 * splits on blanks, which no allocator name holds (replay refuses them). */
static int draw_figure(const struct scaling_options *o, const struct scaling_allocators *a)
{
    char lines[SCALING_MAX_ALLOCATORS * 65] = "", searchers[SCALING_MAX_ALLOCATORS * 65] = "";
    for (size_t p = 0; p + 1 < a->count; p++) {
        strcat(strcat(lines, lines[0] ? " " : ""), a->backend[p].name);
        if (has_search_cost(a->backend[p].name))
            strcat(strcat(searchers, searchers[0] ? " " : ""), a->backend[p].name);
    }
    char log[PATH_MAX + 16], variables[PATH_MAX + sizeof lines + sizeof searchers + 64];
    snprintf(log, sizeof log, "%s/gnuplot.log", o->out_dir);
    snprintf(variables, sizeof variables, "data='%s/scaling.csv'; allocators='%s'; searchers='%s'", o->out_dir, lines,
             searchers);
    return gnuplot_draw("scaling", "scaling", o->figure_path, log, variables);
}

int scaling_run(const struct scaling_options *o)
{
    char self[PATH_MAX], bin[PATH_MAX + 64];
    struct scaling_allocators allocators;
    if (allocators_choose(o->allocators, &allocators) != 0)
        return 2;
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) {
        fprintf(stderr, "mems-bench scaling: cannot find its own executable\n");
        return 1;
    }
    self[len] = '\0';
    snprintf(bin, sizeof bin, "%s/bin", o->out_dir);
    if ((mkdir(o->out_dir, 0777) != 0 && errno != EEXIST) || (mkdir(bin, 0777) != 0 && errno != EEXIST)) {
        fprintf(stderr, "mems-bench scaling: cannot make %s: %s\n", bin, strerror(errno));
        return 1;
    }
    struct scaling_row rows[SCALING_MAX_SIZES * SCALING_MAX_ALLOCATORS];
    size_t nrows = 0;
    int failures = 0;
    for (size_t s = 0; s < o->nsizes; s++) {
        struct trace trace;
        struct trace_error error;
        if (scale_trace_build(o->sizes[s], &trace, &error) != 0) {
            fprintf(stderr, "mems-bench scaling: %s\n", error.message);
            return 1;
        }
        snprintf(bin, sizeof bin, "%s/bin/scale-%zu.bin", o->out_dir, o->sizes[s]);
        size_t num_ops = trace.num_ops;
        int written = trace_write_binary(&trace, bin, &error);
        trace_free(&trace);
        if (written != 0) {
            fprintf(stderr, "mems-bench scaling: %s\n", error.message);
            return 1;
        }
        fprintf(stderr, "mems-bench scaling: %zu live blocks, %zu ops\n", o->sizes[s], num_ops);
        for (size_t p = 0; p < allocators.count; p++) {
            struct scaling_row *row = &rows[nrows++];
            *row = (struct scaling_row){.live = o->sizes[s], .policy = allocators.backend[p].name};
            failures += replay_policy(self, bin, num_ops, o->sizes[s], &allocators.backend[p], o, row) != 0;
        }
        unlink(bin); /* 24 bytes an op: not worth keeping */
    }
    if (write_outputs(o, &allocators, rows, nrows) != 0)
        return 1;
    if (o->figure_path != NULL)
        failures += draw_figure(o, &allocators) != 0;
    return failures != 0;
}

/* Counts from 1 to 10^8, each once. */
static int parse_sizes(const struct cli_parser *p, struct scaling_options *o)
{
    struct cli_list items;
    if (cli_list(p, &items) != 0)
        return -1;
    if (items.count > SCALING_MAX_SIZES)
        return cli_refuse(p, "%s takes at most %d counts", p->flag, SCALING_MAX_SIZES);
    o->nsizes = 0;
    for (size_t i = 0; i < items.count; i++) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(items.item[i], &end, 10);
        if (errno != 0 || *end != '\0' || items.item[i][0] == '-' || n == 0 || n > 100000000)
            return cli_refuse(p, "%s takes counts from 1 to 10^8, comma-separated, not '%s'", p->flag, items.item[i]);
        for (size_t j = 0; j < o->nsizes; j++)
            if (o->sizes[j] == n)
                return cli_refuse(p, "%s names %llu twice", p->flag, n);
        o->sizes[o->nsizes++] = (size_t)n;
    }
    return 0;
}

static const struct cli_option scaling_options[] = {
    {'q', 0, "quick", NULL, "sizes up to 100000 and one timed pass per size"},
    {'s', 0, "sizes", "N,N,...", "the live-block counts, 1 to 10^8, each once (default\n"
                                 "1000,10000,100000,1000000)"},
    {'r', 0, "repeat", "N", "timed passes of each size on each allocator, 1 to 16 (default 3)"},
    {'o', 0, "out", "DIR", "where scaling.csv and the figure go (default results/scaling)"},
    LIMITS_CPU_OPTION,
    {'P', 0, "no-plots", NULL, "no figure (gnuplot is not needed then)"},
    {'a', 0, "alloc", "LIST", "the allocators, as replay's --alloc, each once (bump is always added, last);\n"
                              "default: the four MeMS policies, glibc, and each of jemalloc, mimalloc and\n"
                              "tcmalloc that is installed"},
    {0},
};
static const struct cli_command scaling_command = {
    "mems-bench scaling", "[OPTIONS]",
    "Each MeMS policy's ns/op and holes examined per search against the number of live blocks, with glibc and\n"
    "the other real allocators as the reference and bump (no work) as the replay's own cost. Writes\n"
    "scaling.csv and the figure scaling.png.",
    scaling_options, NULL, false};

int scaling_main(int argc, char **argv)
{
    struct scaling_options o = {.out_dir = NULL, .repeats = 3};
    bool quick = false, plots = true, sizes_given = false;
    long long repeats = 3;
    struct cli_parser p;
    cli_start(&p, &scaling_command, argc, argv);
    for (int id; (id = cli_next(&p)) != CLI_DONE;)
        switch (id) {
        case 'q': quick = true; break;
        case 'o': o.out_dir = p.value; break;
        case 'P': plots = false; break;
        case 'a': o.allocators = p.value; break;
        case 's':
            if (parse_sizes(&p, &o) != 0)
                return 2;
            sizes_given = true;
            break;
        case 'r':
            if (cli_count(&p, 1, 16, &repeats) != 0)
                return 2;
            break;
        default:
            if (limits_take_option(&p, id, &o.limits) != 0)
                return cli_status(id);
        }
    if (cli_operands(&p, 0, 0, "") != 0)
        return 2;
    o.repeats = quick ? 1 : (unsigned)repeats;
    if (!sizes_given)
        scaling_default_sizes(&o, quick);
    if (plots && !gnuplot_ready("scaling"))
        return 2;
    char dir[PATH_MAX], figure[PATH_MAX + 16];
    if (o.out_dir == NULL)
        o.out_dir = report_default_folder("scaling", dir, sizeof dir);
    snprintf(figure, sizeof figure, "%s/scaling", o.out_dir);
    o.figure_path = plots ? figure : NULL;
    o.limits.mem_limit = limits_default_memory();
    int rc = scaling_run(&o);
    if (rc != 2)
        printf("%s/scaling.csv\n", o.out_dir);
    return rc;
}
