/* clients — which clients and sources exist ("All"). */
#ifndef PXSTATS_CLIENTS_H
#define PXSTATS_CLIENTS_H

#include "config.h"
#include "names.h"
#include "strlist.h"

/* The log directory of a machine: <logdir>/<machine>/ when it exists, else
 * <logdir>. Fresh string. */
char *pxs_machine_logdir(const char *logdir, const char *machine);

/* Every name of fileType ft (sorted, unique): the *.conf basenames in
 * <etcdir>/<ft> when that directory exists, else the <ft>_<name>.log* files of
 * logdir. Invalid names are skipped with a warning. Returns 0 or -1. */
int pxs_clients_from_logs(const pxs_config *cfg, const char *logdir, pxs_filetype ft,
                          pxs_strlist *out);
/* Every client that has a snapshot directory under <stats>/pickles (sorted). */
int pxs_clients_from_pickles(const char *statsdir, pxs_strlist *out);
/* Expands a names list: "All" (alone) becomes the given full list. */
void pxs_clients_expand(pxs_strlist *names, const pxs_strlist *all);

#endif
