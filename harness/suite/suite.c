/*
 * mems-bench suite: every trace of the default corpus against every installed
 * allocator, with repeats, then statistics, figures (gnuplot), whole-process
 * timing (hyperfine) and REPORT.md, all in results/<run-name>/ (or --out).
 *
 * Three ways to run: all in this process; --plan FILE, one shell command per
 * trace (a job) for GNU parallel or a Slurm array, each writing its own folder
 * under RUN/jobs/; --merge RUN, the statistics and report from those folders.
 * Either way the report is made from the CSVs read back (suite_load.c).
 */
#include "programs.h"
#include "scaling.h"
#include "threads.h"
#include "study.h"
#include "suite.h"

#include "gnuplot_check.h"
#include "report_md.h"
#include "suite_figures.h"
#include "suite_load.h"
#include "suite_plan.h"
#include "suite_replays.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#ifndef MEMS_SOURCE_DIR
#define MEMS_SOURCE_DIR "."
#endif

/* ---- traces ---- */

static int add_glob(const char *pattern, char ***paths, size_t *n)
{
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0)
        return 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        *paths = realloc(*paths, (*n + 1) * sizeof **paths);
        (*paths)[(*n)++] = strdup(g.gl_pathv[i]);
    }
    globfree(&g);
    return (int)g.gl_pathc;
}

/* Named sets or paths, comma-separated: generated, corpus, classic, small;
 * a set that names nothing here is refused (default's classic traces are
 * optional). */
static int resolve_traces(const char *flag, const char *list, char ***paths, size_t *n)
{
    struct cli_list items;
    if (cli_split("mems-bench suite", flag, list, &items) != 0)
        return -1;
    char pattern[PATH_MAX + 64];
    for (size_t i = 0; i < items.count; i++) {
        const char *item = items.item[i];
        int found = 1;
        if (strcmp(item, "generated") == 0 || strcmp(item, "corpus") == 0 || strcmp(item, "small") == 0) {
            snprintf(pattern, sizeof pattern, "%s/traces/%s/*", MEMS_SOURCE_DIR, item);
            found = add_glob(pattern, paths, n);
        } else if (strcmp(item, "classic") == 0) {
            snprintf(pattern, sizeof pattern, "%s/../shared/traces/malloclab-classic/*.rep", MEMS_SOURCE_DIR);
            found = add_glob(pattern, paths, n);
        } else if (strcmp(item, "default") == 0) {
            snprintf(pattern, sizeof pattern, "%s/traces/generated/*.trace.gz", MEMS_SOURCE_DIR);
            add_glob(pattern, paths, n);
            snprintf(pattern, sizeof pattern, "%s/traces/corpus/gcc-cc1.trace.gz", MEMS_SOURCE_DIR);
            add_glob(pattern, paths, n);
            snprintf(pattern, sizeof pattern, "%s/traces/corpus/make-plan.trace.gz", MEMS_SOURCE_DIR);
            add_glob(pattern, paths, n);
            snprintf(pattern, sizeof pattern, "%s/../shared/traces/malloclab-classic/*.rep", MEMS_SOURCE_DIR);
            add_glob(pattern, paths, n);
        } else {
            *paths = realloc(*paths, (*n + 1) * sizeof **paths);
            (*paths)[(*n)++] = strdup(item);
        }
        if (found == 0) {
            fprintf(stderr, "mems-bench suite: %s: the set '%s' has no traces here (%s)\n", flag, item, pattern);
            return -1;
        }
    }
    return 0;
}

/* ---- the options ---- */

static const struct cli_option suite_options[] = {
    {'t', 't', "traces", "LIST", "comma-separated trace files or sets: default (generated + two recorded\n"
                                 "programs + the classic malloc-lab traces when ../shared has them),\n"
                                 "generated, corpus, classic, small"},
    {'a', 'a', "alloc", "LIST", "as for replay, each once; default 'all' (every installed allocator; bump\n"
                                "only when named)"},
    {'r', 'r', "repeat", "N", "repeats of every replay, 1 to 100 (default 5; 2 with --quick)"},
    {'q', 'q', "quick", NULL, "fewer repeats and hyperfine runs, a quick study, no real programs: for a\n"
                              "first look or a test"},
    {'n', 'n', "name", "NAME", "the run folder, results/NAME (default suite-DATE-TIME)"},
    {'o', 'o', "out", "DIR", "the run folder, anywhere (instead of --name)"},
    {'f', 'f', "featured", "TRACE", "the trace (by name) of the over-time, latency, heap-map and hyperfine\n"
                                    "figures (default: fragment, else the first trace)"},
    {'P', 0, "no-plots", NULL, "no figures (gnuplot is not needed then)"},
    {'H', 0, "no-hyperfine", NULL, "no whole-process timing of the featured trace's replay"},
    {'S', 0, "no-scaling", NULL, "no scaling sweep"},
    {'W', 0, "no-threads", NULL, "no thread sweep (else its quick form runs: mems-bench threads --quick)"},
    {'Y', 0, "no-study", NULL, "no fit-heuristics study"},
    {'G', 0, "no-programs", NULL, "no real programs' runs (the full suite only runs them)"},
    LIMITS_CLI_OPTIONS,
    {'R', 0, "threads", "MODE", "as for replay: serial (default) or recorded, one thread per recorded thread"},
    {'p', 0, "plan", "FILE", "run nothing: create the run folder and write to FILE one command per trace\n"
                             "(every allocator and repeat), for `parallel < FILE` or a Slurm array (scripts/)"},
    {'m', 0, "merge", "DIR", "statistics, figures and REPORT.md from the job folders of a planned run"},
    {'j', 0, "job", "DIR", "(in a plan's lines) the replays of --traces alone, into DIR"},
    {0},
};
static const struct cli_command suite_command = {
    "mems-bench suite", "[OPTIONS]\n       mems-bench suite --merge DIR [--no-plots]",
    "Every trace of the corpus against every installed allocator with repeats, then statistics, figures\n"
    "(gnuplot), whole-process timing (hyperfine), the scaling and thread sweeps, the fit-heuristics study,\n"
    "the real programs, and REPORT.md, all in one run folder.",
    suite_options, NULL, false};

struct suite_args {
    const char *trace_list, *alloc_list, *name, *out, *featured, *plan, *merge, *job;
    char traces_flag[32], alloc_flag[32]; /* as typed (-t or --traces), outliving the parser */
    const char *mem_limit, *timeout, *cpu; /* as given, for the plan's commands */
    bool plots, hyperfine, scaling, thread_sweep, study, programs;
};

/* Returns 0, 1 after --help, or 2 after saying what is wrong. */
static int parse_options(int argc, char **argv, struct suite *s, struct suite_args *args)
{
    struct cli_parser p;
    cli_start(&p, &suite_command, argc, argv);
    long long repeats = -1;
    for (int id; (id = cli_next(&p)) != CLI_DONE;)
        switch (id) {
        case 't':
            args->trace_list = p.value;
            snprintf(args->traces_flag, sizeof args->traces_flag, "%s", p.flag);
            break;
        case 'a':
            args->alloc_list = p.value;
            snprintf(args->alloc_flag, sizeof args->alloc_flag, "%s", p.flag);
            break;
        case 'q': s->quick = true; break;
        case 'n': args->name = p.value; break;
        case 'o': args->out = p.value; break;
        case 'f': args->featured = p.value; break;
        case 'P': args->plots = false; break;
        case 'H': args->hyperfine = false; break;
        case 'S': args->scaling = false; break;
        case 'W': args->thread_sweep = false; break;
        case 'Y': args->study = false; break;
        case 'G': args->programs = false; break;
        case 'p': args->plan = p.value; break;
        case 'm': args->merge = p.value; break;
        case 'j': args->job = p.value; break;
        case 'R':
            if (replay_threads_parse(p.value, &s->threads) != 0)
                return cli_refuse(&p, "%s takes serial or recorded, not '%s'", p.flag, p.value), 2;
            break;
        case 'r':
            if (cli_count(&p, 1, 100, &repeats) != 0)
                return 2;
            s->repeats = (long)repeats;
            break;
        default:
            if (limits_take_option(&p, id, &s->limits) != 0)
                return id == CLI_HELP ? 1 : 2;
            if (id == 'M')
                args->mem_limit = p.value;
            else if (id == 'T')
                args->timeout = p.value;
            else
                args->cpu = p.value;
        }
    if (cli_operands(&p, 0, 0, "") != 0) {
        fprintf(stderr, "mems-bench suite: traces go in --traces\n");
        return 2;
    }
    if (args->name != NULL && args->out != NULL) {
        fprintf(stderr, "mems-bench suite: --name and --out both name the run folder: give one\n");
        return 2;
    }
    if (args->name != NULL && (strchr(args->name, '/') != NULL || args->name[0] == '.' || args->name[0] == '\0')) {
        fprintf(stderr, "mems-bench suite: --name is a folder name under results/, not a path\n");
        return 2;
    }
    if (args->merge != NULL && (args->plan != NULL || args->job != NULL)) {
        fprintf(stderr, "mems-bench suite: --merge reads a planned run's folders; it runs nothing itself\n");
        return 2;
    }
    if (s->repeats < 0)
        s->repeats = s->quick ? 2 : 5;
    return 0;
}

/* With 'all', mimalloc and tcmalloc are used when installed. */
static int resolve_backends(struct suite *s, const struct suite_args *args)
{
    s->backends = calloc(32, sizeof *s->backends);
    if (s->backends == NULL ||
        backend_resolve_list("mems-bench suite", args->alloc_flag, args->alloc_list, s->backends, 32, &s->nbackends)) {
        free(s->backends);
        return -1;
    }
    s->glibc = s->nbackends;
    for (size_t a = 0; a < s->nbackends; a++)
        if (strcmp(s->backends[a].name, "glibc") == 0)
            s->glibc = a;
    return 0;
}

/* Every trace read before anything runs; NULL (said why, *status 2 for a
 * bad list and 1 for a bad trace) if one is bad. */
static struct trace *load_traces(const char *flag, const char *list, size_t *ntraces, int *status)
{
    char **paths = NULL;
    size_t npaths = 0;
    *status = 2;
    int bad_list = resolve_traces(flag, list, &paths, &npaths);
    if (bad_list != 0 || npaths == 0) {
        if (bad_list == 0)
            fprintf(stderr, "mems-bench suite: %s: no traces in '%s'\n", flag, list);
        for (size_t i = 0; i < npaths; i++)
            free(paths[i]);
        free(paths);
        return NULL;
    }
    *status = 1;
    struct trace *traces = calloc(npaths, sizeof *traces);
    int bad = 0;
    for (size_t i = 0; i < npaths; i++) {
        if (trace_load_or_say(paths[i], &traces[i]) != 0)
            bad = 1;
        free(paths[i]);
    }
    free(paths);
    if (bad) {
        fprintf(stderr, "mems-bench suite: nothing was run\n");
        for (size_t i = 0; i < npaths; i++)
            trace_free(&traces[i]);
        free(traces);
        return NULL;
    }
    *ntraces = npaths;
    return traces;
}

/* The run folder: --out, or results/ with --name or the date. */
static void name_run(struct suite *s, const struct suite_args *args)
{
    if (args->out != NULL) {
        snprintf(s->run_dir, sizeof s->run_dir, "%s", args->out);
        const char *slash = strrchr(args->out, '/');
        snprintf(s->run_name, sizeof s->run_name, "%s", slash != NULL && slash[1] ? slash + 1 : args->out);
        return;
    }
    if (args->name != NULL) {
        snprintf(s->run_name, sizeof s->run_name, "%s", args->name);
    } else {
        time_t now = time(NULL);
        strftime(s->run_name, sizeof s->run_name, "suite-%Y%m%d-%H%M%S", localtime(&now));
    }
    snprintf(s->run_dir, sizeof s->run_dir, "results/%s", s->run_name);
}

/* ---- the statistics, figures and report of a run's results ---- */

/* `phases_failed`: the scaling sweep, the study and the real programs that
 * failed; the report is still written, and the run exits 1 as for a failed
 * replay. */
static int conclude(struct suite *s, bool plots, int phases_failed)
{
    if (s->ntraces == 0) {
        fprintf(stderr, "mems-bench suite: no results in %s\n", s->run_dir);
        return 1;
    }
    int failures = phases_failed;
    for (size_t r = 0; r < s->nrows; r++)
        failures += suite_row_failed(&s->rows[r]);
    char hyperfine[PATH_MAX + 32];
    snprintf(hyperfine, sizeof hyperfine, "%s/hyperfine.md", s->traces[s->featured].dir);
    FILE *md = fopen(hyperfine, "r");
    if (md != NULL) {
        fclose(md);
        snprintf(s->hyperfine_md, sizeof s->hyperfine_md, "%s", hyperfine);
        s->hyperfine_ran = true;
    }
    suite_compute_stats(s);
    if (suite_write_stats_csv(s) != 0)
        failures++;
    if (plots)
        failures += suite_draw_figures(s) != 0;
    if (suite_write_report(s) != 0) {
        fprintf(stderr, "mems-bench suite: cannot write REPORT.md\n");
        failures++;
    }
    fprintf(stderr, "mems-bench suite: %zu replays in %.0f s%s\n", s->nrows, s->elapsed_seconds,
            failures || s->missing_jobs ? ", with failures (see above and REPORT.md)" : "");
    printf("%s/REPORT.md\n", s->run_dir);
    return failures || s->missing_jobs ? 1 : 0;
}

/* RUN/figures/NAME, the folder made: where a sweep draws its figure. */
static void figure_path(const struct suite *s, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/figures", s->run_dir);
    mkdir(path, 0777);
    snprintf(path, size, "%s/figures/%s", s->run_dir, name);
}

/* The scaling sweep (harness/scaling) into RUN/scaling, its figure with the others. */
static int run_scaling(const struct suite *s, bool plots)
{
    static char dir[PATH_MAX + 16], figure[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/scaling", s->run_dir);
    figure_path(s, "7-scaling", figure, sizeof figure);
    struct scaling_options o = {.out_dir = dir, .figure_path = plots ? figure : NULL, .repeats = s->quick ? 1 : 3,
                                .limits = s->limits};
    scaling_default_sizes(&o, s->quick);
    fprintf(stderr, "mems-bench suite: scaling sweep (%zu sizes)\n", o.nsizes);
    return scaling_run(&o);
}

/* The thread sweep (harness/threads), its quick form whatever the suite's,
 * into RUN/threads, its figure with the others. */
static int run_threads(const struct suite *s, bool plots)
{
    static char dir[PATH_MAX + 16], figure[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/threads", s->run_dir);
    figure_path(s, "8-threads", figure, sizeof figure);
    struct threads_options o;
    threads_default_options(&o, dir, true);
    o.figure_path = plots ? figure : NULL;
    o.limits = s->limits;
    o.limits.pinned = false; /* --cpu's one CPU would leave the threads nothing to run on but it */
    fprintf(stderr, "mems-bench suite: thread sweep (%zu thread counts)\n", o.ncounts);
    return threads_run(&o);
}

int suite_main(int argc, char **argv)
{
    struct suite s;
    memset(&s, 0, sizeof s);
    s.repeats = -1;
    s.limits.mem_limit = limits_default_memory();
    struct suite_args args = {.trace_list = "default", .alloc_list = "all", .traces_flag = "--traces",
                              .alloc_flag = "--alloc", .plots = true, .hyperfine = true,
                             .scaling = true, .thread_sweep = true, .study = true, .programs = true};
    int rc = parse_options(argc, argv, &s, &args);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    /* a planned run's job and its plan draw nothing: the merge does */
    if (args.plots && args.job == NULL && args.plan == NULL && !gnuplot_ready("suite"))
        return 2;
    if (args.merge != NULL) {
        snprintf(s.run_dir, sizeof s.run_dir, "%s", args.merge);
        s.repeats = 0; /* as many as the jobs ran */
        return suite_merge_jobs(&s) != 0 ? 1 : conclude(&s, args.plots, 0);
    }
    if (resolve_backends(&s, &args) != 0)
        return 2;
    size_t ntraces = 0;
    struct trace *traces = load_traces(args.traces_flag, args.trace_list, &ntraces, &rc);
    if (traces == NULL) {
        free(s.backends);
        return rc;
    }
    size_t featured = 0;
    for (size_t t = 0; t < ntraces; t++)
        if (strcmp(traces[t].name, args.featured != NULL ? args.featured : "fragment") == 0)
            featured = t;
    /* a job may be one whose trace is not the featured one */
    if (args.featured != NULL && args.job == NULL && strcmp(traces[featured].name, args.featured) != 0) {
        fprintf(stderr, "mems-bench suite: --featured %s is not one of the traces\n", args.featured);
        return 2;
    }
    const char *featured_name = args.featured != NULL ? args.featured : traces[featured].name;
    if (args.job != NULL) /* one job of a planned run: the replays alone */
        return suite_run_replays(&s, args.job, traces, ntraces, featured_name, args.hyperfine) != 0;
    name_run(&s, &args);
    if (args.plan != NULL) {
        struct plan_options plan = {args.plan, featured_name, args.mem_limit, args.timeout, args.cpu, args.hyperfine};
        return suite_write_plan(&s, traces, ntraces, &plan) != 0;
    }
    if (suite_run_replays(&s, s.run_dir, traces, ntraces, featured_name, args.hyperfine) < 0)
        return 1;
    int phases_failed = 0;
    if (args.scaling && run_scaling(&s, args.plots) != 0) {
        fprintf(stderr, "mems-bench suite: the scaling sweep failed (see above)\n");
        phases_failed++;
    }
    if (args.thread_sweep && run_threads(&s, args.plots) != 0) {
        fprintf(stderr, "mems-bench suite: the thread sweep failed (see above)\n");
        phases_failed++;
    }
    if (args.study && study_for_suite(s.run_dir, s.quick, args.plots) != 0) {
        fprintf(stderr, "mems-bench suite: the fit-heuristics study failed (see above)\n");
        phases_failed++;
    }
    /* the real programs take minutes: the full suite only */
    if (args.programs && !s.quick && programs_for_suite(s.run_dir, false, args.plots) != 0) {
        fprintf(stderr, "mems-bench suite: the real programs' runs failed (see above)\n");
        phases_failed++;
    }
    for (size_t t = 0; t < ntraces; t++)
        trace_free(&traces[t]);
    free(traces);
    if (suite_load_results(&s, s.run_dir) != 0) {
        fprintf(stderr, "mems-bench suite: cannot read the results back from %s\n", s.run_dir);
        return 1;
    }
    return conclude(&s, args.plots, phases_failed);
}
