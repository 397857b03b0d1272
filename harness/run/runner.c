/* Child processes: one per pass, so allocator state and peak RSS are its own. */
#include "runner.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

int runner_run(const char *self, enum replay_mode mode, const char *binary_path, const struct backend *backend,
               size_t mems_alignment, const char *series_path, const char *heapmap_path, struct pass_result *out)
{
    memset(out, 0, sizeof *out);
    char alignment[32];
    snprintf(alignment, sizeof alignment, "%zu", mems_alignment);
    char backend_spec[600];
    if (backend->preload[0] != '\0')
        snprintf(backend_spec, sizeof backend_spec, "%s=%s", backend->name, backend->preload);
    else
        snprintf(backend_spec, sizeof backend_spec, "%s", backend->name);
    char *argv[] = {(char *)self,         "--child",       (char *)replay_mode_name(mode),
                    (char *)binary_path,  backend_spec,    alignment,
                    (char *)(series_path ? series_path : "-"), (char *)(heapmap_path ? heapmap_path : "-"), NULL};
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
    int rc = posix_spawn(&pid, self, &actions, NULL, argv, env);
    posix_spawn_file_actions_destroy(&actions);
    free(env);
    close(pipe_fds[1]);
    if (rc != 0) {
        close(pipe_fds[0]);
        errno = rc;
        return -1;
    }
    size_t size = 0, capacity = 8192;
    char *text = malloc(capacity);
    ssize_t n;
    while (text != NULL && (n = read(pipe_fds[0], text + size, capacity - size - 1)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        size += (size_t)n;
        if (capacity - size < 1024) {
            char *grown = realloc(text, capacity * 2);
            if (grown == NULL)
                break;
            text = grown;
            capacity *= 2;
        }
    }
    close(pipe_fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    out->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    if (text != NULL) {
        text[size] = '\0';
        parse_output(text, out);
        free(text);
    }
    return 0;
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
