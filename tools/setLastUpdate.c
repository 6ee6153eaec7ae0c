/* setLastUpdate — set the last-update time of clients so that the next
 * statsUpdater collects again from that date. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/cli.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/revert.h"
#include "pxstats/strlist.h"

static const char usage[] =
    "usage: setLastUpdate [-c CLIENTS] [-f tx|rx] [-m MACHINE] [-v] [--root DIR] "
    "[--config FILE] \"DATE\"\n"
    "Sets the last-update time of the clients of MACHINE to DATE (rounded down to\n"
    "the hour) and drops their log positions, so that the next statsUpdater\n"
    "collects again every hour from DATE (DATE is \"YYYY-MM-DD HH:MM:SS\", UTC).\n"
    "  -c, --clients LIST  clients or sources (default All: those already recorded)\n"
    "  -f, --fileType FT   tx or rx (default: both)\n"
    "  -m, --machine NAME  machine (default: this host's name)\n"
    "  -v, --verbose       print each entry set\n"
    "      --root DIR      pxstats root (stats tree DIR/stats)\n"
    "      --config FILE   configuration file\n"
    "  -h, --help          this text\n";

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"clients", required_argument, NULL, 'c'},
        {"fileType", required_argument, NULL, 'f'},
        {"machine", required_argument, NULL, 'm'},
        {"verbose", no_argument, NULL, 'v'},
        PXS_COMMON_LONG_OPTS,
        {NULL, 0, NULL, 0}};
    pxs_cli cli;
    pxs_config cfg;
    pxs_strlist clients, changed;
    unsigned ft_mask = PXS_REVERT_TX | PXS_REVERT_RX;
    char *host = NULL, when[PXS_ISO_SIZE];
    const char *machine = NULL;
    int64_t date;
    int opt;

    pxs_cli_init(&cli, argv[0], usage);
    pxs_strlist_init(&clients);
    pxs_strlist_init(&changed);
    while ((opt = getopt_long(argc, argv, "c:f:m:vh", opts, NULL)) != -1) {
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
        default:
            if (!pxs_cli_common(&cli, opt, optarg))
                pxs_cli_usage_error(&cli, "unexpected option");
        }
    }
    if (argc - optind != 1)
        pxs_cli_usage_error(&cli, argc == optind ? "no date given" : "one date only");
    date = pxs_cli_date(&cli, "date", argv[optind]);
    if (clients.n == 0)
        pxs_strlist_add(&clients, "All");
    if (machine == NULL)
        machine = host = pxs_host_name();
    if (pxs_name_check("machine", machine) != 0)
        pxs_cli_usage_error(&cli, "%s", pxs_error());

    pxs_cli_config(&cli, &cfg);
    if (pxs_revert(cfg.statsdir, machine, ft_mask, &clients, date, &changed) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    for (size_t i = 0; i < changed.n; i++)
        pxs_info("%s: last update set to %s", changed.v[i],
                 pxs_format_iso(pxs_hour_floor(date), when));
    pxs_strlist_free(&changed);
    pxs_strlist_free(&clients);
    pxs_config_free(&cfg);
    free(host);
    return PXS_EXIT_OK;
}
