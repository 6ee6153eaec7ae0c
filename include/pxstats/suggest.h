/* suggest — "did you mean ...?": the nearest known name to a mistyped one.
 *
 * Used wherever an operator types a name pxstats must know: config sections
 * and keys, long options, the values of -f, --by and --format. Distance is
 * the number of single-character edits (insert, delete, substitute, swap two
 * neighbours), ignoring case; a candidate is offered only when it is close
 * enough to be a typo (at most a third of the word's length, at least 1). */
#ifndef PXSTATS_SUGGEST_H
#define PXSTATS_SUGGEST_H

typedef struct pxs_suggest {
    const char *word;     /* what was typed */
    const char *best;     /* the nearest candidate so far, or NULL */
    unsigned dist;
} pxs_suggest;

void pxs_suggest_init(pxs_suggest *s, const char *word);
/* Offers one candidate (kept by pointer: it must outlive s). */
void pxs_suggest_add(pxs_suggest *s, const char *candidate);
/* The nearest candidate when it is near enough, else NULL. */
const char *pxs_suggest_best(const pxs_suggest *s);

/* The edit distance between a and b, ignoring case (exposed for tests). */
unsigned pxs_edit_distance(const char *a, const char *b);

#endif
