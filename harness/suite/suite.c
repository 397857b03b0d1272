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
#include "study.h"
#include "suite.h"

#include "gnuplot_check.h"
#include "report_md.h"
#include "suite_figures.h"
#include "suite_load.h"
#include "suite_plan.h"
#include "suite_replays.h"

#include <getopt.h>
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

/* Named sets or paths, comma-separated: generated, corpus, classic, small. */
static void resolve_traces(const char *list, char ***paths, size_t *n)
{
    char *copy = strdup(list), *save = NULL, pattern[PATH_MAX + 64];
    for (char *item = strtok_r(copy, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
        if (strcmp(item, "generated") == 0 || strcmp(item, "corpus") == 0 || strcmp(item, "small") == 0) {
            snprintf(pattern, sizeof pattern, "%s/traces/%s/*", MEMS_SOURCE_DIR, item);
            add_glob(pattern, paths, n);
        } else if (strcmp(item, "classic") == 0) {
            snprintf(pattern, sizeof pattern, "%s/../shared/traces/malloclab-classic/*.rep", MEMS_SOURCE_DIR);
            add_glob(pattern, paths, n);
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
    }
    free(copy);
}

/* ---- the options ---- */

static void usage(FILE *to)
{
    fprintf(to,
            "usage: mems-bench suite [--traces LIST] [--alloc LIST] [--repeat N] [--quick] [--name NAME | --out DIR]\n"
            "                        [--featured TRACE] [--no-plots] [--no-hyperfine] [--no-scaling] [--no-study] [--no-programs] [--mem-limit SIZE]\n"
            "                        [--timeout SECONDS] [--cpu N] [--plan FILE]\n"
            "       mems-bench suite --merge DIR [--no-plots]\n"
            "  --traces LIST    comma-separated trace files or sets: default (generated + two recorded programs +\n"
            "                   the classic malloc-lab traces when ../shared has them), generated, corpus, classic, small\n"
            "  --alloc LIST     as for replay; default 'all' (every installed allocator; bump only when named)\n"
            "  --repeat N       repeats of every replay (default 5; 2 with --quick)\n"
            "  --quick          fewer repeats and hyperfine runs, for a first look or a test\n"
            "  --name NAME      the run folder, results/NAME (default suite-DATE-TIME)\n"
            "  --out DIR        the run folder, anywhere\n"
            "  --featured T     the trace of the over-time, latency, heap-map and hyperfine figures (default: fragment,\n"
            "                   else the first trace)\n"
            "  --mem-limit SIZE memory budget of each replay process (as for replay; default 75%% of MemAvailable)\n"
            "  --timeout S      time limit of each pass in seconds (default 120 + 100 us per op)\n"
            "  --cpu N          every replay pass, of the suite and of its scaling sweep, on CPU N alone (as for\n"
            "                   replay; default none)\n"
            "  --plan FILE      run nothing: create the run folder and write to FILE one command per trace (every\n"
            "                   allocator and repeat), for `parallel < FILE` or a Slurm array (scripts/)\n"
            "  --merge DIR      statistics, figures and REPORT.md from the job folders of a planned run\n"
            "  --job DIR        (in a plan's lines) the replays of --traces alone, into DIR\n");
}

struct suite_args {
    const char *trace_list, *alloc_list, *name, *out, *featured, *plan, *merge, *job;
    const char *mem_limit, *timeout, *cpu; /* as given, for the plan's commands */
    bool plots, hyperfine, scaling, study, programs;
};

/* Returns 0, 1 after --help, or 2 after saying what is wrong. */
static int parse_options(int argc, char **argv, struct suite *s, struct suite_args *args)
{
    static const struct option options[] = {
        {"traces", required_argument, NULL, 't'},    {"alloc", required_argument, NULL, 'a'},
        {"repeat", required_argument, NULL, 'r'},    {"quick", no_argument, NULL, 'q'},
        {"name", required_argument, NULL, 'n'},      {"out", required_argument, NULL, 'o'},
        {"featured", required_argument, NULL, 'f'},  {"no-plots", no_argument, NULL, 'P'},
        {"no-hyperfine", no_argument, NULL, 'H'},    {"mem-limit", required_argument, NULL, 'M'},
        {"timeout", required_argument, NULL, 'T'},   {"plan", required_argument, NULL, 'p'},
        {"merge", required_argument, NULL, 'm'},     {"job", required_argument, NULL, 'j'},
        {"no-scaling", no_argument, NULL, 'S'},      {"help", no_argument, NULL, 'h'},
        {"no-study", no_argument, NULL, 'Y'},        {"no-programs", no_argument, NULL, 'G'},
        {"cpu", required_argument, NULL, 'C'},       {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "t:a:r:qn:o:f:h", options, NULL)) != -1) {
        switch (c) {
        case 't': args->trace_list = optarg; break;
        case 'a': args->alloc_list = optarg; break;
        case 'q': s->quick = true; break;
        case 'n': args->name = optarg; break;
        case 'o': args->out = optarg; break;
        case 'f': args->featured = optarg; break;
        case 'P': args->plots = false; break;
        case 'H': args->hyperfine = false; break;
        case 'S': args->scaling = false; break;
        case 'Y': args->study = false; break;
        case 'G': args->programs = false; break;
        case 'p': args->plan = optarg; break;
        case 'm': args->merge = optarg; break;
        case 'j': args->job = optarg; break;
        case 'h': usage(stdout); return 1;
        case 'M':
            args->mem_limit = optarg;
            if (limits_parse_memory(optarg, &s->limits.mem_limit) != 0) {
                fprintf(stderr, "mems-bench suite: --mem-limit takes bytes (512M, 4G), a share (50%%) or none, "
                                "not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'T':
            args->timeout = optarg;
            if (limits_parse_timeout(optarg, &s->limits.timeout) != 0) {
                fprintf(stderr, "mems-bench suite: --timeout takes a number of seconds above 0, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'C':
            args->cpu = optarg;
            if (limits_parse_cpu(optarg, &s->limits.pinned, &s->limits.cpu) != 0) {
                fprintf(stderr, "mems-bench suite: --cpu takes a CPU this process may run on, or none, not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'r': {
            char *end;
            s->repeats = strtol(optarg, &end, 10);
            if (*end != '\0' || s->repeats < 1 || s->repeats > 100) {
                fprintf(stderr, "mems-bench suite: --repeat takes 1 to 100, not '%s'\n", optarg);
                return 2;
            }
            break;
        }
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "mems-bench suite: unexpected argument '%s' (traces go in --traces)\n", argv[optind]);
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
static int resolve_backends(struct suite *s, const char *alloc_list)
{
    bool everything = strcmp(alloc_list, "all") == 0;
    if (everything)
        alloc_list = "mems-first,mems-next,mems-best,mems-worst,glibc,jemalloc,mimalloc,tcmalloc";
    char *copy = strdup(alloc_list), *save = NULL;
    s->backends = calloc(32, sizeof *s->backends);
    for (char *item = strtok_r(copy, ",", &save); item != NULL && s->nbackends < 32; item = strtok_r(NULL, ",", &save)) {
        char why[512];
        if (backend_resolve(item, &s->backends[s->nbackends], why, sizeof why) == 0)
            s->nbackends++;
        else if (everything && (strcmp(item, "mimalloc") == 0 || strcmp(item, "tcmalloc") == 0))
            fprintf(stderr, "mems-bench suite: %s: left out\n", why);
        else {
            fprintf(stderr, "mems-bench suite: %s\n", why);
            free(copy);
            return -1;
        }
    }
    free(copy);
    s->glibc = s->nbackends;
    for (size_t a = 0; a < s->nbackends; a++)
        if (strcmp(s->backends[a].name, "glibc") == 0)
            s->glibc = a;
    return 0;
}

/* Every trace read before anything runs; NULL (said why) if one is bad. */
static struct trace *load_traces(const char *list, size_t *ntraces)
{
    char **paths = NULL;
    size_t npaths = 0;
    resolve_traces(list, &paths, &npaths);
    if (npaths == 0) {
        fprintf(stderr, "mems-bench suite: no traces in '%s'\n", list);
        return NULL;
    }
    struct trace *traces = calloc(npaths, sizeof *traces);
    int bad = 0;
    for (size_t i = 0; i < npaths; i++) {
        struct trace_error error;
        if (trace_load(paths[i], &traces[i], &error) != 0) {
            fprintf(stderr, "%s\n", error.message);
            bad = 1;
        }
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

/* The scaling sweep (harness/scaling) into RUN/scaling, its figure with the others. */
static int run_scaling(const struct suite *s, bool plots)
{
    static char dir[PATH_MAX + 16], figure[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/scaling", s->run_dir);
    snprintf(figure, sizeof figure, "%s/figures", s->run_dir);
    mkdir(figure, 0777);
    snprintf(figure, sizeof figure, "%s/figures/7-scaling", s->run_dir);
    struct scaling_options o = {.out_dir = dir, .figure_path = plots ? figure : NULL, .repeats = s->quick ? 1 : 3,
                                .limits = s->limits};
    scaling_default_sizes(&o, s->quick);
    fprintf(stderr, "mems-bench suite: scaling sweep (%zu sizes)\n", o.nsizes);
    return scaling_run(&o);
}

int suite_main(int argc, char **argv)
{
    struct suite s;
    memset(&s, 0, sizeof s);
    s.repeats = -1;
    s.limits.mem_limit = limits_default_memory();
    struct suite_args args = {.trace_list = "default", .alloc_list = "all", .plots = true, .hyperfine = true,
                             .scaling = true, .study = true, .programs = true};
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
    if (resolve_backends(&s, args.alloc_list) != 0)
        return 2;
    size_t ntraces = 0;
    struct trace *traces = load_traces(args.trace_list, &ntraces);
    if (traces == NULL)
        return 1;
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
