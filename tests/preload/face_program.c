/*
 * A program for the malloc face: every call of the family with glibc's
 * contract checked, threads freeing each other's blocks, a fork from a
 * threaded process. It prints what it checked; the test compares that with
 * the same program on glibc, and the exit status says whether every check held.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

#define EXPECT(cond)                                                                                                   \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "face_program.c:%d: FAILED: %s\n", __LINE__, #cond);                                     \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

static void check_contract(void)
{
    void *a = malloc(0), *b = malloc(0);
    EXPECT(a != NULL && b != NULL && a != b); /* malloc(0): unique pointers */
    EXPECT((uintptr_t)a % 16 == 0 && (uintptr_t)b % 16 == 0);
    free(a);
    free(b);
    for (size_t n = 1; n < 5000; n = n * 3 + 1) {
        unsigned char *p = malloc(n);
        EXPECT(p != NULL && (uintptr_t)p % 16 == 0 && malloc_usable_size(p) >= n);
        memset(p, 0xab, n);
        free(p);
    }
    unsigned char *z = calloc(1000, 7);
    int zero = 1;
    for (size_t i = 0; i < 7000; i++)
        zero &= z[i] == 0;
    EXPECT(zero);
    free(z);
    volatile size_t half = SIZE_MAX / 2, huge = SIZE_MAX - 8; /* not known to the compiler */
    errno = 0;
    EXPECT(calloc(half, 3) == NULL && errno == ENOMEM);
    errno = 0;
    EXPECT(malloc(huge) == NULL && errno == ENOMEM);
    errno = 0;
    EXPECT(reallocarray(NULL, half, 3) == NULL && errno == ENOMEM);

    char *r = realloc(NULL, 10);
    EXPECT(r != NULL);
    strcpy(r, "realloc!");
    r = realloc(r, 100000); /* grows, keeps the bytes */
    EXPECT(r != NULL && strcmp(r, "realloc!") == 0);
    r = realloc(r, 5);
    EXPECT(r != NULL && memcmp(r, "reall", 5) == 0);
    EXPECT(realloc(r, 0) == NULL); /* glibc: frees */
    printf("contract: malloc(0), alignment, calloc, ENOMEM, realloc checked\n");
}

static void check_aligned(void)
{
    for (size_t alignment = sizeof(void *); alignment <= 65536; alignment *= 2) {
        void *p = NULL;
        EXPECT(posix_memalign(&p, alignment, 100) == 0 && (uintptr_t)p % alignment == 0);
        EXPECT(malloc_usable_size(p) >= 100);
        memset(p, 1, 100);
        char *q = realloc(p, 5000); /* an over-aligned block can move */
        EXPECT(q != NULL && q[99] == 1);
        free(q);
        void *c = aligned_alloc(alignment, alignment * 2);
        EXPECT(c != NULL && (uintptr_t)c % alignment == 0);
        free(c);
        void *m = memalign(alignment, 1);
        EXPECT(m != NULL && (uintptr_t)m % alignment == 0);
        free(m);
    }
    void *bad = (void *)1;
    EXPECT(posix_memalign(&bad, 24, 10) == EINVAL && bad == (void *)1);
    /* glibc 2.36 rounds such an alignment up, as memalign does; read through a
     * volatile because clang refuses a constant one that is not a power of two */
    volatile size_t odd_alignment = 24;
    void *odd = aligned_alloc(odd_alignment, 48);
    EXPECT(odd != NULL && (uintptr_t)odd % 32 == 0);
    free(odd);
    long page = sysconf(_SC_PAGESIZE);
    void *v = valloc(10), *pv = pvalloc(10);
    EXPECT(v != NULL && (uintptr_t)v % (uintptr_t)page == 0);
    EXPECT(pv != NULL && (uintptr_t)pv % (uintptr_t)page == 0 && malloc_usable_size(pv) >= (size_t)page);
    free(v);
    free(pv);
    printf("aligned: posix_memalign, aligned_alloc, memalign to 64 KiB, valloc, pvalloc checked\n");
}

/* Threads hand blocks to the next thread, which checks and frees them. */
#define THREADS 4
#define ROUNDS 20000
static void *mailbox[THREADS];
static pthread_mutex_t mailbox_lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg, seed = id + 1;
    long bad = 0;
    for (int i = 0; i < ROUNDS; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = 1 + (seed >> 16) % 3000;
        unsigned char *mine = malloc(n);
        if (mine == NULL) {
            bad++;
            continue;
        }
        memset(mine, (int)(n & 0xff), n);
        mine[0] = (unsigned char)(n & 0xff);
        pthread_mutex_lock(&mailbox_lock);
        unsigned char *theirs = mailbox[(id + 1) % THREADS];
        mailbox[(id + 1) % THREADS] = NULL;
        void *old = mailbox[id];
        mailbox[id] = mine;
        pthread_mutex_unlock(&mailbox_lock);
        free(old); /* ours, unclaimed */
        if (theirs != NULL) {
            size_t size = malloc_usable_size(theirs);
            bad += size == 0;
            free(theirs); /* another thread's block */
        }
    }
    return (void *)(uintptr_t)bad;
}

static void check_threads(void)
{
    pthread_t t[THREADS];
    for (unsigned i = 0; i < THREADS; i++)
        EXPECT(pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i) == 0);
    long bad = 0;
    for (unsigned i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += (long)(uintptr_t)r;
    }
    for (unsigned i = 0; i < THREADS; i++)
        free(mailbox[i]);
    EXPECT(bad == 0);
    printf("threads: %d threads x %d blocks handed across and freed by another thread\n", THREADS, ROUNDS);
}

/* fork while another thread allocates: the child must be able to allocate. */
static volatile int keep_going = 1;
static void *churn(void *arg)
{
    (void)arg;
    while (keep_going)
        free(malloc(100));
    return NULL;
}

static void check_fork(void)
{
    pthread_t t;
    EXPECT(pthread_create(&t, NULL, churn, NULL) == 0);
    for (int i = 0; i < 20; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            void *p = malloc(1000);
            _exit(p != NULL ? 0 : 1);
        }
        int status;
        EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    keep_going = 0;
    pthread_join(t, NULL);
    printf("fork: 20 children forked beside an allocating thread allocated\n");
}

/* A free of a pointer inside a block, then a double free: what the face must refuse. */
static int misuse(void)
{
    char *p = malloc(64);
    free(p + 16);
    free(p);
    free(p);
    printf("misuse: still running\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "misuse") == 0)
        return misuse();
    check_contract();
    check_aligned();
    check_threads();
    check_fork();
    printf("%s\n", failures == 0 ? "all checks held" : "checks failed");
    return failures == 0 ? 0 : 1;
}
