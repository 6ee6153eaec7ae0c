/* statsUpdater — collect every complete hour since the last run into hourly
 * snapshots (the log machine's hourly cron job). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/cli.h"
#include "pxstats/clients.h"
#include "pxstats/collector.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/updater.h"

static const char usage[] =
    "usage: statsUpdater [-c CLIENTS] [-f tx|rx] [-m MACHINE] [-d DATE] [--force-date] [-n]\n"
    "                    [-t TYPES] [-i MINUTES] [-j JOBS] [--logdir DIR] [--skip-damaged FILE]\n"
    "                    [--no-wait] [-v] [--root DIR] [--config FILE]\n"
    "Collects every complete hour from the last update up to the hour of DATE into\n"
    "hourly snapshots under <stats>/pickles, then records how far it went.\n"
    "  -c, --clients LIST  clients or sources, comma separated, or All (default)\n"
    "  -f, --fileType FT   tx (clients, default) or rx (sources)\n"
    "  -m, --machine NAME  machine name used in snapshot names (default: host name)\n"
    "  -d, --date DATE     \"YYYY-MM-DD HH:MM:SS\" UTC (default: now)\n"
    "      --force-date    accept a DATE (and last updates) more than an hour after the clock\n"
    "  -n, --now           also write the current, partial hour (after the last update)\n"
    "  -t, --types LIST    latency,bytecount,errors or All (default; rx has no latency)\n"
    "  -i, --interval MIN  bucket width in minutes, a divisor of 60 (default 1)\n"
    "  -j, --jobs N        collect N clients at once, in worker processes (default 1;\n"
    "                      for a catch-up: the hourly job stays at 1); same snapshots\n"
    "      --logdir DIR    log directory (default <root>/log; <DIR>/<MACHINE> when it exists)\n"
    "      --skip-damaged FILE  give up what cannot be read of this log file (repeatable)\n"
    "      --no-wait       stop at once if another statsUpdater runs, instead of waiting\n"
    "  -v, --verbose       say what is done\n"
    "      --root DIR      installation root (default $PXROOT or /apps/px)\n"
    "      --config FILE   configuration file (default $PXSTATS_CONF or <root>/etc/pxstats.conf)\n"
    "      --version       print the version\n"
    "  -h, --help          print this help\n";

enum { OPT_LOGDIR = PXS_OPT_FIRST_FREE, OPT_NOWAIT, OPT_FORCE_DATE, OPT_SKIP_DAMAGED };

static const struct option longopts[] = {
    {"clients", required_argument, NULL, 'c'}, {"fileType", required_argument, NULL, 'f'},
    {"machine", required_argument, NULL, 'm'}, {"date", required_argument, NULL, 'd'},
    {"machines", required_argument, NULL, 'm'},   /* the spelling of the other tools */
    {"now", no_argument, NULL, 'n'},           {"types", required_argument, NULL, 't'},
    {"interval", required_argument, NULL, 'i'},
    {"jobs", required_argument, NULL, 'j'}, {"logdir", required_argument, NULL, OPT_LOGDIR},
    {"no-wait", no_argument, NULL, OPT_NOWAIT}, {"verbose", no_argument, NULL, 'v'},
    {"force-date", no_argument, NULL, OPT_FORCE_DATE},
    {"skip-damaged", required_argument, NULL, OPT_SKIP_DAMAGED},
    PXS_COMMON_LONG_OPTS,                      {NULL, 0, NULL, 0}};

int main(int argc, char **argv)
{
    pxs_cli cli;
    pxs_config cfg;
    pxs_update_opts o = {0};
    pxs_strlist clients, skip;
    const char *clients_arg = "All", *types_arg = "All", *logdir_arg = NULL;
    char *machine = NULL, *host = NULL, *logdir;
    int opt, rc;

    pxs_cli_init(&cli, argv[0], usage);
    cli.creates_tree = true;
    pxs_strlist_init(&skip);
    o.ft = PXS_TX;
    o.interval_min = 1;
    o.jobs = 1;
    o.date = pxs_now();
    o.wait_lock = true;
    while ((opt = pxs_cli_getopt(&cli, argc, argv, "c:f:m:d:nt:i:j:vh", longopts)) != -1) {
        switch (opt) {
        case 'c': clients_arg = optarg; break;
        case 'f': o.ft = pxs_cli_filetype(&cli, optarg); break;
        case 'm': machine = optarg; break;
        case 'd': o.date = pxs_cli_date(&cli, "-d", optarg); break;
        case 'n': o.now = true; break;
        case 't': types_arg = optarg; break;
        case 'i': o.interval_min = (int)pxs_cli_long(&cli, "-i", optarg, 1, 60); break;
        case 'j': o.jobs = (int)pxs_cli_long(&cli, "-j", optarg, 1, 256); break;
        case OPT_LOGDIR: logdir_arg = optarg; break;
        case OPT_NOWAIT: o.wait_lock = false; break;
        case OPT_FORCE_DATE: o.force_date = true; break;
        case OPT_SKIP_DAMAGED:
            if (access(optarg, F_OK) != 0)
                pxs_cli_usage_error(&cli, "--skip-damaged: %s: %s", optarg, strerror(errno));
            pxs_strlist_add(&skip, optarg);
            break;
        case 'v': pxs_set_verbose(true); break;
        }
    }
    if (optind != argc)
        pxs_cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);
    if (o.date > pxs_now() + PXS_HOUR && !o.force_date)
        pxs_cli_usage_error(&cli, "-d: %s is more than an hour after the system clock (%s); "
                            "--force-date collects up to it anyway",
                            pxs_format_iso(o.date, (char[PXS_ISO_SIZE]){0}),
                            pxs_format_iso(pxs_now(), (char[PXS_ISO_SIZE]){0}));
    if (60 % o.interval_min != 0)
        pxs_cli_usage_error(&cli, "-i: %d does not divide 60", o.interval_min);
    if (pxs_types_parse(types_arg, o.ft, &o.types) != 0)
        pxs_cli_usage_error(&cli, "-t: %s", pxs_error());
    bool named_machine = machine != NULL;
    if (machine == NULL)
        machine = host = pxs_host_name();
    if (pxs_name_check("machine", machine) != 0)
        pxs_cli_usage_error(&cli, "%s", pxs_error());
    pxs_strlist_init(&clients);
    pxs_cli_names(&cli, "client", clients_arg, &clients);

    pxs_cli_config(&cli, &cfg);
    logdir = pxs_machine_logdir(logdir_arg ? logdir_arg : cfg.logdir, machine);
    if (clients.n == 1 && strcmp(clients.v[0], "All") == 0) {
        pxs_strlist all;
        pxs_strlist_init(&all);
        if (pxs_clients_from_logs(&cfg, logdir, o.ft, &all) != 0)
            pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
        pxs_clients_expand(&clients, &all);
        pxs_strlist_free(&all);
        o.listed_all = true;
        /* A machine named on the command line with no log is a typo. */
        if (named_machine && clients.n == 0)
            pxs_diex(PXS_EXIT_FAIL, "no %s log of machine '%s' in %s", pxs_filetype_name(o.ft),
                     machine, logdir);
    }
    o.cfg = &cfg;
    o.machine = machine;
    o.logdir = logdir;
    o.progress = pxs_cli_interactive() && clients.n > 1;
    o.skip_damaged = &skip;
    rc = pxs_update_clients(&o, &clients);
    if (rc < 0)
        pxs_warnx("%s", pxs_error());
    pxs_strlist_free(&clients);
    pxs_strlist_free(&skip);
    free(logdir);
    free(host);
    pxs_config_free(&cfg);
    return rc == 0 ? PXS_EXIT_OK : PXS_EXIT_FAIL;
}
