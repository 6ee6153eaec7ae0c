/* logscan — reads log files from saved positions and streams their lines as
 * records to a sink. No statistics here.
 *
 * Only whole lines are consumed from a file still being written: a last line
 * without its '\n' is held back (the position stays before it, and the result
 * describes it) until a later run finds it complete. A file that is no longer
 * written (rotated) ends where it ends: its last line counts as it stands.
 * Lines longer than PXS_LINE_MAX are counted as malformed and skipped. Memory
 * is a fixed read buffer, whatever the size of the file. A file that cannot be
 * read through (permission, I/O error, gzip data or CRC error, gzip stream cut
 * short) is an error naming it and the cause. */
#ifndef PXSTATS_LOGSCAN_H
#define PXSTATS_LOGSCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <zlib.h>

#include "logline.h"

#define PXS_LINE_MAX (1024 * 1024)

/* Called for every DATA, ERROR and MALFORMED line. A MALFORMED line's r->time
 * is its own time when readable (r->timed true), else the time of the last
 * good line of this scan, or -1 when none was seen yet. r->line is the line's
 * index from the scan's start offset (0 for the first line read).
 * offset is the file offset of the line's first byte (for .gz, the offset in
 * the uncompressed stream). Return 0 to go on, 1 to stop before this line (the
 * position then stays at its start), -1 to abort (pxs_error set). */
typedef int (*pxs_scan_fn)(void *arg, pxs_line_kind kind, const pxs_record *r, uint64_t offset);

typedef struct pxs_scan_opts {
    pxs_filetype ft;
    int want_errors;     /* [ERROR] lines are records (else skipped) */
    bool gz;             /* gzip-compressed */
    bool final;          /* no longer written: a last line without '\n' is a line */
} pxs_scan_opts;

typedef struct pxs_scan_result {
    uint64_t offset;     /* position of the first byte not consumed */
    uint64_t lines;      /* lines consumed */
    bool stopped;        /* the sink asked to stop */
    uint64_t tail_len;   /* bytes of a last line without '\n' left unread (not final) */
    int64_t tail_time;   /* ... its time when its first bytes already say it, else -1 */
} pxs_scan_result;

/* Scans path from offset. Returns 0, or -1 with pxs_error() naming the file
 * and the cause (open, read or gzip error, sink abort). */
int pxs_logscan(const char *path, const pxs_scan_opts *o, uint64_t offset, pxs_scan_fn fn,
                void *arg, pxs_scan_result *res);

/* A log file read a piece at a time, plain or inflated: the one reader of
 * the logs (the scan, the look at a file's top, line numbers). Errors
 * (pxs_error) say the cause, not the file: the caller names it. */
typedef struct pxs_logreader {
    int fd;
    gzFile gz;
    const char *path;
} pxs_logreader;

/* Opens path from offset (uncompressed, for gz). Returns 0 or -1. */
int pxs_logreader_open(pxs_logreader *rd, const char *path, bool gz, uint64_t offset);
/* Up to n bytes; 0 at the end; -1 on a read or gzip error (a gzip stream cut
 * short is one). */
ssize_t pxs_logreader_read(pxs_logreader *rd, char *buf, size_t n);
void pxs_logreader_close(pxs_logreader *rd);

/* pxs_logscan of a file still being written (plain or gzip, told by gz). */
int pxs_logscan_file(const char *path, bool gz, uint64_t offset, pxs_filetype ft, int want_errors,
                     pxs_scan_fn fn, void *arg, pxs_scan_result *res);

#endif
