/* graphGen — gnuplot graphs of the last hours of clients and sources
 * (generateGraphics; with --all, generateAllGraphsForServer). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pxstats/cli.h"
#include "pxstats/clients.h"
#include "pxstats/gnuplot.h"
#include "pxstats/graphjobs.h"
#include "pxstats/guard.h"
#include "pxstats/msg.h"
#include "pxstats/pickletree.h"
#include "pxstats/pxtime.h"
#include "pxstats/strlist.h"
#include "pxstats/xalloc.h"

static const char usage[] =
    "usage: graphGen [-c CLIENTS] [-f tx|rx] [-m MACHINES] [-d DATE] [-s HOURS] [-t TYPES]\n"
    "                [-p PRODUCT] [-n] [-l] [--script] [--root DIR] [--config FILE]\n"
    "       graphGen --all [--combine|--individual] [-j JOBS] [-f tx|rx] [-m MACHINES]\n"
    "                [-d DATE] [-s HOURS] [-p PRODUCT] [-n] [-l] [--root DIR] [--config FILE]\n"
    "Draws one PNG with a panel per client and data type over the HOURS before DATE\n"
    "(rounded down to the hour), from the snapshots of the machines merged, into\n"
    "stats/graphs/<clients>/. With --all, one graph for every client and source\n"
    "that has snapshots on the machines.\n"
    "  -c, --clients LIST    clients (tx) or sources (rx), comma separated; All\n"
    "  -f, --fileType tx|rx  (default tx)\n"
    "  -m, --machines LIST   machines whose snapshots are merged (default this host)\n"
    "  -d, --date DATE       end of the graph, \"YYYY-MM-DD HH:MM:SS\" UTC (default now)\n"
    "  -s, --span HOURS      hours drawn (default 12; 24 with --all)\n"
    "  -t, --types LIST      latency,bytecount,errors or All (default All)\n"
    "  -p, --product PATTERN only the products matching (shell pattern or substring)\n"
    "  -n, --now             end at DATE itself, the current hour read from the logs\n"
    "  -l, --link            also copy the graph to stats/webGraphics/columbo/<client>.png\n"
    "      --script          print the gnuplot script and its data instead of drawing\n"
    "      --all             every client and source of the machines\n"
    "      --combine         --all: merge the machines (the default with several)\n"
    "      --individual      --all: one graph per machine\n"
    "  -j, --jobs JOBS       --all: graphs drawn at once (default: the processors)\n"
    "      --root DIR        pxstats root (stats tree DIR/stats)\n"
    "      --config FILE     configuration file\n"
    "      --version         print the version\n"
    "  -h, --help            this text\n";

enum { OPT_SCRIPT = PXS_OPT_FIRST_FREE, OPT_ALL, OPT_COMBINE, OPT_INDIVIDUAL };

typedef struct args {
    const char *clients, *filetype, *machines, *types, *product;
    int64_t date;
    long span, jobs;
    bool have_date, now, link, script, all, combine, individual;
} args;

static void parse(pxs_cli *cli, int argc, char **argv, args *a)
{
    static const struct option opts[] = {
        {"clients", required_argument, NULL, 'c'},
        {"fileType", required_argument, NULL, 'f'},
        {"machines", required_argument, NULL, 'm'},
        {"date", required_argument, NULL, 'd'},
        {"span", required_argument, NULL, 's'},
        {"types", required_argument, NULL, 't'},
        {"product", required_argument, NULL, 'p'},
        {"now", no_argument, NULL, 'n'},
        {"link", no_argument, NULL, 'l'},
        {"jobs", required_argument, NULL, 'j'},
        {"script", no_argument, NULL, OPT_SCRIPT},
        {"all", no_argument, NULL, OPT_ALL},
        {"combine", no_argument, NULL, OPT_COMBINE},
        {"individual", no_argument, NULL, OPT_INDIVIDUAL},
        PXS_COMMON_LONG_OPTS,
        {NULL, 0, NULL, 0}};
    int opt;

    while ((opt = pxs_cli_getopt(cli, argc, argv, "c:f:m:d:s:t:p:nlj:h", opts)) != -1) {
        switch (opt) {
        case 'c':
            a->clients = optarg;
            break;
        case 'f':
            a->filetype = optarg;
            break;
        case 'm':
            a->machines = optarg;
            break;
        case 'd':
            a->date = pxs_cli_date(cli, "-d", optarg);
            a->have_date = true;
            break;
        case 's':
            a->span = pxs_cli_long(cli, "-s", optarg, 1, 24 * 366);
            break;
        case 't':
            a->types = optarg;
            break;
        case 'p':
            a->product = optarg;
            break;
        case 'n':
            a->now = true;
            break;
        case 'l':
            a->link = true;
            break;
        case 'j':
            a->jobs = pxs_cli_long(cli, "-j", optarg, 1, 256);
            break;
        case OPT_SCRIPT:
            a->script = true;
            break;
        case OPT_ALL:
            a->all = true;
            break;
        case OPT_COMBINE:
            a->combine = true;
            break;
        case OPT_INDIVIDUAL:
            a->individual = true;
            break;
        }
    }
    if (optind < argc)
        pxs_cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
    if (a->all && (a->clients || a->types || a->script))
        pxs_cli_usage_error(cli, "--all draws every client with every type: no -c, -t or --script");
    if (!a->all && (a->combine || a->individual || a->jobs))
        pxs_cli_usage_error(cli, "--combine, --individual and -j go with --all");
    if (a->combine && a->individual)
        pxs_cli_usage_error(cli, "--combine and --individual exclude each other");
    if (!a->all && !a->clients)
        pxs_cli_usage_error(cli, "which clients? (-c, or --all)");
}

/* This host's short name: the default machine, as the seed. */
static void default_machine(const pxs_cli *cli, pxs_strlist *machines)
{
    char *host = pxs_host_name();

    pxs_cli_names(cli, "machine", host, machines);
    free(host);
}

/* The clients and machines named must have snapshots of the file type(s)
 * drawn; with -n, logs of the current hour count too. Dies (exit 1) naming
 * what is missing. */
static void guard_names(const args *a, const pxs_graph_opts *o)
{
    pxs_filetype fts[2] = {o->ft, PXS_RX};
    size_t nft = a->all && !a->filetype ? 2 : 1;
    char *why = NULL;

    if (a->all && !a->filetype)
        fts[0] = PXS_TX;
    for (size_t i = 0; i < nft; i++) {
        if (pxs_guard_snapshots(o->cfg, fts[i], o->clients, o->machines) == 0)
            return;
        if (why == NULL)
            why = xstrdup(pxs_error());
    }
    for (size_t i = 0; a->now && !a->all && i < o->machines->n; i++) {
        char *logdir = pxs_machine_logdir(o->cfg->logdir, o->machines->v[i]);
        int rc = pxs_guard_logs(logdir, o->ft, o->clients);
        free(logdir);
        if (rc == 0) {
            free(why);
            return;
        }
    }
    pxs_diex(PXS_EXIT_FAIL, "%s", why);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int run_all(const args *a, pxs_graph_opts *o)
{
    pxs_filetype both[2] = {PXS_TX, PXS_RX}, one;
    pxs_graph_jobs jobs;
    struct timespec t0;
    size_t failed = 0;
    bool progress = pxs_cli_interactive();
    int64_t end = a->now ? o->date : pxs_hour_floor(o->date);
    long njobs = a->jobs ? a->jobs : sysconf(_SC_NPROCESSORS_ONLN);
    int rc;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    one = o->ft;
    pxs_graph_jobs_list(o->cfg->statsdir, o->machines, a->filetype ? &one : both,
                        a->filetype ? 1 : 2, a->individual, end - (int64_t)o->span * PXS_HOUR,
                        end, &jobs);
    rc = pxs_graph_jobs_run(&jobs, o, a->link, njobs > 0 ? (int)njobs : 1, progress, &failed);
    if (rc < 0)
        pxs_warnx("%s", pxs_error());
    if (progress || failed > 0)
        fprintf(stderr, "%s: %zu graphs drawn, %zu failed, in %.1f s\n", pxs_progname(),
                jobs.n - failed, failed, seconds_since(&t0));
    pxs_graph_jobs_free(&jobs);
    return rc == 0 ? PXS_EXIT_OK : PXS_EXIT_FAIL;
}

int main(int argc, char **argv)
{
    pxs_cli cli;
    pxs_config cfg;
    pxs_graph_opts o = {0};
    pxs_strlist clients, machines, all;
    args a = {0};
    char *png = NULL;
    int rc;

    pxs_cli_init(&cli, argv[0], usage);
    parse(&cli, argc, argv, &a);
    pxs_strlist_init(&clients);
    pxs_strlist_init(&machines);
    pxs_strlist_init(&all);
    o.ft = a.filetype ? pxs_cli_filetype(&cli, a.filetype) : PXS_TX;
    if (a.clients)
        pxs_cli_names(&cli, "client", a.clients, &clients);
    if (a.machines)
        pxs_cli_machines(&cli, "-m", a.machines, &machines);
    else
        default_machine(&cli, &machines);
    if (pxs_strlist_has(&machines, "All") || pxs_strlist_has(&machines, "ALL"))
        pxs_cli_usage_error(&cli, "-m needs machine names");
    if (!a.all && pxs_graph_types_parse(a.types, o.ft, o.types, &o.ntypes) != 0)
        pxs_cli_usage_error(&cli, "-t: %s", pxs_error());

    pxs_cli_config(&cli, &cfg);
    o.cfg = &cfg;
    o.clients = &clients;
    o.machines = &machines;
    o.date = a.have_date ? a.date : pxs_now();
    o.span = (int)(a.span ? a.span : a.all ? 24 : 12);
    o.product = a.product;
    o.now = a.now;
    guard_names(&a, &o);
    if (a.all) {
        rc = run_all(&a, &o);
    } else {
        if (pxs_pickle_clients(cfg.statsdir, o.ft, &all) != 0)
            pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
        pxs_clients_expand(&clients, &all);
        if (clients.n == 0)
            pxs_diex(PXS_EXIT_FAIL, "no %s snapshot under %s/pickles",
                     pxs_filetype_name(o.ft), cfg.statsdir);
        rc = pxs_graph_make(&o, a.script ? stdout : NULL, a.link, &png);
        if (rc != 0)
            pxs_warnx("%s", pxs_error());
        else if (png)
            printf("%s\n", png);
        rc = rc == 0 ? PXS_EXIT_OK : PXS_EXIT_FAIL;
    }
    free(png);
    pxs_strlist_free(&clients);
    pxs_strlist_free(&machines);
    pxs_strlist_free(&all);
    pxs_config_free(&cfg);
    if (fflush(stdout) != 0 || ferror(stdout))
        pxs_die(PXS_EXIT_FAIL, "standard output");
    return rc;
}
