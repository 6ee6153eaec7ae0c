/* rrdTransfer — feed the hourly snapshots into the RRD archive (DESIGN.md §5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/cli.h"
#include "pxstats/clients.h"
#include "pxstats/guard.h"
#include "pxstats/msg.h"
#include "pxstats/pickletree.h"
#include "pxstats/pxtime.h"
#include "pxstats/rrdstore.h"
#include "pxstats/runlog.h"

static const char usage[] =
    "usage: rrdTransfer [-c CLIENTS] [-f tx|rx] [-m MACHINES] [-e END] [-j JOBS]\n"
    "                   [--max-wait HOURS] [--wait] [-v] [--root DIR] [--config FILE]\n"
    "Feeds the hourly snapshots of each client and machine group into its RRD databases,\n"
    "from the last feed (DATABASE-UPDATES) up to END, holding back an hour whose\n"
    "snapshots are not all there, and rebuilding databases whose snapshots changed\n"
    "after they were fed (see rrdTransfer(1)).\n"
    "  -c, --clients LIST   clients or sources, comma separated (default All)\n"
    "  -f, --fileType FT    tx or rx (default tx)\n"
    "  -m, --machines LIST  machine groups separated by ';', the machines of a group by ','\n"
    "                       (merged, database <client>_<m1m2>); default: [databases]\n"
    "                       machineNames of the config, else this host's name\n"
    "  -e, --end DATE       \"YYYY-MM-DD HH:MM:SS\", rounded down to the hour (default now)\n"
    "  -j, --jobs N         clients fed in N worker processes (default 1)\n"
    "      --max-wait HOURS hold an hour with a missing snapshot back this long\n"
    "                       (default: [databases] maxWaitHours of the config, else 2)\n"
    "      --wait           wait for a running rrdTransfer instead of stopping\n"
    "  -v, --verbose        say what each client was fed\n"
    "      --root DIR       pxstats root (stats tree DIR/stats)\n"
    "      --config FILE    configuration file\n"
    "      --version        print the version\n"
    "  -h, --help           this text\n"
    "RRDCACHED_ADDRESS, when set, sends the updates through rrdcached.\n"
    "Exit status: 0 ok; 1 when a client failed, a snapshot was refused (named on\n"
    "stderr) or changed hours could not be rebuilt; 2 on a usage error.\n";

enum { OPT_WAIT = PXS_OPT_FIRST_FREE, OPT_MAX_WAIT };

/* "a,b;c" -> groups "a,b" and "c", every machine name checked, none named
 * twice; where is "-m" or the config key the text came from. */
static void parse_groups(const pxs_cli *cli, const char *where, const char *arg,
                         pxs_strlist *groups)
{
    if (pxs_groups_parse(arg, groups) != 0)
        pxs_cli_usage_error(cli, "%s: %s", where, pxs_error());
    if (pxs_strlist_has(groups, "All"))
        pxs_cli_usage_error(cli, "%s: 'All' is not a machine name here", where);
    if (groups->n == 0)
        pxs_cli_usage_error(cli, "%s: no machine given", where);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"clients", required_argument, NULL, 'c'}, {"fileType", required_argument, NULL, 'f'},
        {"machines", required_argument, NULL, 'm'}, {"end", required_argument, NULL, 'e'},
        {"jobs", required_argument, NULL, 'j'},     {"wait", no_argument, NULL, OPT_WAIT},
        {"max-wait", required_argument, NULL, OPT_MAX_WAIT},
        {"verbose", no_argument, NULL, 'v'},        PXS_COMMON_LONG_OPTS,
        {NULL, 0, NULL, 0}};
    pxs_cli cli;
    pxs_cli_init(&cli, argv[0], usage);
    pxs_strlist clients, groups;
    pxs_strlist_init(&clients);
    pxs_strlist_init(&groups);
    const char *clients_arg = "All", *machines_arg = NULL;
    pxs_transfer_opts o = {.ft = PXS_TX, .jobs = 1, .end = -1};
    long max_wait = -1;
    int opt;
    while ((opt = pxs_cli_getopt(&cli, argc, argv, "c:f:m:e:j:vh", longopts)) != -1) {
        switch (opt) {
        case 'c': clients_arg = optarg; break;
        case 'f': o.ft = pxs_cli_filetype(&cli, optarg); break;
        case 'm': machines_arg = optarg; break;
        case 'e': o.end = pxs_cli_date(&cli, "-e", optarg); break;
        case 'j': o.jobs = (int)pxs_cli_long(&cli, "-j", optarg, 1, 256); break;
        case OPT_WAIT: o.wait_lock = true; break;
        case OPT_MAX_WAIT: max_wait = pxs_cli_long(&cli, "--max-wait", optarg, 0, 24 * 366); break;
        case 'v': pxs_set_verbose(true); break;
        }
    }
    if (optind < argc)
        pxs_cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);
    pxs_cli_names(&cli, "client", clients_arg, &clients);
    if (machines_arg != NULL)
        parse_groups(&cli, "-m", machines_arg, &groups);

    pxs_config cfg;
    pxs_cli_config(&cli, &cfg);
    char host[256] = "";
    bool cli_machines = machines_arg != NULL;
    if (machines_arg == NULL) {
        /* The groups archived by the installation, else this host alone. */
        machines_arg = pxs_conf_get(&cfg, "databases", "machineNames", NULL);
        const char *where = "[databases] machineNames";
        if (machines_arg == NULL && gethostname(host, sizeof host - 1) == 0) {
            machines_arg = host;
            where = "this host's name";
        }
        parse_groups(&cli, where, machines_arg != NULL ? machines_arg : "", &groups);
    }
    /* The names given must have snapshots: -c always, -m when it was given
     * (the config's groups may name a machine down for now). */
    pxs_strlist named;
    pxs_strlist_init(&named);
    for (size_t i = 0; cli_machines && i < groups.n; i++)
        pxs_strlist_split(&named, groups.v[i], ',');
    if (pxs_guard_snapshots(&cfg, o.ft, &clients, &named) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    pxs_strlist_free(&named);
    if (pxs_strlist_has(&clients, "All")) {
        pxs_strlist all;
        pxs_strlist_init(&all);
        if (pxs_pickle_clients(cfg.statsdir, o.ft, &all) != 0)
            pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
        pxs_clients_expand(&clients, &all);
        pxs_strlist_free(&all);
    }
    if (max_wait < 0 &&
        pxs_conf_get_int(&cfg, "databases", "maxWaitHours", 2, 0, 24 * 366, &max_wait) != 0)
        pxs_diex(PXS_EXIT_USAGE, "%s", pxs_error());
    o.max_wait_hours = (int)max_wait;
    o.statsdir = cfg.statsdir;
    o.progress = pxs_cli_interactive() != 0;
    o.clients = &clients;
    o.groups = &groups;
    o.end = pxs_hour_floor(o.end >= 0 ? o.end : pxs_now());

    pxs_feed_stats st = {0};
    int rc = pxs_rrd_transfer(&o, &st);
    if (rc < 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    char iso[PXS_ISO_SIZE], line[256];
    pxs_format_iso(o.end, iso);
    if (st.groups_fed == 0 && st.failed == 0)
        snprintf(line, sizeof line, "nothing new: the archive is fed up to %s", iso);
    else
        snprintf(line, sizeof line, "fed %llu databases up to %s (%llu values, %llu created)%s",
                 (unsigned long long)st.databases, iso, (unsigned long long)st.values,
                 (unsigned long long)st.created, st.failed ? ", some clients failed" : "");
    char more[160] = "";
    if (st.rebuilt || st.held || st.refused || st.stale)
        snprintf(more, sizeof more, "; %llu rebuilt, %llu held back, %llu snapshots refused, "
                 "%llu with stale hours", (unsigned long long)st.rebuilt,
                 (unsigned long long)st.held, (unsigned long long)st.refused,
                 (unsigned long long)st.stale);
    strncat(line, more, sizeof line - strlen(line) - 1);
    printf("%s\n", line);
    /* statsMonitor reads this log to tell that the archive is fed every hour. */
    pxs_runlog(cfg.statsdir, "%s %s: %s", pxs_filetype_name(o.ft), machines_arg, line);
    pxs_strlist_free(&clients);
    pxs_strlist_free(&groups);
    pxs_config_free(&cfg);
    return rc == 0 ? PXS_EXIT_OK : PXS_EXIT_FAIL;
}
