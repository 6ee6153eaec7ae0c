/* pickletree — what the snapshot tree holds, by name: the clients of a file
 * type, the days of a client, the newest snapshot of a machine.
 *
 * Directory listings only (no snapshot is opened), through the paths of
 * layout.h: pickles/<client>/<YYYYMMDD>/<tx|rx>/<machine>_<HH>. Entries whose
 * names are not valid client names or days are ignored. */
#ifndef PXSTATS_PICKLETREE_H
#define PXSTATS_PICKLETREE_H

#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "strlist.h"

/* Reads a snapshot file name "<machine>_<HH>": returns the hour (0..23) and
 * sets *mlen to the length of the machine part, or returns -1. */
int pxs_pickle_name_hour(const char *name, size_t *mlen);

/* The days (epoch of 00:00 UTC) on which client has a <ft> folder, in
 * ascending order; *days is malloc'ed (NULL when none). A client without any
 * folder has none. Returns 0, or -1 (pxs_error set) when a folder cannot be
 * read. */
int pxs_pickle_days(const char *statsdir, const char *client, pxs_filetype ft, int64_t **days,
                    size_t *n);

/* Adds to out (sorted, unique) every client that has a <ft> folder on some
 * day: the meaning of "-c All" for that file type. Returns 0 or -1. */
int pxs_pickle_clients(const char *statsdir, pxs_filetype ft, pxs_strlist *out);

/* The start of the newest hour for which machine has a snapshot of ft, among
 * clients (NULL: every client of ft). Returns 1 and sets *hour, 0 when the
 * machine has none, -1 on an unreadable folder (pxs_error set). */
int pxs_pickle_newest(const char *statsdir, pxs_filetype ft, const pxs_strlist *clients,
                      const char *machine, int64_t *hour);

#endif
