/*
 * Small programs whose allocations the recorder tests check exactly. Every
 * call of interest uses a "marker" size at or above 100000, so the checker
 * can tell them from the C library's own allocations.
 *   rec_program edge | threads | fork | exec [stage2] | kill
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* keep the compiler from removing or merging calls */
static void *volatile sink;

static int edge(void)
{
    void *p = malloc(100001);
    p = realloc(p, 100002);
    void *q = realloc(NULL, 100003);
    sink = realloc(q, 0); /* glibc frees and returns NULL */
    void *before = malloc(100010);
    free(NULL);
    free(NULL);
    free(NULL);
    void *after = malloc(100011);
    void *c = calloc(3, 100004);
    void *m1 = NULL;
    if (posix_memalign(&m1, 64, 100005) != 0)
        return 1;
    void *m2 = aligned_alloc(128, 100096);
    void *m3 = memalign(256, 100007);
    void *m4 = valloc(100008);
    void *m5 = pvalloc(100009);
    free(p);
    free(before);
    free(after);
    free(c);
    free(m1);
    free(m2);
    free(m3);
    free(m4);
    free(m5);
    return 0;
}

static void *worker(void *arg)
{
    size_t base = 200000 + 10000 * (size_t)(long)arg;
    for (int i = 0; i < 1000; i++) {
        void *p = malloc(base + (size_t)(i % 100));
        sink = p;
        free(p);
    }
    return NULL;
}

static int threads(void)
{
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, worker, (void *)(i + 1));
    worker((void *)0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    return 0;
}

static int do_fork(void)
{
    void *gone = malloc(300001); /* freed before the fork: the child must not see it */
    free(gone);
    void *inherited = malloc(300002);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        void *own = malloc(300003);
        free(inherited);
        free(own);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    free(inherited);
    void *later = malloc(300004);
    free(later);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static int do_exec(const char *self, int stage2)
{
    if (stage2) {
        void *p = malloc(400002);
        free(p);
        return 0;
    }
    void *p = malloc(400001); /* buffered when exec comes: must reach the file */
    sink = p;
    execl(self, self, "exec", "stage2", (char *)NULL);
    return 1;
}

static int kill_self(void)
{
    for (int i = 0; i < 10000; i++)
        sink = malloc(500000 + (size_t)i);
    raise(SIGKILL);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    if (strcmp(argv[1], "edge") == 0)
        return edge();
    if (strcmp(argv[1], "threads") == 0)
        return threads();
    if (strcmp(argv[1], "fork") == 0)
        return do_fork();
    if (strcmp(argv[1], "exec") == 0)
        return do_exec(argv[0], argc > 2);
    if (strcmp(argv[1], "kill") == 0)
        return kill_self();
    return 2;
}
