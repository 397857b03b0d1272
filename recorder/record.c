/*
 * mems-trace record: runs a program with libmems_record.so preloaded (the
 * library beside this executable), then validates every trace the program and
 * its children wrote and compresses it.
 */
#include "mems_trace.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_TRACES 4096

static int list_traces(const char *dir, char names[][256], int max)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < max) {
        size_t len = strlen(e->d_name);
        if (len > 6 && strcmp(e->d_name + len - 6, ".trace") == 0 && len < 256)
            snprintf(names[n++], 256, "%s", e->d_name);
    }
    closedir(d);
    return n;
}

static bool listed(char names[][256], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* Copies the text into NAME.gz byte for byte (comments included). */
static int compress_file(const char *path, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s.gz", path);
    FILE *in = fopen(path, "rb");
    gzFile z = gzopen(out, "wb6");
    if (in == NULL || z == NULL) {
        if (in)
            fclose(in);
        if (z)
            gzclose(z);
        return -1;
    }
    char chunk[1 << 16];
    size_t n;
    int ok = 1;
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
        ok &= gzwrite(z, chunk, (unsigned)n) == (int)n;
    fclose(in);
    ok &= gzclose(z) == Z_OK;
    return ok ? 0 : -1;
}

static int preload_path(char *out, size_t size)
{
    char self[PATH_MAX - 64];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return -1;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    *slash = '\0';
    snprintf(out, size, "%s/libmems_record.so", self);
    if (access(out, R_OK) == 0)
        return 0;
    snprintf(out, size, "%s/%s/libmems_record.so", self, MEMS_TRACE_LIBDIR); /* installed */
    return access(out, R_OK);
}

int record_main(int argc, char **argv)
{
    const char *dir = "recorded";
    bool plain = false;
    static const struct option options[] = {
        {"out", required_argument, NULL, 'o'}, {"plain", no_argument, NULL, 'p'}, {NULL, 0, NULL, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+o:", options, NULL)) != -1) {
        if (c == 'o')
            dir = optarg;
        else if (c == 'p')
            plain = true;
        else
            return 2;
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: mems-trace record [-o DIR] [--plain] -- COMMAND [ARGS...]\n");
        return 2;
    }
    char library[PATH_MAX], absolute_dir[PATH_MAX];
    if (preload_path(library, sizeof library) != 0) {
        fprintf(stderr, "mems-trace: cannot find libmems_record.so beside the mems-trace executable or in %s\n",
                MEMS_TRACE_LIBDIR);
        return 1;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "mems-trace: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    if (realpath(dir, absolute_dir) == NULL) {
        fprintf(stderr, "mems-trace: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    static char before[MAX_TRACES][256];
    int nbefore = list_traces(absolute_dir, before, MAX_TRACES);

    pid_t pid = fork();
    if (pid < 0) {
        perror("mems-trace: fork");
        return 1;
    }
    if (pid == 0) {
        const char *old = getenv("LD_PRELOAD");
        char preload[PATH_MAX * 2];
        snprintf(preload, sizeof preload, "%s%s%s", library, old && *old ? ":" : "", old ? old : "");
        setenv("LD_PRELOAD", preload, 1);
        setenv("MEMS_TRACE_DIR", absolute_dir, 1);
        execvp(argv[optind], argv + optind);
        fprintf(stderr, "mems-trace: cannot run %s: %s\n", argv[optind], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    int program_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

    static char after[MAX_TRACES][256];
    int nafter = list_traces(absolute_dir, after, MAX_TRACES), bad = 0, written = 0;
    for (int i = 0; i < nafter; i++) {
        if (listed(before, nbefore, after[i]))
            continue;
        char path[PATH_MAX + 300], packed[PATH_MAX + 320];
        size_t dir_length = strlen(absolute_dir), name_length = strlen(after[i]);
        if (dir_length + name_length + 2 > sizeof path)
            continue;
        memcpy(path, absolute_dir, dir_length);
        path[dir_length] = '/';
        memcpy(path + dir_length + 1, after[i], name_length + 1);
        struct trace t;
        struct trace_error error;
        if (trace_load(path, &t, &error) != 0) {
            fprintf(stderr, "mems-trace: the recorded trace is not valid: %s\n", error.message);
            bad = 1;
            continue;
        }
        const char *shown = path;
        if (!plain) {
            if (compress_file(path, packed, sizeof packed) != 0) {
                fprintf(stderr, "mems-trace: cannot compress %s\n", path);
                bad = 1;
            } else {
                unlink(path);
                shown = packed;
            }
        }
        fprintf(stderr, "mems-trace: %s: %zu ops, %ju threads, peak live %ju bytes\n", shown, t.num_ops,
                (uintmax_t)t.facts.threads, (uintmax_t)t.facts.peak_live_bytes);
        written++;
        trace_free(&t);
    }
    if (written == 0)
        fprintf(stderr, "mems-trace: no trace was written (is %s dynamically linked?)\n", argv[optind]);
    if (program_status != 0)
        fprintf(stderr, "mems-trace: %s exited with status %d\n", argv[optind], program_status);
    return bad ? 1 : program_status;
}
