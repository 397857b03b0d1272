/*
 * mems-bench programs, in phases: resolve the allocators (glibc first, the
 * reference), make the inputs, then per program a check run on each allocator
 * (peak RSS, outputs compared with glibc's), one hyperfine run timing every
 * allocator, and at the end the replay of the programs' traces for the
 * prediction beside the real run. The programs' commands live in
 * traces/programs.sh, shared with the recorder.
 */
#include "programs.h"

#include "mems.h"

#include "backend.h"
#include "cli.h"
#include "gnuplot_check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* glibc first, the reference; then MeMS's address-ordered fits and the other allocators */
static const char *default_allocators(char *out, size_t size)
{
    return backend_default_list(out, size, "glibc", "jemalloc,mimalloc,tcmalloc");
}

static int make_dir(const char *path)
{
    char command[PATH_MAX + 32];
    programs_text(command, sizeof command, "mkdir -p '%s'", path);
    return system(command) == 0 ? 0 : -1;
}

/* libmems_malloc.so beside the build's mems/ folder, or in the install's lib/. */
static int find_malloc_library(struct programs_run *r)
{
    char dir[PATH_MAX];
    programs_text(dir, sizeof dir, "%s", r->self);
    *strrchr(dir, '/') = '\0';
    const char *tries[] = {"../mems/libmems_malloc.so", "../lib/libmems_malloc.so", "../lib64/libmems_malloc.so"};
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        programs_text(r->malloc_library, sizeof r->malloc_library, "%s/%s", dir, tries[i]);
        if (access(r->malloc_library, R_OK) == 0)
            return 0;
    }
    return -1;
}

/* glibc first; an allocator that is not installed is left out with a note. */
static int resolve_allocators(struct programs_run *r, const char *list)
{
    char copy[1024];
    programs_text(copy, sizeof copy, "glibc,%s", list);
    r->nallocators = 0;
    for (char *save = NULL, *name = strtok_r(copy, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save)) {
        bool seen = false;
        for (size_t a = 0; a < r->nallocators; a++)
            seen |= strcmp(r->allocators[a], name) == 0;
        if (seen || r->nallocators == PROGRAMS_MAX_ALLOCATORS)
            continue;
        struct backend b;
        char why[256];
        if (backend_resolve(name, &b, why, sizeof why) != 0) {
            fprintf(stderr, "mems-bench programs: %s left out: %s\n", name, why);
            continue;
        }
        if (b.kind == BACKEND_BUMP) { /* it lives in mems-bench, so no program can preload it */
            fprintf(stderr, "mems-bench programs: bump left out: it is a replay backend, not a malloc\n");
            continue;
        }
        size_t a = r->nallocators++;
        programs_text(r->allocators[a], sizeof r->allocators[a], "%s", name);
        r->policies[a] = b.kind == BACKEND_MEMS ? b.mems_policy : -1;
        r->arenas[a] = b.kind == BACKEND_MEMS ? b.mems_arenas : 0;
        programs_text(r->preloads[a], sizeof r->preloads[a], "%s", b.kind == BACKEND_MEMS ? r->malloc_library : b.preload);
    }
    return r->nallocators > 1 ? 0 : -1;
}

/* The program's executable is on PATH; else `missing` names it. */
static bool program_installed(const struct programs_run *r, const char *name, char *missing, size_t size)
{
    char command[2 * PATH_MAX];
    programs_text(command, sizeof command, "bash '%s/traces/programs.sh' needs '%s'", r->source_dir, name);
    FILE *p = popen(command, "r");
    char need[64] = "";
    if (p == NULL || fgets(need, sizeof need, p) == NULL) {
        if (p != NULL)
            pclose(p);
        programs_text(missing, size, "unknown program");
        return false;
    }
    pclose(p);
    need[strcspn(need, "\n")] = '\0';
    programs_text(command, sizeof command, "command -v '%s' > /dev/null 2>&1", need);
    programs_text(missing, size, "%s", need);
    return system(command) == 0;
}

/* mems-bench --measure-rss FILE COMMAND...: runs COMMAND and writes to FILE
 * the peak RSS (bytes) of its largest process. It runs in a fresh mems-bench
 * so the number is the program's: a process keeps its high-water RSS across
 * exec, and a child forked from the suite would start with the suite's. vfork
 * lends the child this small process's memory until its exec. */
int programs_measure_rss(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    pid_t child = vfork();
    if (child == 0) {
        execvp(argv[2], argv + 2);
        _exit(127);
    }
    int status = 0;
    while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    struct rusage usage;
    getrusage(RUSAGE_CHILDREN, &usage);
    FILE *f = fopen(argv[1], "w");
    if (f != NULL) {
        fprintf(f, "%lld\n", (long long)usage.ru_maxrss * 1024);
        fclose(f);
    }
    return child < 0 ? 126 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs program p on allocator a into `out`, through --measure-rss. */
static int run_checked(const struct programs_run *r, size_t p, size_t a, const char *inputs, const char *out,
                       uint64_t *peak_rss, int *exit_code)
{
    char rss_file[2 * PATH_MAX], script[PATH_MAX + 32];
    programs_text(rss_file, sizeof rss_file, "%s.rss", out);
    programs_text(script, sizeof script, "%s/traces/programs.sh", r->source_dir);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) { /* env puts the preload into the program, not into the measuring process */
        char preload[600], policy[32], arenas[32];
        programs_text(preload, sizeof preload, "LD_PRELOAD=%s", r->preloads[a]);
        programs_text(policy, sizeof policy, "MEMS_POLICY=%s", r->policies[a] >= 0 ? mems_policy_name((enum mems_policy)r->policies[a]) : "");
        programs_text(arenas, sizeof arenas, "MEMS_ARENAS=%d", r->arenas[a] > 1 ? r->arenas[a] : 1);
        unsetenv("LD_PRELOAD");
        /* env's options (-u) must come before its assignments */
        execl(r->self, r->self, "--measure-rss", rss_file, "/usr/bin/env", r->policies[a] >= 0 ? policy : "-uMEMS_POLICY",
              r->policies[a] >= 0 ? arenas : "-uMEMS_ARENAS", r->preloads[a][0] ? preload : "-uLD_PRELOAD", "/bin/bash", script, "run", r->programs[p], inputs, out,
              (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *f = fopen(rss_file, "r");
    unsigned long long bytes = 0;
    if (f != NULL) {
        if (fscanf(f, "%llu", &bytes) != 1)
            bytes = 0;
        fclose(f);
        remove(rss_file);
    }
    *peak_rss = bytes;
    return 0;
}

static bool files_equal(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    bool equal = fa != NULL && fb != NULL;
    char x[65536], y[65536];
    while (equal) {
        size_t na = fread(x, 1, sizeof x, fa), nb = fread(y, 1, sizeof y, fb);
        equal = na == nb && memcmp(x, y, na) == 0;
        if (na == 0)
            break;
    }
    if (fa != NULL)
        fclose(fa);
    if (fb != NULL)
        fclose(fb);
    return equal;
}

/* Every file glibc's run wrote, byte for byte, after the script's normalising
 * (make -p prints the time of day). */
static int outputs_identical(const struct programs_run *r, size_t p, const char *reference, const char *out)
{
    char command[3 * PATH_MAX];
    programs_text(command, sizeof command, "bash '%s/traces/programs.sh' normalize '%s' '%s'", r->source_dir,
             r->programs[p], out);
    if (system(command) != 0)
        return 0;
    programs_text(command, sizeof command, "ls -A '%s'", reference);
    FILE *list = popen(command, "r");
    if (list == NULL)
        return -1;
    char name[256];
    int same = 1;
    while (fgets(name, sizeof name, list) != NULL) {
        name[strcspn(name, "\n")] = '\0';
        char fa[2 * PATH_MAX], fb[2 * PATH_MAX];
        programs_text(fa, sizeof fa, "%s/%s", reference, name);
        programs_text(fb, sizeof fb, "%s/%s", out, name);
        same &= files_equal(fa, fb);
    }
    pclose(list);
    return same;
}

/* hyperfine over every allocator that ran program p; means and deviations from its JSON. */
static int time_program(struct programs_run *r, size_t p, const char *inputs)
{
    char json[PATH_MAX + 64], command[16384], scratch[PATH_MAX + 64];
    programs_text(json, sizeof json, "%s/hyperfine-%s.json", r->out_dir, r->programs[p]);
    programs_text(scratch, sizeof scratch, "%s/timed", r->out_dir);
    int n = programs_text(command, sizeof command, "hyperfine --style none --warmup %d --runs %d --export-json '%s'",
                     r->warmup, r->runs, json);
    size_t timed = 0;
    for (size_t a = 0; a < r->nallocators; a++) {
        if (strcmp(r->results[p][a].status, "ok") != 0)
            continue;
        char env[700] = "env -u LD_PRELOAD", arenas[32] = "";
        if (r->arenas[a] > 1)
            programs_text(arenas, sizeof arenas, " MEMS_ARENAS=%d", r->arenas[a]);
        if (r->preloads[a][0] != '\0')
            programs_text(env, sizeof env, "env LD_PRELOAD=%s%s%s%s", r->preloads[a], r->policies[a] >= 0 ? " MEMS_POLICY=" : "",
                     r->policies[a] >= 0 ? mems_policy_name((enum mems_policy)r->policies[a]) : "", arenas);
        n += programs_text(command + n, sizeof command - (size_t)n,
                      " -n %s \"mkdir -p '%s/%s/%s' && %s bash '%s/traces/programs.sh' run %s '%s' '%s/%s/%s'\"",
                      r->allocators[a], scratch, r->programs[p], r->allocators[a], env, r->source_dir, r->programs[p],
                      inputs, scratch, r->programs[p], r->allocators[a]);
        timed++;
    }
    n += programs_text(command + n, sizeof command - (size_t)n, " > '%s/hyperfine.log' 2>&1", r->out_dir);
    if (timed == 0 || (size_t)n >= sizeof command)
        return -1;
    if (system(command) != 0) {
        fprintf(stderr, "mems-bench programs: hyperfine failed on %s (see %s/hyperfine.log)\n", r->programs[p],
                r->out_dir);
        return -1;
    }
    FILE *f = fopen(json, "r");
    if (f == NULL)
        return -1;
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    for (char *at = strstr(text, "\"command\": \""); at != NULL; at = strstr(at + 1, "\"command\": \"")) {
        char name[64];
        if (sscanf(at + 12, "%63[^\"]", name) != 1)
            continue;
        char *mean = strstr(at, "\"mean\": "), *stddev = strstr(at, "\"stddev\": ");
        for (size_t a = 0; a < r->nallocators && mean != NULL && stddev != NULL; a++)
            if (strcmp(r->allocators[a], name) == 0) {
                r->results[p][a].mean_s = strtod(mean + 8, NULL);
                r->results[p][a].stddev_s = strtod(stddev + 10, NULL);
            }
    }
    return 0;
}

/* A column of a CSV header line, or -1. */
static int column_of(const char *header, const char *name)
{
    int index = 0;
    size_t length = strlen(name);
    for (const char *c = header; *c != '\0'; index++) {
        if (strncmp(c, name, length) == 0 && (c[length] == ',' || c[length] == '\n' || c[length] == '\0'))
            return index;
        c = strchr(c, ',');
        if (c == NULL)
            break;
        c++;
    }
    return -1;
}

static const char *field(char *line, int index)
{
    char *save = NULL, *f = strtok_r(line, ",", &save);
    for (int i = 0; f != NULL && i < index; i++)
        f = strtok_r(NULL, ",", &save);
    return f != NULL ? f : "";
}

/* The replays of the programs' traces, on the same allocators: their prediction. */
static int replay_traces(struct programs_run *r)
{
    char dir[PATH_MAX + 16], command[16384], list[1024] = "";
    programs_text(dir, sizeof dir, "%s/replay", r->out_dir);
    for (size_t a = 0; a < r->nallocators; a++)
        programs_text(list + strlen(list), sizeof list - strlen(list), "%s%s", a ? "," : "", r->allocators[a]);
    int n = programs_text(command, sizeof command, "'%s' replay --quiet --alloc %s --out '%s'", r->self, list, dir);
    size_t traces = 0;
    for (size_t p = 0; p < r->nprograms; p++) {
        char path[2 * PATH_MAX];
        programs_text(path, sizeof path, "%s/traces/corpus/%s.trace.gz", r->source_dir, r->programs[p]);
        if (access(path, R_OK) == 0)
            n += programs_text(command + n, sizeof command - (size_t)n, " '%s'", path), traces++;
    }
    programs_text(command + n, sizeof command - (size_t)n, " > '%s/replay.log' 2>&1", r->out_dir);
    if (traces == 0 || system(command) != 0)
        return -1;
    char csv[PATH_MAX + 32];
    programs_text(csv, sizeof csv, "%s/summary.csv", dir);
    FILE *f = fopen(csv, "r");
    if (f == NULL)
        return -1;
    char header[4096], line[4096];
    if (fgets(header, sizeof header, f) == NULL) {
        fclose(f);
        return -1;
    }
    int c_trace = column_of(header, "trace"), c_alloc = column_of(header, "allocator"),
        c_foot = column_of(header, "peak_footprint_bytes"), c_rss = column_of(header, "rss_growth_bytes");
    while (fgets(line, sizeof line, f) != NULL && c_trace >= 0 && c_alloc >= 0 && c_foot >= 0 && c_rss >= 0) {
        char a1[4096], a2[4096], a3[4096];
        memcpy(a1, line, sizeof a1), memcpy(a2, line, sizeof a2), memcpy(a3, line, sizeof a3);
        const char *trace = field(line, c_trace), *alloc = field(a1, c_alloc);
        uint64_t foot = strtoull(field(a2, c_foot), NULL, 10), rss = strtoull(field(a3, c_rss), NULL, 10);
        for (size_t p = 0; p < r->nprograms; p++)
            for (size_t a = 0; a < r->nallocators; a++)
                if (strcmp(r->programs[p], trace) == 0 && strcmp(r->allocators[a], alloc) == 0 &&
                    r->results[p][a].replay_footprint_bytes == 0) { /* the first repeat */
                    r->results[p][a].replay_footprint_bytes = foot;
                    r->results[p][a].replay_rss_growth_bytes = rss;
                }
    }
    fclose(f);
    return 0;
}

static void run_program(struct programs_run *r, size_t p, const char *inputs)
{
    char missing[64];
    if (!program_installed(r, r->programs[p], missing, sizeof missing)) {
        for (size_t a = 0; a < r->nallocators; a++)
            programs_text(r->results[p][a].status, sizeof r->results[p][a].status, "not installed: %s", missing);
        fprintf(stderr, "mems-bench programs: %s skipped: %s is not installed\n", r->programs[p], missing);
        return;
    }
    char reference[2 * PATH_MAX];
    for (size_t a = 0; a < r->nallocators; a++) {
        struct program_result *res = &r->results[p][a];
        char out[2 * PATH_MAX];
        programs_text(out, sizeof out, "%s/outputs/%s/%s", r->out_dir, r->programs[p], r->allocators[a]);
        if (a == 0)
            programs_text(reference, sizeof reference, "%s", out);
        int code = -1;
        res->output_identical = -1;
        if (make_dir(out) != 0 || run_checked(r, p, a, inputs, out, &res->peak_rss_bytes, &code) != 0 || code != 0) {
            programs_text(res->status, sizeof res->status, "failed: exit %d", code);
            fprintf(stderr, "mems-bench programs: %s on %s failed (exit %d)\n", r->programs[p], r->allocators[a], code);
            continue;
        }
        programs_text(res->status, sizeof res->status, "ok");
        res->output_identical = outputs_identical(r, p, reference, out);
    }
    time_program(r, p, inputs);
}

static int programs_run_all(struct programs_run *r, const char *alloc_list, const char *program_list)
{
    ssize_t len = readlink("/proc/self/exe", r->self, sizeof r->self - 1);
    if (len <= 0)
        return 1;
    r->self[len] = '\0';
    programs_text(r->source_dir, sizeof r->source_dir, "%s", MEMS_SOURCE_DIR);
    if (find_malloc_library(r) != 0)
        fprintf(stderr, "mems-bench programs: libmems_malloc.so not found near %s; MeMS policies left out\n", r->self);
    if (resolve_allocators(r, alloc_list) != 0) {
        fprintf(stderr, "mems-bench programs: no allocator to hold against glibc\n");
        return 2;
    }
    char copy[1024];
    programs_text(copy, sizeof copy, "%s", program_list);
    for (char *save = NULL, *name = strtok_r(copy, ",", &save); name != NULL && r->nprograms < PROGRAMS_MAX;
         name = strtok_r(NULL, ",", &save))
        programs_text(r->programs[r->nprograms++], sizeof r->programs[0], "%s", name);
    char inputs[PATH_MAX + 16], command[2 * PATH_MAX + 64];
    programs_text(inputs, sizeof inputs, "%s/inputs", r->out_dir);
    programs_text(command, sizeof command, "bash '%s/traces/programs.sh' inputs '%s'", r->source_dir, inputs);
    if (make_dir(r->out_dir) != 0 || system(command) != 0) {
        fprintf(stderr, "mems-bench programs: cannot make the inputs in %s (python3 needed)\n", inputs);
        return 1;
    }
    for (size_t p = 0; p < r->nprograms; p++) {
        fprintf(stderr, "mems-bench programs: %s on %zu allocators\n", r->programs[p], r->nallocators);
        run_program(r, p, inputs);
    }
    if (r->replay && replay_traces(r) != 0)
        fprintf(stderr, "mems-bench programs: the replays of the traces failed (see %s/replay.log)\n", r->out_dir);
    /* scratch, the replay's bulk and outputs that matched glibc's go; a differing output stays to be looked at */
    bool all_identical = true;
    for (size_t p = 0; p < r->nprograms; p++)
        for (size_t a = 0; a < r->nallocators; a++)
            all_identical &= r->results[p][a].output_identical != 0;
    programs_text(command, sizeof command, "rm -rf '%s/timed' '%s/inputs' '%s/replay/bin' '%s/replay/timeseries' %s%s%s",
         r->out_dir, r->out_dir, r->out_dir, r->out_dir, all_identical ? "'" : "", all_identical ? r->out_dir : "",
         all_identical ? "/outputs'" : "");
    if (system(command) != 0)
        fprintf(stderr, "mems-bench programs: cannot remove the scratch folders of %s\n", r->out_dir);
    int rc = programs_write_csv(r) | programs_write_markdown(r);
    if (r->plots)
        rc |= programs_draw_figures(r);
    return rc != 0;
}

/* The folder is made absolute: each program runs inside its own output
 * folder (traces/programs.sh cds there), where a relative path to the inputs
 * would name nothing. */
static struct programs_run *new_run(const char *out_dir, bool quick, bool plots)
{
    struct programs_run *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    char cwd[PATH_MAX];
    int n = out_dir[0] == '/'                 ? programs_text(r->out_dir, sizeof r->out_dir, "%s", out_dir)
            : getcwd(cwd, sizeof cwd) != NULL ? programs_text(r->out_dir, sizeof r->out_dir, "%s/%s", cwd, out_dir)
                                              : -1;
    if (n < 0 || (size_t)n >= sizeof r->out_dir) {
        fprintf(stderr, "mems-bench programs: cannot make %s an absolute path\n", out_dir);
        free(r);
        return NULL;
    }
    r->quick = quick, r->plots = plots, r->replay = true;
    r->runs = quick ? 3 : 10;
    r->warmup = 1;
    return r;
}

/* The names traces/programs.sh knows, NULL-ended, in `storage`. */
static int known_programs(const char *source_dir, char *storage, size_t size, const char **names, size_t max)
{
    char command[PATH_MAX + 64];
    programs_text(command, sizeof command, "bash '%s/traces/programs.sh' list", source_dir);
    FILE *list = popen(command, "r");
    if (list == NULL)
        return -1;
    size_t used = 0, n = 0;
    while (n + 1 < max && used + 64 < size && fgets(storage + used, 64, list) != NULL) {
        storage[used + strcspn(storage + used, "\n")] = '\0';
        names[n++] = storage + used;
        used += strlen(storage + used) + 1;
    }
    names[n] = NULL;
    return pclose(list) == 0 && n > 0 ? 0 : -1;
}

/* Every program traces/programs.sh knows, comma-separated ("" when it cannot list them: the check says so). */
static char *default_programs(char *out, size_t size)
{
    char storage[2048];
    const char *known[64];
    out[0] = '\0';
    if (known_programs(MEMS_SOURCE_DIR, storage, sizeof storage, known, 64) != 0)
        return out;
    for (size_t i = 0, n = 0; known[i] != NULL && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%s", i ? "," : "", known[i]);
    return out;
}

int programs_for_suite(const char *run_dir, bool quick, bool plots)
{
    char dir[PATH_MAX], list[1024];
    programs_text(dir, sizeof dir, "%s/programs", run_dir);
    struct programs_run *r = new_run(dir, quick, plots);
    if (r == NULL)
        return 1;
    programs_text(r->link_prefix, sizeof r->link_prefix, "programs/");
    r->runs = quick ? 3 : 5;
    char allocators[256];
    int rc = programs_run_all(r, default_allocators(allocators, sizeof allocators),
                              default_programs(list, sizeof list));
    free(r);
    return rc;
}

/* Every name of --programs and --alloc known, installed and given once, before anything runs
 * (`alloc_flag` NULL: the default allocators, those not installed left out later, with a note). */
static int check_lists(const char *programs, const char *programs_flag, const char *alloc, const char *alloc_flag)
{
    struct cli_list list;
    char storage[2048];
    const char *known[64];
    if (known_programs(MEMS_SOURCE_DIR, storage, sizeof storage, known, 64) != 0) {
        fprintf(stderr, "mems-bench programs: cannot list the programs of %s/traces/programs.sh\n", MEMS_SOURCE_DIR);
        return -1;
    }
    if (cli_split("mems-bench programs", programs_flag, programs, &list) != 0 ||
        cli_list_known("mems-bench programs", programs_flag, &list, known) != 0)
        return -1;
    if (list.count > PROGRAMS_MAX) {
        fprintf(stderr, "mems-bench programs: %s: at most %d programs\n", programs_flag, PROGRAMS_MAX);
        return -1;
    }
    if (alloc_flag == NULL)
        return 0;
    if (cli_split("mems-bench programs", alloc_flag, alloc, &list) != 0)
        return -1;
    if (list.count + 1 > PROGRAMS_MAX_ALLOCATORS) {
        fprintf(stderr, "mems-bench programs: %s: at most %d allocators\n", alloc_flag, PROGRAMS_MAX_ALLOCATORS - 1);
        return -1;
    }
    for (size_t i = 0; i < list.count; i++) {
        struct backend b;
        char why[512];
        if (backend_resolve(list.item[i], &b, why, sizeof why) != 0) {
            fprintf(stderr, "mems-bench programs: %s: %s\n", alloc_flag, why);
            return -1;
        }
        if (b.kind == BACKEND_BUMP) {
            fprintf(stderr, "mems-bench programs: %s: bump is a replay backend, not a malloc a program can use\n",
                    alloc_flag);
            return -1;
        }
    }
    return 0;
}

static const struct cli_option programs_options[] = {
    {'q', 'q', "quick", NULL, "3 hyperfine runs per allocator instead of 10"},
    {'o', 'o', "out", "DIR", "the run folder (default results/programs)"},
    {'r', 'r', "runs", "N", "hyperfine runs per program and allocator, 2 to 1000 (default 10; 3 with --quick)"},
    {'p', 'p', "programs", "LIST", "comma-separated, each once, of those 'traces/programs.sh list' names\n"
                                   "(default: all of them); a program whose executable is not installed is\n"
                                   "skipped with a note"},
    {'a', 'a', "alloc", "LIST", "the allocators beside glibc (always first, the reference), as replay's\n"
                                "--alloc but without bump, each once (default: the MeMS policies,\n"
                                "jemalloc, mimalloc, tcmalloc, each left out with a note when not installed)"},
    {'P', 0, "no-plots", NULL, "no figures (gnuplot is not needed then)"},
    {'R', 0, "no-replay", NULL, "no replay of the programs' recorded traces beside the real runs"},
    {0},
};
static const struct cli_command programs_command = {
    "mems-bench programs", "[OPTIONS]",
    "The corpus's real programs (traces/programs.sh) run on each allocator, the MeMS policies through\n"
    "libmems_malloc.so: wall time by hyperfine, peak RSS, each output compared byte for byte with glibc's,\n"
    "and what the replay of the program's trace predicted. Writes programs.csv, programs.md and figures.",
    programs_options, NULL, false};

int programs_main(int argc, char **argv)
{
    char allocators[256];
    const char *out = "results/programs", *alloc = default_allocators(allocators, sizeof allocators);
    const char *alloc_flag = NULL;
    const char *programs_flag = "--programs";
    char list[1024];
    const char *programs = default_programs(list, sizeof list);
    bool quick = false, plots = true, replay = true;
    long long runs = 0;
    struct cli_parser p;
    cli_start(&p, &programs_command, argc, argv);
    for (int id; (id = cli_next(&p)) != CLI_DONE;)
        switch (id) {
        case 'q': quick = true; break;
        case 'o': out = p.value; break;
        case 'p': programs = p.value, programs_flag = p.flag; break;
        case 'a': alloc = p.value, alloc_flag = p.flag; break;
        case 'P': plots = false; break;
        case 'R': replay = false; break;
        case 'r':
            if (cli_count(&p, 2, 1000, &runs) != 0)
                return 2;
            break;
        default: return cli_status(id);
        }
    if (cli_operands(&p, 0, 0, "") != 0 || check_lists(programs, programs_flag, alloc, alloc_flag) != 0)
        return 2;
    if (plots && !gnuplot_ready("programs"))
        return 2;
    struct programs_run *r = new_run(out, quick, plots);
    if (r == NULL)
        return 1;
    r->replay = replay;
    if (runs != 0)
        r->runs = (int)runs;
    int rc = programs_run_all(r, alloc, programs);
    if (rc == 0)
        printf("%s/programs.md\n", out);
    free(r);
    return rc;
}
