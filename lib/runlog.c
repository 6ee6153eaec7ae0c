/* runlog — append-only event lines in <stats>/log/. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/runlog.h"
#include "pxstats/xalloc.h"

void pxs_runlog(const char *statsdir, const char *fmt, ...)
{
    static int warned;
    char line[4096], iso[PXS_ISO_SIZE];
    char *dir = xasprintf("%s/log", statsdir);
    char *path = xasprintf("%s/%s.log", dir, pxs_progname());
    int n, fd;
    va_list ap;

    n = snprintf(line, sizeof line, "%s %s: ", pxs_format_iso(pxs_now(), iso), pxs_progname());
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    strcat(line, "\n");
    /* Never through a link: appending to its target would write outside the tree. */
    fd = pxs_mkdirs(dir) == 0 ? pxs_file_open(path, O_WRONLY | O_APPEND | O_CREAT, 0666) : -1;
    if (fd < 0 || write(fd, line, strlen(line)) < 0) {
        if (!warned++)
            pxs_warn("cannot write the run log %s", path);
    }
    if (fd >= 0)
        close(fd);
    free(dir);
    free(path);
}
