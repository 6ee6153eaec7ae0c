/* webPages — keep the image tree current and write the web pages. */
#include <stdio.h>
#include <stdlib.h>

#include "pxstats/cli.h"
#include "pxstats/launch.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/web.h"
#include "pxstats/webimages.h"
#include "pxstats/webstatus.h"

static const char usage[] =
    "usage: webPages [--images [--refresh] [--dry-run]] [--daily|--weekly|--monthly|--yearly|--all]\n"
    "                [--date DATE] [--root DIR] [--config FILE]\n"
    "Writes webPages/index.html and the daily (7 days, with a summary of the last\n"
    "24 hours), weekly (5 weeks), monthly (3 months) and yearly (3 years) pages of\n"
    "the stats tree, RX sources then TX clients, and status.html (is every machine\n"
    "collected, synchronised and archived). With no page option and no --images,\n"
    "every page is written.\n"
    "      --images      copy the 24 h graphs drawn for today (webGraphics/columbo/<ft>)\n"
    "                    into webGraphics/daily/<ft>/<client>/<Mon..Sun>.png, and draw\n"
    "                    the weekly, monthly and yearly images with rrdGraph -l when\n"
    "                    due (every midnight; the week every other hour)\n"
    "      --refresh     with --images: draw the weekly, monthly and yearly images now\n"
    "      --dry-run     with --images: print the rrdGraph command lines, run none\n"
    "      --daily       write dailyGraphs.html (and index.html)\n"
    "      --weekly      write weeklyGraphs.html (and index.html)\n"
    "      --monthly     write monthlyGraphs.html (and index.html)\n"
    "      --yearly      write yearlyGraphs.html (and index.html)\n"
    "      --all         write every page\n"
    "  -d, --date DATE   \"YYYY-MM-DD HH:MM:SS\" UTC, the time of the run (default now)\n"
    "      --root DIR    pxstats root (stats tree DIR/stats)\n"
    "      --config FILE configuration file\n"
    "      --version     print the version\n"
    "  -h, --help        this text\n";

enum { OPT_IMAGES = PXS_OPT_FIRST_FREE, OPT_REFRESH, OPT_DRY, OPT_ALL };

/* --images: the daily copies, then the rrdGraph drawings that are due. */
static int images(const pxs_cli *cli, const pxs_config *cfg, int64_t now, bool refresh, bool dry)
{
    int copied = 0, rc = 0;
    if (!dry)
        rc = pxs_webimages_daily(cfg->statsdir, now, &copied);
    pxs_info("%d daily images copied", copied);
    pxs_webimages_opts o = {
        .cfg = cfg, .statsdir = cfg->statsdir, .now = now,
        .spans = pxs_webimages_plan(cfg->statsdir, now, refresh),
        .rrdgraph = NULL, .root = cli->root, .config = cli->config, .dry_run = dry};
    char *prog = pxs_tool_path("rrdGraph");
    o.rrdgraph = prog;
    int r = pxs_webimages_periods(&o);
    if (r < 0)
        pxs_warnx("%s", pxs_error());
    free(prog);
    return rc || r;
}

static int pages(const pxs_config *cfg, int64_t now, unsigned which)
{
    pxs_web_names names;
    int rc = 0;
    pxs_web_names_init(&names);
    if (pxs_web_names_load(cfg->statsdir, &names) < 0) {
        pxs_warnx("%s", pxs_error());
        rc = 1;
    }
    pxs_webimages_groups(cfg, &names.groups);   /* the daily summary's and status's */
    for (int p = 0; p <= PXS_NPERIODS; p++) {
        /* the index is rewritten with any page, so its counts stay true */
        if (p < PXS_NPERIODS && !(which & (1u << p)))
            continue;
        if (pxs_web_write(cfg->statsdir, (pxs_period)p, now, &names) < 0) {
            pxs_warnx("%s", pxs_error());
            rc = 1;
        }
    }
    /* the index links it: written with any page */
    if (pxs_webstatus_write(cfg, &names.groups, now) < 0) {
        pxs_warnx("%s", pxs_error());
        rc = 1;
    }
    pxs_web_names_free(&names);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"images", no_argument, NULL, OPT_IMAGES},  {"refresh", no_argument, NULL, OPT_REFRESH},
        {"dry-run", no_argument, NULL, OPT_DRY},    {"daily", no_argument, NULL, 'D'},
        {"weekly", no_argument, NULL, 'W'},         {"monthly", no_argument, NULL, 'M'},
        {"yearly", no_argument, NULL, 'Y'},         {"all", no_argument, NULL, OPT_ALL},
        {"date", required_argument, NULL, 'd'},     PXS_COMMON_LONG_OPTS,
        {NULL, 0, NULL, 0}};
    pxs_cli cli;
    pxs_config cfg;
    bool want_images = false, refresh = false, dry = false, have_date = false;
    unsigned which = 0;
    int64_t now = 0;
    int opt;

    pxs_cli_init(&cli, argv[0], usage);
    while ((opt = pxs_cli_getopt(&cli, argc, argv, "d:h", opts)) != -1) {
        switch (opt) {
        case OPT_IMAGES: want_images = true; break;
        case OPT_REFRESH: refresh = true; break;
        case OPT_DRY: dry = true; break;
        case 'D': which |= 1u << PXS_DAILY; break;
        case 'W': which |= 1u << PXS_WEEKLY; break;
        case 'M': which |= 1u << PXS_MONTHLY; break;
        case 'Y': which |= 1u << PXS_YEARLY; break;
        case OPT_ALL: which = (1u << PXS_NPERIODS) - 1; break;
        case 'd': now = pxs_cli_date(&cli, "-d", optarg); have_date = true; break;
        }
    }
    if (optind < argc)
        pxs_cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);
    if ((refresh || dry) && !want_images)
        pxs_cli_usage_error(&cli, "--refresh and --dry-run go with --images");
    if (!want_images && which == 0)
        which = (1u << PXS_NPERIODS) - 1;
    if (!have_date)
        now = pxs_now();

    pxs_cli_config(&cli, &cfg);
    pxs_strlist groups;
    pxs_strlist_init(&groups);
    if (want_images && pxs_webimages_groups(&cfg, &groups) != 0)
        pxs_diex(PXS_EXIT_USAGE, "%s", pxs_error());
    pxs_strlist_free(&groups);
    int rc = 0;
    if (want_images)
        rc |= images(&cli, &cfg, now, refresh, dry);
    if (which && !dry)
        rc |= pages(&cfg, now, which);
    pxs_config_free(&cfg);
    return rc ? PXS_EXIT_FAIL : PXS_EXIT_OK;
}
