/*
 * The 4 KB lab face: the MeMS core configured as a fixed one-page arena. The
 * cap on mapped bytes is what keeps every chunk inside that single page.
 */
#include "alloc.h"
#include "mems_internal.h"

#if PAGE_SIZE > PAGESIZE
#error "the lab face needs PAGE_SIZE <= PAGESIZE (it is built with PAGE_SIZE 4096)"
#endif

static bool lab_ready;

int init_alloc(void)
{
    struct mems_config config;
    mems_default_config(&config);
    config.min_pages = PAGESIZE / PAGE_SIZE;
    config.max_mapped_bytes = PAGESIZE;
    if (mems_init_with(&config) != 0)
        return -1;
    /* map the page now, so alloc() never has to and init reports the failure */
    void *whole = mems_malloc(PAGESIZE);
    if (whole == NULL)
        return -1;
    mems_free(whole);
    lab_ready = true;
    return 0;
}

int cleanup(void)
{
    if (!lab_ready)
        return -1;
    mems_clear_error();
    mems_finish();
    lab_ready = false;
    return mems_last_error() == MEMS_OK ? 0 : -1;
}

char *alloc(int size)
{
    if (!lab_ready || size <= 0 || size % MINALLOC != 0)
        return NULL;
    void *v = mems_malloc((size_t)size);
    return v != NULL ? mems_get(v) : NULL;
}

void dealloc(char *ptr)
{
    if (!lab_ready || ptr == NULL)
        return;
    uintptr_t v = translate_real_to_virtual(ptr);
    if (v != 0)
        mems_free((void *)v);
}
