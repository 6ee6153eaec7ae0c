/* testdir — a fresh directory per cmocka test, removed afterwards.
 * Shared by the unit suites that need files: setup/teardown functions for
 * cmocka_unit_test_setup_teardown, the directory in *state. */
#ifndef PXSTATS_TESTDIR_H
#define PXSTATS_TESTDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static inline int testdir_rm_entry(const char *path, const struct stat *st, int flag,
                                   struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Makes /tmp/pxs-test-<tag>.XXXXXX into *state (a malloc'ed path). */
static inline int testdir_make(void **state, const char *tag)
{
    char *dir = malloc(64);

    if (dir == NULL)
        return -1;
    snprintf(dir, 64, "/tmp/pxs-test-%.20s.XXXXXX", tag);
    if (mkdtemp(dir) == NULL) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

/* Removes the directory of *state and everything in it. */
static inline int testdir_remove(void **state)
{
    nftw(*state, testdir_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(*state);
    return 0;
}

#endif
