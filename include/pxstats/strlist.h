/* strlist — a growable array of owned strings, and comma-list parsing. */
#ifndef PXSTATS_STRLIST_H
#define PXSTATS_STRLIST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct pxs_strlist {
    char **v;
    size_t n, cap;
} pxs_strlist;

void pxs_strlist_init(pxs_strlist *l);
void pxs_strlist_free(pxs_strlist *l);
/* Appends a copy of s. */
void pxs_strlist_add(pxs_strlist *l, const char *s);
/* Appends a copy of s unless an equal string is already present. */
void pxs_strlist_add_unique(pxs_strlist *l, const char *s);
bool pxs_strlist_has(const pxs_strlist *l, const char *s);
/* Sorts in strcmp order. */
void pxs_strlist_sort(pxs_strlist *l);
/* Sorts and drops duplicates (n log n: for long lists, where add_unique is n^2). */
void pxs_strlist_sort_unique(pxs_strlist *l);
/* Splits "a, b,c" on sep, trimming spaces and dropping empty items. */
void pxs_strlist_split(pxs_strlist *l, const char *text, char sep);
/* Joins the items with sep into a fresh string. */
char *pxs_strlist_join(const pxs_strlist *l, const char *sep);

#endif
