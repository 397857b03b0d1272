/*
 * Node records (meta.c): slots in chunks MeMS maps itself. Above the
 * operating system; the node layer (chain.h) takes and gives them.
 */
#ifndef MEMS_META_H
#define MEMS_META_H

#include "os.h"

struct main_node *meta_node_take(void);
void meta_node_give(struct main_node *node);
void meta_release_all(void);

#endif /* MEMS_META_H */
