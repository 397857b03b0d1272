/*
 * A deliberately broken malloc for the tests: a bump allocator that
 * double-books. Every block of 1000 to 4095 bytes is placed 64 bytes before the
 * end of the previous such block, so it overlaps a block still in use. Other
 * sizes (the C library's own buffers) are served correctly. free() keeps
 * nothing. The replay's check pass must catch the overlap.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define ARENA_BYTES ((size_t)1 << 30)
#define HEADER 16

static unsigned char *arena, *next;
static unsigned char *last_medium_end;

static void *bump(size_t size, size_t align)
{
    if (arena == NULL) {
        arena = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (arena == MAP_FAILED)
            return NULL;
        next = arena;
    }
    if (align < 16)
        align = 16;
    uintptr_t p = ((uintptr_t)next + HEADER + align - 1) & ~(uintptr_t)(align - 1);
    if (size >= 1000 && size < 4096 && last_medium_end != NULL)
        p = ((uintptr_t)last_medium_end - 64) & ~(uintptr_t)15; /* the double booking */
    unsigned char *block = (unsigned char *)p;
    memcpy(block - HEADER, &size, sizeof size);
    if (block + size > next)
        next = block + size;
    if (size >= 1000 && size < 4096)
        last_medium_end = block + size;
    return block;
}

static size_t size_of(void *p)
{
    size_t size;
    memcpy(&size, (unsigned char *)p - HEADER, sizeof size);
    return size;
}

void *malloc(size_t size) { return bump(size, 16); }
void free(void *p) { (void)p; }
void *calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = bump(n * size, 16);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}
void *realloc(void *old, size_t size)
{
    void *p = bump(size, 16);
    if (p != NULL && old != NULL) {
        size_t keep = size_of(old);
        memmove(p, old, keep < size ? keep : size);
    }
    return p;
}
int posix_memalign(void **out, size_t align, size_t size)
{
    *out = bump(size, align);
    return *out != NULL ? 0 : ENOMEM;
}
void *aligned_alloc(size_t align, size_t size) { return bump(size, align); }
void *memalign(size_t align, size_t size) { return bump(size, align); }
void *valloc(size_t size) { return bump(size, 4096); }
void *pvalloc(size_t size) { return bump((size + 4095) & ~(size_t)4095, 4096); }
size_t malloc_usable_size(void *p) { return p != NULL ? size_of(p) : 0; }
