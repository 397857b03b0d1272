/*
 * Every command writes its results as files in its output folder, each
 * starting with a line that names its columns; they are all opened here.
 */
#include "result_csv.h"

#include <errno.h>
#include <limits.h>

FILE *csv_open(const char *dir, const char *name, const char *header)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    FILE *f = fopen(path, "w");
    if (f != NULL && header != NULL)
        fprintf(f, "%s\n", header);
    return f;
}
