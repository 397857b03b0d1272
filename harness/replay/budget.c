/*
 * The memory budget of a replay child. The kernel enforces it: RLIMIT_DATA
 * bounds the private writable memory the process may map (brk and anonymous
 * mmap, Linux >= 4.7), so past the budget an allocator's mmap fails and its
 * malloc returns NULL, a refusal the replay counts, where touching more memory
 * than the machine has would bring the OOM killer. MeMS is also given the
 * budget as its own cap (max_mapped_bytes, in backend.c), which holds in
 * sanitizer builds too: their runtimes map their shadow memory as they go and
 * cannot live under RLIMIT_DATA, so there the limit is not set.
 */
#include "replay_internal.h"

#include <sys/resource.h>

int budget_enforce(uint64_t bytes)
{
#ifdef MEMS_BENCH_SANITIZED
    (void)bytes;
    return 0;
#else
    struct rlimit limit = {(rlim_t)bytes, (rlim_t)bytes};
    return setrlimit(RLIMIT_DATA, &limit);
#endif
}
