/* setLastUpdate — set the last-update time of clients so that the next
 * statsUpdater collects again from that date. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/cli.h"
#include "pxstats/clients.h"
#include "pxstats/guard.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/revert.h"
#include "pxstats/state.h"
#include "pxstats/strlist.h"

static const char usage[] =
    "usage: setLastUpdate [-c CLIENTS] [-f tx|rx] [-m MACHINE] [--logdir DIR] [-v] [--root DIR] "
    "[--config FILE] \"DATE\"\n"
    "Sets the last-update time of the clients of MACHINE to DATE (rounded down to\n"
    "the hour) and drops their log positions, so that the next statsUpdater\n"
    "collects again every hour from DATE (DATE is \"YYYY-MM-DD HH:MM:SS\", UTC).\n"
    "  -c, --clients LIST  clients or sources (default All: those already recorded)\n"
    "  -f, --fileType FT   tx or rx (default: both)\n"
    "  -m, --machine NAME  machine (default: this host's name)\n"
    "      --logdir DIR    where statsUpdater reads the machine's logs (as its --logdir):\n"
    "                      a named client must have a log there or an entry already\n"
    "  -v, --verbose       print each entry set\n"
    "      --root DIR      pxstats root (stats tree DIR/stats)\n"
    "      --config FILE   configuration file\n"
    "      --version       print the version\n"
    "  -h, --help          this text\n";

/* A named client must be one that statsUpdater can collect (a log of a
 * selected file type in the machine's log directory) or one already recorded:
 * a typo would otherwise be recorded as a new client. Dies naming the rest. */
static void guard_clients(const pxs_config *cfg, const char *machine, const char *logdir_arg,
                          unsigned ft_mask, const pxs_strlist *clients)
{
    pxs_times times = {0};
    pxs_strlist unknown;
    char *logdir = pxs_machine_logdir(logdir_arg ? logdir_arg : cfg->logdir, machine);

    if (pxs_guard_is_all(clients)) {
        free(logdir);
        return;
    }
    if (pxs_times_load(cfg->statsdir, &times) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    pxs_strlist_init(&unknown);
    for (size_t i = 0; i < clients->n; i++) {
        bool known = false;
        int64_t when;
        for (int ft = PXS_TX; ft <= PXS_RX && !known; ft++) {
            pxs_strlist one = {&clients->v[i], 1, 1};
            if (!(ft_mask & (ft == PXS_TX ? PXS_REVERT_TX : PXS_REVERT_RX)))
                continue;
            known = pxs_times_get(&times, machine, (pxs_filetype)ft, clients->v[i], &when) ||
                    pxs_guard_logs(logdir, (pxs_filetype)ft, &one) == 0;
        }
        if (!known)
            pxs_strlist_add(&unknown, clients->v[i]);
    }
    if (unknown.n > 0) {
        char *names = pxs_strlist_join(&unknown, ", ");
        pxs_diex(PXS_EXIT_FAIL, "nothing known of %s on machine %s: no log in %s and no "
                 "last-update time in %s/PICKLED-TIMES", names, machine, logdir, cfg->statsdir);
    }
    pxs_strlist_free(&unknown);
    pxs_times_free(&times);
    free(logdir);
}

enum { OPT_LOGDIR = PXS_OPT_FIRST_FREE };

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"clients", required_argument, NULL, 'c'},
        {"fileType", required_argument, NULL, 'f'},
        {"machine", required_argument, NULL, 'm'},
        {"machines", required_argument, NULL, 'm'},   /* the spelling of the other tools */
        {"verbose", no_argument, NULL, 'v'},
        {"logdir", required_argument, NULL, OPT_LOGDIR},
        PXS_COMMON_LONG_OPTS,
        {NULL, 0, NULL, 0}};
    pxs_cli cli;
    pxs_config cfg;
    pxs_strlist clients, changed;
    unsigned ft_mask = PXS_REVERT_TX | PXS_REVERT_RX;
    char *host = NULL, when[PXS_ISO_SIZE];
    const char *machine = NULL, *logdir = NULL;
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
            logdir = optarg;
            break;
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
    guard_clients(&cfg, machine, logdir, ft_mask, &clients);
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
