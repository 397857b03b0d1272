/*
 * A run spread over processes or machines. The plan holds one line per trace,
 * a shell command running every allocator and repeat of that trace (so each
 * trace's ratios come from one machine) into its own job folder with its own
 * host.txt; the lines run as they are under GNU parallel or as a Slurm array.
 * The paths in them are absolute: the folders must be shared by the machines.
 */
#include "suite_plan.h"

#include "report.h"
#include "result_csv.h"
#include "suite_load.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes `text` in single quotes, as a shell reads it back. */
static void put_quoted(FILE *f, const char *text)
{
    fputc('\'', f);
    for (const char *p = text; *p != '\0'; p++)
        if (*p == '\'')
            fputs("'\\''", f);
        else
            fputc(*p, f);
    fputc('\'', f);
}

/* The --alloc list for the jobs: names that resolve by themselves, else NAME=LIB. */
static void put_allocators(FILE *f, const struct suite *s)
{
    char list[8192] = "";
    for (size_t a = 0; a < s->nbackends; a++) {
        const struct backend *b = &s->backends[a];
        struct backend by_name;
        char why[256];
        size_t n = strlen(list);
        if (backend_resolve(b->name, &by_name, why, sizeof why) == 0)
            snprintf(list + n, sizeof list - n, "%s%s", a ? "," : "", b->name);
        else
            snprintf(list + n, sizeof list - n, "%s%s=%s", a ? "," : "", b->name, b->preload);
    }
    put_quoted(f, list);
}

int suite_write_plan(const struct suite *s, const struct trace *traces, size_t ntraces, const struct plan_options *o)
{
    char jobs[PATH_MAX + 16], run[PATH_MAX], self[PATH_MAX];
    snprintf(jobs, sizeof jobs, "%s/jobs", s->run_dir);
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0 || report_make_folder(jobs) != 0 || realpath(s->run_dir, run) == NULL) {
        fprintf(stderr, "mems-bench suite: cannot create %s: %s\n", jobs, strerror(errno));
        return -1;
    }
    self[len] = '\0';
    FILE *f = fopen(o->file, "w");
    if (f == NULL) {
        fprintf(stderr, "mems-bench suite: cannot write the plan %s: %s\n", o->file, strerror(errno));
        return -1;
    }
    for (size_t t = 0; t < ntraces; t++) {
        char job[PATH_MAX + 192], trace[PATH_MAX];
        snprintf(job, sizeof job, "%s/jobs/%03zu-%s", run, t, traces[t].name);
        if (realpath(traces[t].path, trace) == NULL || report_make_folder(job) != 0) {
            fprintf(stderr, "mems-bench suite: %s: %s\n", realpath(traces[t].path, trace) ? job : traces[t].path,
                    strerror(errno));
            fclose(f);
            return -1;
        }
        put_quoted(f, self);
        fputs(" suite --job ", f);
        put_quoted(f, job);
        fputs(" --traces ", f);
        put_quoted(f, trace);
        fputs(" --alloc ", f);
        put_allocators(f, s);
        fprintf(f, " --repeat %ld --featured ", s->repeats);
        put_quoted(f, o->featured);
        if (s->quick)
            fputs(" --quick", f);
        if (!o->hyperfine)
            fputs(" --no-hyperfine", f);
        if (o->mem_limit != NULL) {
            fputs(" --mem-limit ", f);
            put_quoted(f, o->mem_limit);
        }
        if (o->timeout != NULL) {
            fputs(" --timeout ", f);
            put_quoted(f, o->timeout);
        }
        if (o->cpu != NULL) {
            fputs(" --cpu ", f);
            put_quoted(f, o->cpu);
        }
        if (s->threads != REPLAY_THREADS_SERIAL)
            fprintf(f, " --threads %s", replay_threads_name(s->threads));
        fputc('\n', f);
    }
    if (fclose(f) != 0)
        return -1;
    fprintf(stderr,
            "mems-bench suite: %zu jobs in %s; run them, e.g. `parallel -j 2 < %s` (give each a --mem-limit that "
            "leaves room for the others), then `mems-bench suite --merge %s`\n",
            ntraces, o->file, o->file, s->run_dir);
    return 0;
}

/* Appends FROM (without its header line unless `with_header`) to TO. */
static int append_csv(FILE *to, const char *from, bool with_header)
{
    FILE *f = fopen(from, "r");
    if (f == NULL)
        return -1;
    char line[8192];
    for (bool first = true; fgets(line, sizeof line, f) != NULL; first = false)
        if (!first || with_header)
            fputs(line, to);
    return fclose(f);
}

int suite_merge_jobs(struct suite *s)
{
    char pattern[PATH_MAX + 16];
    snprintf(pattern, sizeof pattern, "%s/jobs/*/", s->run_dir);
    glob_t g;
    if (glob(pattern, GLOB_MARK, NULL, &g) != 0) {
        fprintf(stderr, "mems-bench suite: no job folders in %s/jobs\n", s->run_dir);
        return -1;
    }
    const char *slash = strrchr(s->run_dir, '/');
    snprintf(s->run_name, sizeof s->run_name, "%.255s", slash != NULL && slash[1] ? slash + 1 : s->run_dir);
    /* the jobs' headers are copied with their first rows */
    FILE *all_summary = csv_open(s->run_dir, "summary.csv", NULL), *all_latency = csv_open(s->run_dir, "latency.csv", NULL);
    if (all_summary == NULL || all_latency == NULL) {
        fprintf(stderr, "mems-bench suite: cannot write into %s\n", s->run_dir);
        if (all_summary != NULL)
            fclose(all_summary);
        if (all_latency != NULL)
            fclose(all_latency);
        globfree(&g);
        return -1;
    }
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%.*s", (int)strlen(g.gl_pathv[i]) - 1, g.gl_pathv[i]);
        const char *name = strrchr(dir, '/') + 1;
        if (suite_load_results(s, dir) != 0) {
            fprintf(stderr, "mems-bench suite: job %s has no results (not run, not finished, or failed to start)\n",
                    name);
            size_t n = strlen(s->missing);
            snprintf(s->missing + n, sizeof s->missing - n, "%s%s", n ? ", " : "", name);
            s->missing_jobs++;
            continue;
        }
        char from[PATH_MAX + 16];
        snprintf(from, sizeof from, "%s/summary.csv", dir);
        append_csv(all_summary, from, s->jobs == 0);
        snprintf(from, sizeof from, "%s/latency.csv", dir);
        append_csv(all_latency, from, s->jobs == 0);
        s->jobs++;
    }
    globfree(&g);
    int rc = fclose(all_summary) | fclose(all_latency);
    if (s->hosts_differ)
        fprintf(stderr, "mems-bench suite: the jobs ran on different hosts: compare traces with care (REPORT.md)\n");
    return rc != 0 || s->jobs == 0 ? -1 : 0;
}
