/* query — statsQuery's numbers: for each client (or source) and period, the
 * files, bytes, errors and late files, and the latency and file-size
 * percentiles, exact from the rows of the hourly snapshots merged across the
 * machines asked; or, from the RRD archive, what its per-minute values allow.
 *
 * From the snapshots: a row counts in the period that holds its own time (to
 * the second), so any range, aligned or not, is exact; the machines' hours
 * are merged as pickleMerge merges them (merge.h). Percentiles are nearest
 * rank (percentile.h) over the files of the period: latency for tx, file
 * size (bytes) for both; rx, which has no latency, has no late file either
 * (null). Error lines count as errors only. A period is
 * unknown (every value NaN: null in JSON, empty in CSV) when no hour
 * overlapping it has a snapshot on any of the machines: missing hours are
 * unknown, not zero; a period with some hours missing counts the others.
 *
 * From the archive (--archive; the databases of the machine group): files,
 * bytes, errors and filesOverMaxLatency are the sums of the per-point values
 * times the minutes each point stands for, and latency_mean the mean of the
 * per-point means weighted by the files; exact where the archive still holds
 * minutes (5 days), consolidated averages beyond. The archive keeps no rows:
 * latency_min, the percentiles, latency_max and the bytecount columns are
 * absent (NaN). A point counts in the period where it starts. */
#ifndef PXSTATS_QUERY_H
#define PXSTATS_QUERY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "names.h"
#include "strlist.h"

/* The fields of a row, in the order of the output contract (csv header, json
 * keys): client, machines, fileType, start, end, then the values. */
enum {
    PXS_Q_CLIENT, PXS_Q_MACHINES, PXS_Q_FILETYPE, PXS_Q_START, PXS_Q_END,
    PXS_Q_FILES, PXS_Q_BYTES, PXS_Q_ERRORS, PXS_Q_OVER,
    PXS_Q_LAT_MIN, PXS_Q_LAT_P50, PXS_Q_LAT_P90, PXS_Q_LAT_P95, PXS_Q_LAT_P99,
    PXS_Q_LAT_MAX, PXS_Q_LAT_MEAN, PXS_Q_SIZE_P50, PXS_Q_SIZE_P99, PXS_Q_SIZE_MAX,
    PXS_Q_NFIELDS
};
#define PXS_Q_NVALUES (PXS_Q_NFIELDS - PXS_Q_FILES)
/* "client", "machines", "fileType", "start", "end", "files", ... */
extern const char *const pxs_query_fields[PXS_Q_NFIELDS];
/* True for the value fields that only the rows give (absent with --archive). */
bool pxs_query_rows_only(int field);
/* Their names, ", "-separated (fresh string). */
char *pxs_query_rows_only_names(void);

typedef enum pxs_query_by { PXS_BY_MINUTE, PXS_BY_HOUR, PXS_BY_DAY, PXS_BY_TOTAL } pxs_query_by;
/* "minute", "hour", "day", "total". */
extern const char *const pxs_query_by_names[4];

typedef struct pxs_query_row {
    const char *client;
    const char *machines;      /* as given to -m, comma-separated */
    pxs_filetype ft;
    int64_t start, end;        /* [start, end) */
    double v[PXS_Q_NVALUES];   /* field PXS_Q_FILES + i; NaN when unknown or absent */
    double latency_sum;        /* the latencies added up (NaN when none) */
} pxs_query_row;

/* The value of field f of a row. */
#define PXS_QV(row, f) ((row)->v[(f) - PXS_Q_FILES])

typedef struct pxs_query {
    const char *statsdir;
    pxs_filetype ft;
    const pxs_strlist *clients;   /* names, "All" already expanded */
    const pxs_strlist *machines;  /* merged together */
    int64_t start, end;           /* [start, end), start < end */
    pxs_query_by by;
    bool archive;
} pxs_query;

/* The end of the period that starts at t (clipped to end): the next minute,
 * hour or UTC day, or end for a total. */
int64_t pxs_query_period_end(pxs_query_by by, int64_t t, int64_t end);

typedef void (*pxs_query_emit_fn)(const pxs_query_row *row, void *arg);

/* Computes q and calls emit for every client (in the order of q->clients)
 * and period (in time order). Returns 0 when everything was read, 1 when a
 * snapshot or database could not be read (warned about on stderr, counted as
 * missing), -1 on a failure that stops the query (pxs_error set). */
int pxs_query_run(const pxs_query *q, pxs_query_emit_fn emit, void *arg);

/* ---- output (queryout.c) ---- */

typedef enum pxs_query_format {
    PXS_FMT_TABLE, PXS_FMT_CSV, PXS_FMT_JSON, PXS_FMT_OPENMETRICS
} pxs_query_format;
/* "table", "csv", "json", "openmetrics". */
extern const char *const pxs_query_format_names[4];

/* A writer of rows:
 *   table        aligned columns with a header, "-" for unknown; buffered
 *   csv          RFC 4180, a header row of the field names, empty = null
 *   json         one object per line, keys in field order, null when unknown
 *   openmetrics  the Prometheus / OpenMetrics text exposition, valid for
 *                node_exporter's textfile collector: gauges pxstats_files,
 *                pxstats_bytes, pxstats_errors, pxstats_files_over_max_latency,
 *                pxstats_latency_{min,max,mean}_seconds,
 *                pxstats_file_size_max_bytes and summaries
 *                pxstats_latency_seconds and pxstats_file_size_bytes
 *                (quantiles, _sum, _count), labels client, machine and
 *                filetype (and start, end when a client has several periods,
 *                so that every series is unique), "# EOF" at the end;
 *                unknown values are left out; buffered.
 * With archive set, the table ends with a line naming the absent columns. */
typedef struct pxs_query_out {
    FILE *fp;
    pxs_query_format fmt;
    bool archive;
    pxs_query_row *rows;       /* buffered rows (strings owned) */
    size_t n, cap;
} pxs_query_out;

void pxs_query_out_init(pxs_query_out *o, FILE *fp, pxs_query_format fmt, bool archive);
void pxs_query_out_row(const pxs_query_row *row, void *out);   /* a pxs_query_emit_fn */
/* Writes what was buffered and frees it. */
void pxs_query_out_finish(pxs_query_out *o);

#endif
