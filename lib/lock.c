/* lock — flock(2) on a lock file: released by the kernel when the run dies. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/lock.h"
#include "pxstats/msg.h"
#include "pxstats/xalloc.h"

int pxs_lock_take(pxs_lock *l, const char *dir, const char *name, bool wait)
{
    char pid[32];
    int n;

    l->fd = -1;
    l->path = NULL;
    if (pxs_mkdirs(dir) != 0)
        return -1;
    l->path = xasprintf("%s/.%s.lock", dir, name);
    /* Never through a link: the pid written below would truncate its target. */
    l->fd = pxs_file_open(l->path, O_RDWR | O_CREAT, 0666);
    if (l->fd < 0) {
        pxs_set_error("cannot open lock: %s", pxs_error());
        goto fail;
    }
    while (flock(l->fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        if (errno == EWOULDBLOCK) {
            char holder[32] = "";
            ssize_t r = pread(l->fd, holder, sizeof holder - 1, 0);
            holder[r > 0 ? r : 0] = '\0';
            holder[strcspn(holder, "\n")] = '\0';
            pxs_set_error("another %s run holds %s (pid %s)", name, l->path,
                          holder[0] ? holder : "unknown");
            close(l->fd);
            free(l->path);
            l->fd = -1;
            l->path = NULL;
            return 1;
        }
        pxs_set_error_errno("cannot lock %s", l->path);
        goto fail;
    }
    /* The pid is informative only: the lock itself is the flock. */
    n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(l->fd, 0) == 0 && pwrite(l->fd, pid, (size_t)n, 0) < 0)
        pxs_info("cannot record the pid in %s", l->path);
    return 0;
fail:
    if (l->fd >= 0)
        close(l->fd);
    free(l->path);
    l->fd = -1;
    l->path = NULL;
    return -1;
}

void pxs_lock_release(pxs_lock *l)
{
    if (l->fd >= 0) {
        flock(l->fd, LOCK_UN);
        close(l->fd);
    }
    free(l->path);
    l->fd = -1;
    l->path = NULL;
}
