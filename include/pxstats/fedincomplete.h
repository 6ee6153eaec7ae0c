/* fedincomplete — the hours the archive was fed while part of a machine
 * group's data was missing: status.html's "hours fed incomplete".
 *
 * FOR THE MERGE OF ISSUE 13: issue 13 records, when rrdTransfer feeds an hour
 * of a group while a machine's snapshot is missing, that the hour was fed
 * incomplete (and repairs it when the data arrives). That record does not
 * exist on this branch, so pxs_fed_incomplete estimates the same set from
 * what does exist: an hour before the group's DATABASE-UPDATES time for which
 * some machines of the group have a snapshot of the client and others do not
 * (the merged database then holds only some machines' counts). Once issue
 * 13's record exists, this one function is to read it instead; its contract
 * stays the same, and status.html reads the hours through it only. */
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
 * or -1 (pxs_error set) when the feed time cannot be read. */
int pxs_fed_incomplete(const char *statsdir, pxs_filetype ft, const char *client,
                       const pxs_strlist *machines, const char *missing, int64_t from,
                       int64_t to, int64_t **hours, size_t *n);

#endif
