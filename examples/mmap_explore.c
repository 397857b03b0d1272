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

static void show(const char *when)
{
    printf("%-28s VSZ %8ld KiB   RSS %8ld KiB\n", when, status_kib("VmSize"), status_kib("VmRSS"));
}

int main(void)
{
    show("before mmap");
    unsigned char *p = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    show("after mmap of 64 MiB");
    printf("  VSZ grew by the mapping: the kernel reserved address space, but no page is resident yet.\n");
    memset(p, 0xA5, REGION_BYTES);
    show("after writing all of it");
    printf("  RSS grew too: each first write faulted a zeroed physical page in.\n");
    munmap(p, REGION_BYTES);
    show("after munmap");
    printf("  Both fell back: munmap returned the address range and its pages.\n");
    return 0;
}
