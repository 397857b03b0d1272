/*
 * What an anonymous private mmap costs, read from /proc/self/status: the
 * virtual size (VmSize) grows at the mmap, the resident size (VmRSS) only when
 * pages are first written.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define REGION_BYTES (64u * 1024 * 1024)

static long status_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    char line[256];
    long value = -1;
    size_t len = strlen(field);
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, len) == 0 && line[len] == ':') {
            sscanf(line + len + 1, "%ld", &value);
            break;
        }
    fclose(f);
    return value;
}

struct reading {
    long vsz, rss;
};

static struct reading show(const char *when)
{
    struct reading r = {status_kib("VmSize"), status_kib("VmRSS")};
    printf("%-28s VSZ %8ld KiB   RSS %8ld KiB\n", when, r.vsz, r.rss);
    return r;
}

int main(void)
{
    struct reading before = show("before mmap");
    unsigned char *p = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    struct reading mapped = show("after mmap of 64 MiB");
    printf("  VSZ grew by the mapping: the kernel reserved address space, but no page is resident yet.\n");
    memset(p, 0xA5, REGION_BYTES);
    struct reading written = show("after writing all of it");
    printf("  RSS grew too: each first write faulted a zeroed physical page in.\n");
    munmap(p, REGION_BYTES);
    struct reading unmapped = show("after munmap");
    printf("  Both fell back: munmap returned the address range and its pages.\n");
    /* exit 1 if the kernel did not behave as the sentences above say */
    const long region_kib = REGION_BYTES / 1024;
    int as_said = mapped.vsz - before.vsz >= region_kib && mapped.rss - before.rss < region_kib / 4 &&
                  written.rss - mapped.rss >= region_kib * 3 / 4 && written.vsz - unmapped.vsz >= region_kib &&
                  written.rss - unmapped.rss >= region_kib * 3 / 4;
    return as_said ? 0 : 1;
}
