/* feedjournal — an undo journal that makes every change to a group's RRD
 * databases all-or-nothing (issue 13, rule 2).
 *
 * librrd updates a database in place: a feed killed in the middle of an
 * update (SIGKILL, SIGTERM at shutdown) leaves a half-written header or
 * half-consolidated rows, and a rerun cannot tell. So before a feed touches
 * the databases of a (client, group), it writes the journal
 * DATABASE-UPDATES/<ft>/.<client>_<group>.journal (layout.h) holding, for each
 * database, what is needed to put it back exactly:
 *   - "absent": it does not exist yet (undo: remove it);
 *   - the byte ranges the update may write: the header and, in each RRA, the
 *     rows that the values up to the feed's end will fill (from rrd_info:
 *     header_size, rows, cur_row, pdp_per_row) — a few kilobytes per hour fed;
 *   - or the whole file (a rebuild that replaces it).
 * The journal ends with the CRC-32 of the state file text the feed will
 * commit, and a CRC-32 of itself. The commit point is the atomic rename of
 * the state file (DATABASE-UPDATES/<ft>/<client>_<group>); the journal is
 * removed after it.
 *
 * Recovery (pxs_journal_recover, run by every writer of the archive under
 * the rrdTransfer lock before it reads or copies the databases): a journal
 * that does not check out was cut short while being written, before any
 * database was touched: it is removed. A state file whose CRC is the
 * journal's commit CRC means the feed committed: the journal is removed.
 * Otherwise every database is put back from the journal (idempotent: a
 * recovery killed in turn is simply done again) and the journal removed.
 *
 * The journal protects against a killed process, which is what the page
 * cache survives. It is not fsynced: librrd does not fsync the databases
 * either, so a power cut is outside what either can promise. */
#ifndef PXSTATS_FEEDJOURNAL_H
#define PXSTATS_FEEDJOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pxs_journal {
    unsigned char *buf;   /* the serialised entries */
    size_t len, cap;
    uint32_t n;           /* entries */
} pxs_journal;

void pxs_journal_init(pxs_journal *j);
void pxs_journal_free(pxs_journal *j);

/* Records how to undo what a feed may do to the database <statsdir>/<rel>:
 * nothing when it does not exist (undo: remove it); its whole content when
 * whole; else the ranges a librrd update writing values up to time to can
 * change. Returns 0 or -1 (pxs_error names the file). */
int pxs_journal_add_db(pxs_journal *j, const char *statsdir, const char *rel, int64_t to,
                       bool whole);

/* Writes the journal to path, with commit_crc (the CRC-32 of the state text
 * that commits the feed). Returns 0 or -1 (pxs_error set). */
int pxs_journal_write(const pxs_journal *j, const char *path, uint32_t commit_crc);

/* Undoes the changes recorded in j under statsdir (a feed that failed in
 * this process). Returns 0 or -1 (pxs_error set). */
int pxs_journal_undo(const pxs_journal *j, const char *statsdir);

/* The recovery described above, for the journal jpath of the state file
 * state_path. Returns 0 when there was no journal, 1 when the databases were
 * put back, 2 when the feed had committed (or the journal was torn), -1 on
 * failure (pxs_error set; the journal is kept for the next try). */
int pxs_journal_recover(const char *statsdir, const char *jpath, const char *state_path);

/* Recovers every journal of DATABASE-UPDATES/<tx|rx>/ (restoreRRD does this
 * before a backup or a restore). Returns the number of databases sets put
 * back, or -1 (pxs_error set). */
int pxs_journal_recover_all(const char *statsdir);

/* CRC-32 of a text (zlib's). */
uint32_t pxs_journal_crc(const void *buf, size_t len);

#endif
