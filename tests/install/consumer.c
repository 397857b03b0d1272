/* A program built against an installed MeMS, with pkg-config or find_package. */
#include <mems.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    struct mems_config config;
    mems_default_config(&config);
    config.policy = MEMS_BEST_FIT;
    if (mems_init_with(&config) != 0)
        return 1;
    char *v = mems_malloc(100);
    char *real = mems_get(v);
    strcpy(real, "installed");
    struct mems_stats s;
    mems_stats(&s);
    printf("%s: %s fit, %zu live bytes, PAGE_SIZE %zu\n", real, mems_policy_name(config.policy), s.live_bytes,
           mems_page_size());
    mems_free(v);
    mems_finish();
    return 0;
}
