/* The bounds of a run's passes as the user gives them: a memory budget, a
 * time limit per pass, the CPU they run on. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "runner.h"

#include <sched.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* MemAvailable of /proc/meminfo in bytes, 0 when unknown. */
static uint64_t memory_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (f == NULL)
        return 0;
    char line[256];
    unsigned long long kib = 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
            break;
    fclose(f);
    return (uint64_t)kib * 1024;
}

static int parse_memory(const char *text, uint64_t *bytes)
{
    if (strcmp(text, "none") == 0) {
        *bytes = 0;
        return 0;
    }
    char *end;
    double value = strtod(text, &end);
    if (end == text || value < 0 || !isdigit((unsigned char)text[0]))
        return -1;
    double scale = 1;
    if (strcmp(end, "%") == 0) {
        if (value <= 0 || value > 100)
            return -1;
        scale = (double)memory_available() / 100;
        if (scale == 0)
            return -1;
    } else if (*end != '\0') {
        static const char units[] = "KMGT";
        const char *unit = strchr(units, toupper((unsigned char)*end));
        if (unit == NULL || (end[1] != '\0' && strcasecmp(end + 1, "iB") != 0 && strcasecmp(end + 1, "B") != 0))
            return -1;
        for (const char *u = units; u <= unit; u++)
            scale *= 1024;
    }
    if (value * scale >= 18e18)
        return -1;
    *bytes = (uint64_t)(value * scale);
    return *bytes == 0 ? -1 : 0; /* "none" is the way to say no budget */
}

uint64_t limits_default_memory(void)
{
    return memory_available() / 100 * LIMITS_DEFAULT_MEMORY_PERCENT;
}

static int parse_timeout(const char *text, double *seconds)
{
    char *end;
    *seconds = strtod(text, &end);
    return end != text && *end == '\0' && *seconds > 0 && *seconds <= 1e7 ? 0 : -1;
}

/* A CPU outside the process's own set would make every pass fail to start:
 * refused here, with the reason, instead. */
static int parse_cpu(const char *text, bool *pinned, int *cpu)
{
    if (strcmp(text, "none") == 0) {
        *pinned = false;
        return 0;
    }
    char *end;
    long value = strtol(text, &end, 10);
    cpu_set_t allowed;
    if (end == text || *end != '\0' || value < 0 || value >= CPU_SETSIZE ||
        sched_getaffinity(0, sizeof allowed, &allowed) != 0 || !CPU_ISSET((int)value, &allowed))
        return -1;
    *pinned = true;
    *cpu = (int)value;
    return 0;
}

int limits_take_option(const struct cli_parser *p, int id, struct run_limits *limits)
{
    switch (id) {
    case 'M':
        if (parse_memory(p->value, &limits->mem_limit) == 0)
            return 0;
        return cli_refuse(p, "%s takes bytes above 0 (512M, 4G), a share (50%%) or none, not '%s'", p->flag,
                          p->value);
    case 'T':
        if (parse_timeout(p->value, &limits->timeout) == 0)
            return 0;
        return cli_refuse(p, "%s takes a number of seconds above 0, not '%s'", p->flag, p->value);
    case 'C':
        if (parse_cpu(p->value, &limits->pinned, &limits->cpu) == 0)
            return 0;
        return cli_refuse(p, "%s takes a CPU this process may run on, or none, not '%s'", p->flag, p->value);
    default: return -1;
    }
}
