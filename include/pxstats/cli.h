/* cli — what every pxstats program does with its command line the same way.
 *
 * A program's usage text is one string, printed whole by -h on stdout (exit
 * 0). A bad option or argument is one line on stderr,
 *     prog: <what is wrong>; try 'prog -h'
 * and exit 2. --version prints "prog (pxstats) <version>" (the version is
 * set once, in the Makefile). Common long options: --root DIR, --config
 * FILE, --version, -h/--help.
 *
 * The stats tree is guarded here: a program that reads it refuses a tree that
 * does not exist (a mistyped --root or PXROOT must not grow a new, empty
 * tree); only the programs that start one (statsUpdater, setLastUpdate) set
 * creates_tree, and then say that they made it (with -v). */
#ifndef PXSTATS_CLI_H
#define PXSTATS_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "names.h"
#include "strlist.h"

/* Long-option values of the common options, for getopt_long tables. */
enum {
    PXS_OPT_ROOT = 1000,
    PXS_OPT_CONFIG = 1001,
    PXS_OPT_VERSION = 1002,
    PXS_OPT_FIRST_FREE = 1100
};
#define PXS_COMMON_LONG_OPTS \
    {"root", required_argument, NULL, PXS_OPT_ROOT}, \
    {"config", required_argument, NULL, PXS_OPT_CONFIG}, \
    {"version", no_argument, NULL, PXS_OPT_VERSION}, \
    {"help", no_argument, NULL, 'h'}

typedef struct pxs_cli {
    const char *usage;   /* the whole usage text */
    const char *root;    /* --root, or NULL */
    const char *config;  /* --config, or NULL */
    bool creates_tree;   /* a missing stats tree is made, not refused */
} pxs_cli;

/* The version of pxstats (the Makefile's VERSION). */
const char *pxs_version(void);

/* Sets the program name and the usage text. */
void pxs_cli_init(pxs_cli *cli, const char *argv0, const char *usage);
/* getopt_long with the pxstats conventions: the common options are handled
 * here (-h and --version exit 0); an unknown option (with the nearest long
 * option offered), a missing argument or an argument given to an option that
 * takes none is a usage error. Returns the next option of the program, or -1
 * at the end of the options (optind is then the first operand). */
int pxs_cli_getopt(pxs_cli *cli, int argc, char *const *argv, const char *shortopts,
                   const struct option *longopts);
/* Handles a common option (PXS_OPT_ROOT, PXS_OPT_CONFIG, PXS_OPT_VERSION,
 * 'h', '?'); returns 1 when handled, 0 when opt is not a common one. -h and
 * --version exit 0; '?' exits 2. (pxs_cli_getopt calls it.) */
int pxs_cli_common(pxs_cli *cli, int opt, const char *arg);
/* "prog: <message>; try 'prog -h'" on stderr; exit 2. */
_Noreturn void pxs_cli_usage_error(const pxs_cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Loads the config of --root/--config, or dies with exit 1 naming the file;
 * then guards the stats tree (see above): refused when missing (exit 1), or
 * made when the program creates_tree. */
void pxs_cli_config(const pxs_cli *cli, pxs_config *cfg);

/* Option parsers that complain through pxs_cli_usage_error. */
int64_t pxs_cli_date(const pxs_cli *cli, const char *opt, const char *arg);
long pxs_cli_long(const pxs_cli *cli, const char *opt, const char *arg, long min, long max);
pxs_filetype pxs_cli_filetype(const pxs_cli *cli, const char *arg);
/* One of the nwords words (case-sensitive), as its index; anything else is
 * a usage error offering the nearest word. */
int pxs_cli_word(const pxs_cli *cli, const char *opt, const char *arg, const char *const *words,
                 int nwords);
/* Splits a comma list of names and validates each (unsafe -> usage error; a
 * name given twice -> usage error: it would be counted twice). "All" is kept
 * as the single item "All" for the caller to expand. */
void pxs_cli_names(const pxs_cli *cli, const char *what, const char *arg, pxs_strlist *out);
/* One machine group (-m, --machines): a comma list through pxs_machines_parse
 * (a bad or repeated name, an empty list or "All" -> usage error naming opt). */
void pxs_cli_machines(const pxs_cli *cli, const char *opt, const char *arg, pxs_strlist *out);

/* True when stderr is a terminal (progress is shown only then). */
int pxs_cli_interactive(void);

#endif
