/* Child processes: one per pass, so allocator state and peak RSS are its own. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "runner.h"

#include <errno.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The parent's environment without LD_PRELOAD, plus the backend's library. */
static char **child_environment(const struct backend *backend, char *preload_entry, size_t entry_size)
{
    size_t n = 0;
    while (environ[n] != NULL)
        n++;
    char **env = calloc(n + 2, sizeof *env);
    if (env == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
            env[k++] = environ[i];
    if (backend->preload[0] != '\0') {
        snprintf(preload_entry, entry_size, "LD_PRELOAD=%s", backend->preload);
        env[k++] = preload_entry;
    }
    env[k] = NULL;
    return env;
}

static void parse_output(char *text, struct pass_result *out)
{
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "latency ", 8) == 0) {
            if (out->nlatency == RESULT_MAX_LATENCY)
                continue;
            struct latency_row *l = &out->latency[out->nlatency];
            if (sscanf(line + 8, "%15s %llu %llu %llu %llu %llu", l->kind, &l->count, &l->p50, &l->p99, &l->p999,
                       &l->max) == 6)
                out->nlatency++;
            continue;
        }
        char *space = strchr(line, ' ');
        if (space == NULL || out->nfields == RESULT_MAX_FIELDS)
            continue;
        struct result_field *f = &out->fields[out->nfields++];
        snprintf(f->key, sizeof f->key, "%.*s", (int)(space - line), line);
        snprintf(f->value, sizeof f->value, "%s", space + 1);
    }
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Reads the child's output until it closes its end or `timeout` seconds from
 * `start` pass (then the child is killed). Returns the text, NUL-terminated,
 * or NULL. */
static char *read_until(int fd, pid_t pid, const struct timespec *start, double timeout, bool *timed_out)
{
    size_t size = 0, capacity = 8192;
    char *text = malloc(capacity);
    while (text != NULL) {
        double left = timeout - seconds_since(start);
        if (left <= 0) {
            *timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        struct pollfd p = {fd, POLLIN, 0};
        int ready = poll(&p, 1, left > 1e6 ? 1000000000 : (int)(left * 1000) + 1);
        if (ready < 0 && errno != EINTR)
            break;
        if (ready <= 0)
            continue;
        ssize_t n = read(fd, text + size, capacity - size - 1);
        if (n == 0 || (n < 0 && errno != EINTR))
            break;
        if (n < 0)
            continue;
        size += (size_t)n;
        if (capacity - size < 1024) {
            char *grown = realloc(text, capacity * 2);
            if (grown == NULL)
                break;
            text = grown;
            capacity *= 2;
        }
    }
    if (text != NULL)
        text[size] = '\0';
    return text;
}

/* Waits for the child, which may still hang after closing its output: killed
 * at the same deadline. */
static int wait_until(pid_t pid, const struct timespec *start, double timeout, bool *timed_out)
{
    int status = 255 << 8; /* as "exit 255" if the child cannot be waited for */
    for (long pause_ns = 100000;; pause_ns = pause_ns < 20000000 ? pause_ns * 2 : pause_ns) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR))
            return status;
        if (!*timed_out && seconds_since(start) > timeout) {
            *timed_out = true;
            kill(pid, SIGKILL);
        }
        struct timespec pause = {0, pause_ns};
        nanosleep(&pause, NULL);
    }
}

/* A child inherits its parent's CPU set, so the parent takes the pass's CPU
 * for the moment of the spawn and then its own set back: every pass of a run
 * on one CPU (--cpu), so that no allocator's passes land on a CPU that is
 * slower, or busier with other work, than another's. */
static int cpu_take(const struct run_limits *limits, cpu_set_t *own)
{
    if (!limits->pinned)
        return 0;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(limits->cpu, &one);
    return sched_getaffinity(0, sizeof *own, own) != 0 || sched_setaffinity(0, sizeof one, &one) != 0 ? errno : 0;
}

static void cpu_give_back(const struct run_limits *limits, const cpu_set_t *own)
{
    if (limits->pinned)
        sched_setaffinity(0, sizeof *own, own);
}

static int spawn_on_cpu(const struct run_limits *limits, pid_t *pid, const char *self,
                        const posix_spawn_file_actions_t *actions, char **argv, char **env)
{
    cpu_set_t own;
    int rc = cpu_take(limits, &own);
    if (rc != 0)
        return rc;
    rc = posix_spawn(pid, self, actions, NULL, argv, env);
    cpu_give_back(limits, &own);
    return rc;
}

int run_system(const struct run_limits *limits, const char *command)
{
    cpu_set_t own;
    if (cpu_take(limits, &own) != 0)
        return -1;
    int rc = system(command);
    cpu_give_back(limits, &own);
    return rc;
}

int runner_run(const char *self, const struct pass_request *request, const struct run_limits *limits,
               struct pass_result *out)
{
    memset(out, 0, sizeof *out);
    const struct backend *backend = request->backend;
    char alignment[32], mem_limit[32], steady_from[32];
    snprintf(alignment, sizeof alignment, "%zu", request->mems_alignment);
    snprintf(steady_from, sizeof steady_from, "%zu", request->steady_from);
    snprintf(mem_limit, sizeof mem_limit, "%ju", (uintmax_t)limits->mem_limit);
    char backend_spec[600];
    if (backend->preload[0] != '\0')
        snprintf(backend_spec, sizeof backend_spec, "%s=%s", backend->name, backend->preload);
    else
        snprintf(backend_spec, sizeof backend_spec, "%s", backend->name);
    char *argv[] = {(char *)self,
                    "--child",
                    (char *)replay_mode_name(request->mode),
                    (char *)request->binary_path,
                    backend_spec,
                    alignment,
                    (char *)(request->series_path ? request->series_path : "-"),
                    (char *)(request->heapmap_path ? request->heapmap_path : "-"),
                    mem_limit,
                    steady_from,
                    (char *)replay_threads_name(request->threads),
                    NULL};
    char preload_entry[600];
    char **env = child_environment(backend, preload_entry, sizeof preload_entry);
    int pipe_fds[2];
    if (env == NULL || pipe(pipe_fds) != 0) {
        free(env);
        return -1;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    pid_t pid;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int rc = spawn_on_cpu(limits, &pid, self, &actions, argv, env);
    posix_spawn_file_actions_destroy(&actions);
    free(env);
    close(pipe_fds[1]);
    if (rc != 0) {
        close(pipe_fds[0]);
        errno = rc;
        return -1;
    }
    double timeout = limits->timeout > 0 ? limits->timeout : run_default_timeout(request->num_ops);
    char *text = read_until(pipe_fds[0], pid, &start, timeout, &out->timed_out);
    close(pipe_fds[0]);
    int status = wait_until(pid, &start, timeout, &out->timed_out);
    out->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    if (text != NULL) {
        parse_output(text, out);
        free(text);
    }
    return 0;
}

bool pass_failed(const struct pass_result *p)
{
    return p->timed_out || p->exit_status < 0 || p->exit_status > 1;
}

void pass_status(const struct pass_result *p, char *out, size_t size)
{
    if (p->timed_out)
        snprintf(out, size, "timeout");
    else if (p->exit_status < 0)
        snprintf(out, size, "signal %d", -p->exit_status);
    else if (p->exit_status > 1)
        snprintf(out, size, "exit %d", p->exit_status);
    else
        snprintf(out, size, "0");
}

int runner_replay(const char *self, const struct replay_request *request, const struct run_limits *limits,
                  struct replay_result *out)
{
    memset(out, 0, sizeof *out);
    struct pass_request pass = {MODE_CHECK,           request->binary_path,  request->num_ops,
                                request->backend,     request->mems_alignment, request->series_path,
                                request->heapmap_path, 0,
                                request->threads};
    if (runner_run(self, &pass, limits, &out->check) != 0)
        return -1;
    if (pass_failed(&out->check)) /* the other passes would fail alike: not run */
        return 0;
    pass.mode = MODE_TIMED;
    pass.series_path = pass.heapmap_path = NULL;
    if (runner_run(self, &pass, limits, &out->timed) != 0)
        return -1;
    if (pass_failed(&out->timed))
        return 0;
    pass.mode = MODE_LATENCY;
    pass.series_path = request->cdf_path;
    return runner_run(self, &pass, limits, &out->latency);
}

const struct pass_result *replay_failure(const struct replay_result *r, const char **pass)
{
    const struct pass_result *passes[] = {&r->check, &r->timed, &r->latency};
    for (int m = MODE_CHECK; m <= MODE_LATENCY; m++)
        if (pass_failed(passes[m])) {
            *pass = replay_mode_name((enum replay_mode)m);
            return passes[m];
        }
    *pass = "";
    return NULL;
}

double run_default_timeout(size_t num_ops)
{
    return RUN_TIMEOUT_BASE_SECONDS + RUN_TIMEOUT_PER_OP_SECONDS * (double)num_ops;
}

const char *result_get(const struct pass_result *r, const char *key)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (strcmp(r->fields[i].key, key) == 0)
            return r->fields[i].value;
    return NULL;
}

double result_number(const struct pass_result *r, const char *key)
{
    const char *v = result_get(r, key);
    return v != NULL ? strtod(v, NULL) : 0;
}
