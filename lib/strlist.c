/* strlist — owned string arrays and comma lists. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/strlist.h"
#include "pxstats/xalloc.h"

void pxs_strlist_init(pxs_strlist *l) { memset(l, 0, sizeof *l); }

void pxs_strlist_free(pxs_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

void pxs_strlist_add(pxs_strlist *l, const char *s)
{
    xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = xstrdup(s);
}

bool pxs_strlist_has(const pxs_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

void pxs_strlist_add_unique(pxs_strlist *l, const char *s)
{
    if (!pxs_strlist_has(l, s))
        pxs_strlist_add(l, s);
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void pxs_strlist_sort(pxs_strlist *l)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, cmp);
}

void pxs_strlist_sort_unique(pxs_strlist *l)
{
    size_t k = 0;

    pxs_strlist_sort(l);
    for (size_t i = 0; i < l->n; i++) {
        if (k > 0 && strcmp(l->v[k - 1], l->v[i]) == 0)
            free(l->v[i]);
        else
            l->v[k++] = l->v[i];
    }
    l->n = k;
}

void pxs_strlist_split(pxs_strlist *l, const char *text, char sep)
{
    const char *p = text;

    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, sep);
        const char *stop = end ? end : p + strlen(p);
        const char *a = p, *b = stop;

        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            b--;
        if (b > a) {
            char *item = xstrndup(a, (size_t)(b - a));
            pxs_strlist_add(l, item);
            free(item);
        }
        p = end ? end + 1 : NULL;
    }
}

char *pxs_strlist_join(const pxs_strlist *l, const char *sep)
{
    size_t len = 1, seplen = strlen(sep);
    char *out, *q;

    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + seplen;
    out = q = xmalloc(len);
    *q = '\0';
    for (size_t i = 0; i < l->n; i++) {
        size_t n = strlen(l->v[i]);
        if (i > 0) {
            memcpy(q, sep, seplen);
            q += seplen;
        }
        memcpy(q, l->v[i], n);
        q += n;
    }
    *q = '\0';
    return out;
}
