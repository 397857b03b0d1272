/*
 * mems-trace record: runs a program with libmems_record.so preloaded (the
 * library beside this executable), then validates every trace the program and
 * its children wrote and compresses it.
 */
#include "mems_trace.h"

#include "cli.h"

#include <dirent.h>
#include <errno.h>
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

static const struct cli_option record_options[] = {
    {'o', 'o', "out", "DIR", "the folder the traces go into, made if missing (default ./recorded)"},
    {'p', 0, "plain", NULL, "leave the traces as text instead of compressing them (NAME.trace.gz)"},
    {0},
};
static const struct cli_command record_command = {
    "mems-trace record", "[OPTIONS] [--] COMMAND [ARGS...]",
    "Runs COMMAND with libmems_record.so preloaded: each process it starts (exec'd and forked children\n"
    "too) writes DIR/PROGRAM-PID.trace, every malloc, calloc, realloc, free and aligned allocation in\n"
    "order. Then each new trace is validated, compressed and summed up on stderr. Exits with COMMAND's\n"
    "status (128 + N when signal N killed it), or 1 when a trace is not valid. The program must be\n"
    "dynamically linked.",
    record_options, NULL, true};

int record_main(int argc, char **argv)
{
    const char *dir = "recorded";
    bool plain = false;
    struct cli_parser p;
    cli_start(&p, &record_command, argc, argv);
    for (int id; (id = cli_next(&p)) != CLI_DONE;)
        switch (id) {
        case 'o': dir = p.value; break;
        case 'p': plain = true; break;
        default: return cli_status(id);
        }
    if (cli_operands(&p, 1, -1, "no command to record given") != 0)
        return 2;
    char **command = p.operand;
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
        execvp(command[0], command);
        fprintf(stderr, "mems-trace: cannot run %s: %s\n", command[0], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    int program_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    int signal_number = WIFSIGNALED(status) ? WTERMSIG(status) : 0;

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
            if (signal_number != 0) /* the program had no chance to write its buffered events */
                fprintf(stderr, "mems-trace: %s is incomplete: %s was killed (signal %d, %s) before it wrote it\n",
                        path, command[0], signal_number, strsignal(signal_number));
            else
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
        fprintf(stderr, "mems-trace: %s: %zu ops, %ju threads, peak live %ju bytes%s\n", shown, t.num_ops,
                (uintmax_t)t.facts.threads, (uintmax_t)t.facts.peak_live_bytes,
                signal_number != 0 ? " (up to the last events written before the signal)" : "");
        written++;
        trace_free(&t);
    }
    if (signal_number != 0)
        fprintf(stderr, "mems-trace: %s was killed by signal %d (%s)\n", command[0], signal_number,
                strsignal(signal_number));
    else if (written == 0 && bad == 0 && program_status != 127) /* 127: it could not even start */
        fprintf(stderr, "mems-trace: no trace was written (is %s dynamically linked?)\n", command[0]);
    if (program_status != 0 && signal_number == 0)
        fprintf(stderr, "mems-trace: %s exited with status %d\n", command[0], program_status);
    return bad && signal_number == 0 ? 1 : program_status;
}
