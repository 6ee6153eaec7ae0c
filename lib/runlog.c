/* runlog — append-only event lines in <stats>/log/. */
#include <errno.h>
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
#include "pxstats/safefs.h"
#include "pxstats/xalloc.h"

/* Appends len bytes to <statsdir>/log/<program>.log in one write. */
static void append(const char *statsdir, const char *data, size_t len)
{
    static int warned;
    char *dir = xasprintf("%s/log", statsdir);
    char *path = xasprintf("%s/%s.log", dir, pxs_progname());
    /* Never through a link: appending to its target would write outside the tree. */
    int fd = pxs_mkdirs(dir) == 0 ? pxs_file_open(path, O_WRONLY | O_APPEND | O_CREAT, 0666) : -1;

    if (fd < 0 || write(fd, data, len) < 0) {
        if (!warned++)
            pxs_warn("cannot write the run log %s", path);
    }
    if (fd >= 0)
        close(fd);
    free(dir);
    free(path);
}

void pxs_runlog(const char *statsdir, const char *fmt, ...)
{
    char line[4096], iso[PXS_ISO_SIZE];
    int n;
    va_list ap;

    n = snprintf(line, sizeof line, "%s %s: ", pxs_format_iso(pxs_now(), iso), pxs_progname());
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    strcat(line, "\n");
    append(statsdir, line, strlen(line));
}

typedef struct text_ctx {
    const char *prefix, *title, *text;
} text_ctx;

static int fill_text(FILE *f, void *arg)
{
    const text_ctx *c = arg;
    fprintf(f, "%s%s\n", c->prefix, c->title);
    for (const char *p = c->text; *p;) {
        size_t n = strcspn(p, "\n");
        fprintf(f, "%s| %.*s\n", c->prefix, (int)n, p);
        p += n + (p[n] == '\n');
    }
    return 0;
}

void pxs_runlog_text(const char *statsdir, const char *title, const char *text)
{
    char iso[PXS_ISO_SIZE];
    char *prefix = xasprintf("%s %s: ", pxs_format_iso(pxs_now(), iso), pxs_progname());
    text_ctx c = {prefix, title, text};
    size_t size;
    char *buf = pxs_fill_text(fill_text, &c, &size);

    if (buf == NULL)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    append(statsdir, buf, size);
    free(buf);
    free(prefix);
}

int pxs_runlog_read(const char *statsdir, const char *program,
                    void (*fn)(int64_t t, const char *text, void *arg), void *arg)
{
    char *path = xasprintf("%s/log/%s.log", statsdir, program);
    char *prefix = xasprintf(" %s: ", program);
    size_t plen = strlen(prefix), cap = 0;
    char *line = NULL;
    ssize_t n;
    /* The run log is in the tree: no link followed, no FIFO blocked on. */
    int fd = pxs_file_open(path, O_RDONLY, 0);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;

    if (f == NULL) {
        int missing = errno == ENOENT;
        if (fd >= 0)
            close(fd);
        if (!missing && fd >= 0)
            pxs_set_error_errno("cannot read %s", path);
        free(path);
        free(prefix);
        return missing ? 0 : -1;
    }
    while ((n = getline(&line, &cap, f)) > 0) {
        int64_t t;
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        if ((size_t)n > PXS_ISO_LEN + plen && pxs_parse_iso(line, PXS_ISO_LEN, &t) &&
            strncmp(line + PXS_ISO_LEN, prefix, plen) == 0)
            fn(t, line + PXS_ISO_LEN + plen, arg);
    }
    int rc = ferror(f) ? -1 : 0;
    if (rc < 0)
        pxs_set_error_errno("cannot read %s", path);
    fclose(f);
    free(line);
    free(path);
    free(prefix);
    return rc;
}
