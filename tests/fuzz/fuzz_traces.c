/*
 * Fuzzing every trace reader: the input is written to a file and loaded
 * (format detection, native text, .rep, mtrace, heaptrack; gzip and zstd;
 * the binary form). It must load or be refused with a "file:line:" or
 * "file:" message; never crash, hang or leak (the sanitizers watch). A loaded trace must also
 * survive being written back in every format and read again.
 */
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64], out[80];
    if (path[0] == '\0') {
        snprintf(path, sizeof path, "/tmp/fuzz-trace-%d.in", (int)getpid());
        snprintf(out, sizeof out, "/tmp/fuzz-trace-%d.out", (int)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    struct trace t;
    struct trace_error error;
    memset(&error, 0, sizeof error);
    if (trace_load(path, &t, &error) != 0) {
        if (strncmp(error.message, path, strlen(path)) != 0) {
            fprintf(stderr, "fuzz_traces: an error that does not name the file: %s\n", error.message);
            abort();
        }
        return 0;
    }
    /* what loads must also write and read back with the same facts */
    static const char *const suffixes[] = {".trace", ".rep", ".mtrace", ".bin"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s%s", out, suffixes[i]);
        struct trace back;
        if (trace_write_by_name(&t, name, &error) != 0)
            continue;
        if (trace_load(name, &back, &error) != 0) {
            fprintf(stderr, "fuzz_traces: a written trace does not read back: %s\n", error.message);
            abort();
        }
        if (back.facts.peak_live_bytes != t.facts.peak_live_bytes) {
            fprintf(stderr, "fuzz_traces: %s changed the peak live bytes\n", suffixes[i]);
            abort();
        }
        trace_free(&back);
        unlink(name);
    }
    trace_free(&t);
    return 0;
}
