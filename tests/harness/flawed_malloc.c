/*
 * Deliberately flawed mallocs for the tests, one flaw per build (FLAW_HANG,
 * FLAW_CRASH, FLAW_NULL). Each is glibc's malloc, except:
 *   hang   a request of 1000 to 4095 bytes never returns;
 *   crash  a request of 1000 to 4095 bytes writes through NULL (SIGSEGV);
 *   null   every request returns NULL (the C library copes: stdio goes
 *          unbuffered).
 * The harness must give each a row that says what happened and go on.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *p);

static int flawed(size_t size)
{
#if defined(FLAW_NULL)
    (void)size;
    return 1;
#else
    if (size < 1000 || size >= 4096)
        return 0;
#if defined(FLAW_HANG)
    for (volatile int spin = 1; spin;)
        ;
#elif defined(FLAW_CRASH)
    *(volatile int *)(uintptr_t)0 = 1;
#endif
    return 0;
#endif
}

void *malloc(size_t size) { return flawed(size) ? NULL : __libc_malloc(size); }
void free(void *p) { __libc_free(p); }
void *calloc(size_t count, size_t size)
{
    return flawed(count * size) ? NULL : __libc_calloc(count, size);
}
void *realloc(void *p, size_t size) { return flawed(size) ? NULL : __libc_realloc(p, size); }
void *memalign(size_t alignment, size_t size) { return flawed(size) ? NULL : __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size)
{
    void *p = memalign(alignment, size);
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}
