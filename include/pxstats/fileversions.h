/* fileversions — FILE_VERSIONS, and building merged snapshots only when a
 * source changed (pickleMerge's job).
 *
 * <stats>/FILE_VERSIONS is a small text file, one line per source of each
 * merged snapshot, as it was when that merged snapshot was last built:
 *
 *     <merged> <source> <mtime> <size> <crc>
 *
 * merged and source are paths relative to the stats root (pickles/...), %-
 * escaped as in state.h; mtime is "<seconds>.<nanoseconds>" since the epoch;
 * size is in bytes; crc is the source's own checksum (pxs_snapshot_checksum,
 * 8 hex digits). '#' lines are comments. It is read whole and written whole
 * through atomicfile, under the pickleMerge lock of the stats tree.
 *
 * Decision: a merged snapshot is rebuilt when it does not exist (or its
 * header is unreadable), when nothing is recorded for it, when the set of its
 * sources present differs from the recorded one (a machine appeared or
 * disappeared), or when any source's mtime, size or checksum differs from the
 * record. Never otherwise. */
#ifndef PXSTATS_FILEVERSIONS_H
#define PXSTATS_FILEVERSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "strlist.h"

/* What identifies one version of a source snapshot. */
typedef struct pxs_fv_source {
    char *path;          /* relative to the stats root */
    int64_t mtime_sec;
    long mtime_nsec;
    uint64_t size;
    uint32_t crc;
} pxs_fv_source;

/* One line of FILE_VERSIONS. */
typedef struct pxs_fv_line {
    char *merged;
    pxs_fv_source src;
} pxs_fv_line;

typedef struct pxs_fileversions {
    pxs_fv_line *e;
    size_t n, cap;
    bool sorted;   /* e is in (merged, source) order: look-ups bisect */
} pxs_fileversions;

/* Loads <statsdir>/FILE_VERSIONS (sorted); a missing file is an empty table. Returns 0,
 * or -1 (pxs_error "<file>:<line>: <cause>") when a line does not parse. */
int pxs_fv_load(const char *statsdir, pxs_fileversions *fv);
/* Writes the table whole, atomically, sorted by merged then source. */
int pxs_fv_save(const char *statsdir, const pxs_fileversions *fv);
void pxs_fv_free(pxs_fileversions *fv);

/* Describes the file <statsdir>/<relpath> as it is now (stat and its
 * snapshot checksum) into out (out->path = copy of relpath). Returns 0; 1 when
 * the file does not exist (out untouched); -1 when it exists but cannot be
 * read or its header is bad (pxs_error set). */
int pxs_fv_describe(const char *statsdir, const char *relpath, pxs_fv_source *out);
void pxs_fv_source_free(pxs_fv_source *s);

/* The decision above, on the recorded table: cur holds the n sources present
 * now (any order); merged_exists says whether the merged snapshot is on disk. */
bool pxs_fv_needs_rebuild(const pxs_fileversions *fv, const char *merged, bool merged_exists,
                          const pxs_fv_source *cur, size_t n);
/* Replaces every line of merged by the n sources of cur (copied). Linear in
 * the table: for many records, record into a second table and merge it. */
void pxs_fv_record(pxs_fileversions *fv, const char *merged, const pxs_fv_source *cur, size_t n);
/* Moves every line of upd into fv, replacing the lines fv had for the same
 * merged snapshots; upd is left empty. fv ends sorted. */
void pxs_fv_merge(pxs_fileversions *fv, pxs_fileversions *upd);
/* Drops the lines of merged snapshots that no longer exist under statsdir
 * (deleted by pickleClean), so that the file does not grow forever. */
void pxs_fv_prune(pxs_fileversions *fv, const char *statsdir);

/* What pxs_merge_build did. */
typedef struct pxs_merge_report {
    unsigned built;      /* merged snapshots written */
    unsigned unchanged;  /* up to date: no source changed */
    unsigned empty;      /* hours where no machine had a snapshot: skipped */
    unsigned failed;     /* hours that could not be merged (warned about) */
} pxs_merge_report;

/* pickleMerge: for each client and each hour of [start, end) (rounded down to
 * the hour), merges the snapshots of the machines (at least two, distinct)
 * into pickles/<client>/<YYYYMMDD>/<ft>/<group>_<HH>, rebuilding only what
 * FILE_VERSIONS says changed, then saves FILE_VERSIONS. An hour that fails
 * (an unreadable source, a write error) is warned about and the others go on;
 * its old merged snapshot is left as it was. Returns 0 when every hour
 * succeeded, 1 when some failed, -1 when nothing could be done (lock,
 * FILE_VERSIONS unreadable; pxs_error set). */
int pxs_merge_build(const char *statsdir, const pxs_strlist *clients, pxs_filetype ft,
                    const pxs_strlist *machines, int64_t start, int64_t end,
                    pxs_merge_report *rep);

#endif
