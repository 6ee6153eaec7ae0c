/* cli — the command-line conventions every program shares. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/cli.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"

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
    case 'h':
        fputs(cli->usage, stdout);
        exit(PXS_EXIT_OK);
    case '?':
        /* getopt has already said what was wrong. */
        fputs(cli->usage, stderr);
        exit(PXS_EXIT_USAGE);
    default:
        return 0;
    }
}

void pxs_cli_usage_error(const pxs_cli *cli, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", pxs_progname());
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fputs(cli->usage, stderr);
    exit(PXS_EXIT_USAGE);
}

void pxs_cli_config(const pxs_cli *cli, pxs_config *cfg)
{
    if (pxs_config_load(cfg, cli->root, cli->config) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
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

pxs_filetype pxs_cli_filetype(const pxs_cli *cli, const char *arg)
{
    pxs_filetype ft;

    if (pxs_filetype_parse(arg, &ft) != 0)
        pxs_cli_usage_error(cli, "%s", pxs_error());
    return ft;
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
