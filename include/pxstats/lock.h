/* lock — one run at a time, with a lock the kernel releases.
 *
 * flock(2) on <dir>/.<name>.lock: a run killed with SIGKILL leaves no stale
 * lock behind (unlike a PID file), and the second run either waits for the
 * first or stops and says who holds the lock. */
#ifndef PXSTATS_LOCK_H
#define PXSTATS_LOCK_H

#include <stdbool.h>

typedef struct pxs_lock {
    int fd;
    char *path;
} pxs_lock;

/* Takes the lock; wait=true blocks until it is free. Returns 0; 1 when
 * wait=false and another run holds it (pxs_error says so, with its pid);
 * -1 on failure (pxs_error set). The holder's pid is written into the file
 * for the operator's benefit only. */
int pxs_lock_take(pxs_lock *l, const char *dir, const char *name, bool wait);
void pxs_lock_release(pxs_lock *l);

#endif
