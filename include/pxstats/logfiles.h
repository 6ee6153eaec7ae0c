/* logfiles — which log files of a client cover a time window, decided by
 * their content, never by their names (DESIGN.md §3).
 *
 * Candidates are <dir>/<ft>_<client>.log and <dir>/<ft>_<client>.log.* (rotated,
 * possibly .gz). A file is kept when its first line's time <= window end and
 * its last line's time >= window start (the last found by reading backwards;
 * a .gz is read through). Files are ordered by their first timestamp, the live
 * .log last. */
#ifndef PXSTATS_LOGFILES_H
#define PXSTATS_LOGFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"

typedef struct pxs_logfile {
    char *path;
    uint64_t dev, ino, size;
    bool gz;            /* gzip-compressed (by magic, not by name) */
    bool live;          /* the .log itself */
    int64_t first, last;/* times of the first and last timed lines; -1 when none */
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

/* Lists the files of (ft, client) in dir that hold lines in [start, end]
 * (inclusive, so that a caller can pass end-1 or end). A file that cannot be
 * read is warned about and skipped. Returns 0 or -1 (pxs_error set: the
 * directory cannot be read). */
int pxs_logfiles_find(const char *dir, pxs_filetype ft, const char *client, int64_t start,
                      int64_t end, pxs_logfiles *out);
void pxs_logfiles_free(pxs_logfiles *l);
/* Lists every candidate file of (ft, client) in dir with its identity and the
 * time of its first timed line (first = -1 when none; last is left -1), in
 * reading order, without judging their content against a window. */
int pxs_logfiles_list(const char *dir, pxs_filetype ft, const char *client, pxs_logfiles *out);
/* Orders files for reading: by first timestamp, the live .log last. */
void pxs_logfiles_sort(pxs_logfiles *l);

/* The time of the first / last line of a file that carries a timestamp.
 * Return true and set *t when found. */
bool pxs_logfile_first_time(const char *path, bool gz, int64_t *t);
bool pxs_logfile_last_time(const char *path, bool gz, int64_t *t);

#endif
