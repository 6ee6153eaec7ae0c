/* dbupdates — how far the RRD archive of each client and machine group was fed.
 *
 * DATABASE-UPDATES/<tx|rx>/<client>_<machine> holds one line,
 *     YYYY-MM-DD HH:MM:SS
 * the end (exclusive) of the last successful feed: every minute before it is in
 * the databases. Text so that an operator can read and fix it (an epoch number,
 * as the original wrote, is accepted on reading); written through atomicfile. */
#ifndef PXSTATS_DBUPDATES_H
#define PXSTATS_DBUPDATES_H

#include <stdint.h>

#include "names.h"
#include "strlist.h"

/* <stats>/DATABASE-UPDATES/<ft>/<client>_<machine> (fresh string). */
char *pxs_dbupdates_path(const char *statsdir, pxs_filetype ft, const char *client,
                         const char *machine);

/* Reads the time of (ft, client, machine). Returns 1 and sets *t when the file
 * exists, 0 when it does not, -1 when it cannot be read or does not parse
 * (pxs_error names the file). */
int pxs_dbupdates_get(const char *statsdir, pxs_filetype ft, const char *client,
                      const char *machine, int64_t *t);

/* Records t (atomically; directories created). Returns 0 or -1 (pxs_error set). */
int pxs_dbupdates_set(const char *statsdir, pxs_filetype ft, const char *client,
                      const char *machine, int64_t t);

/* Appends to out (sorted, unique) the clients that have a DATABASE-UPDATES file
 * for ft and the machine group machine, i.e. files named "<client>_<machine>".
 * A missing directory adds nothing. Returns 0 or -1 (pxs_error set). */
int pxs_dbupdates_clients(const char *statsdir, pxs_filetype ft, const char *machine,
                          pxs_strlist *out);

#endif
