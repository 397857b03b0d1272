/*
 * convert (mems-bench convert, mems-trace convert): a trace into another
 * format, saying on stderr what the target format cannot hold and how many
 * ops were changed or dropped on the way, so a lossy conversion is never
 * taken for a faithful one.
 */
#include "trace.h"

#include "cli.h"

#include <stdio.h>
#include <string.h>

/* What writing `t` in `format` changes, op by op (trace_write.c's writers). */
struct losses {
    uint64_t calloc_as_malloc, aligned_as_malloc, realloc_null_as_malloc, realloc_zero_as_free, free_null_dropped;
    uint64_t thread_tags_dropped;
};

static void count_losses(const struct trace *t, enum trace_format format, struct losses *l)
{
    memset(l, 0, sizeof *l);
    if (format != FORMAT_REP && format != FORMAT_MTRACE)
        return; /* native and binary hold every op as it is */
    for (size_t i = 0; i < t->num_ops; i++) {
        const struct trace_op *op = &t->ops[i];
        bool null = (op->flags & OP_FLAG_NULL) != 0;
        l->thread_tags_dropped += op->thread != 0;
        l->calloc_as_malloc += op->kind == OP_CALLOC;
        l->aligned_as_malloc += op->kind == OP_ALIGNED;
        if (format == FORMAT_MTRACE) {
            l->realloc_null_as_malloc += op->kind == OP_REALLOC && null;
            l->realloc_zero_as_free += op->kind == OP_REALLOC && !null && op->size == 0;
            l->free_null_dropped += op->kind == OP_FREE && null;
        }
    }
}

static void say_loss(const char *command, uint64_t count, const char *what)
{
    if (count > 0)
        fprintf(stderr, "%s:   %ju %s\n", command, (uintmax_t)count, what);
}

static void report_losses(const char *command, const struct trace *t, const char *output, enum trace_format format)
{
    struct losses l;
    count_losses(t, format, &l);
    uint64_t changed = l.calloc_as_malloc + l.aligned_as_malloc + l.realloc_null_as_malloc + l.realloc_zero_as_free;
    if (changed + l.free_null_dropped + l.thread_tags_dropped == 0)
        return;
    fprintf(stderr, "%s: %s: the %s format cannot hold %s; of %zu ops:\n", command, output, trace_format_name(format),
            format == FORMAT_REP ? "calloc, aligned allocations or threads"
                                 : "calloc, aligned allocations, realloc(NULL, n), realloc(p, 0), free(NULL) or threads",
            t->num_ops);
    say_loss(command, l.calloc_as_malloc, "callocs written as mallocs of as many bytes (not zeroed)");
    say_loss(command, l.aligned_as_malloc, "aligned allocations written as mallocs (their alignment lost)");
    say_loss(command, l.realloc_null_as_malloc, "realloc(NULL, n) written as mallocs");
    say_loss(command, l.realloc_zero_as_free, "realloc(p, 0) written as frees");
    say_loss(command, l.free_null_dropped, "free(NULL) dropped");
    say_loss(command, l.thread_tags_dropped, "ops of threads other than the first written as the first thread's");
    fprintf(stderr, "%s: %ju ops changed kind, %ju dropped, %ju lost their thread\n", command, (uintmax_t)changed,
            (uintmax_t)l.free_null_dropped, (uintmax_t)l.thread_tags_dropped);
}

static const struct cli_option convert_options[] = {{0}};

int trace_convert_main(const char *command, int argc, char **argv)
{
    const struct cli_command help = {
        command, "TRACE OUTPUT",
        "Reads TRACE and writes it to OUTPUT in the format its name says:\n"
        ".bin the binary form, .rep CS:APP's, .mtrace glibc mtrace's, anything else the native text\n"
        "(traces/FORMAT.md); a final .gz compresses. What the target format cannot hold (calloc,\n"
        "aligned allocations, threads in .rep and mtrace) is said on stderr with the number of ops\n"
        "changed or dropped.",
        convert_options, TRACE_FORMATS_HELP, false};
    struct cli_parser p;
    int status = cli_operands_only(&p, &help, argc, argv, 2, 2, "needs a trace and an output file");
    if (status != CLI_DONE)
        return status;
    struct trace t;
    struct trace_error error;
    if (trace_load_or_say(p.operand[0], &t) != 0)
        return 1;
    int rc = trace_write_by_name(&t, p.operand[1], &error);
    if (rc != 0)
        fprintf(stderr, "%s\n", error.message);
    else
        report_losses(command, &t, p.operand[1], trace_format_by_name(p.operand[1]));
    trace_free(&t);
    return rc != 0;
}
