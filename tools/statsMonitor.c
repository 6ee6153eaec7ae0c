/* statsMonitor — check that the stats ran and mail a report. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pxstats/cli.h"
#include "pxstats/lock.h"
#include "pxstats/monitor.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"

static const char usage[] =
    "usage: statsMonitor [--config FILE] [--root DIR] [--since DATE] [--stdout] [--full]\n"
    "Checks disk usage, missing snapshots, gaps in the data, the RRD feed, the\n"
    "checksums of the programs and config, the crontab, and the age of the web\n"
    "pages and daily images; mails the report ([monitoring] emails) through\n"
    "sendmail -t. Exit status 0 when there is no warning, 1 otherwise.\n"
    "      --since DATE    start of the window checked for gaps and rrdTransfer runs\n"
    "                      (\"YYYY-MM-DD HH:MM:SS\"; default: the previous run)\n"
    "      --stdout        print the report instead of mailing it\n"
    "      --full          also list the problems the previous run reported\n"
    "      --root DIR      pxstats root (stats tree DIR/stats)\n"
    "      --config FILE   configuration file\n"
    "      --version       print the version\n"
    "  -h, --help          this text\n";

enum { OPT_SINCE = PXS_OPT_FIRST_FREE, OPT_STDOUT, OPT_FULL };

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"since", required_argument, NULL, OPT_SINCE},
        {"stdout", no_argument, NULL, OPT_STDOUT},
        {"full", no_argument, NULL, OPT_FULL},
        PXS_COMMON_LONG_OPTS,
        {NULL, 0, NULL, 0}};
    pxs_cli cli;
    pxs_config cfg;
    pxs_lock lock;
    pxs_monitor mon;
    bool to_stdout = false, full = false, have_since = false;
    int64_t since = 0;
    int opt;

    pxs_cli_init(&cli, argv[0], usage);
    while ((opt = pxs_cli_getopt(&cli, argc, argv, "h", opts)) != -1) {
        switch (opt) {
        case OPT_SINCE:
            since = pxs_cli_date(&cli, "--since", optarg);
            have_since = true;
            break;
        case OPT_STDOUT:
            to_stdout = true;
            break;
        case OPT_FULL:
            full = true;
            break;
        }
    }
    if (optind < argc)
        pxs_cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);

    pxs_cli_config(&cli, &cfg);
    int64_t now = pxs_now();
    if (have_since && since > now)
        pxs_cli_usage_error(&cli, "--since is after the current time");
    /* Two runs at once would each save the state of half a report. */
    if (pxs_lock_take(&lock, cfg.statsdir, "statsMonitor", false) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    int irc = pxs_monitor_init(&mon, &cfg, now, have_since ? &since : NULL, full);
    if (irc < 0)
        pxs_diex(irc == -2 ? PXS_EXIT_USAGE : PXS_EXIT_FAIL, "%s", pxs_error());
    pxs_monitor_run(&mon);
    if (pxs_monitor_deliver(&mon, to_stdout) < 0 || pxs_monitor_save(&mon) < 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    size_t found = pxs_mon_count(&mon);
    pxs_monitor_free(&mon);
    pxs_lock_release(&lock);
    pxs_config_free(&cfg);
    return found == 0 ? PXS_EXIT_OK : PXS_EXIT_FAIL;
}
