/* strpool — string interning with an open-addressing hash table. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/strpool.h"
#include "pxstats/xalloc.h"

void pxs_strpool_init(pxs_strpool *p) { memset(p, 0, sizeof *p); }

void pxs_strpool_free(pxs_strpool *p)
{
    free(p->buf);
    free(p->off);
    free(p->slots);
    memset(p, 0, sizeof *p);
}

/* Eight bytes at a time, each word mixed by a multiply (as in wyhash and
 * friends): product names are long and this runs once per log line. */
uint32_t pxs_strpool_hash(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
    size_t i = 0;

    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    if (i < len) {
        uint64_t w = 0;
        memcpy(&w, s + i, len - i);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    }
    h ^= h >> 29;
    return (uint32_t)h;
}

static void rehash(pxs_strpool *p)
{
    uint32_t n = p->nslots ? p->nslots * 2 : 64;

    free(p->slots);
    p->slots = xcalloc(n, sizeof *p->slots);
    p->nslots = n;
    for (uint32_t id = 0; id < p->n; id++) {
        const char *s = p->buf + p->off[id];
        uint32_t i = pxs_strpool_hash(s, strlen(s)) & (n - 1);
        while (p->slots[i])
            i = (i + 1) & (n - 1);
        p->slots[i] = id + 1;
    }
}

/* The slot of s[0..len): where it is (*found) or where it would go. */
static uint32_t probe(const pxs_strpool *p, const char *s, size_t len, bool *found)
{
    uint32_t i = pxs_strpool_hash(s, len) & (p->nslots - 1), id;

    while ((id = p->slots[i]) != 0) {
        uint32_t k = id - 1;
        size_t end = k + 1 < p->n ? p->off[k + 1] : p->len;
        if (end - p->off[k] - 1 == len && memcmp(p->buf + p->off[k], s, len) == 0) {
            *found = true;
            return i;
        }
        i = (i + 1) & (p->nslots - 1);
    }
    *found = false;
    return i;
}

bool pxs_strpool_find(const pxs_strpool *p, const char *s, size_t len, uint32_t *id)
{
    bool found = false;
    uint32_t i = p->nslots ? probe(p, s, len, &found) : 0;

    if (found)
        *id = p->slots[i] - 1;
    return found;
}

uint32_t pxs_strpool_intern(pxs_strpool *p, const char *s, size_t len)
{
    uint32_t i;
    size_t cap32;
    bool found;

    /* Callers never pass strings with NUL bytes (the collector replaces them). */

    /* Keep the table at most half full. */
    if ((p->n + 1) * 2 > p->nslots)
        rehash(p);
    i = probe(p, s, len, &found);
    if (found)
        return p->slots[i] - 1;
    xgrow((void **)&p->buf, &p->cap, p->len + len + 1, 1);
    cap32 = p->ncap;
    xgrow((void **)&p->off, &cap32, (size_t)p->n + 1, sizeof *p->off);
    p->ncap = (uint32_t)cap32;
    memcpy(p->buf + p->len, s, len);
    p->buf[p->len + len] = '\0';
    p->off[p->n] = (uint32_t)p->len;
    p->len += len + 1;
    p->slots[i] = p->n + 1;
    return p->n++;
}

const char *pxs_strpool_get(const pxs_strpool *p, uint32_t id)
{
    return id < p->n ? p->buf + p->off[id] : "";
}
