/* Runs a fuzz target over files (its committed corpus, regressions included)
 * without libFuzzer, so every build replays them as ordinary tests.
 *   run_corpus FILE_OR_DIR... */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    static uint8_t buffer[1 << 20];
    size_t n = fread(buffer, 1, sizeof buffer, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buffer, n);
    return 0;
}

int main(int argc, char **argv)
{
    int files = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "run_corpus: %s: not found\n", argv[i]);
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            files += run_file(argv[i]) == 0;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            files += run_file(path) == 0;
        }
        if (d != NULL)
            closedir(d);
    }
    printf("run_corpus: %d inputs, no failure\n", files);
    return files > 0 ? 0 : 1;
}
