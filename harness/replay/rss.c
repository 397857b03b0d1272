/* What the kernel says the replay process holds: its resident set now, and
 * its peak since the replay started. Plain read(2) of /proc: no stdio, so no
 * allocation during a replay. */
#include "replay_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Reads a small /proc file into `text` (NUL-terminated); false on failure. */
static bool read_proc_file(const char *path, char *text, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, text, size - 1);
    close(fd);
    if (n <= 0)
        return false;
    text[n] = '\0';
    return true;
}

uint64_t rss_bytes(void)
{
    char text[128];
    if (!read_proc_file("/proc/self/statm", text, sizeof text))
        return 0;
    unsigned long long size, resident;
    if (sscanf(text, "%llu %llu", &size, &resident) != 2)
        return 0;
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* getrusage's ru_maxrss survives execve (it would report the parent's peak),
 * so the peak comes from the mm's own high-water mark, VmHWM, reset to the
 * current RSS when the replay starts (clear_refs 5, Linux >= 4.0). */
void reset_peak_rss(void)
{
    int fd = open("/proc/self/clear_refs", O_WRONLY);
    if (fd >= 0) {
        ssize_t ignored = write(fd, "5", 1);
        (void)ignored;
        close(fd);
    }
}

uint64_t peak_rss_bytes(void)
{
    char text[4096];
    if (!read_proc_file("/proc/self/status", text, sizeof text))
        return 0;
    const char *line = strstr(text, "\nVmHWM:");
    unsigned long long kib;
    if (line == NULL || sscanf(line + 7, "%llu", &kib) != 1)
        return 0;
    return (uint64_t)kib * 1024;
}
