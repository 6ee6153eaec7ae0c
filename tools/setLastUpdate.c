/* setLastUpdate — set the last-update time of clients so that the next
 * statsUpdater collects again from that date. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/cli.h"
#include "pxstats/clients.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/revert.h"
#include "pxstats/state.h"
#include "pxstats/strlist.h"

static const char usage[] =
    "usage: setLastUpdate [-c CLIENTS] [-f tx|rx] [-m MACHINE] [--logdir DIR] [--force-date] [-v] "
    "[--root DIR] [--config FILE] \"DATE\"\n"
    "Sets the last-update time of the clients of MACHINE to DATE (rounded down to\n"
    "the hour) and drops their log positions, so that the next statsUpdater\n"
    "collects again every hour from DATE (DATE is \"YYYY-MM-DD HH:MM:SS\", UTC).\n"
    "  -c, --clients LIST  clients or sources (default All: those already recorded)\n"
    "  -f, --fileType FT   tx or rx (default: the types a client has logs or entries for)\n"
    "  -m, --machine NAME  machine (default: this host's name)\n"
    "      --logdir DIR    where statsUpdater reads the machine's logs (as its --logdir):\n"
    "                      a named client must have a log there or an entry already\n"
    "      --force-date    accept a DATE more than an hour after the system clock\n"
    "  -v, --verbose       print each entry set\n"
    "      --root DIR      pxstats root (stats tree DIR/stats)\n"
    "      --config FILE   configuration file\n"
    "      --version       print the version\n"
    "  -h, --help          this text\n";

enum { OPT_LOGDIR = PXS_OPT_FIRST_FREE, OPT_FORCE_DATE };

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"clients", required_argument, NULL, 'c'},
        {"fileType", required_argument, NULL, 'f'},
        {"machine", required_argument, NULL, 'm'},
        {"machines", required_argument, NULL, 'm'},   /* the spelling of the other tools */
        {"verbose", no_argument, NULL, 'v'},
        {"logdir", required_argument, NULL, OPT_LOGDIR},
        {"force-date", no_argument, NULL, OPT_FORCE_DATE},
        PXS_COMMON_LONG_OPTS,
        {NULL, 0, NULL, 0}};
    pxs_cli cli;
    pxs_config cfg;
    pxs_strlist clients, changed;
    unsigned ft_mask = PXS_REVERT_TX | PXS_REVERT_RX;
    char *host = NULL, *logdir, when[PXS_ISO_SIZE], now[PXS_ISO_SIZE];
    const char *machine = NULL, *logdir_arg = NULL;
    bool force_date = false;
    int64_t date;
    int opt;

    pxs_cli_init(&cli, argv[0], usage);
    cli.creates_tree = true;
    pxs_strlist_init(&clients);
    pxs_strlist_init(&changed);
    while ((opt = pxs_cli_getopt(&cli, argc, argv, "c:f:m:vh", opts)) != -1) {
        switch (opt) {
        case 'c':
            pxs_strlist_free(&clients);
            pxs_cli_names(&cli, "client", optarg, &clients);
            break;
        case 'f':
            ft_mask = pxs_cli_filetype(&cli, optarg) == PXS_TX ? PXS_REVERT_TX : PXS_REVERT_RX;
            break;
        case 'm':
            machine = optarg;
            break;
        case 'v':
            pxs_set_verbose(true);
            break;
        case OPT_LOGDIR:
            logdir_arg = optarg;
            break;
        case OPT_FORCE_DATE:
            force_date = true;
            break;
        }
    }
    if (argc - optind != 1)
        pxs_cli_usage_error(&cli, argc == optind ? "no date given" : "one date only");
    date = pxs_cli_date(&cli, "date", argv[optind]);
    /* A last update after the clock would make every later run "up to date". */
    if (date > pxs_now() + PXS_HOUR && !force_date)
        pxs_cli_usage_error(&cli, "%s is more than an hour after the system clock (%s); "
                            "--force-date sets it anyway", pxs_format_iso(date, when),
                            pxs_format_iso(pxs_now(), now));
    if (clients.n == 0)
        pxs_strlist_add(&clients, "All");
    if (machine == NULL)
        machine = host = pxs_host_name();
    if (pxs_name_check("machine", machine) != 0)
        pxs_cli_usage_error(&cli, "%s", pxs_error());

    pxs_cli_config(&cli, &cfg);
    logdir = pxs_machine_logdir(logdir_arg ? logdir_arg : cfg.logdir, machine);
    if (pxs_revert(cfg.statsdir, logdir, machine, ft_mask, &clients, date, &changed) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    free(logdir);
    for (size_t i = 0; i < changed.n; i++)
        pxs_info("%s: last update set to %s", changed.v[i],
                 pxs_format_iso(pxs_hour_floor(date), when));
    pxs_strlist_free(&changed);
    pxs_strlist_free(&clients);
    pxs_config_free(&cfg);
    free(host);
    return PXS_EXIT_OK;
}
