/* xalloc — allocation that exits on exhaustion (see xalloc.h for why). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/msg.h"
#include "pxstats/xalloc.h"

static void *check(void *p)
{
    if (p == NULL)
        pxs_diex(PXS_EXIT_FAIL, "out of memory");
    return p;
}

void *xmalloc(size_t n) { return check(malloc(n ? n : 1)); }
void *xcalloc(size_t count, size_t size) { return check(calloc(count ? count : 1, size ? size : 1)); }
void *xrealloc(void *p, size_t n) { return check(realloc(p, n ? n : 1)); }
char *xstrdup(const char *s) { return check(strdup(s)); }
char *xstrndup(const char *s, size_t n) { return check(strndup(s, n)); }

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        pxs_diex(PXS_EXIT_FAIL, "out of memory");
    return s;
}

void xgrow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t c = *cap;

    if (need <= c)
        return;
    if (c < 8)
        c = 8;
    while (c < need)
        c *= 2;
    if (c > ((size_t)-1) / elem)
        pxs_diex(PXS_EXIT_FAIL, "out of memory");
    *p = xrealloc(*p, c * elem);
    *cap = c;
}
