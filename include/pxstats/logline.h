/* logline — one PX log line to one record. No I/O, no allocation.
 *
 * The rules (DESIGN.md §3):
 *  - data line: contains "[INFO]" and "Bytes" and none of "/sec", " Segment ",
 *    "SEND TIMEOUT";
 *  - error line: contains "[ERROR]" (only when errors are collected);
 *  - anything else is skipped;
 *  - time: the text before the first ',' ("YYYY-MM-DD HH:MM:SS");
 *  - bytes: the integer between the first '(' and " Bytes";
 *  - tx: the file token is the 7th space-separated token, its last '/'
 *    component is the ingest name "what:sys:site:type:prio:fmt:YYYYMMDDhhmmss";
 *    the product is the whole ingest name and latency = line time - the 7th
 *    colon field, in seconds, clamped at 0 (no wrap at a day);
 *  - rx: the ingest name is the last '/' component of the line, the product its
 *    first ':' field, latency 0.
 * A candidate line whose time, bytes or ingest name cannot be read is
 * malformed: counted and skipped by the caller, never fatal. */
#ifndef PXSTATS_LOGLINE_H
#define PXSTATS_LOGLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"

typedef enum pxs_line_kind {
    PXS_LINE_SKIP = 0,   /* not a line that counts (WARNING, DEBUG, traceback, ...) */
    PXS_LINE_DATA,       /* a delivered / ingested file */
    PXS_LINE_ERROR,      /* an [ERROR] line */
    PXS_LINE_MALFORMED   /* looked like data or an error but could not be read */
} pxs_line_kind;

typedef struct pxs_record {
    int64_t time;           /* the line's time, epoch seconds UTC (-1: none) */
    int64_t bytes;          /* data: the byte count */
    int64_t latency;        /* tx data: seconds >= 0; 0 otherwise */
    const char *product;    /* data: points into the line; not NUL-terminated */
    size_t product_len;
    bool timed;             /* MALFORMED: time is the line's own (set by logscan) */
    uint64_t line;          /* index of the line from where the scan began (set by logscan) */
} pxs_record;

/* Classifies and parses one line (without its '\n'; it may contain NUL bytes).
 * want_errors=0 makes [ERROR] lines SKIP. For DATA and ERROR, *r is filled
 * (error records have bytes 0, latency 0, product_len 0). For MALFORMED,
 * r->time is the line's own time when it has a readable one, else -1. */
pxs_line_kind pxs_logline_parse(const char *line, size_t len, pxs_filetype ft,
                                int want_errors, pxs_record *r);

#endif
