/* cli — the command-line conventions every program shares. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/cli.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/suggest.h"
#include "pxstats/xalloc.h"

/* The Makefile's VERSION, passed as -DPXS_VERSION. */
#ifndef PXS_VERSION
#define PXS_VERSION "unknown"
#endif

const char *pxs_version(void) { return PXS_VERSION; }

void pxs_cli_init(pxs_cli *cli, const char *argv0, const char *usage)
{
    memset(cli, 0, sizeof *cli);
    pxs_set_progname(argv0);
    cli->usage = usage;
}

int pxs_cli_common(pxs_cli *cli, int opt, const char *arg)
{
    switch (opt) {
    case PXS_OPT_ROOT:
        cli->root = arg;
        return 1;
    case PXS_OPT_CONFIG:
        cli->config = arg;
        return 1;
    case PXS_OPT_VERSION:
        printf("%s (pxstats) %s\n", pxs_progname(), pxs_version());
        exit(fflush(stdout) == 0 ? PXS_EXIT_OK : PXS_EXIT_FAIL);
    case 'h':
        fputs(cli->usage, stdout);
        exit(fflush(stdout) == 0 ? PXS_EXIT_OK : PXS_EXIT_FAIL);
    case '?':
        pxs_cli_usage_error(cli, "bad option");
    default:
        return 0;
    }
}

void pxs_cli_usage_error(const pxs_cli *cli, const char *fmt, ...)
{
    va_list ap;

    (void)cli;
    char *suffix = xasprintf("; try '%s -h'", pxs_progname());
    va_start(ap, fmt);
    pxs_vmessage(0, suffix, fmt, ap);
    va_end(ap);
    free(suffix);
    exit(PXS_EXIT_USAGE);
}

/* The long option of element arg ("--name" or "--name=value"): the one
 * named exactly, else the only one it abbreviates; NULL when none is. */
static const struct option *long_option(const struct option *longopts, const char *arg)
{
    size_t n = strcspn(arg + 2, "=");
    const struct option *prefix = NULL;
    size_t nprefix = 0;

    for (const struct option *o = longopts; o && o->name; o++) {
        if (strncmp(o->name, arg + 2, n) != 0)
            continue;
        if (strlen(o->name) == n)
            return o;
        prefix = o;
        nprefix++;
    }
    return nprefix == 1 ? prefix : NULL;
}

/* The one-line complaint about a bad option; never returns. element is the
 * command-line word getopt was reading. */
static _Noreturn void bad_option(const pxs_cli *cli, int ret, const char *element,
                                 const struct option *longopts)
{
    bool is_long = element && strncmp(element, "--", 2) == 0 && element[2] != '\0';
    const struct option *o = is_long ? long_option(longopts, element) : NULL;
    size_t n = is_long ? strcspn(element + 2, "=") : 0;

    if (is_long && o && (optopt == 0 || optopt == o->val)) {
        if (ret == ':')
            pxs_cli_usage_error(cli, "option '--%s' needs an argument", o->name);
        pxs_cli_usage_error(cli, "option '--%s' takes no argument", o->name);
    }
    if (optopt != 0 && !is_long) {
        if (ret == ':')
            pxs_cli_usage_error(cli, "option '-%c' needs an argument", optopt);
        if (isprint(optopt))
            pxs_cli_usage_error(cli, "unknown option '-%c'", optopt);
    }
    if (is_long) {
        char *name = xstrndup(element + 2, n);
        pxs_suggest sg;
        size_t matches = 0;
        pxs_suggest_init(&sg, name);
        for (const struct option *l = longopts; l && l->name; l++) {
            pxs_suggest_add(&sg, l->name);
            matches += strncmp(l->name, name, n) == 0;
        }
        const char *best = pxs_suggest_best(&sg);
        /* two options start so: getopt cannot choose */
        if (matches > 1)
            pxs_cli_usage_error(cli, "option '--%s' is ambiguous", name);
        if (best)
            pxs_cli_usage_error(cli, "unknown option '--%s' (did you mean --%s?)", name, best);
        pxs_cli_usage_error(cli, "unknown option '--%s'", name);
    }
    pxs_cli_usage_error(cli, "bad option '%s'", element ? element : "?");
}

int pxs_cli_getopt(pxs_cli *cli, int argc, char *const *argv, const char *shortopts,
                   const struct option *longopts)
{
    /* A leading ':' makes a missing argument ':' rather than '?'; getopt's
     * own messages are off, ours are one line. */
    char *spec = xasprintf(":%s", shortopts);
    int opt;

    opterr = 0;
    for (;;) {
        int before = optind;
        opt = getopt_long(argc, argv, spec, longopts, NULL);
        if (opt == '?' || opt == ':') {
            /* getopt moved past the word in error, except inside a cluster
             * of short options ("-xv"), where it stays on it. */
            const char *element = optind > before ? argv[optind - 1]
                                  : optind < argc ? argv[optind] : NULL;
            free(spec);
            bad_option(cli, opt, element, longopts);
        }
        if (opt == -1 || !pxs_cli_common(cli, opt, optarg))
            break;
    }
    free(spec);
    return opt;
}

/* The stats tree must exist for a program that reads it: a mistyped --root
 * would otherwise run on (and create) an empty tree and report nothing. */
static void guard_tree(const pxs_cli *cli, const pxs_config *cfg)
{
    struct stat st;

    if (stat(cfg->statsdir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            pxs_diex(PXS_EXIT_FAIL, "stats tree %s: not a directory", cfg->statsdir);
        return;
    }
    if (errno != ENOENT)
        pxs_die(PXS_EXIT_FAIL, "stats tree %s", cfg->statsdir);
    if (!cli->creates_tree)
        pxs_diex(PXS_EXIT_FAIL,
                 "stats tree %s: No such file or directory (check --root, PXROOT or "
                 "[paths] statsdir; statsUpdater starts a tree)",
                 cfg->statsdir);
    if (pxs_mkdirs(cfg->statsdir) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    pxs_info("created the stats tree %s", cfg->statsdir);
}

void pxs_cli_config(const pxs_cli *cli, pxs_config *cfg)
{
    if (pxs_config_load(cfg, cli->root, cli->config) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    guard_tree(cli, cfg);
}

int64_t pxs_cli_date(const pxs_cli *cli, const char *opt, const char *arg)
{
    int64_t t;

    if (!pxs_parse_date_arg(arg, &t))
        pxs_cli_usage_error(cli, "%s: bad date '%s' (the format is \"YYYY-MM-DD HH:MM:SS\", UTC)",
                            opt, arg);
    return t;
}

long pxs_cli_long(const pxs_cli *cli, const char *opt, const char *arg, long min, long max)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || v < min || v > max)
        pxs_cli_usage_error(cli, "%s: '%s' is not a number from %ld to %ld", opt, arg, min, max);
    return v;
}

int pxs_cli_word(const pxs_cli *cli, const char *opt, const char *arg, const char *const *words,
                 int nwords)
{
    pxs_suggest sg;

    pxs_suggest_init(&sg, arg);
    for (int i = 0; i < nwords; i++) {
        if (strcmp(arg, words[i]) == 0)
            return i;
        pxs_suggest_add(&sg, words[i]);
    }
    const char *best = pxs_suggest_best(&sg);
    char *all = NULL;
    for (int i = 0; i < nwords; i++) {
        char *more = xasprintf("%s%s%s", all ? all : "", i ? ", " : "", words[i]);
        free(all);
        all = more;
    }
    if (best)
        pxs_cli_usage_error(cli, "%s: '%s' is not one of %s (did you mean %s?)", opt, arg, all,
                            best);
    pxs_cli_usage_error(cli, "%s: '%s' is not one of %s", opt, arg, all);
}

pxs_filetype pxs_cli_filetype(const pxs_cli *cli, const char *arg)
{
    static const char *const names[] = {"tx", "rx"};

    return pxs_cli_word(cli, "-f", arg, names, 2) == 0 ? PXS_TX : PXS_RX;
}

void pxs_cli_names(const pxs_cli *cli, const char *what, const char *arg, pxs_strlist *out)
{
    pxs_strlist_split(out, arg, ',');
    if (out->n == 0)
        pxs_cli_usage_error(cli, "empty %s list", what);
    for (size_t i = 0; i < out->n; i++) {
        if (strcmp(out->v[i], "All") == 0 || strcmp(out->v[i], "ALL") == 0) {
            if (out->n != 1)
                pxs_cli_usage_error(cli, "'All' cannot be combined with other %s names", what);
            continue;
        }
        if (pxs_name_check(what, out->v[i]) != 0)
            pxs_cli_usage_error(cli, "%s", pxs_error());
        for (size_t j = 0; j < i; j++)
            if (strcmp(out->v[i], out->v[j]) == 0)
                pxs_cli_usage_error(cli, "%s '%s' is named twice", what, out->v[i]);
    }
}

void pxs_cli_machines(const pxs_cli *cli, const char *opt, const char *arg, pxs_strlist *out)
{
    if (pxs_machines_parse(arg, out) != 0)
        pxs_cli_usage_error(cli, "%s: %s", opt, pxs_error());
    if (out->n == 0)
        pxs_cli_usage_error(cli, "%s: no machine given", opt);
    if (pxs_strlist_has(out, "All") || pxs_strlist_has(out, "ALL"))
        pxs_cli_usage_error(cli, "%s: give the machine names ('All' is not one)", opt);
}

int pxs_cli_interactive(void) { return isatty(2); }
