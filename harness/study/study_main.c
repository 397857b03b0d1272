/*
 * mems-bench study: the plan's traces, each generated (or loaded) once and
 * replayed under every policy and the structures its experiments need, then
 * the CSVs, the figures and the reading, all in one folder.
 */
#include "study.h"
#include "study_zoo.h"

#include "cli.h"
#include "gnuplot_check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int make_directory(const char *path)
{
    char buffer[PATH_MAX + 64];
    snprintf(buffer, sizeof buffer, "%s", path);
    for (char *p = buffer + 1; *p != '\0'; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buffer, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buffer, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Every trace once, under every policy and the structures it needs. */
static int replay_plan(struct study *s)
{
    s->nruns = s->ntraces * STUDY_POLICIES * s->nconfigs;
    s->runs = calloc(s->nruns, sizeof *s->runs);
    if (s->runs == NULL)
        return -1;
    bool progress = isatty(STDERR_FILENO);
    int failures = 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (size_t t = 0; t < s->ntraces; t++) {
        if (progress)
            fprintf(stderr, "\r\033[K[%zu/%zu] %s, %.0f s", t + 1, s->ntraces, s->traces[t].name,
                    seconds_since(&start));
        struct trace trace;
        struct trace_error error;
        if (study_load_trace(s, t, &trace, &error) != 0) {
            fprintf(stderr, "%smems-bench study: %s\n", progress ? "\n" : "", error.message);
            return -1;
        }
        for (size_t c = 0; c < (s->traces[t].all_configs ? s->nconfigs : 1); c++)
            for (size_t p = 0; p < STUDY_POLICIES; p++) {
                struct study_run *r = &s->runs[(t * STUDY_POLICIES + p) * s->nconfigs + c];
                r->trace = t, r->policy = p, r->config = c;
                failures += study_replay(&trace, (int)p, &s->configs[c], &r->m) != 0;
            }
        trace_free(&trace);
    }
    if (progress)
        fprintf(stderr, "\r\033[K");
    s->seconds = seconds_since(&start);
    return failures ? -1 : 0;
}

int study_run(const struct study_options *o)
{
    struct study s;
    memset(&s, 0, sizeof s);
    snprintf(s.out_dir, sizeof s.out_dir, "%s", o->out_dir);
    snprintf(s.link_prefix, sizeof s.link_prefix, "%s", o->link_prefix ? o->link_prefix : "");
    s.quick = o->quick;
    s.plots = o->plots;
    char figures[PATH_MAX + 16];
    snprintf(figures, sizeof figures, "%s/figures", s.out_dir);
    if (make_directory(figures) != 0) {
        fprintf(stderr, "mems-bench study: cannot create %s: %s\n", figures, strerror(errno));
        return 1;
    }
    if (study_make_plan(&s, o) != 0)
        return 1;
    fprintf(stderr, "mems-bench study: %zu traces x %d policies (x %zu structures for phases and programs) into %s\n",
            s.ntraces, STUDY_POLICIES, s.nconfigs, s.out_dir);
    int failures = 0;
    if (replay_plan(&s) != 0) {
        fprintf(stderr, "mems-bench study: a replay failed (see above)\n");
        failures++;
    }
    struct study_zoo zoo;
    if (study_zoo_run(&s, &zoo) != 0) {
        fprintf(stderr, "mems-bench study: a replay of the policy zoo failed (see above)\n");
        failures++;
    }
    s.zoo = &zoo;
    if (study_write_plan_csv(&s) != 0 || study_write_runs_csv(&s) != 0 || study_write_cells_csv(&s) != 0 ||
        study_zoo_write_csv(&s, &zoo) != 0) {
        fprintf(stderr, "mems-bench study: cannot write the CSVs into %s\n", s.out_dir);
        failures++;
    }
    if (s.plots && study_draw_figures(&s) != 0)
        failures++;
    if (study_write_reading(&s) != 0) {
        fprintf(stderr, "mems-bench study: cannot write the reading into %s\n", s.out_dir);
        failures++;
    }
    fprintf(stderr, "mems-bench study: %zu replays in %.0f s, the zoo's in %.0f s%s\n", s.nruns, s.seconds,
            zoo.seconds, failures ? ", with failures (see above)" : "");
    study_zoo_free(&zoo);
    free(s.traces);
    free(s.runs);
    return failures ? 1 : 0;
}

int study_for_suite(const char *run_dir, bool quick, bool plots)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/study", run_dir);
    struct study_options o = {.out_dir = dir, .link_prefix = "study/", .quick = true, .plots = plots};
    /* the suite's own --quick (a first look, a test) shortens the study further */
    if (quick)
        o.seeds = 3, o.ops = 10000, o.corpus = "gcc-cc1,make-plan";
    fprintf(stderr, "mems-bench suite: the fit-heuristics study (quick)\n");
    return study_run(&o);
}

static const struct cli_option study_options[] = {
    {'q', 'q', "quick", NULL, "fewer size cells, seeds (7) and ops (40000)"},
    {'o', 'o', "out", "DIR", "the study's folder (default results/study-DATE-TIME)"},
    {'s', 's', "seeds", "N", "seeds per generated cell, 2 to 99 (default 11; 7 with --quick)"},
    {'n', 'n', "ops", "N", "operations per generated trace, 1000 to 100000000 (default 200000; 40000\n"
                           "with --quick)"},
    {'c', 'c', "corpus", "LIST", "recorded traces, comma-separated, each once: corpus names (gcc-cc1) or\n"
                                 "paths (default: the six of traces/corpus)"},
    {'P', 0, "no-plots", NULL, "no figures (gnuplot is not needed then)"},
    {0},
};
static const struct cli_command study_command = {
    "mems-bench study", "[OPTIONS]",
    "The fit-heuristics study: MeMS's four policies, in process, on generated traces (size distributions,\n"
    "phase shapes) and the recorded corpus, under the structures each experiment needs; writes the CSVs,\n"
    "the figures and study.md, the reading with its verdicts.",
    study_options, NULL, false};

int study_main(int argc, char **argv)
{
    struct study_options o = {.plots = true};
    char out[PATH_MAX];
    long long value;
    struct cli_parser p;
    cli_start(&p, &study_command, argc, argv);
    for (int id; (id = cli_next(&p)) != CLI_DONE;)
        switch (id) {
        case 'q': o.quick = true; break;
        case 'o': o.out_dir = p.value; break;
        case 'P': o.plots = false; break;
        case 'c':
            if (study_check_corpus(p.flag, p.value) != 0)
                return 2;
            o.corpus = p.value;
            break;
        case 's':
            if (cli_count(&p, 2, 99, &value) != 0)
                return 2;
            o.seeds = (int)value;
            break;
        case 'n':
            if (cli_count(&p, 1000, 100000000, &value) != 0)
                return 2;
            o.ops = (long)value;
            break;
        default: return cli_status(id);
        }
    if (cli_operands(&p, 0, 0, "") != 0)
        return 2;
    if (o.plots && !gnuplot_ready("study"))
        return 2;
    if (o.out_dir == NULL) {
        char stamp[64];
        time_t now = time(NULL);
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
        snprintf(out, sizeof out, "results/study-%s", stamp);
        o.out_dir = out;
    }
    int rc = study_run(&o);
    if (rc == 0)
        printf("%s/study.md\n", o.out_dir);
    return rc;
}
