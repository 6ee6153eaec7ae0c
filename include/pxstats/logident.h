/* logident — which saved position (PICKLED_FILE_POSITIONS) belongs to which
 * log file of a client, whatever rotation did to the files since the last run.
 *
 *  - A file keeps its position across a rename: same device and inode, and
 *    the same first bytes (the fingerprint).
 *  - A content that moved to another file (compressed into a .gz, copied by
 *    copytruncate) is found again by its first bytes (of the uncompressed
 *    content), so that it is neither read again nor lost.
 *  - An inode reused by a new file (logrotate's delaycompress: the new live
 *    file gets the inode of the rotated file that was just compressed) holds
 *    other first bytes: it is a new file, read from its start, while its old
 *    position goes with the .gz that holds the old content.
 *  - Two candidates with the same first bytes hold the same content (a copy
 *    or a .gz being made): one is read, the other is a duplicate.
 * A position that found no file is the caller's to report: its content is gone. */
#ifndef PXSTATS_LOGIDENT_H
#define PXSTATS_LOGIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "logfiles.h"
#include "state.h"

/* Fewest first bytes that identify a content found under another name. */
#define PXS_FP_MIN 32

typedef struct pxs_ident {
    pxs_position *pos;  /* the file's saved position, or NULL: a file to read from its start */
    bool moved;         /* pos was found by content, under another inode */
    bool duplicate;     /* the same content as another candidate: not read */
} pxs_ident;

/* Matches the files of one client to its positions pos[0..n): id[i] for
 * files->f[i]; used[j] tells whether pos[j] found its file. */
void pxs_ident_match(const pxs_logfiles *files, pxs_position **pos, size_t n, pxs_ident *id,
                     bool *used);

/* The offset that means "read to its end": the size of a plain file; for a
 * gzip file (never appended to once rotated), its trailer's size, mod 2^32. */
uint64_t pxs_ident_end(const pxs_logfile *f);
/* The fingerprint of f, as a position records it. */
void pxs_ident_fingerprint(const pxs_logfile *f, uint32_t *len, uint32_t *crc);

#endif
