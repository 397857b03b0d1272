/* mems-trace: record, inspect, convert and generate allocation traces. */
#include "mems_trace.h"

#include "cli.h"

#include <string.h>

static void usage(FILE *to)
{
    fprintf(to, "usage: mems-trace COMMAND [OPTIONS] [ARGUMENTS]\n"
                "Records, inspects, converts and generates allocation traces. Commands:\n"
                "  record    run a program and record its allocations: mems-trace record [-o DIR] -- COMMAND...\n"
                "  stat      the facts of a trace: op counts, sizes, lifetimes\n"
                "  convert   write a trace in another format (by name: .bin, .rep, .mtrace, else native)\n"
                "  gen       generate a synthetic trace: mems-trace gen KIND --seed S -o OUTPUT\n"
                "'mems-trace COMMAND --help' describes a command and every option it takes.\n");
}

static const struct cli_option stat_options[] = {{0}};
static const struct cli_command stat_command = {
    "mems-trace stat", "TRACE",
    "Reads TRACE and prints its op counts, ids, threads, bytes\n"
    "requested, peak and final live bytes, and histograms of request sizes and lifetimes.",
    stat_options, TRACE_FORMATS_HELP, false};

static int stat_main(int argc, char **argv)
{
    struct cli_parser p;
    int status = cli_operands_only(&p, &stat_command, argc, argv, 1, 1, "no trace given");
    if (status != CLI_DONE)
        return status;
    struct trace t;
    if (trace_load_or_say(p.operand[0], &t) != 0)
        return 1;
    int rc = trace_stat(&t, stdout);
    if (rc != 0)
        fprintf(stderr, "mems-trace stat: out of memory\n");
    trace_free(&t);
    return rc != 0;
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
        return generate_main(argc - 1, argv + 1);
    if (strcmp(command, "stat") == 0)
        return stat_main(argc - 1, argv + 1);
    if (strcmp(command, "convert") == 0)
        return trace_convert_main("mems-trace convert", argc - 1, argv + 1);
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "mems-trace: unknown command '%s'\n", command);
    usage(stderr);
    return 2;
}
