/* logstream — the log files of one client read as one stream of lines, in
 * their reading order, and cut into hours by the rules at the edges
 * (statsUpdater(1), DESIGN.md §4). No state file and no snapshot file here:
 * the caller says where each file's reading begins and gets back, through a
 * callback, the hours to publish, then the new last-update time and the new
 * positions.
 *
 * The rules, with T the last update, DATE the run's date, D disorderMinutes
 * and M the latest plausible time read so far in the stream:
 *  - a line's time is plausible from PXS_LOG_TIME_MIN on; a line more than
 *    futureToleranceMinutes ahead of the stream's hour (of DATE, for the first
 *    lines) is a line from the future when a later line comes back: counted as
 *    malformed; when nothing comes back and it is also after DATE plus the
 *    tolerance, the log has moved on past this run: the scan stops before it;
 *  - an hour is settled once a line D past its end has been read; a line of
 *    a settled hour is late (not counted, reported); every other line counts
 *    in its own hour, whatever the order;
 *  - a malformed line without a plausible time counts in the hour of M;
 *  - the scan goes on past the hours it closes until a line D past them;
 *  - an unterminated last line of the live file holds its hour (and those
 *    after) back; a rotated file ends where it ends;
 *  - the hours before T that are not settled yet (the run before stopped at
 *    the end of the logs) are read again, and written again only when a line
 *    new since then falls in them. */
#ifndef PXSTATS_LOGSTREAM_H
#define PXSTATS_LOGSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector.h"
#include "hourspill.h"
#include "logfiles.h"
#include "state.h"
#include "strlist.h"

typedef struct pxs_stream_file {
    pxs_logfile *f;             /* in reading order */
    const pxs_position *pos;    /* its saved position, or NULL: read from its start */
    bool skip;                  /* not read, no position kept (a duplicate) */
    bool give_up;               /* --skip-damaged: what cannot be read of it is given up */
} pxs_stream_file;

typedef struct pxs_stream_stats {
    uint64_t hours, lines, malformed, late, future, files;
} pxs_stream_stats;

/* Publishes a computed hour. The stream frees it afterwards and never reads
 * it again, so the sink may take its content (leaving it zeroed, which
 * pxs_hour_free accepts). spill is NULL, or the hour was a big one: its rows
 * are in spill (h has none left), to be written with pxs_hourspill_write;
 * the stream frees it afterwards. Returns 0, or -1 with pxs_error set: the
 * client fails. */
typedef int (*pxs_hour_sink)(void *arg, pxs_hour *h, pxs_hourspill *spill);

typedef struct pxs_stream {
    /* in */
    const char *client, *machine;
    pxs_filetype ft;
    unsigned types;
    int interval_min, max_latency;
    int64_t last;           /* T: every hour before it was written */
    int64_t settled;        /* hours before it are final; in [.., last] */
    int64_t first_empty;    /* no empty snapshot before it (the oldest log line's hour) */
    int64_t date;           /* DATE */
    bool now;               /* also the partial hour [hour(DATE), DATE) */
    int64_t tolerance, disorder; /* seconds */
    pxs_stream_file *files;
    size_t nfiles;
    pxs_hour_sink publish;
    void *publish_arg;
    /* An hour of more than spill_rows rows (0: PXS_HOURSPILL_ROWS) goes on in
     * temporary files of spill_dir (NULL: every hour is kept in memory). */
    const char *spill_dir;
    size_t spill_rows;
    /* out */
    int64_t new_last;       /* the new T */
    pxs_positions positions;/* the new positions of the client's files */
    pxs_stream_stats stats;
    char *held;             /* why hours before the hour of DATE were held back, or NULL */
    pxs_strlist notes;      /* lines for the run log (future, implausible and given-up lines) */
} pxs_stream;

/* Reads the stream. Returns 0, or -1 with pxs_error() naming the file and the
 * cause (a file that cannot be read through, a publish failure): nothing of
 * the client must then advance. Free the outputs with pxs_stream_free. */
int pxs_stream_run(pxs_stream *s);
void pxs_stream_free(pxs_stream *s);

#endif
