/* strpool — interned strings with small integer ids.
 *
 * Product names repeat within an hour (rx sources, retries); the pool keeps
 * each once and lets rows carry a 32-bit id. */
#ifndef PXSTATS_STRPOOL_H
#define PXSTATS_STRPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pxs_strpool {
    char *buf;              /* the strings, NUL-terminated, back to back */
    size_t len, cap;
    uint32_t *off;          /* off[id] = offset of string id in buf */
    uint32_t n, ncap;
    uint32_t *slots;        /* open-addressing hash table: id+1, 0 = empty */
    uint32_t nslots;
} pxs_strpool;

void pxs_strpool_init(pxs_strpool *p);
void pxs_strpool_free(pxs_strpool *p);
/* Returns the id of s[0..len) (not necessarily NUL-terminated), adding it. */
uint32_t pxs_strpool_intern(pxs_strpool *p, const char *s, size_t len);
/* Sets *id to the id of s[0..len) when it is in the pool (nothing is added). */
bool pxs_strpool_find(const pxs_strpool *p, const char *s, size_t len, uint32_t *id);
const char *pxs_strpool_get(const pxs_strpool *p, uint32_t id);
/* The pool's hash of s[0..len) (for a table that keeps its strings elsewhere). */
uint32_t pxs_strpool_hash(const char *s, size_t len);

#endif
