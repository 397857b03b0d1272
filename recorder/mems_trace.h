/* mems-trace: record, inspect, convert and generate allocation traces. */
#ifndef MEMS_TRACE_TOOL_H
#define MEMS_TRACE_TOOL_H

#include "trace.h"
#include "trace_builder.h"

#include <stdio.h>

int trace_stat(const struct trace *trace, FILE *out);
/* mems-trace gen KIND [options]: argv[0] is "gen". */
int generate_main(int argc, char **argv);
/* mems-trace record [-o DIR] [--plain] -- COMMAND [ARGS...]: argv[0] is "record". */
int record_main(int argc, char **argv);

#endif
