/* state — the small text files that say how far collection went.
 *
 * PICKLED-TIMES, one line per (machine, fileType_client):
 *     <machine> <ft>_<client> YYYY-MM-DD HH:MM:SS
 * the start of the first hour not yet collected.
 *
 * PICKLED_FILE_POSITIONS, one line per log file:
 *     <path> <dev> <inode> <fplen>:<fpcrc> <offset> <machine> <ft>_<client>
 *         <scanned> <maxtime> <settled>
 * offset is the first byte not yet collected (for certain: the lines before it
 * belong to settled hours); (dev, inode) identify the file across renames; the
 * fingerprint (CRC-32 of its first fplen bytes, fplen <= 256, of the
 * uncompressed content) tells a file truncated or replaced under the same
 * inode and finds a rotated file again under a new name (gzip too). scanned is
 * where the last run stopped reading the file (the lines in [offset, scanned)
 * were seen: counted, or left for a later hour); maxtime the latest time of the
 * client's logs read before scanned; settled the start of the client's first
 * hour that later lines may still change (YYYY-MM-DDTHH:MM:SS, '-' for none).
 * The last three fields are optional on reading (older files): scanned is then
 * offset, maxtime and settled none. Spaces and '%' in a path are written %20 /
 * %25.
 *
 * Both are read whole and written whole through atomicfile; '#' lines are
 * comments. A line that does not parse is an error naming file and line
 * (an operator edited it: better stop than guess). */
#ifndef PXSTATS_STATE_H
#define PXSTATS_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "logfiles.h"
#include "names.h"
#include "strpool.h"

typedef struct pxs_time_entry {
    char *machine, *client;
    pxs_filetype ft;
    int64_t time;
} pxs_time_entry;

/* e[] in no particular order (saving sorts what it writes, not e); entries
 * are found by hash: the key of e[i] has id i in keys. A zeroed struct is an
 * empty table. */
typedef struct pxs_times {
    pxs_time_entry *e;
    size_t n, cap;
    pxs_strpool keys;       /* "<machine> <ft> <client>" of each entry */
} pxs_times;

/* A missing file is an empty table. Returns 0 or -1 (pxs_error set). */
int pxs_times_load(const char *statsdir, pxs_times *t);
int pxs_times_save(const char *statsdir, const pxs_times *t);
void pxs_times_free(pxs_times *t);
bool pxs_times_get(const pxs_times *t, const char *machine, pxs_filetype ft, const char *client,
                   int64_t *time);
void pxs_times_set(pxs_times *t, const char *machine, pxs_filetype ft, const char *client,
                   int64_t time);

/* A time that is not there (maxtime, settled): no log time is before 1970. */
#define PXS_NO_TIME (-1)

typedef struct pxs_position {
    char *path;
    uint64_t dev, ino;
    uint32_t fp_len, fp_crc;
    uint64_t offset;
    char *machine, *client;
    pxs_filetype ft;
    uint64_t scanned;       /* >= offset */
    int64_t max_time;       /* PXS_NO_TIME when unknown */
    int64_t settled;        /* PXS_NO_TIME when unknown */
} pxs_position;

/* e[] in no particular order (saving sorts what it writes; dropping moves
 * the last entries into the holes). Found by hash, by file (dev, ino) and by
 * owner (machine, ft, client), through an index kept by set and drop: e[] is
 * read-only to callers. A zeroed struct is an empty table. */
typedef struct pxs_positions {
    pxs_position *e;
    size_t n, cap;
    struct pxs_positions_index *ix;
} pxs_positions;

int pxs_positions_load(const char *statsdir, pxs_positions *p);
int pxs_positions_save(const char *statsdir, const pxs_positions *p);
void pxs_positions_free(pxs_positions *p);
/* The position of the file (dev, ino), or NULL. */
pxs_position *pxs_positions_find(pxs_positions *p, uint64_t dev, uint64_t ino);
/* Replaces (by dev, ino) or adds a position; strings are copied. */
void pxs_positions_set(pxs_positions *p, const pxs_position *pos);
/* Drops every position of (machine, ft, client). */
void pxs_positions_drop(pxs_positions *p, const char *machine, pxs_filetype ft, const char *client);
/* The positions of (machine, ft, client), in the order of the file (by path):
 * *n pointers into p, valid until p changes (fresh array, never NULL). */
pxs_position **pxs_positions_of(pxs_positions *p, const char *machine, pxs_filetype ft,
                                const char *client, size_t *n);

/* Reads a small text state file as lines of whitespace-separated fields,
 * calling fn for each non-comment line. A missing file calls nothing and
 * returns 0. fn returns 0 or -1 (then parsing stops and the error is
 * "<file>:<line>: <pxs_error>"). Shared by every state file of the tree. */
typedef int (*pxs_state_line_fn)(char **fields, int nfields, void *arg);
int pxs_state_read_lines(const char *path, pxs_state_line_fn fn, void *arg);

/* %-escapes spaces, tabs, newlines and '%' (fresh string) and back (in place). */
char *pxs_state_escape(const char *s);
void pxs_state_unescape(char *s);

#endif
