/* launch — the graphics host's hourly cycle (launchGraphs, DESIGN.md §7).
 *
 * The cycle is first planned as a list of steps, each a program with its
 * argument vector (run here, or on a pickling machine over ssh) or a file
 * upload, then run in order. Steps do not depend on one another's success:
 * a machine that is down fails its own steps only, and the archive, graphs
 * and pages are still made from what the other machines gave.
 *
 * The steps, from the config (pxstats.conf(5)):
 *  1. statsUpdater -f rx, then -f tx, -m <log machine> for every log machine
 *     of [graphics] logFilesMachines, on its pickling machine
 *     ([graphics] picklingMachines / picklingMachineLogins, one per log
 *     machine); a pickling machine that is this host runs it locally;
 *  2. pickleSync -l <login> -m <machine> for every remote pickling machine;
 *  3. pickleMerge -c All -f rx|tx -m <group> for every group of several
 *     log machines;
 *  4. rrdTransfer -f rx|tx -m <group> for every [databases] machineNames group,
 *     then, at the hours of [graphics] maintenanceHours (default 0),
 *     restoreRRD --backup --wait (the daily backup rrdTransfer rebuilds from);
 *  5. graphGen --all -l -m <group> -s 24 for every log machine group;
 *  6. webPages --images, then webPages --all;
 *  7. the 24 h images drawn this cycle (webGraphics/columbo/<ft>/<client>.png)
 *     to every [uploads] machineNames machine (scp), or copied when it is
 *     this host, into <directory>/<ft>/;
 *  8. statsMonitor at the hours of [graphics] monitorHours (default 0,12);
 *     its exit status 1 (problems found and reported) is not a failed step;
 *  9. at the maintenance hours, pickleClean (snapshots and graphs older than
 *     the days of [cleaning] in the config). */
#ifndef PXSTATS_LAUNCH_H
#define PXSTATS_LAUNCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "strlist.h"

typedef enum pxs_step_kind {
    PXS_STEP_LOCAL,     /* argv run here */
    PXS_STEP_REMOTE,    /* argv run on login@host over ssh */
    PXS_STEP_UPLOAD     /* the 24 h images copied to login@host:dir (or a local dir) */
} pxs_step_kind;

typedef struct pxs_step {
    pxs_step_kind kind;
    char *what;          /* one line for the operator: "statsUpdater -f tx for pds5 on logan1" */
    pxs_strlist argv;    /* LOCAL / REMOTE: the command */
    char *host, *login;  /* REMOTE / UPLOAD (host NULL for a local upload) */
    char *dir;           /* UPLOAD: the target directory */
    int findings;        /* an exit status meaning "ran, and reported problems"
                            (statsMonitor: 1): said, not counted as a failure; 0 = none */
} pxs_step;

typedef struct pxs_plan {
    pxs_step *v;
    size_t n, cap;
} pxs_plan;

typedef struct pxs_launch_opts {
    const pxs_config *cfg;
    int64_t now;          /* the time of the cycle: -d of every step */
    const char *root;     /* passed on to local programs as --root when not NULL */
    const char *config;   /* passed on to local programs as --config when not NULL */
} pxs_launch_opts;

/* Checks the machine groups of the config ([graphics] logFilesMachines,
 * [databases] machineNames) with pxs_groups_parse. Returns 0, or -1
 * (pxs_error naming the key; launchGraphs exits 2). */
int pxs_launch_check_groups(const pxs_config *cfg);

/* Plans the cycle. Returns 0, or -1 (pxs_error naming the config key) when
 * the config is inconsistent (e.g. not one pickling machine per log
 * machine) or holds an unsafe machine name. */
int pxs_launch_plan(const pxs_launch_opts *o, pxs_plan *plan);
void pxs_plan_free(pxs_plan *plan);

/* Prints one line per step: the argument vector (quoted for reading) with
 * "[login@host]" in front for remote steps. */
void pxs_plan_print(const pxs_plan *plan, FILE *fp);

/* Runs every step in order, reporting each failure on stderr as it happens,
 * then prints "launchGraphs: N steps, N failed[: what, what]" on stdout.
 * Returns the number of failed steps. */
int pxs_launch_run(const pxs_launch_opts *o, const pxs_plan *plan);

/* True when machine names this host: "localhost", the host name or its
 * first label, or one of [graphics] localMachines when that key is set
 * (then only those: an empty value makes every machine remote). */
bool pxs_launch_is_local(const pxs_config *cfg, const char *machine);

/* The path of a pxstats program: beside the running program
 * (/proc/self/exe) when there, else the bare name (found in PATH).
 * Fresh string. */
char *pxs_tool_path(const char *name);

/* Prints argv on one line, each argument that holds a space or a shell
 * character in single quotes (for reading; nothing is run by a shell). */
void pxs_argv_print(FILE *fp, char *const argv[]);

#endif
