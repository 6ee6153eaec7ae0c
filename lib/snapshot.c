/* snapshot — the versioned, compressed, checksummed hourly file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/names.h"
#include "pxstats/pxtime.h"
#include "pxstats/snapshot.h"
#include "pxstats/xalloc.h"

static const unsigned char MAGIC[8] = {'P', 'X', 'S', 'N', 'A', 'P', '\r', '\n'};
/* No real hour comes near this; a larger claim is corruption, not data. */
#define MAX_PAYLOAD (1u << 30)

/* ---- encoding ------------------------------------------------------------ */

typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
} wbuf;

static void put_bytes(wbuf *w, const void *s, size_t n)
{
    xgrow((void **)&w->p, &w->cap, w->len + n, 1);
    memcpy(w->p + w->len, s, n);
    w->len += n;
}

static void put_varint(wbuf *w, uint64_t v)
{
    unsigned char b[10];
    size_t n = 0;

    do {
        b[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v)
            b[n] |= 0x80;
        n++;
    } while (v);
    put_bytes(w, b, n);
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

/* Products front-coded: the length shared with the previous name, then the
 * rest. Ingest names of one client share long prefixes. */
static void put_products(wbuf *w, const pxs_strpool *p)
{
    const char *prev = "";

    put_varint(w, p->n);
    for (uint32_t i = 0; i < p->n; i++) {
        const char *s = pxs_strpool_get(p, i);
        size_t shared = 0;
        while (prev[shared] && prev[shared] == s[shared])
            shared++;
        put_varint(w, shared);
        put_string(w, s + shared);
        prev = s;
    }
}

static void put_rows(wbuf *w, const pxs_hour *h)
{
    int64_t prev_time = h->start, prev_product = 0;

    put_varint(w, h->nrows);
    /* Column by column: each column is regular, so zlib finds its patterns. */
    for (size_t i = 0; i < h->nrows; i++) {
        put_svarint(w, h->rows[i].time - prev_time);
        prev_time = h->rows[i].time;
    }
    for (size_t i = 0; i < h->nrows; i++)
        put_varint(w, (uint64_t)h->rows[i].bytes);
    for (size_t i = 0; i < h->nrows; i++)
        put_varint(w, (uint64_t)h->rows[i].latency);
    for (size_t i = 0; i < h->nrows; i++)
        put_bytes(w, &h->rows[i].error, 1);
    for (size_t i = 0; i < h->nrows; i++) {
        put_svarint(w, (int64_t)h->rows[i].product - prev_product);
        prev_product = h->rows[i].product;
    }
}

static void put_le(unsigned char *p, uint32_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

void pxs_snapshot_encode(const pxs_hour *h, unsigned char **buf, size_t *len)
{
    wbuf w = {0};
    uLongf clen;
    unsigned char *out;

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
    put_products(&w, &h->products);
    put_rows(&w, h);

    clen = compressBound(w.len);
    out = xmalloc(PXS_SNAPSHOT_HEADER + clen);
    if (compress2(out + PXS_SNAPSHOT_HEADER, &clen, w.p ? w.p : (const Bytef *)"", w.len, 9) != Z_OK)
        pxs_diex(PXS_EXIT_FAIL, "out of memory compressing a snapshot");
    memcpy(out, MAGIC, 8);
    put_le(out + 8, PXS_SNAPSHOT_VERSION, 2);
    put_le(out + 10, 0, 2);
    put_le(out + 12, (uint32_t)w.len, 4);
    put_le(out + 16, (uint32_t)clen, 4);
    put_le(out + 20, (uint32_t)crc32(0, out + PXS_SNAPSHOT_HEADER, (uInt)clen), 4);
    free(w.p);
    *buf = out;
    *len = PXS_SNAPSHOT_HEADER + clen;
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

static void get_products(rbuf *r, pxs_hour *h)
{
    size_t n = get_count(r);
    char *prev = xstrdup("");

    for (size_t i = 0; i < n && !r->bad; i++) {
        size_t shared = (size_t)get_varint(r);
        char *rest = get_string(r), *s;
        if (shared > strlen(prev)) {
            r->bad = 1;
            free(rest);
            break;
        }
        s = xasprintf("%.*s%s", (int)shared, prev, rest);
        free(rest);
        /* Duplicate names would shift ids: a writer never produces them. */
        if (pxs_strpool_intern(&h->products, s, strlen(s)) != i)
            r->bad = 1;
        free(prev);
        prev = s;
    }
    free(prev);
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
        t += get_svarint(r);
        if (!pxs_hour_contains(h, t))
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
        product += get_svarint(r);
        if (product < 0 || product >= (int64_t)h->products.n)
            return -1;
        h->rows[i].product = (uint32_t)product;
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
        get_products(r, h);
        ok = !r->bad && get_rows(r, h) == 0 && r->p == r->end;
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
    size_t len;
    char *buf = pxs_read_file(path, &len);

    if (buf == NULL)
        return -1;
    if (len < PXS_SNAPSHOT_HEADER || memcmp(buf, MAGIC, 8) != 0) {
        pxs_set_error("%s: not a pxstats snapshot (bad magic)", path);
        free(buf);
        return -1;
    }
    *crc = get_le((const unsigned char *)buf + 20, 4);
    free(buf);
    return 0;
}
