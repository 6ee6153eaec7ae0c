/* snapenc — the writing half of the snapshot format, for both builders. */
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include <zlib.h>

#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/snapenc.h"
#include "pxstats/snapshot.h"
#include "pxstats/xalloc.h"

/* Compression levels: libdeflate's for the product columns, zlib's (with
 * Z_RLE) for the numeric row columns, zlib's for the product columns of a
 * big hour (bench/README.md). */
#ifndef ZLEVEL
#define ZLEVEL 6
#endif
#define ZLEVEL_ROWS 1
#define ZLEVEL_NAMES 5
/* Compressed bytes gathered before they go to the file. */
#define OUT_CHUNK (256u * 1024)

/* ---- buffers ------------------------------------------------------------- */

void pxs_wbuf_bytes(pxs_wbuf *w, const void *s, size_t n)
{
    if (n == 0)
        return; /* memcpy from or to NULL is undefined even for 0 bytes */
    if (w->len + n > w->cap)
        xgrow((void **)&w->p, &w->cap, w->len + n, 1);
    memcpy(w->p + w->len, s, n);
    w->len += n;
}

void pxs_wbuf_varint(pxs_wbuf *w, uint64_t v)
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

void pxs_wbuf_svarint(pxs_wbuf *w, int64_t v)
{
    pxs_wbuf_varint(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static size_t varint_size(uint64_t v)
{
    size_t n = 1;

    for (; v >= 0x80; v >>= 7)
        n++;
    return n;
}

static void put_string(pxs_wbuf *w, const char *s)
{
    size_t n = strlen(s);

    pxs_wbuf_varint(w, n);
    pxs_wbuf_bytes(w, s, n);
}

static void put_strlist(pxs_wbuf *w, const pxs_strlist *l)
{
    pxs_wbuf_varint(w, l->n);
    for (size_t i = 0; i < l->n; i++)
        put_string(w, l->v[i]);
}

void pxs_snapenc_identity(pxs_wbuf *w, const pxs_hour *h)
{
    put_string(w, h->client);
    put_string(w, h->machine);
    pxs_wbuf_varint(w, (uint64_t)h->ft);
    pxs_wbuf_svarint(w, h->start);
    pxs_wbuf_varint(w, (uint64_t)h->interval);
    pxs_wbuf_varint(w, (uint64_t)h->max_latency);
    pxs_wbuf_varint(w, h->types);
    pxs_wbuf_varint(w, h->partial ? 1 : 0);
    pxs_wbuf_varint(w, h->malformed);
    put_strlist(w, &h->files);
    put_strlist(w, &h->sources);
}

/* ---- rows ---------------------------------------------------------------- */

void pxs_rowcols_init(pxs_rowcols *rc, int64_t hour_start)
{
    memset(rc, 0, sizeof *rc);
    rc->prev_time = hour_start;
}

/* Column by column: each column is regular, so deflate finds its patterns. */
void pxs_rowcols_add(pxs_rowcols *rc, int64_t time, int64_t bytes, int64_t latency, bool error,
                     uint32_t product)
{
    unsigned char e = error;

    pxs_wbuf_svarint(&rc->col[PXS_RC_TIME], time - rc->prev_time);
    pxs_wbuf_varint(&rc->col[PXS_RC_BYTES], (uint64_t)bytes);
    pxs_wbuf_varint(&rc->col[PXS_RC_LATENCY], (uint64_t)latency);
    pxs_wbuf_bytes(&rc->col[PXS_RC_ERROR], &e, 1);
    pxs_wbuf_svarint(&rc->col[PXS_RC_PRODUCT], (int64_t)product - (int64_t)rc->prev_product);
    rc->prev_time = time;
    rc->prev_product = product;
    rc->n++;
}

void pxs_rowcols_free(pxs_rowcols *rc)
{
    for (int k = 0; k < PXS_ROWCOLS; k++)
        free(rc->col[k].p);
    memset(rc, 0, sizeof *rc);
}

/* ---- products ------------------------------------------------------------ */

bool pxs_split_ingest(const char *s, size_t len, const char *field[7], size_t flen[7], int64_t *t)
{
    const char *p = s, *end = s + len;
    char back[16];

    for (int i = 0; i < 7; i++) {
        const char *c = memchr(p, ':', (size_t)(end - p));
        if ((c == NULL) != (i == 6))
            return false;
        field[i] = p;
        flen[i] = (size_t)((c ? c : end) - p);
        p = c ? c + 1 : p;
    }
    if (!pxs_parse_compact(field[6], flen[6], t))
        return false;
    pxs_format_compact(*t, back);
    return memcmp(back, field[6], 14) == 0;
}

bool pxs_what_part(const char *s, size_t len, int k, const char **part, size_t *plen)
{
    const char *p = s, *end = s + len, *u;

    for (int i = 0; i < k; i++) {
        u = memchr(p, '_', (size_t)(end - p));
        if (u == NULL)
            return false;
        p = u + 1;
    }
    u = memchr(p, '_', (size_t)(end - p));
    *part = p;
    *plen = (size_t)((u ? u : end) - p);
    return true;
}

void pxs_prodcols_init(pxs_prodcols *pc)
{
    memset(pc, 0, sizeof *pc);
}

void pxs_prodcols_free(pxs_prodcols *pc)
{
    free(pc->kinds.p);
    for (int k = 0; k < PXS_PRODCOLS; k++) {
        free(pc->col[k].w.p);
        free(pc->col[k].prev);
    }
    memset(pc, 0, sizeof *pc);
}

/* Front coding: the length shared with the previous string, then the rest. */
static void put_part(pxs_prodcol *c, const char *s, size_t len)
{
    size_t shared = 0;

    while (shared < len && shared < c->prev_len && c->prev[shared] == s[shared])
        shared++;
    pxs_wbuf_varint(&c->w, shared);
    pxs_wbuf_varint(&c->w, len - shared);
    pxs_wbuf_bytes(&c->w, s + shared, len - shared);
    if (len > c->prev_cap)
        xgrow((void **)&c->prev, &c->prev_cap, len, 1);
    if (len > shared) /* prev may still be NULL: memcpy wants a pointer even for 0 bytes */
        memcpy(c->prev + shared, s + shared, len - shared);
    c->prev_len = len;
}

static unsigned char same_fields(const char *f[7], const size_t fl[7])
{
    const char *site;
    size_t sl;
    unsigned char same = 0;

    if (fl[3] == 2 && fl[0] >= 2 && memcmp(f[3], f[0], 2) == 0)
        same |= PXS_SAME_TYPE;
    if (pxs_what_part(f[0], fl[0], 1, &site, &sl) && sl == fl[2] && memcmp(site, f[2], sl) == 0)
        same |= PXS_SAME_SITE;
    return same;
}

static void put_ingest(pxs_prodcol *col, const char *f[7], const size_t fl[7], int64_t t,
                       int64_t pred)
{
    const char *p = f[0], *end = f[0] + fl[0];
    unsigned char parts = 0, same = same_fields(f, fl);
    size_t at = col[PXS_PC_PARTS].w.len;

    pxs_wbuf_bytes(&col[PXS_PC_PARTS].w, &parts, 1);
    for (;;) {
        const char *u = memchr(p, '_', (size_t)(end - p));
        put_part(&col[parts < PXS_WHAT_COLS ? PXS_PC_WHAT0 + parts : PXS_PC_WHATX], p,
                 (size_t)((u ? u : end) - p));
        parts++;
        if (u == NULL)
            break;
        if (parts == 254) {
            /* 255 says: the rest of the field follows whole, underscores and all. */
            put_part(&col[PXS_PC_WHATX], u + 1, (size_t)(end - u - 1));
            parts = 255;
            break;
        }
        p = u + 1;
    }
    col[PXS_PC_PARTS].w.p[at] = parts;
    pxs_wbuf_bytes(&col[PXS_PC_SAME].w, &same, 1);
    for (int k = 1; k < 6; k++) {
        if ((k == 2 && (same & PXS_SAME_SITE)) || (k == 3 && (same & PXS_SAME_TYPE)))
            continue;
        put_part(&col[PXS_PC_FIELD1 + k - 1], f[k], fl[k]);
    }
    pxs_wbuf_svarint(&col[PXS_PC_TIME].w, t - pred);
}

void pxs_prodcols_add(pxs_prodcols *pc, const char *name, size_t len, int64_t pred)
{
    const char *f[7];
    size_t fl[7];
    int64_t t;
    unsigned char kind = pxs_split_ingest(name, len, f, fl, &t);

    pxs_wbuf_bytes(&pc->kinds, &kind, 1);
    if (kind)
        put_ingest(pc->col, f, fl, t, pred);
    else
        put_part(&pc->col[PXS_PC_RAW], name, len);
    pc->n++;
}

/* ---- the compressed body ----------------------------------------------------
 * One zlib stream. With libdeflate, zlib's part is ended by a sync flush (its
 * blocks so far, none marked last, then byte alignment), libdeflate's raw
 * deflate blocks follow (its last one marked last), then the Adler-32 of the
 * whole payload: a deflate stream is any sequence of blocks, so any zlib
 * inflate reads it. */
struct pxs_snapenc {
    z_stream z;
    FILE *fp;               /* NULL: the snapshot is built in memory */
    pxs_wbuf out;           /* (header room, then) compressed bytes not yet written */
    uint64_t clen;          /* compressed bytes written to fp */
    uLong crc;              /* of those */
    size_t products;        /* the product section's announced size */
    bool oneshot;           /* the product section goes to libdeflate */
    pxs_wbuf whole;         /* ...gathered here */
    bool failed;            /* a write to fp failed (pxs_error set) */
};

/* In file mode, what is compressed so far goes out (all of it, or only once
 * OUT_CHUNK is reached). */
static void out_drain(pxs_snapenc *e, bool all)
{
    if (e->fp == NULL || e->out.len == 0 || (!all && e->out.len < OUT_CHUNK))
        return;
    if (!e->failed && fwrite(e->out.p, 1, e->out.len, e->fp) != e->out.len) {
        pxs_set_error_errno("cannot write the snapshot");
        e->failed = true;
    }
    e->crc = crc32(e->crc, e->out.p, (uInt)e->out.len);
    e->clen += e->out.len;
    e->out.len = 0;
}

static void zrun(pxs_snapenc *e, const unsigned char *p, size_t n, int flush)
{
    int rc;

    e->z.next_in = (Bytef *)(uintptr_t)p;
    e->z.avail_in = (uInt)n;
    do {
        if (e->out.cap - e->out.len < 65536)
            xgrow((void **)&e->out.p, &e->out.cap, e->out.len + 65536, 1);
        e->z.next_out = e->out.p + e->out.len;
        e->z.avail_out = (uInt)(e->out.cap - e->out.len);
        rc = deflate(&e->z, flush);
        e->out.len = e->out.cap - e->z.avail_out;
        if (rc == Z_STREAM_ERROR)
            pxs_diex(PXS_EXIT_FAIL, "zlib refused a snapshot");
        out_drain(e, false);
    } while (e->z.avail_in > 0 || e->z.avail_out == 0 ||
             (flush == Z_FINISH && rc != Z_STREAM_END));
}

pxs_snapenc *pxs_snapenc_start(FILE *fp)
{
    pxs_snapenc *e = xcalloc(1, sizeof *e);

    if (deflateInit2(&e->z, ZLEVEL_ROWS, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK) {
        free(e);
        return NULL;
    }
    e->fp = fp;
    e->crc = crc32(0, NULL, 0);
    /* Room for the header, filled in at the end. */
    pxs_wbuf_bytes(&e->out, (unsigned char[PXS_SNAPSHOT_HEADER]){0}, PXS_SNAPSHOT_HEADER);
    if (fp != NULL && fwrite(e->out.p, 1, e->out.len, fp) != e->out.len) {
        pxs_set_error_errno("cannot write the snapshot");
        e->failed = true;
    }
    if (fp != NULL)
        e->out.len = 0;
    return e;
}

void pxs_snapenc_rows(pxs_snapenc *e, pxs_wbuf *w)
{
    if (w->len > 0)
        zrun(e, w->p, w->len, Z_NO_FLUSH);
    w->len = 0;
}

int pxs_snapenc_begin_products(pxs_snapenc *e, size_t size)
{
    int rc;

    if (e->z.total_in + size > PXS_SNAPSHOT_MAX_PAYLOAD) {
        pxs_set_error("a snapshot of %zu bytes is over the format's limit",
                      (size_t)e->z.total_in + size);
        return -1;
    }
    e->products = size;
    e->oneshot = size <= PXS_SNAPENC_ONESHOT;
    if (e->oneshot)
        return 0;
    do {
        if (e->out.cap - e->out.len < 65536)
            xgrow((void **)&e->out.p, &e->out.cap, e->out.len + 65536, 1);
        e->z.next_out = e->out.p + e->out.len;
        e->z.avail_out = (uInt)(e->out.cap - e->out.len);
        rc = deflateParams(&e->z, ZLEVEL_NAMES, Z_DEFAULT_STRATEGY);
        e->out.len = e->out.cap - e->z.avail_out;
    } while (rc == Z_BUF_ERROR && e->z.avail_out == 0);
    return 0;
}

void pxs_snapenc_products(pxs_snapenc *e, pxs_wbuf *w)
{
    if (e->oneshot)
        pxs_wbuf_bytes(&e->whole, w->p, w->len);
    else if (w->len > 0)
        zrun(e, w->p, w->len, Z_NO_FLUSH);
    w->len = 0;
}

static void finish_oneshot(pxs_snapenc *e)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(ZLEVEL);
    size_t bound, n;
    uLong adler = adler32_combine(e->z.adler, adler32(adler32(0, NULL, 0), e->whole.p,
                                                      (uInt)e->whole.len),
                                  (z_off_t)e->whole.len);

    if (c == NULL)
        pxs_diex(PXS_EXIT_FAIL, "out of memory compressing a snapshot");
    zrun(e, NULL, 0, Z_SYNC_FLUSH);
    bound = libdeflate_deflate_compress_bound(c, e->whole.len);
    xgrow((void **)&e->out.p, &e->out.cap, e->out.len + bound + 4, 1);
    n = libdeflate_deflate_compress(c, e->whole.p, e->whole.len, e->out.p + e->out.len, bound);
    libdeflate_free_compressor(c);
    if (n == 0)
        pxs_diex(PXS_EXIT_FAIL, "libdeflate refused a snapshot");
    e->out.len += n;
    for (int i = 3; i >= 0; i--)
        e->out.p[e->out.len++] = (unsigned char)(adler >> (8 * i));
}

static void put_le(unsigned char *p, uint32_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void make_header(unsigned char *p, uint32_t plen, uint32_t clen, uint32_t crc)
{
    memcpy(p, PXS_SNAPSHOT_MAGIC, 8);
    put_le(p + 8, PXS_SNAPSHOT_VERSION, 2);
    put_le(p + 10, 0, 2);
    put_le(p + 12, plen, 4);
    put_le(p + 16, clen, 4);
    put_le(p + 20, crc, 4);
}

int pxs_snapenc_finish(pxs_snapenc *e, unsigned char **buf, size_t *len)
{
    uint32_t plen = (uint32_t)(e->z.total_in + (e->oneshot ? e->whole.len : 0));
    int rc = 0;

    if (e->oneshot)
        finish_oneshot(e);
    else
        zrun(e, NULL, 0, Z_FINISH);
    deflateEnd(&e->z); /* Z_DATA_ERROR after a sync flush: the stream was ended by hand */
    if (e->fp == NULL) {
        size_t clen = e->out.len - PXS_SNAPSHOT_HEADER;
        make_header(e->out.p, plen, (uint32_t)clen,
                    (uint32_t)crc32(0, e->out.p + PXS_SNAPSHOT_HEADER, (uInt)clen));
        *buf = e->out.p;
        *len = e->out.len;
    } else {
        unsigned char head[PXS_SNAPSHOT_HEADER];
        out_drain(e, true);
        free(e->out.p);
        if (e->clen > UINT32_MAX && !e->failed) {
            pxs_set_error("a compressed snapshot of %llu bytes is over the format's limit",
                          (unsigned long long)e->clen);
            e->failed = true;
        }
        make_header(head, plen, (uint32_t)e->clen, (uint32_t)e->crc);
        /* The stream is left at the end of the snapshot. */
        if (!e->failed && (fseek(e->fp, 0, SEEK_SET) != 0 ||
                           fwrite(head, 1, sizeof head, e->fp) != sizeof head ||
                           fseek(e->fp, 0, SEEK_END) != 0)) {
            pxs_set_error_errno("cannot write the snapshot");
            e->failed = true;
        }
        rc = e->failed ? -1 : 0;
        if (buf != NULL)
            *buf = NULL;
        if (len != NULL)
            *len = (size_t)e->clen + PXS_SNAPSHOT_HEADER;
    }
    free(e->whole.p);
    free(e);
    return rc;
}

void pxs_snapenc_abort(pxs_snapenc *e)
{
    if (e == NULL)
        return;
    deflateEnd(&e->z);
    free(e->out.p);
    free(e->whole.p);
    free(e);
}

/* ---- the whole body ----------------------------------------------------------- */

static uint64_t moved(const pxs_moved *m, int k)
{
    return m ? m->bytes[k] : 0;
}

/* Stream k: its moved bytes, then its buffer, which is freed. */
static int put_stream(pxs_snapenc *e, const pxs_moved *m, int k, pxs_wbuf *w,
                      void (*hand)(pxs_snapenc *, pxs_wbuf *))
{
    if (moved(m, k) > 0 && m->replay(m->arg, k, e) != 0)
        return -1;
    hand(e, w);
    free(w->p);
    *w = (pxs_wbuf){0};
    return 0;
}

int pxs_snapenc_body(pxs_snapenc *e, pxs_rowcols *rc, pxs_prodcols *pc, const pxs_moved *m)
{
    pxs_wbuf w = {0};
    size_t size;
    int ret = -1;

    pxs_wbuf_varint(&w, rc->n);
    pxs_snapenc_rows(e, &w);
    for (int k = 0; k < PXS_ROWCOLS; k++)
        if (put_stream(e, m, k, &rc->col[k], pxs_snapenc_rows) != 0)
            goto out;
    /* The product section: its size first (it decides the compressor). */
    size = varint_size(pc->n) + pc->kinds.len + (size_t)moved(m, PXS_STREAM_KINDS);
    for (int k = 0; k < PXS_PRODCOLS; k++) {
        uint64_t n = pc->col[k].w.len + moved(m, PXS_STREAM_PRODCOL0 + k);
        size += varint_size(n) + (size_t)n;
    }
    if (pxs_snapenc_begin_products(e, size) != 0)
        goto out;
    pxs_wbuf_varint(&w, pc->n);
    pxs_snapenc_products(e, &w);
    if (put_stream(e, m, PXS_STREAM_KINDS, &pc->kinds, pxs_snapenc_products) != 0)
        goto out;
    for (int k = 0; k < PXS_PRODCOLS; k++) {
        pxs_wbuf_varint(&w, pc->col[k].w.len + moved(m, PXS_STREAM_PRODCOL0 + k));
        pxs_snapenc_products(e, &w);
        if (put_stream(e, m, PXS_STREAM_PRODCOL0 + k, &pc->col[k].w, pxs_snapenc_products) != 0)
            goto out;
    }
    ret = 0;
out:
    free(w.p);
    return ret;
}
