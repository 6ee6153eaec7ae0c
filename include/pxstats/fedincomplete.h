/* fedincomplete — the hours the archive was fed while part of a machine
 * group's data was missing: status.html's "hours fed incomplete".
 *
 * rrdTransfer records them in the group's feed state (dbupdates.h: the
 * "incomplete" hours, with the machines whose snapshot was absent or
 * unreadable) and repairs them when the data arrives; this reads that
 * record. */
#ifndef PXSTATS_FEDINCOMPLETE_H
#define PXSTATS_FEDINCOMPLETE_H

#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "strlist.h"

/* Appends to *hours (malloc'ed, *n entries, ascending) the starts of the
 * hours of [from, to) that were fed into the archive of (ft, client, the
 * group of machines) while incomplete; with missing not NULL, only those
 * where that machine of the group is one whose data was missing. Returns 0,
 * or -1 (pxs_error set) when the feed state cannot be read. */
int pxs_fed_incomplete(const char *statsdir, pxs_filetype ft, const char *client,
                       const pxs_strlist *machines, const char *missing, int64_t from,
                       int64_t to, int64_t **hours, size_t *n);

#endif
