/* snapenc — the writing half of the snapshot format (snapshot.h), shared by
 * the two builders of a snapshot: pxs_snapshot_encode, from an hour whose
 * rows are all in memory, and hourspill, from an hour whose rows were
 * written to a temporary file as they came (a client-hour too big for
 * memory). Both hand the same pieces, in the same order, to the same
 * compressor, so the same rows give the same bytes whichever builder ran.
 *
 * The payload, in order:
 *   identity (pxs_snapenc_identity);
 *   rows: their number, then five columns: time deltas, bytes, latencies,
 *         error flags, product id deltas (pxs_snapenc_row);
 *   products: their number, one kind byte each, then each of the
 *             PXS_PRODCOLS columns after its length (pxs_prodcols).
 * Product ids are given in the order the rows first name them. */
#ifndef PXSTATS_SNAPENC_H
#define PXSTATS_SNAPENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collector.h"

/* A growing byte buffer. */
typedef struct pxs_wbuf {
    unsigned char *p;
    size_t len, cap;
} pxs_wbuf;

void pxs_wbuf_bytes(pxs_wbuf *w, const void *s, size_t n);
void pxs_wbuf_varint(pxs_wbuf *w, uint64_t v);
/* Zigzag keeps small negative deltas small. */
void pxs_wbuf_svarint(pxs_wbuf *w, int64_t v);

/* The identity part of the payload (everything of h but rows and products). */
void pxs_snapenc_identity(pxs_wbuf *w, const pxs_hour *h);

/* The row columns, written row by row into five buffers. */
enum { PXS_RC_TIME, PXS_RC_BYTES, PXS_RC_LATENCY, PXS_RC_ERROR, PXS_RC_PRODUCT, PXS_ROWCOLS };
typedef struct pxs_rowcols {
    pxs_wbuf col[PXS_ROWCOLS];
    int64_t prev_time;
    uint32_t prev_product;
    uint64_t n;
} pxs_rowcols;

void pxs_rowcols_init(pxs_rowcols *rc, int64_t hour_start);
void pxs_rowcols_add(pxs_rowcols *rc, int64_t time, int64_t bytes, int64_t latency, bool error,
                     uint32_t product);
void pxs_rowcols_free(pxs_rowcols *rc);

/* The product table, written product by product (in id order). Each column
 * keeps a copy of its last string (front coding), so its buffer may be
 * emptied at any time between two products. */
enum {
    PXS_PC_PARTS,                   /* number of '_' parts of the first field */
    PXS_PC_WHAT0,                   /* parts 0..PXS_WHAT_COLS-1, one column each */
    PXS_PC_WHATX = PXS_PC_WHAT0 + 6,/* the parts after those */
    PXS_PC_FIELD1,                  /* fields 1..5 (system, site, type, priority, format) */
    PXS_PC_TIME = PXS_PC_FIELD1 + 5,/* reception time minus the one the rows predict */
    PXS_PC_RAW,                     /* names that are not ingest names, whole */
    PXS_PC_SAME,                    /* per ingest name: which fields repeat the first one */
    PXS_PRODCOLS
};
#define PXS_WHAT_COLS 6
/* WMO names "TTAAii_CCCC_DDHHMM": the type field is usually TT and the site
 * field CCCC; such a field is then not written again (PXS_PC_SAME's bits). */
#define PXS_SAME_TYPE 1
#define PXS_SAME_SITE 2
/* No real hour comes near this; a larger claim is corruption, not data. */
#define PXS_SNAPSHOT_MAX_PAYLOAD (1u << 30)

/* An ingest name "what:sys:site:type:prio:fmt:YYYYMMDDhhmmss" split at its
 * colons, with the reception time as a number; false for any other name, or
 * when the time would not be written back identically. */
bool pxs_split_ingest(const char *s, size_t len, const char *field[7], size_t flen[7], int64_t *t);
/* The '_' part number k of the first field (s, len): start and length. */
bool pxs_what_part(const char *s, size_t len, int k, const char **part, size_t *plen);
typedef struct pxs_prodcol {
    pxs_wbuf w;
    char *prev;             /* the column's last string (front coding) */
    size_t prev_len, prev_cap;
} pxs_prodcol;

typedef struct pxs_prodcols {
    pxs_wbuf kinds;         /* one byte per product */
    pxs_prodcol col[PXS_PRODCOLS];
    uint32_t n;
} pxs_prodcols;

void pxs_prodcols_init(pxs_prodcols *pc);
/* Adds the next product: name[0..len), and pred, the reception time its
 * first row predicts (that row's time minus its latency). */
void pxs_prodcols_add(pxs_prodcols *pc, const char *name, size_t len, int64_t pred);
void pxs_prodcols_free(pxs_prodcols *pc);

/* The compressed body. The identity and row columns go through zlib
 * (level 1, Z_RLE: small numbers in long runs); the product section, nearly
 * all the compressor's work, through libdeflate in one call when it is at
 * most PXS_SNAPENC_ONESHOT bytes (faster and smaller), else through zlib at
 * level 5 piece by piece. The output goes to memory, or to a file as it
 * comes (fp): a big hour's snapshot is never whole in memory. */
#define PXS_SNAPENC_ONESHOT (1u << 20)

typedef struct pxs_snapenc pxs_snapenc;

/* Starts a snapshot; fp NULL: in memory. NULL when out of memory. */
pxs_snapenc *pxs_snapenc_start(FILE *fp);
/* Hands the next piece of the identity or the rows; w is emptied. */
void pxs_snapenc_rows(pxs_snapenc *e, pxs_wbuf *w);
/* Ends the rows: the product section of size bytes follows. Returns 0, or
 * -1 (pxs_error set) when the payload would be over the format's limit. */
int pxs_snapenc_begin_products(pxs_snapenc *e, size_t size);
/* Hands the next piece of the product section; w is emptied. */
void pxs_snapenc_products(pxs_snapenc *e, pxs_wbuf *w);
/* Ends the snapshot and frees e. In memory: *buf, *len get the whole file.
 * To a file: the header is written over the room left at its start. Returns
 * 0, or -1 with pxs_error() set (a write error; e is freed all the same). */
int pxs_snapenc_finish(pxs_snapenc *e, unsigned char **buf, size_t *len);
/* Abandons e (after an error of the caller's). */
void pxs_snapenc_abort(pxs_snapenc *e);

/* The streams of a body, in the order they are written: the row columns,
 * the kinds of the products, the product columns. */
enum {
    PXS_STREAM_KINDS = PXS_ROWCOLS,
    PXS_STREAM_PRODCOL0,
    PXS_STREAMS = PXS_STREAM_PRODCOL0 + PXS_PRODCOLS
};

/* Where a builder keeps the bytes it moved out of a stream's buffer (to a
 * file): replay(arg, k, e) hands those of stream k to e, in order, and
 * returns 0 or -1 (pxs_error set); bytes[k] counts them. */
typedef struct pxs_moved {
    int (*replay)(void *arg, int k, pxs_snapenc *e);
    void *arg;
    uint64_t bytes[PXS_STREAMS];
} pxs_moved;

/* Hands e the rows and the product section, whole: the moved bytes of each
 * stream (m NULL: none), then its buffer (freed). Returns 0 or -1 (pxs_error
 * set). */
int pxs_snapenc_body(pxs_snapenc *e, pxs_rowcols *rc, pxs_prodcols *pc, const pxs_moved *m);

#endif
