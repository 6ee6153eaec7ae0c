/* pickleClean — delete the snapshot days and graphs older than the days kept. */
#include <stdbool.h>
#include <stdio.h>

#include "pxstats/clean.h"
#include "pxstats/cli.h"
#include "pxstats/lock.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/strlist.h"

static const char usage[] =
    "usage: pickleClean [-k DAYS] [-g DAYS] [-n] [-v] [--root DIR] [--config FILE]\n"
    "Deletes the snapshot directories pickles/<client>/<YYYYMMDD> of the days\n"
    "before the last DAYS days (today included; UTC), and the graphs of\n"
    "graphs/<tx|rx>/<client>/ (and rrdgraphs/) last written before the last\n"
    "graph days. Nothing else is touched.\n"
    "  -k, --keep DAYS     snapshot days kept (default: [cleaning] snapshotDays of the\n"
    "                      config, else 5)\n"
    "  -g, --graph-days DAYS  graph days kept (default: [cleaning] graphDays, else 7)\n"
    "  -n, --dry-run       only print what would be deleted\n"
    "  -v, --verbose       print what is deleted\n"
    "      --root DIR      pxstats root (stats tree DIR/stats)\n"
    "      --config FILE   configuration file\n"
    "      --version       print the version\n"
    "  -h, --help          this text\n";

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"keep", required_argument, NULL, 'k'},
        {"graph-days", required_argument, NULL, 'g'},
        {"dry-run", no_argument, NULL, 'n'},
        {"verbose", no_argument, NULL, 'v'},
        PXS_COMMON_LONG_OPTS,
        {NULL, 0, NULL, 0}};
    pxs_cli cli;
    pxs_config cfg;
    pxs_lock lock;
    pxs_strlist removed;
    bool dry_run = false;
    long keep = -1, graph_days = -1;
    int opt, rc;

    pxs_cli_init(&cli, argv[0], usage);
    while ((opt = pxs_cli_getopt(&cli, argc, argv, "k:g:nvh", opts)) != -1) {
        switch (opt) {
        case 'k':
            keep = pxs_cli_long(&cli, "-k", optarg, 1, 100000);
            break;
        case 'g':
            graph_days = pxs_cli_long(&cli, "-g", optarg, 1, 100000);
            break;
        case 'n':
            dry_run = true;
            break;
        case 'v':
            pxs_set_verbose(true);
            break;
        }
    }
    if (optind < argc)
        pxs_cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);

    pxs_cli_config(&cli, &cfg);
    if ((keep < 0 &&
         pxs_conf_get_int(&cfg, "cleaning", "snapshotDays", 5, 1, 100000, &keep) != 0) ||
        (graph_days < 0 &&
         pxs_conf_get_int(&cfg, "cleaning", "graphDays", 7, 1, 100000, &graph_days) != 0))
        pxs_diex(PXS_EXIT_USAGE, "%s", pxs_error());
    /* statsUpdater may be writing an old hour (after setLastUpdate) into a
     * day about to go: wait for it rather than pull the directory away. */
    if (!dry_run && pxs_lock_take(&lock, cfg.statsdir, "statsUpdater", true) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    pxs_strlist_init(&removed);
    rc = pxs_clean_pickles(cfg.statsdir, pxs_now(), (int)keep, dry_run, &removed);
    if (!dry_run)
        pxs_lock_release(&lock);
    if (rc < 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    int grc = pxs_clean_graphs(cfg.statsdir, pxs_now(), (int)graph_days, dry_run, &removed);
    if (grc < 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    rc |= grc;
    for (size_t i = 0; i < removed.n && (dry_run || pxs_verbose()); i++)
        printf("%s %s\n", dry_run ? "would remove" : "removed", removed.v[i]);
    pxs_strlist_free(&removed);
    pxs_config_free(&cfg);
    if (fflush(stdout) != 0 || ferror(stdout))
        pxs_die(PXS_EXIT_FAIL, "standard output");
    return rc == 0 ? PXS_EXIT_OK : PXS_EXIT_FAIL;
}
