/* rrdGraph — daily, weekly, monthly, yearly or any-span graphs from the RRD
 * archive (DESIGN.md §5, original-behaviour.md §4.3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/cli.h"
#include "pxstats/dbupdates.h"
#include "pxstats/guard.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/rrdplot.h"
#include "pxstats/runlog.h"

static const char usage[] =
    "usage: rrdGraph [-c CLIENTS] [-f tx|rx] [--machines M] [-t TYPES] (-d | -w | -m | -y | -s HOURS)\n"
    "                [--date END] [--totals] [-l] [-j JOBS] [-v] [--root DIR] [--config FILE]\n"
    "Draws 800x200 PNG graphs of the RRD archive into graphs/<ft>/<client>/rrdgraphs/.\n"
    "  -c, --clients LIST  clients or sources, comma separated (default All: those fed)\n"
    "  -f, --fileType FT   tx or rx (default tx)\n"
    "      --machines M    machine group, machines comma separated (default this host)\n"
    "  -t, --types LIST    latency,bytecount,errors,filecount,filesOverMaxLatency (default All)\n"
    "  -d, --daily         24 hours       -w, --weekly    7 days\n"
    "  -m, --monthly       30 days        -y, --yearly    365 days\n"
    "  -s, --span HOURS    any span in hours\n"
    "      --date END      \"YYYY-MM-DD HH:MM:SS\", end of the span, rounded down to the hour\n"
    "                      (default now)\n"
    "      --totals        one graph per type summing all the clients (latency averaged)\n"
    "  -l, --copy          with -w, -m or -y: draw the calendar week (from Monday), month or\n"
    "                      year holding the hour before END, exactly, and copy it into\n"
    "                      webGraphics/<weekly|monthly|yearly>/<ft>/<type>/<client>/\n"
    "  -j, --jobs N        draw in N worker processes (default 1)\n"
    "  -v, --verbose       print each image and its comment\n"
    "      --root DIR      pxstats root (stats tree DIR/stats)\n"
    "      --config FILE   configuration file\n"
    "      --version       print the version\n"
    "  -h, --help          this text\n";

/* The sanitizer build (make check, PXS_E2E_SAN=1) reads these two: librrd
 * 1.7.2 and fontconfig keep caches for the life of the process and leak a few
 * strings of their own, which are not pxstats' leaks; librrd is built without
 * frame pointers, so the slow unwinder is needed to see it in a stack. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:librrd.so\nleak:libfontconfig.so\nleak:libpango\nleak:libcairo\n"
           "leak:libglib\nleak:libgobject\nleak:libharfbuzz\nleak:libfreetype\n";
}
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}

enum { OPT_MACHINES = PXS_OPT_FIRST_FREE, OPT_DATE, OPT_TOTALS };

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"clients", required_argument, NULL, 'c'}, {"fileType", required_argument, NULL, 'f'},
        {"machines", required_argument, NULL, OPT_MACHINES},
        {"types", required_argument, NULL, 't'},   {"daily", no_argument, NULL, 'd'},
        {"weekly", no_argument, NULL, 'w'},        {"monthly", no_argument, NULL, 'm'},
        {"yearly", no_argument, NULL, 'y'},        {"span", required_argument, NULL, 's'},
        {"date", required_argument, NULL, OPT_DATE},
        {"totals", no_argument, NULL, OPT_TOTALS}, {"copy", no_argument, NULL, 'l'},
        {"link", no_argument, NULL, 'l'},          {"jobs", required_argument, NULL, 'j'},
        {"verbose", no_argument, NULL, 'v'},       PXS_COMMON_LONG_OPTS,
        {NULL, 0, NULL, 0}};
    pxs_cli cli;
    pxs_cli_init(&cli, argv[0], usage);
    const char *clients_arg = "All", *machines_arg = NULL, *types_arg = "All";
    pxs_rrdgraph_opts o = {.ft = PXS_TX, .jobs = 1, .end = -1};
    int spans = 0;
    bool calendar = false;   /* -w, -m or -y: a period of the pages */
    int opt;
    while ((opt = pxs_cli_getopt(&cli, argc, argv, "c:f:t:dwmys:lj:vh", longopts)) != -1) {
        switch (opt) {
        case 'c': clients_arg = optarg; break;
        case 'f': o.ft = pxs_cli_filetype(&cli, optarg); break;
        case OPT_MACHINES: machines_arg = optarg; break;
        case 't': types_arg = optarg; break;
        case 'd': o.hours = 24; spans++; break;
        case 'w': o.hours = 24 * 7; spans++; calendar = true; break;
        case 'm': o.hours = 24 * 30; spans++; calendar = true; break;
        case 'y': o.hours = 24 * 365; spans++; calendar = true; break;
        case 's': o.hours = (int)pxs_cli_long(&cli, "-s", optarg, 1, 24 * 365 * 10); spans++; break;
        case OPT_DATE: o.end = pxs_cli_date(&cli, "--date", optarg); break;
        case OPT_TOTALS: o.totals = true; break;
        case 'l': o.copy = true; break;
        case 'j': o.jobs = (int)pxs_cli_long(&cli, "-j", optarg, 1, 256); break;
        case 'v': o.verbose = true; break;
        }
    }
    if (optind < argc)
        pxs_cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);
    if (spans != 1)
        pxs_cli_usage_error(&cli, "give exactly one of -d, -w, -m, -y or -s");
    if (o.copy && !calendar)
        pxs_cli_usage_error(&cli, "-l draws the week, month or year of the pages: give -w, -m or -y");
    if (pxs_dbtypes_parse(types_arg, o.ft, &o.types) != 0)
        pxs_cli_usage_error(&cli, "-t: %s", pxs_error());
    pxs_strlist clients, machines;
    pxs_strlist_init(&clients);
    pxs_strlist_init(&machines);
    pxs_cli_names(&cli, "client", clients_arg, &clients);
    char host[256] = "";
    if (machines_arg == NULL && gethostname(host, sizeof host - 1) == 0)
        machines_arg = host;
    pxs_cli_machines(&cli, "--machines", machines_arg != NULL ? machines_arg : "", &machines);
    char *group = pxs_group_name(&machines);

    pxs_config cfg;
    pxs_cli_config(&cli, &cfg);
    if (pxs_guard_archive(cfg.statsdir, o.ft, &clients, group) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    if (pxs_strlist_has(&clients, "All")) {
        pxs_strlist_free(&clients);
        pxs_strlist_init(&clients);
        if (pxs_dbupdates_clients(cfg.statsdir, o.ft, group, &clients) != 0)
            pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    }
    o.statsdir = cfg.statsdir;
    o.progress = pxs_cli_interactive() != 0;
    o.clients = &clients;
    o.machine = group;
    o.end = pxs_hour_floor(o.end >= 0 ? o.end : pxs_now());
    if (o.copy)
        o.hours = pxs_rrdgraph_calendar(o.hours, o.end, &o.end);
    int rc = pxs_rrdgraph_run(&o);
    if (rc < 0)
        pxs_warnx("%s", pxs_error());
    char iso[PXS_ISO_SIZE];
    pxs_runlog(cfg.statsdir, "%s %s: %d-hour graphs ending %s%s", pxs_filetype_name(o.ft), group,
               o.hours, pxs_format_iso(o.end, iso),
               rc == 0 ? "" : rc > 0 ? ", some failed" : ", none drawn");
    free(group);
    pxs_strlist_free(&clients);
    pxs_strlist_free(&machines);
    pxs_config_free(&cfg);
    return rc == 0 ? PXS_EXIT_OK : PXS_EXIT_FAIL;
}
