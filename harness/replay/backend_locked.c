/* One lock around every call of an allocator that is not thread-safe (MeMS in
 * process), for replays with more than one thread: what the malloc face
 * (mems/preload/malloc_face.c) does for programs, so a threaded replay sees
 * the cost a threaded program would. */
#include "backend.h"

#include <pthread.h>

static pthread_mutex_t allocator_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct allocator_ops *unlocked;

static int locked_start(void)
{
    return unlocked->start();
}

static void locked_stop(void)
{
    unlocked->stop();
}

static int locked_alloc(size_t size, struct block *out)
{
    pthread_mutex_lock(&allocator_lock);
    int rc = unlocked->alloc(size, out);
    pthread_mutex_unlock(&allocator_lock);
    return rc;
}

static int locked_zalloc(size_t count, size_t size, struct block *out)
{
    pthread_mutex_lock(&allocator_lock);
    int rc = unlocked->zalloc(count, size, out);
    pthread_mutex_unlock(&allocator_lock);
    return rc;
}

static int locked_aligned(size_t alignment, size_t size, struct block *out)
{
    pthread_mutex_lock(&allocator_lock);
    int rc = unlocked->aligned(alignment, size, out);
    pthread_mutex_unlock(&allocator_lock);
    return rc;
}

static int locked_resize(struct block *b, size_t old_size, size_t size)
{
    pthread_mutex_lock(&allocator_lock);
    int rc = unlocked->resize(b, old_size, size);
    pthread_mutex_unlock(&allocator_lock);
    return rc;
}

static void locked_release(struct block *b)
{
    pthread_mutex_lock(&allocator_lock);
    unlocked->release(b);
    pthread_mutex_unlock(&allocator_lock);
}

static void locked_measure(struct footprint *out, int full)
{
    pthread_mutex_lock(&allocator_lock);
    unlocked->measure(out, full);
    pthread_mutex_unlock(&allocator_lock);
}

static struct allocator_ops locked_ops;

const struct allocator_ops *backend_locked(const struct allocator_ops *ops)
{
    unlocked = ops;
    locked_ops = *ops;
    locked_ops.start = locked_start;
    locked_ops.stop = locked_stop;
    locked_ops.alloc = locked_alloc;
    locked_ops.zalloc = locked_zalloc;
    locked_ops.aligned = locked_aligned;
    locked_ops.resize = locked_resize;
    locked_ops.release = locked_release;
    locked_ops.measure = locked_measure;
    return &locked_ops;
}
