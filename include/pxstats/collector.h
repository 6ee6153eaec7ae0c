/* collector — one hour of one client (or source) on one machine (or a merged
 * group): its rows and, computed from them, the statistics of each bucket.
 * No I/O: records come in, buckets come out.
 *
 * The rows are the truth: every statistic is derived from them by
 * pxs_hour_compute(), so that a product filter, a merge of machines or a
 * snapshot reload gives exactly what collecting the same lines would give.
 *
 * Statistics per bucket (DESIGN.md §4): over the data rows (error rows are
 * errors only), for latency and bytecount: min and max with the row where
 * each first occurred, mean, exact median (mean of the two middle values for
 * an even count), total; nbFiles = data rows; filesOverMaxLatency = data rows
 * with latency > max_latency (tx only); errors = number of error rows. */
#ifndef PXSTATS_COLLECTOR_H
#define PXSTATS_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "logline.h"
#include "names.h"
#include "strlist.h"
#include "strpool.h"

/* Data types (bit mask). */
enum {
    PXS_T_LATENCY   = 1,
    PXS_T_BYTECOUNT = 2,
    PXS_T_ERRORS    = 4,
    PXS_T_ALL       = 7
};

/* One row: a data line or an error line. */
typedef struct pxs_row {
    int64_t  time;      /* epoch seconds */
    int64_t  bytes;     /* 0 for error rows */
    int64_t  latency;   /* 0 for rx and error rows */
    uint32_t product;   /* id in the hour's product pool (error rows: the id of "") */
    uint8_t  error;     /* 1 for an [ERROR] line */
} pxs_row;

typedef struct pxs_valstats {
    double min, max, mean, median, total;
    int64_t min_row, max_row;   /* index into rows of the first min / max; -1 when no value */
} pxs_valstats;

typedef struct pxs_bucket {
    int64_t start;                  /* epoch of the bucket's first second */
    size_t first_row, nrows;        /* rows [first_row, first_row+nrows) after compute */
    uint64_t nb_files;              /* data rows */
    uint64_t files_over_max_latency;
    uint64_t errors;                /* error rows */
    pxs_valstats latency, bytecount;
} pxs_bucket;

typedef struct pxs_hour {
    char *client;        /* client or source name */
    char *machine;       /* machine name, or the concatenated group ("pds5pds6") */
    pxs_filetype ft;
    int64_t start;       /* hour start (epoch, multiple of 3600) */
    int interval;        /* bucket width in seconds (divides 3600) */
    int nbuckets;        /* 3600 / interval */
    int max_latency;     /* seconds; a file is late when latency > max_latency */
    unsigned types;      /* PXS_T_* collected */
    uint64_t malformed;  /* unreadable candidate lines met in this hour */
    bool partial;        /* written by -n: the hour was not complete */
    pxs_strlist files;   /* log files whose lines fell in this hour (basenames) */
    pxs_strlist sources; /* machines this hour holds (one, or those merged) */
    pxs_row *rows;
    size_t nrows, cap;
    pxs_strpool products;
    pxs_bucket *buckets; /* nbuckets entries, valid after pxs_hour_compute() */
} pxs_hour;

/* Starts an empty hour. start is rounded down to the hour; interval_min must
 * divide 60. */
void pxs_hour_init(pxs_hour *h, const char *client, const char *machine, pxs_filetype ft,
                   int64_t start, int interval_min, int max_latency, unsigned types);
void pxs_hour_free(pxs_hour *h);

/* True when t falls in [start, start+3600). */
bool pxs_hour_contains(const pxs_hour *h, int64_t t);
/* Adds a data (error=false) or error record; its time must be in the hour.
 * Types not collected are zeroed (an error record is dropped when errors are
 * not collected). */
void pxs_hour_add(pxs_hour *h, const pxs_record *r, bool error);
/* Adds a row whose product is a NUL-terminated string (merge, filter, load). */
void pxs_hour_add_row(pxs_hour *h, int64_t time, int64_t bytes, int64_t latency,
                      const char *product, bool error);
/* Notes that a log file contributed lines to this hour (basename kept). */
void pxs_hour_note_file(pxs_hour *h, const char *path);

/* Orders the rows by time (stable) and computes every bucket. Idempotent. */
void pxs_hour_compute(pxs_hour *h);

/* The product string of a row. */
const char *pxs_hour_product(const pxs_hour *h, const pxs_row *row);

/* Product filter (DESIGN.md §3): a shell pattern when it holds *, ? or [;
 * otherwise a substring; "All" (or NULL, or "") matches everything. */
bool pxs_product_match(const char *pattern, const char *product);
/* A new hour holding only the data rows whose product matches (error rows are
 * kept: they have no product and are not filtered), computed. */
void pxs_hour_filter(const pxs_hour *src, const char *pattern, pxs_hour *dst);

/* Parses "latency,bytecount,errors" / "All" for ft into a PXS_T_* mask.
 * rx has no latency. Returns 0, or -1 with pxs_error() set. */
int pxs_types_parse(const char *text, pxs_filetype ft, unsigned *mask);

#endif
