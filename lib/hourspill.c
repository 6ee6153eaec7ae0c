/* hourspill — a client-hour too big for memory, coded as its rows come. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/hourspill.h"
#include "pxstats/msg.h"
#include "pxstats/snapenc.h"
#include "pxstats/strpool.h"
#include "pxstats/xalloc.h"

/* A stream's buffer goes to the file once it holds this much. */
#define CHUNK (32u * 1024)
/* The row columns are looked at every so many rows (at most ~10 bytes a row
 * each in between). */
#define ROW_CHECK 1024
/* Names are written to their file in pieces of this size. */
#define NAMES_CHUNK (64u * 1024)

/* Bytes of one stream moved to the column file. */
typedef struct chunk {
    uint64_t off;
    uint32_t len;
    uint8_t stream;
} chunk;

struct pxs_hourspill {
    pxs_rowcols rc;
    pxs_prodcols pc;
    /* the column file */
    int fd;
    uint64_t fd_len;
    chunk *chunks;
    size_t nchunks, chunks_cap;
    uint64_t moved[PXS_STREAMS];
    /* the product names: their file, with the tail not yet written */
    int names_fd;
    pxs_wbuf names_tail;
    uint64_t names_written;
    /* the names' table: slots hold id + 1 (0: empty); per id, its hash and
     * the offset of its name (its length: up to the next one's) */
    uint32_t *slots, nslots;
    uint32_t *hash, *off;
    size_t ids_cap;
    pxs_wbuf check;         /* a name read back */
    char *error;            /* the first write error, kept for the write */
};

/* ---- files ------------------------------------------------------------------ */

static void fail(pxs_hourspill *sp, const char *what)
{
    if (sp->error == NULL)
        sp->error = xasprintf("cannot write the temporary %s of a big hour: %s", what,
                              strerror(errno ? errno : EIO));
}

/* Moves the buffer of stream k to the column file. */
static void move_out(pxs_hourspill *sp, int k, pxs_wbuf *w)
{
    if (w->len == 0)
        return;
    if (sp->error == NULL && !pxs_pwrite_full(sp->fd, w->p, w->len, (off_t)sp->fd_len))
        fail(sp, "columns");
    xgrow((void **)&sp->chunks, &sp->chunks_cap, sp->nchunks + 1, sizeof *sp->chunks);
    sp->chunks[sp->nchunks++] = (chunk){sp->fd_len, (uint32_t)w->len, (uint8_t)k};
    sp->fd_len += w->len;
    sp->moved[k] += w->len;
    w->len = 0;
}

static pxs_wbuf *stream(pxs_hourspill *sp, int k)
{
    if (k < PXS_ROWCOLS)
        return &sp->rc.col[k];
    if (k == PXS_STREAM_KINDS)
        return &sp->pc.kinds;
    return &sp->pc.col[k - PXS_STREAM_PRODCOL0].w;
}

/* Moves out the buffers of streams [from, to) that reached CHUNK. */
static void move_full(pxs_hourspill *sp, int from, int to)
{
    for (int k = from; k < to; k++) {
        pxs_wbuf *w = stream(sp, k);
        if (w->len >= CHUNK)
            move_out(sp, k, w);
    }
}

/* ---- names -------------------------------------------------------------------- */

static uint64_t name_off(const pxs_hourspill *sp, uint32_t id)
{
    return sp->off[id];
}

static uint64_t name_len(const pxs_hourspill *sp, uint32_t id)
{
    uint64_t end = id + 1 < sp->pc.n ? sp->off[id + 1] : sp->names_written + sp->names_tail.len;

    return end - sp->off[id];
}

/* True when name id is s[0..len): from the tail in memory, or read back. */
static bool same_name(pxs_hourspill *sp, uint32_t id, const char *s, size_t len)
{
    uint64_t off = name_off(sp, id);

    if (name_len(sp, id) != len)
        return false;
    if (len == 0)
        return true;    /* "" (error rows): no text to compare, maybe no buffer yet */
    if (off >= sp->names_written)
        return memcmp(sp->names_tail.p + (off - sp->names_written), s, len) == 0;
    if (len > sp->check.cap)
        xgrow((void **)&sp->check.p, &sp->check.cap, len, 1);
    if (!pxs_pread_full(sp->names_fd, sp->check.p, len, (off_t)off)) {
        /* Unreadable: taken as another name (a duplicate name, never a
         * merged one), and the hour fails at its write. */
        fail(sp, "names");
        return false;
    }
    return memcmp(sp->check.p, s, len) == 0;
}

/* The home slot of hash h in a table of n slots: h scaled to [0, n) (any n,
 * not only powers of two, so that the table grows by halves). */
static uint32_t home(uint32_t h, uint32_t n)
{
    return (uint32_t)(((uint64_t)h * n) >> 32);
}

static uint32_t next_slot(uint32_t i, uint32_t n)
{
    return i + 1 < n ? i + 1 : 0;
}

/* Grows the table by half: at most three quarters full, 5 to 8 bytes of
 * slots per name (doubling would reach 10.7). The old table goes first: the
 * hashes are kept per id, so the new one is filled from them. */
static void rehash(pxs_hourspill *sp)
{
    uint32_t n = sp->nslots ? sp->nslots + sp->nslots / 2 : 1024;

    free(sp->slots);
    sp->slots = xcalloc(n, sizeof *sp->slots);
    sp->nslots = n;
    for (uint32_t id = 0; id < sp->pc.n; id++) {
        uint32_t i = home(sp->hash[id], n);
        while (sp->slots[i])
            i = next_slot(i, n);
        sp->slots[i] = id + 1;
    }
}

/* The id of s[0..len), a new one (its product coded) when first met. */
static uint32_t intern(pxs_hourspill *sp, const char *s, size_t len, int64_t pred)
{
    uint32_t h = pxs_strpool_hash(s, len), i, id;
    size_t cap;

    if (sp->error != NULL)
        return 0;   /* the hour fails at its write: no more names are kept */
    /* Up to three quarters full: a probe compares the 4-byte hashes before
     * any text, and the table is the largest part of the memory. */
    if ((uint64_t)(sp->pc.n + 1) * 4 > (uint64_t)sp->nslots * 3)
        rehash(sp);
    for (i = home(h, sp->nslots); (id = sp->slots[i]) != 0; i = next_slot(i, sp->nslots))
        if (sp->hash[id - 1] == h && same_name(sp, id - 1, s, len))
            return id - 1;
    id = sp->pc.n;
    if (sp->names_written + sp->names_tail.len + len > UINT32_MAX) {
        errno = EFBIG;  /* offsets are 32-bit: far beyond the format's limit anyway */
        fail(sp, "names");
        return 0;
    }
    cap = sp->ids_cap;
    xgrow((void **)&sp->hash, &cap, (size_t)id + 1, sizeof *sp->hash);
    cap = sp->ids_cap;
    xgrow((void **)&sp->off, &cap, (size_t)id + 1, sizeof *sp->off);
    sp->ids_cap = cap;
    sp->hash[id] = h;
    sp->off[id] = (uint32_t)(sp->names_written + sp->names_tail.len);
    sp->slots[i] = id + 1;
    pxs_wbuf_bytes(&sp->names_tail, s, len);
    if (sp->names_tail.len >= NAMES_CHUNK) {
        if (sp->error == NULL &&
            !pxs_pwrite_full(sp->names_fd, sp->names_tail.p, sp->names_tail.len,
                             (off_t)sp->names_written))
            fail(sp, "names");
        sp->names_written += sp->names_tail.len;
        sp->names_tail.len = 0;
    }
    pxs_prodcols_add(&sp->pc, s, len, pred);
    move_full(sp, PXS_STREAM_KINDS, PXS_STREAMS);
    return id;
}

/* ---- the hour --------------------------------------------------------------------- */

pxs_hourspill *pxs_hourspill_open(const char *dir, int64_t hour_start)
{
    pxs_hourspill *sp = xcalloc(1, sizeof *sp);

    sp->fd = pxs_unnamed_temp(dir);
    sp->names_fd = sp->fd >= 0 ? pxs_unnamed_temp(dir) : -1;
    if (sp->names_fd < 0) {
        pxs_set_error_errno("%s: cannot make a temporary file for a big hour", dir);
        if (sp->fd >= 0)
            close(sp->fd);
        free(sp);
        return NULL;
    }
    pxs_rowcols_init(&sp->rc, hour_start);
    pxs_prodcols_init(&sp->pc);
    return sp;
}

void pxs_hourspill_take(pxs_hourspill *sp, pxs_hour *h)
{
    for (size_t i = 0; i < h->nrows; i++) {
        const pxs_row *r = &h->rows[i];
        const char *name = pxs_hour_product(h, r);
        uint32_t id = intern(sp, name, strlen(name), r->time - r->latency);
        pxs_rowcols_add(&sp->rc, r->time, r->bytes, r->latency, r->error, id);
        if (sp->rc.n % ROW_CHECK == 0)
            move_full(sp, 0, PXS_ROWCOLS);
    }
    /* h starts again empty, with its identity, files and counts. */
    h->nrows = 0;
    pxs_strpool_free(&h->products);
    pxs_strpool_init(&h->products);
    free(h->buckets);
    h->buckets = NULL;
}

uint64_t pxs_hourspill_rows(const pxs_hourspill *sp)
{
    return sp->rc.n;
}

/* Hands e the bytes stream k moved to the column file. */
static int replay(void *arg, int k, pxs_snapenc *e)
{
    pxs_hourspill *sp = arg;
    pxs_wbuf buf = {0};
    int rc = 0;

    for (size_t i = 0; i < sp->nchunks && rc == 0; i++) {
        const chunk *c = &sp->chunks[i];
        if (c->stream != k)
            continue;
        if (c->len > buf.cap)
            xgrow((void **)&buf.p, &buf.cap, c->len, 1);
        if (!pxs_pread_full(sp->fd, buf.p, c->len, (off_t)c->off)) {
            pxs_set_error("cannot read back the temporary columns of a big hour: %s",
                          strerror(errno ? errno : EIO));
            rc = -1;
            break;
        }
        buf.len = c->len;
        if (k < PXS_STREAM_KINDS)
            pxs_snapenc_rows(e, &buf);
        else
            pxs_snapenc_products(e, &buf);
    }
    free(buf.p);
    return rc;
}

int pxs_hourspill_write(pxs_hourspill *sp, const pxs_hour *h, FILE *fp)
{
    pxs_snapenc *e;
    pxs_wbuf w = {0};
    pxs_moved m = {.replay = replay, .arg = sp};

    if (sp->error != NULL) {
        pxs_set_error("%s", sp->error);
        return -1;
    }
    /* The names' table is no longer needed: its memory goes before the
     * compressor's comes. */
    free(sp->slots);
    free(sp->hash);
    free(sp->off);
    sp->slots = sp->hash = sp->off = NULL;
    sp->nslots = 0;
    e = pxs_snapenc_start(fp);
    if (e == NULL) {
        pxs_set_error("out of memory compressing a snapshot");
        return -1;
    }
    memcpy(m.bytes, sp->moved, sizeof m.bytes);
    pxs_snapenc_identity(&w, h);
    pxs_snapenc_rows(e, &w);
    free(w.p);
    if (pxs_snapenc_body(e, &sp->rc, &sp->pc, &m) != 0) {
        pxs_snapenc_abort(e);
        return -1;
    }
    return pxs_snapenc_finish(e, NULL, NULL);
}

void pxs_hourspill_free(pxs_hourspill *sp)
{
    if (sp == NULL)
        return;
    close(sp->fd);
    close(sp->names_fd);
    pxs_rowcols_free(&sp->rc);
    pxs_prodcols_free(&sp->pc);
    free(sp->chunks);
    free(sp->names_tail.p);
    free(sp->slots);
    free(sp->hash);
    free(sp->off);
    free(sp->check.p);
    free(sp->error);
    free(sp);
}
