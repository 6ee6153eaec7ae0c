/* monitor — the checks of statsMonitor and the report they fill.
 *
 * A run loads the state of the previous run from <stats>/statsMonitoring/,
 * runs the seven checks, each filling one section of the report, marks the
 * findings that the previous run already reported, renders the report as
 * plain text and HTML, and (once the report is delivered) saves the new state.
 *
 * The state directory holds small text files, written atomically:
 *   previousMonitoringJob   "YYYY-MM-DD HH:MM:SS" of the last run
 *   previousFileChecksums   "<crc32 hex> <size> <path>" per checked file
 *   previousCrontab         a copy of the crontab as last seen
 *   reportedProblems        the key of each problem reported, one a line
 *   lastDataTimes           "<ft> <client> <group> YYYY-MM-DD HH:MM:SS": the
 *                           end of the last minute with traffic seen
 * Paths in them are %-escaped as in state.h.
 *
 * Configuration, [monitoring] section (every key has a default):
 *   emails, from, sendmail, machines (else [graphics] logFilesMachines), folders,
 *   maxUsages, days, maxGap, maxDatabaseAge, maxPageAge, rrdTransferLog,
 *   binDir, files, crontabFile; [monitoring.gaps] <client> = minutes.
 * man/statsMonitor.1 describes each. */
#ifndef PXSTATS_MONITOR_H
#define PXSTATS_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "names.h"
#include "strlist.h"

/* The sections of the report, in report order. */
enum {
    PXS_MON_DISK,
    PXS_MON_PICKLES,
    PXS_MON_GAPS,
    PXS_MON_RRD,
    PXS_MON_CHECKSUMS,
    PXS_MON_CRONTAB,
    PXS_MON_WEB,
    PXS_MON_NSECTIONS
};

/* One problem. key identifies it across runs (it stays the same while the
 * problem lasts, e.g. an outage keyed by its start); text is what is shown. */
typedef struct pxs_finding {
    char *key, *text;
    bool old;          /* already reported by the previous run */
} pxs_finding;

typedef struct pxs_mon_section {
    const char *title;    /* "Disk usage" */
    const char *ok_line;  /* "No disk usage warnings." */
    pxs_finding *f;
    size_t n, cap;
    pxs_strlist notes;    /* informative lines that are not problems */
} pxs_mon_section;

/* A group of machines: one machine, or several whose data are merged. */
typedef struct pxs_mon_group {
    pxs_strlist machines;
    char *merged;          /* the merged name ("pds5pds6"), NULL for one machine */
} pxs_mon_group;

/* A series to check: a client (or source) of a fileType on a group. */
typedef struct pxs_mon_target {
    char *client;
    pxs_filetype ft;
    size_t group;
    int64_t first;         /* start of its earliest snapshot hour on disk */
    int64_t *first_of;     /* the same per machine of the group, then for the
                              merged name (INT64_MAX: none on disk) */
} pxs_mon_target;

typedef struct pxs_monitor {
    const pxs_config *cfg;
    int64_t now;
    int64_t since;         /* start of the window of the gap and rrdTransfer checks */
    bool since_given;      /* --since: the saved last data times are not used */
    bool full;             /* list old problems too */
    char *statedir;        /* <stats>/statsMonitoring */
    bool have_prev;        /* a previous run is on record */
    int64_t prev_run;
    pxs_strlist prev_reported;   /* keys */
    pxs_strlist prev_last_data;  /* "<ft> <client> <group> <epoch>" of the previous run */
    pxs_strlist new_last_data;   /* the same, as this run leaves them */
    char *checksums;             /* the new previousFileChecksums content */
    char *crontab;               /* the crontab as seen now, NULL when unreadable */
    pxs_mon_group *groups;
    size_t ngroups;
    pxs_mon_target *targets;
    size_t ntargets;
    pxs_mon_section sec[PXS_MON_NSECTIONS];
} pxs_monitor;

/* Prepares a run at time now: loads the previous state. since (may be NULL)
 * is --since; without it the window starts at the previous run, or at today's
 * midnight on a first run. Returns 0, -1 (pxs_error set) when the state
 * cannot be read or a number of the config is wrong, -2 when its machine
 * list is (an unsafe name, a machine named twice: the caller exits 2). */
int pxs_monitor_init(pxs_monitor *m, const pxs_config *cfg, int64_t now, const int64_t *since,
                     bool full);
void pxs_monitor_free(pxs_monitor *m);

/* Runs the seven checks below in order and marks old findings. */
void pxs_monitor_run(pxs_monitor *m);

/* The checks. Each fills its own section; none fails as a whole: a file it
 * cannot read is itself a finding. */
void pxs_mon_check_disk(pxs_monitor *m);
void pxs_mon_check_pickles(pxs_monitor *m);
void pxs_mon_check_gaps(pxs_monitor *m);
void pxs_mon_check_rrd(pxs_monitor *m);
void pxs_mon_check_checksums(pxs_monitor *m);
void pxs_mon_check_crontab(pxs_monitor *m);
void pxs_mon_check_web(pxs_monitor *m);

/* Adds a finding (text formatted) to section s. The key is stored prefixed
 * with the section's number, so that sections cannot confuse their keys. */
void pxs_mon_add(pxs_monitor *m, int s, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds an informative line to section s. */
void pxs_mon_note(pxs_monitor *m, int s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets old on every finding whose key the previous run reported. */
void pxs_mon_mark_old(pxs_monitor *m);
/* Number of findings (old ones included). */
size_t pxs_mon_count(const pxs_monitor *m);

/* The machine groups from [monitoring] machines, else [graphics]
 * logFilesMachines ("a,b;c": ';' separates groups, ',' joins machines merged),
 * and the targets found under <stats>/pickles. Run by pxs_monitor_run before
 * the snapshot checks; exposed for tests. Returns 0 or -1 (pxs_error set). */
int pxs_mon_inventory(pxs_monitor *m);
/* Parses a groups text into m->groups through pxs_groups_parse. Returns 0,
 * or -1 on an unsafe name or a machine named twice. */
int pxs_mon_parse_groups(pxs_monitor *m, const char *text);
/* The groups text of the config: [monitoring] machines, else [graphics]
 * logFilesMachines. */
const char *pxs_mon_groups_text(const pxs_monitor *m);

/* Allowed silence of a client in seconds: [monitoring.gaps] <client>, else
 * [monitoring] maxGap, in minutes (default 60). */
int64_t pxs_mon_max_gap(const pxs_monitor *m, const char *client);

/* Lists of equal-time items: adds one finding per distinct time, naming up to
 * ten items and the count of the others, so that a stopped job gives one line
 * rather than one per file. what says what the items are ("databases"). */
typedef struct pxs_mon_timed {
    char *name;
    int64_t time;
} pxs_mon_timed;
void pxs_mon_add_grouped(pxs_monitor *m, int s, const char *keyprefix, const char *what,
                         pxs_mon_timed *items, size_t n);

/* The report as plain text / as an HTML document (fresh strings). Old
 * findings are counted in one line per section unless full. */
char *pxs_monitor_text(const pxs_monitor *m, const char *host);
char *pxs_monitor_html(const pxs_monitor *m, const char *host);
/* "[Stats Library Monitoring] <host> <time>" (fresh string). */
char *pxs_monitor_subject(const pxs_monitor *m, const char *host);

/* Delivers the report: on stdout when to_stdout or when [monitoring] emails
 * is empty, else as a multipart/alternative mail through sendmail -t
 * ([monitoring] sendmail; default "sendmail" from PATH, else
 * /usr/sbin/sendmail). Returns 0 or -1 (pxs_error set). */
int pxs_monitor_deliver(const pxs_monitor *m, bool to_stdout);

/* Saves the state of this run (after delivery, so that a report that was not
 * delivered is made again). Returns 0 or -1 (pxs_error set). */
int pxs_monitor_save(const pxs_monitor *m);

/* The state directory's file name (fresh string). */
char *pxs_mon_state_file(const pxs_monitor *m, const char *name);

#endif
