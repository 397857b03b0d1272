/* host.txt of a run folder: the machine ("host: NAME" first), its tools and
 * the versions of the allocators. */
#ifndef MEMS_BENCH_HOST_H
#define MEMS_BENCH_HOST_H

#include "backend.h"

int host_write(const char *dir, const struct backend *backends, size_t nbackends);

#endif
