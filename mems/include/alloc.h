/*
 * The 4 KB page lab API on top of MeMS: init_alloc() maps one 4096-byte page,
 * alloc() carves it into chunks whose sizes are positive multiples of MINALLOC,
 * dealloc() gives a chunk back (merging with free neighbours), cleanup()
 * unmaps the page. All 4096 bytes are usable: MeMS keeps its bookkeeping in
 * pages of its own, outside the page handed out.
 */
#ifndef MEMS_ALLOC_H
#define MEMS_ALLOC_H

#define PAGESIZE 4096
#define MINALLOC 8

#ifdef __cplusplus
extern "C" {
#endif

/* Both return 0 on success, -1 on failure. */
int init_alloc(void);
int cleanup(void);
/* NULL for sizes that are not positive multiples of MINALLOC, or that do not fit. */
char *alloc(int size);
/* Ignores pointers alloc() did not return. */
void dealloc(char *ptr);

#ifdef __cplusplus
}
#endif

#endif /* MEMS_ALLOC_H */
