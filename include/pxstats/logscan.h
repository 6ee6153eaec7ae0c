/* logscan — reads log files from saved positions and streams their lines as
 * records to a sink. No statistics here.
 *
 * Only whole lines are consumed: a last line without its '\n' is held back (the
 * position stays before it) until a later run finds it complete. Lines longer
 * than PXS_LINE_MAX are counted as malformed and skipped. Memory is a fixed
 * read buffer, whatever the size of the file. */
#ifndef PXSTATS_LOGSCAN_H
#define PXSTATS_LOGSCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "logline.h"

#define PXS_LINE_MAX (1024 * 1024)

/* Called for every DATA, ERROR and MALFORMED line. A MALFORMED line's r->time
 * is its own time when readable (r->timed true), else the time of the last
 * good line of this scan, or -1 when none was seen yet.
 * offset is the file offset of the line's first byte (for .gz, the offset in
 * the uncompressed stream). Return 0 to go on, 1 to stop before this line (the
 * position then stays at its start), -1 to abort (pxs_error set). */
typedef int (*pxs_scan_fn)(void *arg, pxs_line_kind kind, const pxs_record *r, uint64_t offset);

typedef struct pxs_scan_result {
    uint64_t offset;    /* position of the first byte not consumed */
    uint64_t lines;     /* lines consumed */
    bool stopped;       /* the sink asked to stop */
} pxs_scan_result;

/* Scans path (plain or gzip, told by gz) from offset. Returns 0, or -1 with
 * pxs_error() naming the file (read error, sink abort). */
int pxs_logscan_file(const char *path, bool gz, uint64_t offset, pxs_filetype ft, int want_errors,
                     pxs_scan_fn fn, void *arg, pxs_scan_result *res);

#endif
