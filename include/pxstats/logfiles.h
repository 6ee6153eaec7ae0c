/* logfiles — which log files of a client there are and what they hold at
 * their top, decided by their content, never by their names (DESIGN.md §3).
 *
 * Candidates are <dir>/<ft>_<client>.log and <dir>/<ft>_<client>.log.* (rotated,
 * possibly .gz). Each is looked at from its top: its first bytes (the
 * fingerprint that finds it again after a rename or a compression) and the time
 * of its first line with a plausible time, which orders the files for reading
 * (the live .log last). A plausible time is one from PXS_LOG_TIME_MIN up to the
 * caller's max_time (a run's date plus futureToleranceMinutes): a line dated
 * 1970 or 2038 never decides where a file belongs. */
#ifndef PXSTATS_LOGFILES_H
#define PXSTATS_LOGFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "names.h"

/* 2000-01-01 00:00:00 UTC. No PX log line is older: a clock that reads less
 * (1970 after a reset) was not set, and its lines have no plausible time. */
#define PXS_LOG_TIME_MIN 946684800
/* Bytes of a file's top kept as its fingerprint. */
#define PXS_FP_MAX 256

typedef struct pxs_logfile {
    char *path;
    uint64_t dev, ino, size;
    bool gz;            /* gzip-compressed (by magic, not by name) */
    bool live;          /* the .log itself */
    int64_t first, last;/* times of the first and last lines with a plausible time; -1 when none */
    unsigned char head[PXS_FP_MAX]; /* the first bytes of the (uncompressed) content */
    uint32_t head_len;  /* min(PXS_FP_MAX, content length) */
    char *why;          /* NULL, or why the file cannot be read (open or read error,
                           no plausible time in its first PXS_LINE_MAX bytes) */
} pxs_logfile;

typedef struct pxs_logfiles {
    pxs_logfile *f;
    size_t n, cap;
} pxs_logfiles;

/* Reads a log file name: "<ft>_<name>.log" (live) or "<ft>_<name>.log.<suffix>"
 * where the suffix starts with a digit (the rotation date "YYYY-MM-DD", maybe
 * ".gz"). With several readings ("tx_a.log.1.log") the longest name wins.
 * Returns the name (fresh string) or NULL when entry is no log of ft. The one
 * rule for which files belong to which client. */
char *pxs_logfile_client(const char *entry, pxs_filetype ft, bool *live);

/* Lists every candidate file of (ft, client) in dir with its identity, its
 * fingerprint and the time of its first line with a time in
 * [PXS_LOG_TIME_MIN, max_time] (first = -1 when none; last is left -1), in
 * reading order. A file that cannot be read, or whose first PXS_LINE_MAX bytes
 * hold no plausible time (NUL bytes, one over-long line, a reset clock), gets
 * its cause in why: whether that is an error is the caller's to say. The live
 * file holding only the start of its first line is no error: it is being
 * written. Returns 0 or -1 (pxs_error set: the directory cannot be read). */
int pxs_logfiles_list(const char *dir, pxs_filetype ft, const char *client, int64_t max_time,
                      pxs_logfiles *out);
/* A log directory listed once for the many clients of a run (thousands on a
 * big switch: listing it again for each would cost clients x files). Before
 * each use the directory is stat'ed: the listing is made again when its mtime
 * or ctime changed (a file created, renamed or removed: a rotation), and when
 * it was made within a second of the directory's last change (timestamps are
 * coarse). pxs_logdir_files is then pxs_logfiles_list of that directory. */
typedef struct pxs_logdir {
    char *dir;
    pxs_filetype ft;
    struct pxs_logdir_entry *v;   /* (client, file name), sorted */
    size_t n, cap;
    struct stat st;               /* the directory when listed */
    bool listed, racy;
} pxs_logdir;

void pxs_logdir_init(pxs_logdir *d, const char *dir, pxs_filetype ft);
int pxs_logdir_files(pxs_logdir *d, const char *client, int64_t max_time, pxs_logfiles *out);
void pxs_logdir_free(pxs_logdir *d);

/* Lists the files of (ft, client) in dir that hold lines in [start, end]
 * (inclusive, so that a caller can pass end-1 or end), judged by their first
 * and last plausible times (the last found by reading backwards; a .gz is read
 * through). A file that cannot be read is warned about and skipped. Returns 0
 * or -1 (pxs_error set: the directory cannot be read). */
int pxs_logfiles_find(const char *dir, pxs_filetype ft, const char *client, int64_t start,
                      int64_t end, int64_t max_time, pxs_logfiles *out);
void pxs_logfiles_free(pxs_logfiles *l);
/* Orders files for reading: by first timestamp, the live .log last. */
void pxs_logfiles_sort(pxs_logfiles *l);
/* The file types (bit 1 << PXS_TX, 1 << PXS_RX) for which name has a log file
 * in dir (0 when none, or when dir cannot be read). */
unsigned pxs_logfiles_types(const char *dir, const char *name);

/* The time of the first / last line of a file whose time is plausible (in
 * [PXS_LOG_TIME_MIN, max_time]). Return true and set *t when found. */
bool pxs_logfile_first_time(const char *path, bool gz, int64_t max_time, int64_t *t);
bool pxs_logfile_last_time(const char *path, bool gz, int64_t max_time, int64_t *t);

#endif
