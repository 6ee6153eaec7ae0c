/* snapshot — the versioned, compressed, checksummed hourly file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>

#include <stdbool.h>

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/names.h"
#include "pxstats/pxtime.h"
#include "pxstats/snapshot.h"
#include "pxstats/xalloc.h"

static const unsigned char MAGIC[8] = {'P', 'X', 'S', 'N', 'A', 'P', '\r', '\n'};
/* No real hour comes near this; a larger claim is corruption, not data. */
#define MAX_PAYLOAD (1u << 30)
/* Compression levels: libdeflate's for the product columns, zlib's (with
 * Z_RLE) for the numeric row columns (bench/README.md). */
#ifndef ZLEVEL
#define ZLEVEL 6
#endif
#define ZLEVEL_ROWS 1
#define ZLEVEL_NAMES 5          /* zlib's, for the product columns of a big hour */

/* ---- encoding ------------------------------------------------------------ */

typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
} wbuf;

static void put_bytes(wbuf *w, const void *s, size_t n)
{
    if (n == 0)
        return; /* memcpy from or to NULL is undefined even for 0 bytes */
    if (w->len + n > w->cap)
        xgrow((void **)&w->p, &w->cap, w->len + n, 1);
    memcpy(w->p + w->len, s, n);
    w->len += n;
}

static void put_varint(wbuf *w, uint64_t v)
{
    unsigned char *b;

    if (w->len + 10 > w->cap)
        xgrow((void **)&w->p, &w->cap, w->len + 10, 1);
    b = w->p + w->len;
    while (v >= 0x80) {
        *b++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *b++ = (unsigned char)v;
    w->len = (size_t)(b - w->p);
}

/* Zigzag keeps small negative deltas small. */
static void put_svarint(wbuf *w, int64_t v)
{
    put_varint(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void put_string(wbuf *w, const char *s)
{
    size_t n = strlen(s);

    put_varint(w, n);
    put_bytes(w, s, n);
}

static void put_strlist(wbuf *w, const pxs_strlist *l)
{
    put_varint(w, l->n);
    for (size_t i = 0; i < l->n; i++)
        put_string(w, l->v[i]);
}

/* Front coding: the length shared with the previous string, then the rest. */
static void put_front_coded(wbuf *w, const char *prev, size_t prev_len, const char *s, size_t len)
{
    size_t shared = 0;

    while (shared < len && shared < prev_len && prev[shared] == s[shared])
        shared++;
    put_varint(w, shared);
    put_varint(w, len - shared);
    put_bytes(w, s + shared, len - shared);
}

/* An ingest name "what:sys:site:type:prio:fmt:YYYYMMDDhhmmss" split at its
 * colons, with the reception time as a number; false for any other name, or
 * when the time would not be written back identically. */
static bool split_ingest(const char *s, const char *field[7], size_t flen[7], int64_t *t)
{
    const char *p = s;
    char back[16];

    for (int i = 0; i < 7; i++) {
        const char *c = strchr(p, ':');
        if ((c == NULL) != (i == 6))
            return false;
        field[i] = p;
        flen[i] = c ? (size_t)(c - p) : strlen(p);
        p = c ? c + 1 : p;
    }
    if (!pxs_parse_compact(field[6], flen[6], t))
        return false;
    pxs_format_compact(*t, back);
    return memcmp(back, field[6], 14) == 0;
}

/* Product columns. An ingest name is nearly the whole of a row; cut into its
 * fields (and its first field into its '_' parts), each column holds similar
 * values side by side, which zlib compresses far better than whole names. */
enum {
    C_PARTS,                 /* number of '_' parts of the first field */
    C_WHAT0,                 /* parts 0..WHAT_COLS-1, one column each */
    C_WHATX = C_WHAT0 + 6,   /* the parts after those */
    C_FIELD1,                /* fields 1..5 (system, site, type, priority, format) */
    C_TIME = C_FIELD1 + 5,   /* reception time minus the one the rows predict */
    C_RAW,                   /* names that are not ingest names, whole */
    C_SAME,                  /* per ingest name: which fields repeat the first one */
    NCOLS
};
/* WMO names "TTAAii_CCCC_DDHHMM": the type field is usually TT and the site
 * field CCCC; such a field is then not written again. */
#define SAME_TYPE 1
#define SAME_SITE 2
#define WHAT_COLS 6

/* The reception time the rows predict for each product: the time of the first
 * row naming it minus that row's latency (exact unless clamped at 0). */
static int64_t *predicted_times(const pxs_hour *h, uint32_t n)
{
    int64_t *pred = xmalloc((n ? n : 1) * sizeof *pred);
    bool *seen = xcalloc(n ? n : 1, sizeof *seen);

    for (uint32_t i = 0; i < n; i++)
        pred[i] = h->start;
    for (size_t i = 0; i < h->nrows; i++) {
        uint32_t id = h->rows[i].product;
        if (id < n && !seen[id]) {
            seen[id] = true;
            pred[id] = h->rows[i].time - h->rows[i].latency;
        }
    }
    free(seen);
    return pred;
}

/* A column being written; prev points into the product pool, which does not
 * move while a snapshot is encoded. */
typedef struct column_state {
    wbuf w;
    const char *prev;
    size_t prev_len;
} column_state;

static void put_part(column_state *c, const char *s, size_t len)
{
    put_front_coded(&c->w, c->prev, c->prev_len, s, len);
    c->prev = s;
    c->prev_len = len;
}

/* The '_' part number k of the first field (s, len): start and length. */
static bool what_part(const char *s, size_t len, int k, const char **part, size_t *plen)
{
    const char *p = s, *end = s + len;

    for (int i = 0; i < k; i++) {
        const char *u = memchr(p, '_', (size_t)(end - p));
        if (u == NULL)
            return false;
        p = u + 1;
    }
    {
        const char *u = memchr(p, '_', (size_t)(end - p));
        *part = p;
        *plen = (size_t)((u ? u : end) - p);
    }
    return true;
}

static unsigned char same_fields(const char *f[7], const size_t fl[7])
{
    const char *site;
    size_t sl;
    unsigned char same = 0;

    if (fl[3] == 2 && fl[0] >= 2 && memcmp(f[3], f[0], 2) == 0)
        same |= SAME_TYPE;
    if (what_part(f[0], fl[0], 1, &site, &sl) && sl == fl[2] && memcmp(site, f[2], sl) == 0)
        same |= SAME_SITE;
    return same;
}

static void put_ingest(column_state *col, const char *f[7], const size_t fl[7], int64_t t,
                       int64_t pred)
{
    const char *p = f[0], *end = f[0] + fl[0];
    unsigned char parts = 0, same = same_fields(f, fl);
    size_t at = col[C_PARTS].w.len;

    put_bytes(&col[C_PARTS].w, &parts, 1);
    for (;;) {
        const char *u = memchr(p, '_', (size_t)(end - p));
        put_part(&col[parts < WHAT_COLS ? C_WHAT0 + parts : C_WHATX], p, (size_t)((u ? u : end) - p));
        parts++;
        if (u == NULL)
            break;
        if (parts == 254) {
            /* 255 says: the rest of the field follows whole, underscores and all. */
            put_part(&col[C_WHATX], u + 1, (size_t)(end - u - 1));
            parts = 255;
            break;
        }
        p = u + 1;
    }
    col[C_PARTS].w.p[at] = parts;
    put_bytes(&col[C_SAME].w, &same, 1);
    for (int k = 1; k < 6; k++) {
        if ((k == 2 && (same & SAME_SITE)) || (k == 3 && (same & SAME_TYPE)))
            continue;
        put_part(&col[C_FIELD1 + k - 1], f[k], fl[k]);
    }
    put_svarint(&col[C_TIME].w, t - pred);
}

/* The product table: the number of names and their kinds (head), then each
 * column after its length (col). */
typedef struct products {
    wbuf head;
    column_state col[NCOLS];
    size_t size;            /* bytes of the whole section */
} products;

static void build_products(products *pr, const pxs_hour *h)
{
    const pxs_strpool *p = &h->products;
    int64_t *pred = predicted_times(h, p->n);
    wbuf lens = {0};

    memset(&pr->head, 0, sizeof pr->head);
    for (int k = 0; k < NCOLS; k++)
        pr->col[k] = (column_state){{0}, "", 0};
    put_varint(&pr->head, p->n);
    for (uint32_t i = 0; i < p->n; i++) {
        const char *s = pxs_strpool_get(p, i), *f[7];
        size_t fl[7];
        int64_t t;
        unsigned char kind = split_ingest(s, f, fl, &t);
        put_bytes(&pr->head, &kind, 1);
        if (kind)
            put_ingest(pr->col, f, fl, t, pred[i]);
        else
            put_part(&pr->col[C_RAW], s, strlen(s));
    }
    free(pred);
    pr->size = pr->head.len;
    for (int k = 0; k < NCOLS; k++) {
        lens.len = 0;
        put_varint(&lens, pr->col[k].w.len);
        pr->size += lens.len + pr->col[k].w.len;
    }
    free(lens.p);
}

/* Hands the section to emit, piece by piece, freeing each column once out. */
static void emit_products(products *pr, void (*emit)(void *, wbuf *), void *arg)
{
    wbuf len = {0};

    emit(arg, &pr->head);
    free(pr->head.p);
    for (int k = 0; k < NCOLS; k++) {
        len.len = 0;
        put_varint(&len, pr->col[k].w.len);
        emit(arg, &len);
        emit(arg, &pr->col[k].w);
        free(pr->col[k].w.p);
    }
    free(len.p);
}

/* The row columns, each handed to emit (which empties w) once complete, so
 * that the whole uncompressed payload never sits in memory. */
static void put_rows(wbuf *w, const pxs_hour *h, void (*emit)(void *, wbuf *), void *arg)
{
    int64_t prev_time = h->start, prev_product = 0;

    put_varint(w, h->nrows);
    /* Column by column: each column is regular, so deflate finds its patterns. */
    for (size_t i = 0; i < h->nrows; i++) {
        put_svarint(w, h->rows[i].time - prev_time);
        prev_time = h->rows[i].time;
    }
    emit(arg, w);
    for (size_t i = 0; i < h->nrows; i++)
        put_varint(w, (uint64_t)h->rows[i].bytes);
    emit(arg, w);
    for (size_t i = 0; i < h->nrows; i++)
        put_varint(w, (uint64_t)h->rows[i].latency);
    emit(arg, w);
    for (size_t i = 0; i < h->nrows; i++)
        put_bytes(w, &h->rows[i].error, 1);
    emit(arg, w);
    for (size_t i = 0; i < h->nrows; i++) {
        put_svarint(w, (int64_t)h->rows[i].product - prev_product);
        prev_product = h->rows[i].product;
    }
    emit(arg, w);
}

static void put_le(unsigned char *p, uint32_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* The compressed body: one zlib stream. The identity and the numeric row
 * columns (small deltas and varints in long runs, which run-length matching
 * compresses as well as a full search, at a fraction of the time) go through
 * zlib's Z_RLE. The product columns, nearly all of the compressor's work:
 * - in an hour of ordinary size, libdeflate compresses them at once, faster
 *   than zlib: zlib's stream is ended by a sync flush (its blocks so far,
 *   none marked last, then byte alignment), libdeflate's raw deflate blocks
 *   follow (its last one marked last), then the Adler-32 of the whole payload
 *   (a deflate stream is any sequence of blocks: any zlib inflate reads it);
 * - in a big hour, zlib takes them column by column (its stream is not held
 *   whole in memory beside the columns, which libdeflate's one call needs).
 * Either way the same hour gives the same bytes. */
typedef struct zout {
    z_stream z;
    wbuf out;               /* header room, then the compressed bytes */
    uLong adler;            /* of what was handed to libdeflate's part */
    wbuf whole;             /* the libdeflate part, gathered */
} zout;

/* Product sections up to this size go to libdeflate (bench/README.md). */
#define LIBDEFLATE_MAX (1u << 20)

static void zout_run(zout *z, const unsigned char *p, size_t n, int flush)
{
    int rc;

    z->z.next_in = (Bytef *)(uintptr_t)p;
    z->z.avail_in = (uInt)n;
    do {
        if (z->out.cap - z->out.len < 65536)
            xgrow((void **)&z->out.p, &z->out.cap, z->out.len + 65536, 1);
        z->z.next_out = z->out.p + z->out.len;
        z->z.avail_out = (uInt)(z->out.cap - z->out.len);
        rc = deflate(&z->z, flush);
        z->out.len = z->out.cap - z->z.avail_out;
        if (rc == Z_STREAM_ERROR)
            pxs_diex(PXS_EXIT_FAIL, "zlib refused a snapshot");
    } while (z->z.avail_in > 0 || z->z.avail_out == 0 ||
             (flush == Z_FINISH && rc != Z_STREAM_END));
}

/* emit callbacks: w into zlib, or gathered for libdeflate; w is emptied. */
static void zout_feed(void *arg, wbuf *w)
{
    zout *z = arg;

    if (w->len > 0)
        zout_run(z, w->p, w->len, Z_NO_FLUSH);
    w->len = 0;
}

static void zout_gather(void *arg, wbuf *w)
{
    zout *z = arg;

    put_bytes(&z->whole, w->p, w->len);
    w->len = 0;
}

static void zout_libdeflate(zout *z)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(ZLEVEL);
    size_t bound, n;
    uLong adler = adler32_combine(z->z.adler, adler32(adler32(0, NULL, 0), z->whole.p,
                                                      (uInt)z->whole.len),
                                  (z_off_t)z->whole.len);

    if (c == NULL)
        pxs_diex(PXS_EXIT_FAIL, "out of memory compressing a snapshot");
    zout_run(z, NULL, 0, Z_SYNC_FLUSH);
    bound = libdeflate_deflate_compress_bound(c, z->whole.len);
    xgrow((void **)&z->out.p, &z->out.cap, z->out.len + bound + 4, 1);
    n = libdeflate_deflate_compress(c, z->whole.p, z->whole.len, z->out.p + z->out.len, bound);
    libdeflate_free_compressor(c);
    if (n == 0)
        pxs_diex(PXS_EXIT_FAIL, "libdeflate refused a snapshot");
    z->out.len += n;
    for (int i = 3; i >= 0; i--)
        z->out.p[z->out.len++] = (unsigned char)(adler >> (8 * i));
}

void pxs_snapshot_encode(const pxs_hour *h, unsigned char **buf, size_t *len)
{
    wbuf w = {0};
    zout z;
    products pr;
    size_t clen, plen;

    memset(&z, 0, sizeof z);
    if (deflateInit2(&z.z, ZLEVEL_ROWS, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK)
        pxs_diex(PXS_EXIT_FAIL, "out of memory compressing a snapshot");
    xgrow((void **)&z.out.p, &z.out.cap, PXS_SNAPSHOT_HEADER + 65536, 1);
    z.out.len = PXS_SNAPSHOT_HEADER;
    put_string(&w, h->client);
    put_string(&w, h->machine);
    put_varint(&w, (uint64_t)h->ft);
    put_svarint(&w, h->start);
    put_varint(&w, (uint64_t)h->interval);
    put_varint(&w, (uint64_t)h->max_latency);
    put_varint(&w, h->types);
    put_varint(&w, h->partial ? 1 : 0);
    put_varint(&w, h->malformed);
    put_strlist(&w, &h->files);
    put_strlist(&w, &h->sources);
    /* Rows first: the products are coded with what the rows already say. */
    put_rows(&w, h, zout_feed, &z);
    free(w.p);
    build_products(&pr, h);
    plen = z.z.total_in + pr.size;
    if (plen > MAX_PAYLOAD)
        pxs_diex(PXS_EXIT_FAIL, "a snapshot of %zu bytes is over the format's limit", plen);
    if (pr.size <= LIBDEFLATE_MAX) {
        emit_products(&pr, zout_gather, &z);
        zout_libdeflate(&z);
        free(z.whole.p);
    } else {
        int rc;
        do {
            if (z.out.cap - z.out.len < 65536)
                xgrow((void **)&z.out.p, &z.out.cap, z.out.len + 65536, 1);
            z.z.next_out = z.out.p + z.out.len;
            z.z.avail_out = (uInt)(z.out.cap - z.out.len);
            rc = deflateParams(&z.z, ZLEVEL_NAMES, Z_DEFAULT_STRATEGY);
            z.out.len = z.out.cap - z.z.avail_out;
        } while (rc == Z_BUF_ERROR && z.z.avail_out == 0);
        emit_products(&pr, zout_feed, &z);
        zout_run(&z, NULL, 0, Z_FINISH);
    }
    deflateEnd(&z.z); /* Z_DATA_ERROR after a sync flush: the stream was ended by hand */
    clen = z.out.len - PXS_SNAPSHOT_HEADER;
    memcpy(z.out.p, MAGIC, 8);
    put_le(z.out.p + 8, PXS_SNAPSHOT_VERSION, 2);
    put_le(z.out.p + 10, 0, 2);
    put_le(z.out.p + 12, (uint32_t)plen, 4);
    put_le(z.out.p + 16, (uint32_t)clen, 4);
    put_le(z.out.p + 20, (uint32_t)crc32(0, z.out.p + PXS_SNAPSHOT_HEADER, (uInt)clen), 4);
    *buf = z.out.p;
    *len = z.out.len;
}

/* ---- decoding ------------------------------------------------------------ */

typedef struct rbuf {
    const unsigned char *p, *end;
    int bad;
} rbuf;

static uint64_t get_varint(rbuf *r)
{
    uint64_t v = 0;

    for (int shift = 0; shift < 64; shift += 7) {
        unsigned char b;
        if (r->p >= r->end) {
            r->bad = 1;
            return 0;
        }
        b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    r->bad = 1;
    return 0;
}

static int64_t get_svarint(rbuf *r)
{
    uint64_t u = get_varint(r);

    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* acc += the next signed delta of r; false (r marked bad) on overflow. */
static bool add_delta(rbuf *r, int64_t *acc)
{
    if (__builtin_add_overflow(*acc, get_svarint(r), acc)) {
        r->bad = 1;
        return false;
    }
    return !r->bad;
}

/* A count that cannot exceed the bytes left (each item takes >= 1 byte). */
static size_t get_count(rbuf *r)
{
    uint64_t n = get_varint(r);

    if (n > (uint64_t)(r->end - r->p)) {
        r->bad = 1;
        return 0;
    }
    return (size_t)n;
}

static char *get_string(rbuf *r)
{
    size_t n = get_count(r);
    char *s;

    if (r->bad || memchr(r->p, '\0', n) != NULL) {
        r->bad = 1;
        return xstrdup("");
    }
    s = xstrndup((const char *)r->p, n);
    r->p += n;
    return s;
}

static void get_strlist(rbuf *r, pxs_strlist *l)
{
    size_t n = get_count(r);

    for (size_t i = 0; i < n && !r->bad; i++) {
        char *s = get_string(r);
        pxs_strlist_add(l, s);
        free(s);
    }
}

/* A column being read: its bytes and the last string read from it, kept in
 * a buffer that only grows (names are rebuilt without an allocation each). */
typedef struct column_in {
    rbuf r;
    char *prev;
    size_t len, cap;
} column_in;

/* Reads the next front-coded string of c into c->prev. */
static bool read_front_coded(column_in *c)
{
    size_t shared = (size_t)get_varint(&c->r), rest = get_count(&c->r);

    if (c->r.bad || shared > c->len || memchr(c->r.p, '\0', rest) != NULL)
        return false;
    if (shared + rest + 1 > c->cap)
        xgrow((void **)&c->prev, &c->cap, shared + rest + 1, 1);
    memcpy(c->prev + shared, c->r.p, rest);
    c->len = shared + rest;
    c->prev[c->len] = '\0';
    c->r.p += rest;
    return true;
}

/* Appends sep (unless 0) and n bytes to the name being rebuilt. */
static void append(wbuf *name, char sep, const char *s, size_t n)
{
    if (sep)
        put_bytes(name, &sep, 1);
    put_bytes(name, s, n);
}

static bool get_part(column_in *c, wbuf *name, char sep)
{
    if (!read_front_coded(c))
        return false;
    append(name, sep, c->prev, c->len);
    return true;
}

/* Appends the text of a field that repeats part of the first one. */
static bool append_same(wbuf *name, size_t what_len, int k)
{
    const char *part;
    size_t plen;

    if (k == 3) {
        if (what_len < 2)
            return false;
        part = (const char *)name->p;
        plen = 2;
    } else if (!what_part((const char *)name->p, what_len, 1, &part, &plen))
        return false;
    {
        /* part points into name, which may move as it grows: go by offset. */
        size_t at = (size_t)((const unsigned char *)part - name->p);
        if (name->len + plen + 1 > name->cap)
            xgrow((void **)&name->p, &name->cap, name->len + plen + 1, 1);
        name->p[name->len++] = ':';
        memmove(name->p + name->len, name->p + at, plen);
        name->len += plen;
    }
    return true;
}

/* Rebuilds one ingest name into name (not NUL-terminated). */
static bool get_ingest(column_in *col, int64_t pred, wbuf *name)
{
    char stamp[16];
    unsigned parts, same = 0;
    bool ok = col[C_PARTS].r.p < col[C_PARTS].r.end && col[C_SAME].r.p < col[C_SAME].r.end;
    size_t what_len;
    int64_t t;

    if (ok) {
        parts = *col[C_PARTS].r.p++;
        same = *col[C_SAME].r.p++;
        ok = parts > 0 && same <= (SAME_TYPE | SAME_SITE);
    } else
        parts = 0;
    for (unsigned i = 0; i < parts && ok; i++)
        ok = get_part(&col[i < WHAT_COLS ? C_WHAT0 + i : C_WHATX], name, i ? '_' : 0);
    what_len = name->len;
    for (int k = 1; k < 6 && ok; k++) {
        if ((k == 2 && (same & SAME_SITE)) || (k == 3 && (same & SAME_TYPE)))
            ok = append_same(name, what_len, k);
        else
            ok = get_part(&col[C_FIELD1 + k - 1], name, ':');
    }
    t = pred;
    if (!ok || !add_delta(&col[C_TIME].r, &t) || t < 0 || t > 253402300799LL) /* past 9999-12-31 */
        return false;
    append(name, ':', pxs_format_compact(t, stamp), 14);
    return true;
}

/* Products, after the rows (their ids are checked here). */
static void get_products(rbuf *r, pxs_hour *h)
{
    size_t n = get_count(r);
    const unsigned char *kinds = r->p;
    column_in col[NCOLS];
    wbuf name = {0};
    int64_t *pred;

    if (r->bad || (size_t)(r->end - r->p) < n || n > UINT32_MAX) {
        r->bad = 1;
        return;
    }
    r->p += n;
    for (int k = 0; k < NCOLS; k++) {
        size_t len = get_count(r);
        col[k] = (column_in){{r->p, r->p + len, r->bad}, NULL, 0, 0};
        r->p += r->bad ? 0 : len;
    }
    for (size_t i = 0; i < h->nrows; i++)
        if (h->rows[i].product >= n)
            r->bad = 1;
    pred = predicted_times(h, (uint32_t)n);
    for (size_t i = 0; i < n && !r->bad; i++) {
        bool ok;
        name.len = 0;
        if (kinds[i] == 1)
            ok = get_ingest(col, pred[i], &name);
        else
            ok = kinds[i] == 0 && get_part(&col[C_RAW], &name, 0);
        /* Duplicate names would shift ids: a writer never produces them. */
        if (!ok || pxs_strpool_intern(&h->products, name.p ? (char *)name.p : "", name.len) != i)
            r->bad = 1;
    }
    for (int k = 0; k < NCOLS; k++) {
        if (col[k].r.bad || col[k].r.p != col[k].r.end)
            r->bad = 1;
        free(col[k].prev);
    }
    free(name.p);
    free(pred);
}

static int get_rows(rbuf *r, pxs_hour *h)
{
    size_t n = get_count(r);
    int64_t t = h->start, product = 0;

    if (r->bad)
        return -1;
    h->rows = xcalloc(n ? n : 1, sizeof *h->rows);
    h->nrows = h->cap = n;
    for (size_t i = 0; i < n; i++) {
        if (!add_delta(r, &t) || !pxs_hour_contains(h, t))
            return -1;
        h->rows[i].time = t;
    }
    for (size_t i = 0; i < n; i++)
        h->rows[i].bytes = (int64_t)(get_varint(r) & INT64_MAX);
    for (size_t i = 0; i < n; i++)
        h->rows[i].latency = (int64_t)(get_varint(r) & INT64_MAX);
    for (size_t i = 0; i < n && !r->bad; i++) {
        if (r->p >= r->end || *r->p > 1)
            return -1;
        h->rows[i].error = *r->p++;
    }
    for (size_t i = 0; i < n; i++) {
        if (!add_delta(r, &product) || product < 0 || product > (int64_t)UINT32_MAX)
            return -1;
        h->rows[i].product = (uint32_t)product; /* checked against the products later */
    }
    return r->bad ? -1 : 0;
}

static uint32_t get_le(const unsigned char *p, int n)
{
    uint32_t v = 0;

    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* Checks the header and inflates the payload into a fresh buffer. */
static unsigned char *inflate_body(const unsigned char *buf, size_t len, const char *name,
                                   size_t *plen)
{
    uint32_t version, ulen, clen;
    uLongf out_len;
    unsigned char *out;

    if (len < PXS_SNAPSHOT_HEADER || memcmp(buf, MAGIC, 8) != 0) {
        pxs_set_error("%s: not a pxstats snapshot (bad magic%s)", name,
                      len < PXS_SNAPSHOT_HEADER ? ", file too short" : "");
        return NULL;
    }
    version = get_le(buf + 8, 2);
    if (version > PXS_SNAPSHOT_VERSION || version == 0) {
        pxs_set_error("%s: snapshot format version %u is not supported (this pxstats reads "
                      "version %d): written by a newer pxstats?", name, version,
                      PXS_SNAPSHOT_VERSION);
        return NULL;
    }
    ulen = get_le(buf + 12, 4);
    clen = get_le(buf + 16, 4);
    if ((size_t)clen != len - PXS_SNAPSHOT_HEADER) {
        pxs_set_error("%s: truncated or padded snapshot (%zu bytes of data, header says %u)", name,
                      len - PXS_SNAPSHOT_HEADER, clen);
        return NULL;
    }
    if (crc32(0, buf + PXS_SNAPSHOT_HEADER, clen) != get_le(buf + 20, 4)) {
        pxs_set_error("%s: corrupt snapshot (checksum mismatch)", name);
        return NULL;
    }
    if (ulen > MAX_PAYLOAD) {
        pxs_set_error("%s: corrupt snapshot (implausible size %u)", name, ulen);
        return NULL;
    }
    out = xmalloc(ulen ? ulen : 1);
    out_len = ulen;
    if (uncompress(out, &out_len, buf + PXS_SNAPSHOT_HEADER, clen) != Z_OK || out_len != ulen) {
        pxs_set_error("%s: corrupt snapshot (cannot be decompressed)", name);
        free(out);
        return NULL;
    }
    *plen = ulen;
    return out;
}

static int decode_payload(rbuf *r, pxs_hour *h)
{
    char *client = get_string(r), *machine = get_string(r);
    uint64_t ft = get_varint(r);
    int64_t start = get_svarint(r);
    uint64_t interval = get_varint(r), maxlat = get_varint(r), types = get_varint(r);
    uint64_t partial = get_varint(r);
    int ok = !r->bad && ft <= 1 && interval >= 60 && interval <= 3600 && interval % 60 == 0 &&
             3600 % interval == 0 && start % 3600 == 0 && maxlat <= 1000000000u && types <= 7 &&
             partial <= 1 && pxs_name_valid(client) && (machine[0] == '\0' || pxs_name_valid(machine));

    if (ok) {
        pxs_hour_init(h, client, machine, (pxs_filetype)ft, start, (int)(interval / 60),
                      (int)maxlat, (unsigned)types);
        pxs_strlist_free(&h->sources);
        h->partial = partial;
        h->malformed = get_varint(r);
        get_strlist(r, &h->files);
        get_strlist(r, &h->sources);
        ok = get_rows(r, h) == 0;
        if (ok)
            get_products(r, h);
        ok = ok && !r->bad && r->p == r->end;
    }
    free(client);
    free(machine);
    return ok ? 0 : -1;
}

int pxs_snapshot_decode(const unsigned char *buf, size_t len, const char *name, pxs_hour *h)
{
    size_t plen;
    unsigned char *payload = inflate_body(buf, len, name, &plen);
    rbuf r;
    int rc;

    memset(h, 0, sizeof *h);
    if (payload == NULL)
        return -1;
    r = (rbuf){payload, payload + plen, 0};
    rc = decode_payload(&r, h);
    free(payload);
    if (rc != 0) {
        pxs_hour_free(h);
        pxs_set_error("%s: corrupt snapshot (inconsistent content)", name);
        return -1;
    }
    pxs_hour_compute(h);
    return 0;
}

int pxs_snapshot_write(const char *path, const pxs_hour *h)
{
    unsigned char *buf;
    size_t len;
    int rc;

    pxs_snapshot_encode(h, &buf, &len);
    rc = pxs_atomic_write(path, buf, len);
    free(buf);
    return rc;
}

int pxs_snapshot_read(const char *path, pxs_hour *h)
{
    size_t len;
    char *buf = pxs_read_file(path, &len);
    int rc;

    memset(h, 0, sizeof *h);
    if (buf == NULL)
        return -1;
    rc = pxs_snapshot_decode((const unsigned char *)buf, len, path, h);
    free(buf);
    return rc;
}

int pxs_snapshot_checksum(const char *path, uint32_t *crc)
{
    unsigned char head[PXS_SNAPSHOT_HEADER];
    int fd = pxs_file_open(path, O_RDONLY, 0);
    ssize_t n;

    if (fd < 0)
        return -1;
    /* The header alone: FILE_VERSIONS asks this of every source, every run. */
    n = pread(fd, head, sizeof head, 0);
    close(fd);
    if (n != (ssize_t)sizeof head || memcmp(head, MAGIC, 8) != 0) {
        pxs_set_error("%s: not a pxstats snapshot (bad magic%s)", path,
                      n != (ssize_t)sizeof head ? ", file too short" : "");
        return -1;
    }
    *crc = get_le(head + 20, 4);
    return 0;
}
