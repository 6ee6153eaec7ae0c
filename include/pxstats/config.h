/* config — pxstats.conf (INI) and the paths of a pxstats installation.
 *
 * The file is "[section]" headers and "key = value" lines; '#' and ';' at the
 * start of a line begin comments; keys are case-insensitive. Any module reads
 * its own keys with pxs_conf_get*, so adding a setting needs no change here.
 *
 * Paths: root is --root, else $PXROOT, else /apps/px. The log directory is
 * <root>/log, the stats tree <root>/stats, PX's etc <root>/etc, unless the
 * config's [paths] section says otherwise (logdir, statsdir, etcdir). The
 * config file is --config, else $PXSTATS_CONF, else <root>/etc/pxstats.conf
 * when it exists (no config file at all is fine: every key has a default).
 *
 * Every section and key a file may hold is listed in pxs_conf_keys
 * (lib/confkeys.c, one line per key): pxs_config_load refuses any other with
 * its file:line and the nearest valid name, so that a typo never leaves a
 * default silently in force. */
#ifndef PXSTATS_CONFIG_H
#define PXSTATS_CONFIG_H

#include <stdbool.h>

typedef struct pxs_conf_entry {
    char *section, *key, *value;
    int line;
} pxs_conf_entry;

typedef struct pxs_conf_section {
    char *name;
    int line;
} pxs_conf_section;

typedef struct pxs_config {
    char *file;          /* the config file read, or NULL */
    pxs_conf_entry *e;
    int n, cap;
    pxs_conf_section *sections;   /* every "[section]" header, in file order */
    int nsections, capsections;
    char *root;          /* PXROOT */
    char *logdir;        /* <root>/log */
    char *statsdir;      /* <root>/stats */
    char *etcdir;        /* <root>/etc (PX's: etc/tx, etc/rx hold client .conf) */
    int max_latency;     /* [collection] maxLatency, default 15 seconds */
    int future_tolerance_min; /* [collection] futureToleranceMinutes, default 60 */
    int disorder_min;    /* [collection] disorderMinutes, default 5 (at most 60, and at
                            most futureToleranceMinutes) */
} pxs_config;

/* One known key: section "sync *" matches "[sync <anything>]"; key "*"
 * matches any key of its section. */
typedef struct pxs_conf_key {
    const char *section, *key;
} pxs_conf_key;
/* Every known key, ended by {NULL, NULL} (lib/confkeys.c). */
extern const pxs_conf_key pxs_conf_keys[];

/* Loads the config. root and file may be NULL (then the environment and the
 * defaults decide). Returns 0, or -1 with pxs_error() naming the file and the
 * line of a syntax error. */
int pxs_config_load(pxs_config *c, const char *root, const char *file);
/* The root a load starts from, before any file is read: root when given (not
 * NULL or ""), else $PXROOT when not empty, else /apps/px. */
const char *pxs_config_start_root(const char *root);
/* Parses INI text (the file name is only used in messages). */
int pxs_config_parse(pxs_config *c, const char *text, const char *name);
/* Checks every section header and key against pxs_conf_keys. Returns 0, or
 * -1 with pxs_error() = "<file>:<line>: unknown ... (did you mean ...?)". */
int pxs_config_check(const pxs_config *c, const char *name);
void pxs_config_free(pxs_config *c);

/* The raw value of [section] key, or def when absent. */
const char *pxs_conf_get(const pxs_config *c, const char *section, const char *key, const char *def);
/* An integer value; -1 with pxs_error() (file:line) when not an integer in [min,max]. */
int pxs_conf_get_int(const pxs_config *c, const char *section, const char *key, long def,
                     long min, long max, long *out);
/* The config line of a key (for messages), or 0. */
int pxs_conf_line(const pxs_config *c, const char *section, const char *key);

#endif
