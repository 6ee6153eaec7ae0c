/* xalloc — allocation that cannot return NULL.
 *
 * Running out of memory in a cron job has no useful recovery: these print
 * "prog: out of memory" and exit 1, so callers need no NULL checks. */
#ifndef PXSTATS_XALLOC_H
#define PXSTATS_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Formats into a fresh string (asprintf that cannot fail). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grows *p (holding *cap elements of size elem) to at least need elements. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem);

#endif
