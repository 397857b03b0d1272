/* host.txt: the machine a run's replays ran on, its tools and allocators. */
#include "host.h"

#include "mems.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef MEMS_SOURCE_DIR
#define MEMS_SOURCE_DIR "."
#endif

static void command_output(const char *command, char *out, size_t size)
{
    out[0] = '\0';
    FILE *p = popen(command, "r");
    if (p == NULL)
        return;
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    pclose(p);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
        out[--n] = '\0';
}

int host_write(const char *dir, const struct backend *backends, size_t nbackends)
{
    char path[PATH_MAX + 32], text[1024];
    snprintf(path, sizeof path, "%s/host.txt", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    struct utsname u;
    uname(&u);
    command_output("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'", text, sizeof text);
    fprintf(f, "host: %s\n", u.nodename);
    fprintf(f, "cpu: %s\ncores: %ld\n", text[0] ? text : "unknown", sysconf(_SC_NPROCESSORS_ONLN));
    fprintf(f, "memory: %.1f GiB\n",
            (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024 * 1024));
    fprintf(f, "kernel: %s %s %s\n", u.sysname, u.release, u.machine);
    command_output("sed -n 's/^PRETTY_NAME=//p' /etc/os-release | tr -d '\"'", text, sizeof text);
    fprintf(f, "os: %s\n", text);
    fprintf(f, "compiler: %s\n", __VERSION__);
    snprintf(path, sizeof path, "git -C '%s' rev-parse HEAD 2>/dev/null", MEMS_SOURCE_DIR);
    command_output(path, text, sizeof text);
    fprintf(f, "git revision: %s\n", text[0] ? text : "unknown");
    /* the run's own output is not a change to the tree */
    snprintf(path, sizeof path, "git -C '%s' status --porcelain -- . ':!results' 2>/dev/null | head -1",
             MEMS_SOURCE_DIR);
    command_output(path, text, sizeof text);
    fprintf(f, "git tree: %s\n", text[0] ? "with uncommitted changes" : "clean");
    fprintf(f, "mems page size: %zu\n", mems_page_size());
    for (size_t a = 0; a < nbackends; a++) {
        const struct backend *b = &backends[a];
        if (b->kind == BACKEND_MEMS) {
            fprintf(f, "allocator %s: MeMS from this tree, policy %s\n", b->name, b->name + 5);
            continue;
        }
        if (b->kind == BACKEND_BUMP) {
            fprintf(f, "allocator %s: built into mems-bench, does no work (the replay's own cost)\n", b->name);
            continue;
        }
        char command[PATH_MAX * 2];
        if (b->preload[0] == '\0')
            snprintf(command, sizeof command, "dpkg-query -W -f='${Package} ${Version}' libc6 2>/dev/null");
        else
            snprintf(command, sizeof command,
                     "p=$(dpkg-query -S '%s' 2>/dev/null | head -1 | cut -d: -f1); "
                     "[ -n \"$p\" ] && dpkg-query -W -f='${Package} ${Version}' \"$p\"",
                     b->preload);
        command_output(command, text, sizeof text);
        fprintf(f, "allocator %s: %s%s%s\n", b->name, text[0] ? text : "version unknown",
                b->preload[0] ? ", preloaded from " : " (the system malloc)", b->preload);
    }
    command_output("hyperfine --version 2>/dev/null", text, sizeof text);
    fprintf(f, "hyperfine: %s\n", text[0] ? text : "not installed");
    command_output("gnuplot --version 2>/dev/null", text, sizeof text);
    fprintf(f, "gnuplot: %s\n", text[0] ? text : "not installed");
    return fclose(f);
}
