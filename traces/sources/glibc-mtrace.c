#include <mcheck.h>
#include <stdlib.h>
#include <string.h>
int main(void)
{
    mtrace();
    char *keep[16];
    for (int i = 0; i < 16; i++) {
        keep[i] = malloc(16 + i * 24);
        memset(keep[i], i, 16);
    }
    char *grow = NULL;
    for (int i = 1; i <= 6; i++)
        grow = realloc(grow, i * 100);
    int *zeros = calloc(20, sizeof(int));
    void *aligned = NULL;
    posix_memalign(&aligned, 64, 300);
    for (int i = 0; i < 16; i += 2)
        free(keep[i]);
    free(zeros);
    free(aligned);
    free(grow);
    for (int i = 1; i < 16; i += 2)
        free(keep[i]);
    muntrace();
    return 0;
}
