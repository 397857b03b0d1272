/* The 4 KB lab face: one page, chunks in multiples of 8, split and merge.
 * Built against the library and against build/single/alloc.c alone. */
#include "alloc.h"

#include <stdio.h>
#include <string.h>

static int passed, failed;
#define CHECK(cond)                                                                                            \
    do {                                                                                                       \
        if (cond)                                                                                              \
            passed++;                                                                                          \
        else {                                                                                                 \
            failed++;                                                                                          \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);                                 \
        }                                                                                                      \
    } while (0)

static int filled_with(const char *p, int n, char c)
{
    for (int i = 0; i < n; i++)
        if (p[i] != c)
            return 0;
    return 1;
}

static void test_four_quarters_fill_the_page(void)
{
    CHECK(init_alloc() == 0);
    char *q[4];
    for (int i = 0; i < 4; i++) {
        q[i] = alloc(1024);
        CHECK(q[i] != NULL);
        memset(q[i], 'a' + i, 1024);
    }
    for (int i = 1; i < 4; i++)
        CHECK(q[i] == q[0] + 1024 * i); /* all 4096 bytes usable, no header between chunks */
    CHECK(alloc(8) == NULL);            /* the page is full */
    dealloc(q[1]);
    dealloc(q[2]);
    char *half = alloc(2048); /* the two freed neighbours merged */
    CHECK(half == q[1]);
    memset(half, 'z', 2048);
    CHECK(filled_with(q[0], 1024, 'a'));
    CHECK(filled_with(q[3], 1024, 'd'));
    dealloc(q[0]);
    CHECK(filled_with(half, 2048, 'z'));
    char *small = alloc(512);
    CHECK(small == q[0]);
    CHECK(filled_with(half, 2048, 'z'));
    CHECK(filled_with(q[3], 1024, 'd'));
    CHECK(cleanup() == 0);
}

static void test_bad_sizes_and_pointers(void)
{
    CHECK(init_alloc() == 0);
    CHECK(alloc(0) == NULL);
    CHECK(alloc(-8) == NULL);
    CHECK(alloc(7) == NULL);
    CHECK(alloc(12) == NULL);
    CHECK(alloc(PAGESIZE + MINALLOC) == NULL);
    char *whole = alloc(PAGESIZE);
    CHECK(whole != NULL);
    char local;
    dealloc(&local); /* not ours: ignored */
    dealloc(NULL);
    CHECK(alloc(8) == NULL); /* still full: nothing was freed */
    dealloc(whole);
    CHECK(alloc(8) == whole);
    CHECK(cleanup() == 0);
    CHECK(cleanup() == -1); /* nothing left to clean */
    CHECK(alloc(8) == NULL); /* not initialised */
}

static void test_no_double_booking(void)
{
    CHECK(init_alloc() == 0);
    char *chunks[64];
    int n = 0;
    while (n < 64 && (chunks[n] = alloc(64)) != NULL)
        n++;
    CHECK(n == PAGESIZE / 64);
    for (int i = 0; i < n; i++)
        memset(chunks[i], i, 64);
    for (int i = 0; i < n; i++)
        CHECK(filled_with(chunks[i], 64, (char)i));
    for (int i = 0; i < n; i += 2)
        dealloc(chunks[i]);
    CHECK(alloc(128) == NULL); /* holes of 64 never merge across live chunks */
    CHECK(alloc(64) == chunks[0]);
    CHECK(cleanup() == 0);
}

int main(void)
{
    test_four_quarters_fill_the_page();
    test_bad_sizes_and_pointers();
    test_no_double_booking();
    printf("test_lab: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
