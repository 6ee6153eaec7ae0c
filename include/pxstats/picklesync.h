/* picklesync — pickleSync's job: bring stats/pickles/ of remote machines to
 * this host with rsync over ssh (DESIGN.md §7).
 *
 * For each machine one rsync runs, spawned from an argument vector (never a
 * shell):
 *
 *   rsync -rt --no-links --no-devices --no-specials --timeout=T
 *         [--temp-dir=<stats>/pickles/.pickleSync.XXXXXX] [-v]
 *         -e "ssh -p P -i KEY -o IdentitiesOnly=yes
 *         -o UserKnownHostsFile=KH -o GlobalKnownHostsFile=/dev/null
 *         -o StrictHostKeyChecking=yes -o BatchMode=yes -o UpdateHostKeys=no
 *         -o ConnectTimeout=C"
 *         [--include=<client dir and all below it> ... --exclude=<the rest>]
 *         login@host:<remote stats>/pickles/ <local stats>/pickles/
 *
 * - the remote tree is not trusted (SECURITY.md): only regular files and
 *   directories are brought over. A symbolic link there, pointing out of the
 *   tree or not, is skipped ("skipping non-regular file", rsync's exit status
 *   stays 0); --safe-links would keep the links rsync judges safe and
 *   --munge-links would still create links, where a snapshot has no use for
 *   any. FIFOs, sockets and devices are skipped the same way
 *   (--no-specials, --no-devices: the -D of -a has an rsync run as root
 *   create them, devices included). Permissions are not copied (no -p): new files
 *   follow the local umask. A link already in the local tree where the
 *   remote has a directory or a file is replaced, never followed;
 * - only what changed travels (rsync's size and mtime check); files arrive
 *   whole: rsync writes each into a temporary of the run's own directory
 *   and renames it (no --inplace, no --partial), so a reader never meets a
 *   half-written snapshot, and a killed run leaves nothing among the
 *   snapshots (its directory is removed by the next run, atomicfile.h);
 * - no --delete: every machine syncs into the same local pickles/ tree, so a
 *   deletion mirrored from one machine would remove the snapshots of others
 *   (old snapshots are pickleClean's business on each host);
 * - host keys are checked strictly against the known_hosts of the config and
 *   ssh never prompts (BatchMode), so an unknown host fails instead of hanging.
 *
 * Config keys:
 *   [ssh]  identity, knownHosts, port, connectTimeout   as for remote.h
 *   [sync] login           default login (-l wins; default the current user)
 *   [sync] remoteStatsDir  stats root on the machines (absolute; default the
 *                          local stats root, made absolute)
 *   [sync <host>] remoteStatsDir   the same for one machine
 *   [sync] timeout         rsync --timeout: seconds without I/O (default 300)
 *   [sync] runTimeout      seconds one machine may take in all (default 3600)
 *   [sync] rsync, ssh      the programs (default "rsync", "ssh", found in PATH) */
#ifndef PXSTATS_PICKLESYNC_H
#define PXSTATS_PICKLESYNC_H

#include <stdbool.h>

#include "config.h"
#include "strlist.h"

typedef struct pxs_sync_opts {
    const pxs_config *cfg;        /* local stats root and the keys above */
    const char *login;            /* -l, or NULL */
    const pxs_strlist *clients;   /* only these clients; NULL or empty: all of pickles/ */
    bool verbose;                 /* rsync -v (its file list on stdout) and progress notes */
    const char *temp_dir;         /* --temp-dir (absolute), or NULL; set by pxs_sync_machines */
} pxs_sync_opts;

/* Quotes one word for rsync's -e option, which rsync splits on spaces itself
 * honouring '...' (a quote inside is doubled). Words without special
 * characters are returned as they are. Fresh string. */
char *pxs_rsync_rsh_quote(const char *word);

/* Builds the rsync argument vector for one machine ("[login@]host[:port]"),
 * as above. Returns 0 and *argv (NULL-terminated, free with
 * pxs_sync_argv_free), or -1 (pxs_error set: a bad machine name, a relative
 * remoteStatsDir, a path that ssh could not take, a bad config value). */
int pxs_sync_argv(const pxs_sync_opts *o, const char *machine, char ***argv);
void pxs_sync_argv_free(char **argv);

/* Syncs every machine in turn. A machine that fails (down, refused, rsync
 * error, timeout) is reported with pxs_warnx, naming it and rsync's own
 * message, and the others still sync. Returns 0 when all succeeded, 1 when
 * any failed, -1 when nothing could be tried (pxs_error set). */
int pxs_sync_machines(const pxs_sync_opts *o, const pxs_strlist *machines);

#endif
