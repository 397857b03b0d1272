/*
 * The course's example program: ten arrays from MeMS, written through their
 * real addresses, the chains printed, one array freed and allocated again.
 * Builds against the library or, as the course does, on its own:
 *   gcc -o example example.c   (with build/single/mems.h beside it)
 */
#include "mems.h"

#include <stdio.h>

int main(void)
{
    mems_init();
    int *ptr[10];

    printf("\n------- Allocated virtual addresses [mems_malloc] -------\n");
    for (int i = 0; i < 10; i++) {
        ptr[i] = mems_malloc(sizeof(int) * 250);
        if (ptr[i] == NULL) {
            fprintf(stderr, "mems_malloc failed: %s\n", mems_last_error_message());
            return 1;
        }
        printf("Virtual address: %lu\tPhysical Address: %lu\n", (unsigned long)ptr[i],
               (unsigned long)mems_get(ptr[i]));
    }

    printf("\n------ Assigning value to Virtual address [mems_get] -----\n");
    int *phy_ptr = mems_get(&ptr[0][1]); /* an interior address: the second int of the first array */
    phy_ptr[0] = 200;
    int *phy_ptr2 = mems_get(ptr[0]);
    printf("Virtual address: %lu\tPhysical Address: %lu\n", (unsigned long)ptr[0], (unsigned long)phy_ptr2);
    printf("Value written: %d\n", phy_ptr2[1]);
    if (phy_ptr2[1] != 200)
        return 1;

    printf("\n--------- Printing Stats [mems_print_stats] --------\n");
    mems_print_stats();

    printf("\n--------- Freeing up the memory [mems_free] --------\n");
    mems_free(ptr[3]);
    mems_print_stats();
    ptr[3] = mems_malloc(sizeof(int) * 250);
    mems_print_stats();

    printf("\n--------- Unmapping all memory [mems_finish] --------\n\n");
    mems_finish();
    return 0;
}
