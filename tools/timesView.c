/* timesView — print the last-update times (PICKLED-TIMES) as a table. */
#include <stdio.h>

#include "pxstats/cli.h"
#include "pxstats/msg.h"
#include "pxstats/report.h"
#include "pxstats/state.h"

static const char usage[] =
    "usage: timesView [--root DIR] [--config FILE]\n"
    "Prints PICKLED-TIMES, the start of the first hour not yet collected of each\n"
    "machine and fileType_client, as a table sorted by machine, then name.\n"
    "      --root DIR    pxstats root (stats tree DIR/stats)\n"
    "      --config FILE configuration file\n"
    "      --version     print the version\n"
    "  -h, --help        this text\n";

int main(int argc, char **argv)
{
    static const struct option opts[] = {PXS_COMMON_LONG_OPTS, {NULL, 0, NULL, 0}};
    pxs_cli cli;
    pxs_config cfg;
    pxs_times times = {0};
    int opt;

    pxs_cli_init(&cli, argv[0], usage);
    while ((opt = pxs_cli_getopt(&cli, argc, argv, "h", opts)) != -1)
        pxs_cli_usage_error(&cli, "unexpected option");
    if (optind < argc)
        pxs_cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);

    pxs_cli_config(&cli, &cfg);
    if (pxs_times_load(cfg.statsdir, &times) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    pxs_report_times(stdout, &times);
    pxs_times_free(&times);
    pxs_config_free(&cfg);
    if (fflush(stdout) != 0 || ferror(stdout))
        pxs_die(PXS_EXIT_FAIL, "standard output");
    return PXS_EXIT_OK;
}
