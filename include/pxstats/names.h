/* names — the one place where a client, source or machine name is judged.
 *
 * Names become path components and remote command arguments, so only
 * letters, digits, '.', '_' and '-' are allowed, the name may not start with
 * '.' or '-', and it is at most PXS_NAME_MAX characters. */
#ifndef PXSTATS_NAMES_H
#define PXSTATS_NAMES_H

#include <stdbool.h>

#include "strlist.h"

#define PXS_NAME_MAX 128

bool pxs_name_valid(const char *name);
/* Returns 0 when valid; otherwise -1 with pxs_error() set to
 * "unsafe <what> name '<name>': <reason>". */
int pxs_name_check(const char *what, const char *name);

/* This host's name as pxstats names machines: up to its first '.', or
 * "localhost" when it has none. Fresh string. */
char *pxs_host_name(void);

/* One machine group as -m writes it: machines joined by ',' (merged
 * together), spaces ignored. Appends each machine to out, in order. Every
 * name is checked, and a machine named twice is refused: a group of "m1,m1"
 * would merge the same snapshots twice. Returns 0, or -1 with pxs_error()
 * naming the bad or repeated name (the callers exit 2). */
int pxs_machines_parse(const char *text, pxs_strlist *out);

/* Machine groups as the config and -m write them: ';' separates groups, ','
 * joins the machines of one group (merged together), spaces are ignored.
 * Appends one normalised "m1,m2" item per group to out. The one parser of
 * machine lists: every name is checked; a machine named twice anywhere in
 * the list, or two groups whose merged names are the same ("a,bc;ab,c" both
 * make the databases <client>_abc), are refused. Returns 0, or -1 with
 * pxs_error() naming the bad or repeated name (the callers exit 2). */
int pxs_groups_parse(const char *text, pxs_strlist *out);

/* tx or rx. */
typedef enum pxs_filetype { PXS_TX = 0, PXS_RX = 1 } pxs_filetype;
const char *pxs_filetype_name(pxs_filetype ft);
/* Parses "tx" or "rx"; returns 0 or -1. */
int pxs_filetype_parse(const char *s, pxs_filetype *ft);

#endif
