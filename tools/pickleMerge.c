/* pickleMerge — merge the hourly snapshots of several machines, rebuilding
 * only what changed; see fileversions.h. */
#include <stdio.h>
#include <string.h>

#include "pxstats/cli.h"
#include "pxstats/fileversions.h"
#include "pxstats/guard.h"
#include "pxstats/msg.h"
#include "pxstats/pickletree.h"
#include "pxstats/pxtime.h"

static const char usage[] =
    "usage: pickleMerge -c CLIENTS -f tx|rx -m MACHINES [-d DATE] [-s HOURS] [-v] [--root DIR]\n"
    "                   [--config FILE]\n"
    "Merges the hourly snapshots of several machines into\n"
    "pickles/<client>/<YYYYMMDD>/<tx|rx>/<m1m2...>_<HH> for the hours\n"
    "[hour of DATE - HOURS, hour of DATE), i.e. the HOURS complete hours before\n"
    "DATE. A merged snapshot is rebuilt only when one of its sources changed since\n"
    "it was built (FILE_VERSIONS); an hour where no machine has a snapshot is skipped.\n"
    "  -c, --clients LIST    comma list of clients/sources, or All (those with snapshots)\n"
    "  -f, --fileType FT     tx or rx\n"
    "  -m, --machines LIST   comma list of at least two machines, merged in that order\n"
    "  -d, --date DATE       \"YYYY-MM-DD HH:MM:SS\" UTC, end of the span (default now)\n"
    "  -s, --span HOURS      number of hours (default 1)\n"
    "  -v, --verbose         name every merged snapshot built, and the counts\n"
    "      --root DIR        pxstats root (stats tree DIR/stats)\n"
    "      --config FILE     configuration file\n"
    "      --version         print the version\n"
    "  -h, --help            this text\n"
    "Exit status: 0 when every hour was merged or up to date, 1 when an hour could\n"
    "not be merged (the others are), 2 on a usage error.\n";

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"clients", required_argument, NULL, 'c'}, {"fileType", required_argument, NULL, 'f'},
        /* the spelling of the first releases, kept as an alias */
        {"filetype", required_argument, NULL, 'f'},
        {"machines", required_argument, NULL, 'm'}, {"date", required_argument, NULL, 'd'},
        {"span", required_argument, NULL, 's'},     {"verbose", no_argument, NULL, 'v'},
        PXS_COMMON_LONG_OPTS,                       {NULL, 0, NULL, 0}};
    pxs_cli cli;
    pxs_strlist clients, machines;
    pxs_filetype ft = PXS_TX;
    bool have_ft = false, have_date = false;
    int64_t date = 0;
    long span = 1;
    int opt;

    pxs_cli_init(&cli, argv[0], usage);
    pxs_strlist_init(&clients);
    pxs_strlist_init(&machines);
    while ((opt = pxs_cli_getopt(&cli, argc, argv, "c:f:m:d:s:vh", opts)) != -1) {
        switch (opt) {
        case 'c': pxs_strlist_free(&clients); pxs_cli_names(&cli, "client", optarg, &clients); break;
        case 'f': ft = pxs_cli_filetype(&cli, optarg); have_ft = true; break;
        case 'm': pxs_strlist_free(&machines); pxs_cli_machines(&cli, "-m", optarg, &machines); break;
        case 'd': date = pxs_cli_date(&cli, "-d", optarg); have_date = true; break;
        case 's': span = pxs_cli_long(&cli, "-s", optarg, 1, 24L * 366 * 10); break;
        case 'v': pxs_set_verbose(true); break;
        }
    }
    if (optind < argc)
        pxs_cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);
    if (clients.n == 0 || !have_ft || machines.n == 0)
        pxs_cli_usage_error(&cli, "-c, -f and -m are required");
    if (machines.n < 2 || strcmp(machines.v[0], "All") == 0)
        pxs_cli_usage_error(&cli, "-m needs at least two machines to merge");
    if (!have_date)
        date = pxs_now();

    pxs_config cfg;
    pxs_cli_config(&cli, &cfg);
    if (pxs_guard_snapshots(&cfg, ft, &clients, &machines) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    if (strcmp(clients.v[0], "All") == 0) {
        pxs_strlist_free(&clients);
        if (pxs_pickle_clients(cfg.statsdir, ft, &clients) < 0)
            pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    }
    int64_t end = pxs_hour_floor(date);
    pxs_merge_report rep;
    int rc = pxs_merge_build(cfg.statsdir, &clients, ft, &machines, end - span * PXS_HOUR, end,
                             &rep);
    if (rc < 0)
        pxs_warnx("%s", pxs_error());
    else
        pxs_info("%u built, %u up to date, %u without snapshots, %u failed", rep.built,
                 rep.unchanged, rep.empty, rep.failed);
    pxs_config_free(&cfg);
    pxs_strlist_free(&clients);
    pxs_strlist_free(&machines);
    return rc == 0 ? PXS_EXIT_OK : PXS_EXIT_FAIL;
}
