/*
 * The specification's worked example, printed exactly: ten mems_malloc(1000),
 * then a free of the fourth, then one more mems_malloc(1000). Its output is
 * compared byte for byte with tests/golden/spec_stats_4096.txt.
 */
#include "mems.h"

int main(void)
{
    void *v[10];
    mems_init();
    for (int i = 0; i < 10; i++)
        v[i] = mems_malloc(1000);
    mems_print_stats();
    mems_free(v[3]);
    mems_print_stats();
    v[3] = mems_malloc(1000);
    mems_print_stats();
    mems_finish();
    return 0;
}
