/* snapshot — the versioned, compressed, checksummed hourly file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <stdbool.h>

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/names.h"
#include "pxstats/pxtime.h"
#include "pxstats/snapenc.h"
#include "pxstats/snapshot.h"
#include "pxstats/xalloc.h"

/* ---- encoding ------------------------------------------------------------ */

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

void pxs_snapshot_encode(const pxs_hour *h, unsigned char **buf, size_t *len)
{
    pxs_snapenc *e = pxs_snapenc_start(NULL);
    pxs_wbuf w = {0};
    pxs_rowcols rc;
    pxs_prodcols pc;
    const pxs_strpool *p = &h->products;
    int64_t *pred;

    if (e == NULL)
        pxs_diex(PXS_EXIT_FAIL, "out of memory compressing a snapshot");
    pxs_snapenc_identity(&w, h);
    pxs_snapenc_rows(e, &w);
    free(w.p);
    pxs_rowcols_init(&rc, h->start);
    for (size_t i = 0; i < h->nrows; i++)
        pxs_rowcols_add(&rc, h->rows[i].time, h->rows[i].bytes, h->rows[i].latency,
                        h->rows[i].error, h->rows[i].product);
    /* The products are coded with what the rows already say. */
    pred = predicted_times(h, p->n);
    pxs_prodcols_init(&pc);
    for (uint32_t i = 0; i < p->n; i++) {
        const char *s = pxs_strpool_get(p, i);
        pxs_prodcols_add(&pc, s, strlen(s), pred[i]);
    }
    free(pred);
    if (pxs_snapenc_body(e, &rc, &pc, NULL) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    pxs_rowcols_free(&rc);
    pxs_prodcols_free(&pc);
    if (pxs_snapenc_finish(e, buf, len) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
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
static void append(pxs_wbuf *name, char sep, const char *s, size_t n)
{
    if (sep)
        pxs_wbuf_bytes(name, &sep, 1);
    pxs_wbuf_bytes(name, s, n);
}

static bool get_part(column_in *c, pxs_wbuf *name, char sep)
{
    if (!read_front_coded(c))
        return false;
    append(name, sep, c->prev, c->len);
    return true;
}

/* Appends the text of a field that repeats part of the first one. */
static bool append_same(pxs_wbuf *name, size_t what_len, int k)
{
    const char *part;
    size_t plen;

    if (k == 3) {
        if (what_len < 2)
            return false;
        part = (const char *)name->p;
        plen = 2;
    } else if (!pxs_what_part((const char *)name->p, what_len, 1, &part, &plen))
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
static bool get_ingest(column_in *col, int64_t pred, pxs_wbuf *name)
{
    char stamp[16];
    unsigned parts, same = 0;
    bool ok = col[PXS_PC_PARTS].r.p < col[PXS_PC_PARTS].r.end && col[PXS_PC_SAME].r.p < col[PXS_PC_SAME].r.end;
    size_t what_len;
    int64_t t;

    if (ok) {
        parts = *col[PXS_PC_PARTS].r.p++;
        same = *col[PXS_PC_SAME].r.p++;
        ok = parts > 0 && same <= (PXS_SAME_TYPE | PXS_SAME_SITE);
    } else
        parts = 0;
    for (unsigned i = 0; i < parts && ok; i++)
        ok = get_part(&col[i < PXS_WHAT_COLS ? PXS_PC_WHAT0 + i : PXS_PC_WHATX], name, i ? '_' : 0);
    what_len = name->len;
    for (int k = 1; k < 6 && ok; k++) {
        if ((k == 2 && (same & PXS_SAME_SITE)) || (k == 3 && (same & PXS_SAME_TYPE)))
            ok = append_same(name, what_len, k);
        else
            ok = get_part(&col[PXS_PC_FIELD1 + k - 1], name, ':');
    }
    t = pred;
    if (!ok || !add_delta(&col[PXS_PC_TIME].r, &t) || t < 0 || t > 253402300799LL) /* past 9999-12-31 */
        return false;
    append(name, ':', pxs_format_compact(t, stamp), 14);
    return true;
}

/* Products, after the rows (their ids are checked here). */
static void get_products(rbuf *r, pxs_hour *h)
{
    size_t n = get_count(r);
    const unsigned char *kinds = r->p;
    column_in col[PXS_PRODCOLS];
    pxs_wbuf name = {0};
    int64_t *pred;

    if (r->bad || (size_t)(r->end - r->p) < n || n > UINT32_MAX) {
        r->bad = 1;
        return;
    }
    r->p += n;
    for (int k = 0; k < PXS_PRODCOLS; k++) {
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
            ok = kinds[i] == 0 && get_part(&col[PXS_PC_RAW], &name, 0);
        /* Duplicate names would shift ids: a writer never produces them. */
        if (!ok || pxs_strpool_intern(&h->products, name.p ? (char *)name.p : "", name.len) != i)
            r->bad = 1;
    }
    for (int k = 0; k < PXS_PRODCOLS; k++) {
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

    if (len < PXS_SNAPSHOT_HEADER || memcmp(buf, PXS_SNAPSHOT_MAGIC, 8) != 0) {
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
    if (ulen > PXS_SNAPSHOT_MAX_PAYLOAD) {
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
    if (n != (ssize_t)sizeof head || memcmp(head, PXS_SNAPSHOT_MAGIC, 8) != 0) {
        pxs_set_error("%s: not a pxstats snapshot (bad magic%s)", path,
                      n != (ssize_t)sizeof head ? ", file too short" : "");
        return -1;
    }
    *crc = get_le(head + 20, 4);
    return 0;
}
