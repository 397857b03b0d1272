/*
 * The only file that talks to the kernel: every mapping MeMS makes, for user
 * segments and for its own metadata, goes through os_map and os_unmap. Keeping
 * the boundary this narrow makes it easy to audit and to break on purpose: the
 * test hooks below make the k-th mmap or munmap fail.
 */
#include "os.h"

#include <sys/mman.h>

static long mmap_failure_countdown;   /* 0: never fail; k: the k-th call from now fails */
static long munmap_failure_countdown;
static long live_mappings;

static bool countdown_expires(long *countdown)
{
    if (*countdown <= 0)
        return false;
    return --*countdown == 0;
}

void *os_map_shared(size_t bytes)
{
    if (bytes == 0 || bytes % (size_t)PAGE_SIZE != 0)
        return NULL;
    if (countdown_expires(&mmap_failure_countdown))
        return NULL;
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    __atomic_fetch_add(&live_mappings, 1, __ATOMIC_RELAXED); /* arenas map concurrently */
    return p;
}

void *os_map(size_t bytes)
{
    void *p = os_map_shared(bytes);
    if (p != NULL)
        mems_state.mmap_calls++;
    return p;
}

int os_unmap_shared(void *address, size_t bytes)
{
    if (countdown_expires(&munmap_failure_countdown))
        return -1;
    if (munmap(address, bytes) != 0)
        return -1;
    __atomic_fetch_sub(&live_mappings, 1, __ATOMIC_RELAXED);
    return 0;
}

int os_unmap(void *address, size_t bytes)
{
    if (os_unmap_shared(address, bytes) != 0)
        return -1;
    mems_state.munmap_calls++;
    return 0;
}

void mems_test_fail_mmap(long k) { mmap_failure_countdown = k; }
void mems_test_fail_munmap(long k) { munmap_failure_countdown = k; }
long mems_test_live_mappings(void) { return __atomic_load_n(&live_mappings, __ATOMIC_RELAXED); }

void state_unmap_or_keep(void *address, size_t bytes, const char *what)
{
    if (os_unmap(address, bytes) == 0)
        return;
    state_record_error(MEMS_E_OS, "munmap of %s (%zu bytes) failed", what, bytes);
    mems_state.metadata_bytes += bytes; /* still mapped, still ours */
    if (mems_state.unreleased_count < sizeof mems_state.unreleased / sizeof mems_state.unreleased[0]) {
        mems_state.unreleased[mems_state.unreleased_count].address = address;
        mems_state.unreleased[mems_state.unreleased_count].bytes = bytes;
        mems_state.unreleased_count++;
    }
}
