/* cli — what every pxstats program does with its command line the same way.
 *
 * A program's usage text is one string, printed by -h on stdout (exit 0) and
 * after a one-line complaint on stderr for a bad option or argument (exit 2).
 * Common long options: --root DIR, --config FILE, -h/--help. */
#ifndef PXSTATS_CLI_H
#define PXSTATS_CLI_H

#include <getopt.h>
#include <stdint.h>

#include "config.h"
#include "names.h"
#include "strlist.h"

/* Long-option values of the common options, for getopt_long tables. */
enum { PXS_OPT_ROOT = 1000, PXS_OPT_CONFIG = 1001, PXS_OPT_FIRST_FREE = 1100 };
#define PXS_COMMON_LONG_OPTS \
    {"root", required_argument, NULL, PXS_OPT_ROOT}, \
    {"config", required_argument, NULL, PXS_OPT_CONFIG}, \
    {"help", no_argument, NULL, 'h'}

typedef struct pxs_cli {
    const char *usage;   /* the whole usage text */
    const char *root;    /* --root, or NULL */
    const char *config;  /* --config, or NULL */
} pxs_cli;

/* Sets the program name and the usage text. */
void pxs_cli_init(pxs_cli *cli, const char *argv0, const char *usage);
/* Handles a common option (PXS_OPT_ROOT, PXS_OPT_CONFIG, 'h', '?'); returns 1
 * when handled, 0 when opt is not a common one. -h exits 0; '?' exits 2. */
int pxs_cli_common(pxs_cli *cli, int opt, const char *arg);
/* "prog: <message>" then the usage on stderr; exit 2. */
_Noreturn void pxs_cli_usage_error(const pxs_cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Loads the config of --root/--config, or dies with exit 1 naming the file. */
void pxs_cli_config(const pxs_cli *cli, pxs_config *cfg);

/* Option parsers that complain through pxs_cli_usage_error. */
int64_t pxs_cli_date(const pxs_cli *cli, const char *opt, const char *arg);
long pxs_cli_long(const pxs_cli *cli, const char *opt, const char *arg, long min, long max);
pxs_filetype pxs_cli_filetype(const pxs_cli *cli, const char *arg);
/* Splits a comma list of names and validates each (unsafe -> usage error).
 * "All" is kept as the single item "All" for the caller to expand. */
void pxs_cli_names(const pxs_cli *cli, const char *what, const char *arg, pxs_strlist *out);
/* One machine group (-m, --machines): a comma list through pxs_machines_parse
 * (a bad or repeated name, an empty list or "All" -> usage error naming opt). */
void pxs_cli_machines(const pxs_cli *cli, const char *opt, const char *arg, pxs_strlist *out);

/* True when stderr is a terminal (progress is shown only then). */
int pxs_cli_interactive(void);

#endif
