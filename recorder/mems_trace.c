/* mems-trace: record, inspect, convert and generate allocation traces. */
#include "mems_trace.h"

#include <string.h>

static void usage(FILE *to)
{
    fprintf(to, "usage: mems-trace record [-o DIR] [--plain] -- COMMAND [ARGS...]\n"
                "       mems-trace stat TRACE\n"
                "       mems-trace convert TRACE OUTPUT   (by name: .bin, .rep, .mtrace, else native; .gz compresses)\n"
                "       mems-trace gen KIND --seed S -o OUTPUT [--ops N] [--sizes uniform|exponential|powerlaw] ...\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *command = argv[1];
    if (strcmp(command, "record") == 0)
        return record_main(argc - 1, argv + 1);
    if (strcmp(command, "gen") == 0)
        return generate_main(argc - 2, argv + 2);
    if (strcmp(command, "stat") == 0 || strcmp(command, "convert") == 0) {
        if ((command[0] == 's' && argc != 3) || (command[0] == 'c' && argc != 4)) {
            usage(stderr);
            return 2;
        }
        struct trace t;
        struct trace_error error;
        if (trace_load(argv[2], &t, &error) != 0) {
            fprintf(stderr, "%s\n", error.message);
            return 1;
        }
        int rc = command[0] == 's' ? trace_stat(&t, stdout) : trace_write_by_name(&t, argv[3], &error);
        if (rc != 0)
            fprintf(stderr, "%s\n", command[0] == 's' ? "mems-trace stat: out of memory" : error.message);
        trace_free(&t);
        return rc != 0;
    }
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "mems-trace: unknown command '%s'\n", command);
    usage(stderr);
    return 2;
}
