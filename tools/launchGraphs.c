/* launchGraphs — the graphics host's hourly cycle: remote updates, sync,
 * merges, archive, graphs, images, pages, uploads and the monitor. */
#include <stdio.h>
#include <stdlib.h>

#include "pxstats/atomicfile.h"
#include "pxstats/cli.h"
#include "pxstats/launch.h"
#include "pxstats/lock.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"

static const char usage[] =
    "usage: launchGraphs [-d DATE] [--dry-run] [-v] [--root DIR] [--config FILE]\n"
    "Runs the graphics host's hourly cycle from the config's machine groups:\n"
    "statsUpdater -f rx and -f tx on the pickling machines (over ssh, or here when a\n"
    "machine is this host), pickleSync, pickleMerge, rrdTransfer, graphGen --all -l,\n"
    "webPages --images and --all, the 24 h images to the upload machines, and\n"
    "statsMonitor at the monitor hours (default 0 and 12); at the maintenance hours\n"
    "(default 0) also restoreRRD --backup after rrdTransfer, and pickleClean last.\n"
    "A failing step is reported and the others still run; the last line says how\n"
    "many failed.\n"
    "  -d, --date DATE   \"YYYY-MM-DD HH:MM:SS\" UTC, the time of the cycle (default now)\n"
    "      --dry-run     print the steps (one command line each), run nothing\n"
    "  -v, --verbose     say which step runs (the default on a terminal)\n"
    "      --root DIR    pxstats root (stats tree DIR/stats), passed on to the programs\n"
    "      --config FILE configuration file, passed on to the programs\n"
    "      --version     print the version\n"
    "  -h, --help        this text\n"
    "Exit status: 0 when every step succeeded, 1 when a step failed or another\n"
    "launchGraphs holds the lock, 2 on a usage error or a machine list of the\n"
    "config that names a machine twice.\n";

enum { OPT_DRY = PXS_OPT_FIRST_FREE };

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"date", required_argument, NULL, 'd'}, {"dry-run", no_argument, NULL, OPT_DRY},
        {"verbose", no_argument, NULL, 'v'},    PXS_COMMON_LONG_OPTS,
        {NULL, 0, NULL, 0}};
    pxs_cli cli;
    pxs_config cfg;
    pxs_plan plan;
    pxs_lock lock;
    bool dry = false, have_date = false;
    int64_t now = 0;
    int opt;

    pxs_cli_init(&cli, argv[0], usage);
    /* on a terminal each step is announced; in cron only the summary */
    if (pxs_cli_interactive())
        pxs_set_verbose(true);
    while ((opt = pxs_cli_getopt(&cli, argc, argv, "d:vh", opts)) != -1) {
        switch (opt) {
        case 'd': now = pxs_cli_date(&cli, "-d", optarg); have_date = true; break;
        case OPT_DRY: dry = true; break;
        case 'v': pxs_set_verbose(true); break;
        }
    }
    if (optind < argc)
        pxs_cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);
    if (!have_date) {
        now = pxs_now();
    } else {
        /* the programs without a date option (statsMonitor) see it too */
        char iso[PXS_ISO_SIZE];
        setenv("PXS_NOW", pxs_format_iso(now, iso), 1);
    }

    pxs_cli_config(&cli, &cfg);
    pxs_launch_opts o = {.cfg = &cfg, .now = now, .root = cli.root, .config = cli.config};
    if (pxs_launch_check_groups(&cfg) < 0)
        pxs_diex(PXS_EXIT_USAGE, "%s", pxs_error());
    if (pxs_launch_plan(&o, &plan) < 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    if (dry) {
        pxs_plan_print(&plan, stdout);
        pxs_plan_free(&plan);
        pxs_config_free(&cfg);
        return PXS_EXIT_OK;
    }
    /* A cycle can outlast the hour on a slow day: the next one must not
     * run the same programs over the same files at the same time. */
    int l = pxs_lock_take(&lock, cfg.statsdir, "launchGraphs", false);
    if (l != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s%s", l > 0 ? "not running: " : "", pxs_error());
    int failed = pxs_launch_run(&o, &plan);
    pxs_lock_release(&lock);
    pxs_plan_free(&plan);
    pxs_config_free(&cfg);
    return failed ? PXS_EXIT_FAIL : PXS_EXIT_OK;
}
