/* suggest — the nearest known name (contract in suggest.h). */
#include "pxstats/suggest.h"

#include <ctype.h>
#include <string.h>

/* Names are short (keys, options): longer words are not worth comparing. */
#define MAX_LEN 64

unsigned pxs_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);

    if (n > MAX_LEN || m > MAX_LEN)
        return (unsigned)-1;
    /* Optimal string alignment: three rows of the Levenshtein table. */
    unsigned rows[3][MAX_LEN + 1];
    unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= m; j++)
        prev[j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (unsigned)i;
        for (size_t j = 1; j <= m; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            unsigned best = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        unsigned *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

void pxs_suggest_init(pxs_suggest *s, const char *word)
{
    s->word = word;
    s->best = NULL;
    s->dist = (unsigned)-1;
}

void pxs_suggest_add(pxs_suggest *s, const char *candidate)
{
    unsigned d = pxs_edit_distance(s->word, candidate);

    if (d < s->dist) {
        s->dist = d;
        s->best = candidate;
    }
}

const char *pxs_suggest_best(const pxs_suggest *s)
{
    size_t len = strlen(s->word);
    unsigned limit = len >= 6 ? (unsigned)(len / 3) : 1;

    return s->best != NULL && s->dist <= limit ? s->best : NULL;
}
