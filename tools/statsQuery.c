/* statsQuery — the everyday question in one command: the files, bytes,
 * errors and latency percentiles of clients over any range, as a table, CSV,
 * JSON lines or OpenMetrics (query.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/cli.h"
#include "pxstats/dbupdates.h"
#include "pxstats/guard.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pickletree.h"
#include "pxstats/pxtime.h"
#include "pxstats/query.h"
#include "pxstats/strlist.h"
#include "pxstats/xalloc.h"

static const char usage[] =
    "usage: statsQuery [-c CLIENTS] [-f tx|rx] [-m MACHINES] [-s START] [-e END]\n"
    "                  [--by minute|hour|day|total] [--format table|csv|json|openmetrics]\n"
    "                  [--archive] [--root DIR] [--config FILE]\n"
    "Prints, for each client and period of [START, END), the files, bytes, errors,\n"
    "files over the maximum latency, and the latency (min, p50, p90, p95, p99, max,\n"
    "mean) and file size (p50, p99, max) of the files: exact, from the snapshots of\n"
    "the machines merged. Percentiles are nearest rank: the smallest value v with\n"
    "at least p % of the values <= v. Unknown values (no snapshot) are empty.\n"
    "  -c, --clients LIST    clients (tx) or sources (rx), comma separated, or All\n"
    "                        (default: every one with snapshots of the file type)\n"
    "  -f, --fileType FT     tx or rx (default tx)\n"
    "  -m, --machines LIST   machines merged, comma separated (default this host)\n"
    "  -s, --start DATE      \"YYYY-MM-DD HH:MM:SS\" UTC (default: an hour before END)\n"
    "  -e, --end DATE        excluded (default: the end of the last complete hour)\n"
    "      --by UNIT         one row per minute, hour (default), day or the total\n"
    "      --format FORMAT   table (default), csv, json (one object per line) or\n"
    "                        openmetrics (node_exporter's textfile collector)\n"
    "      --archive         read the RRD archive instead (ranges older than the\n"
    "                        snapshots): latency_min, the percentiles, latency_max\n"
    "                        and the bytecount columns are then absent\n"
    "      --root DIR        pxstats root (stats tree DIR/stats)\n"
    "      --config FILE     configuration file\n"
    "      --version         print the version\n"
    "  -h, --help            this text\n"
    "Exit status: 0, 1 when a snapshot or database could not be read (the rest is\n"
    "printed) or a name has nothing in the tree, 2 on a usage error.\n";

enum { OPT_BY = PXS_OPT_FIRST_FREE, OPT_FORMAT, OPT_ARCHIVE };

typedef struct args {
    const char *clients, *machines;
    pxs_filetype ft;
    int64_t start, end;
    bool have_start, have_end, archive;
    pxs_query_by by;
    pxs_query_format format;
} args;

static void parse(pxs_cli *cli, int argc, char **argv, args *a)
{
    static const struct option opts[] = {
        {"clients", required_argument, NULL, 'c'}, {"fileType", required_argument, NULL, 'f'},
        {"machines", required_argument, NULL, 'm'}, {"start", required_argument, NULL, 's'},
        {"end", required_argument, NULL, 'e'},      {"by", required_argument, NULL, OPT_BY},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"archive", no_argument, NULL, OPT_ARCHIVE}, PXS_COMMON_LONG_OPTS,
        {NULL, 0, NULL, 0}};
    int opt;

    a->by = PXS_BY_HOUR;
    a->format = PXS_FMT_TABLE;
    a->ft = PXS_TX;
    while ((opt = pxs_cli_getopt(cli, argc, argv, "c:f:m:s:e:h", opts)) != -1) {
        switch (opt) {
        case 'c': a->clients = optarg; break;
        case 'f': a->ft = pxs_cli_filetype(cli, optarg); break;
        case 'm': a->machines = optarg; break;
        case 's': a->start = pxs_cli_date(cli, "-s", optarg); a->have_start = true; break;
        case 'e': a->end = pxs_cli_date(cli, "-e", optarg); a->have_end = true; break;
        case OPT_BY:
            a->by = (pxs_query_by)pxs_cli_word(cli, "--by", optarg, pxs_query_by_names, 4);
            break;
        case OPT_FORMAT:
            a->format = (pxs_query_format)pxs_cli_word(cli, "--format", optarg,
                                                       pxs_query_format_names, 4);
            break;
        case OPT_ARCHIVE: a->archive = true; break;
        }
    }
    if (optind < argc)
        pxs_cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
    /* The default range: the hour before END, END the last complete hour. */
    if (!a->have_end)
        a->end = pxs_hour_floor(pxs_now());
    if (!a->have_start)
        a->start = a->end - PXS_HOUR;
    if (a->start >= a->end) {
        char s[PXS_ISO_SIZE], e[PXS_ISO_SIZE];
        pxs_cli_usage_error(cli, "the range is empty: start %s is not before end %s",
                            pxs_format_iso(a->start, s), pxs_format_iso(a->end, e));
    }
}

/* "-c All": every client of the file type that the source read has. */
static void all_clients(const pxs_config *cfg, const args *a, const char *group,
                        pxs_strlist *clients)
{
    pxs_strlist all;

    pxs_strlist_init(&all);
    if ((a->archive ? pxs_dbupdates_clients(cfg->statsdir, a->ft, group, &all)
                    : pxs_pickle_clients(cfg->statsdir, a->ft, &all)) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    pxs_strlist_free(clients);
    pxs_strlist_init(clients);
    for (size_t i = 0; i < all.n; i++)
        pxs_strlist_add(clients, all.v[i]);
    pxs_strlist_free(&all);
}

int main(int argc, char **argv)
{
    pxs_cli cli;
    pxs_config cfg;
    pxs_strlist clients, machines;
    args a = {0};

    pxs_cli_init(&cli, argv[0], usage);
    parse(&cli, argc, argv, &a);
    pxs_strlist_init(&clients);
    pxs_strlist_init(&machines);
    pxs_cli_names(&cli, "client", a.clients ? a.clients : "All", &clients);
    if (a.machines) {
        pxs_cli_machines(&cli, "-m", a.machines, &machines);
    } else {
        char *host = pxs_host_name();
        pxs_cli_machines(&cli, "-m", host, &machines);
        free(host);
    }

    pxs_cli_config(&cli, &cfg);
    char *group = pxs_group_name(&machines);
    /* A name with nothing where the query reads is a typo, not an empty answer. */
    if ((a.archive ? pxs_guard_archive(cfg.statsdir, a.ft, &clients, group)
                   : pxs_guard_snapshots(&cfg, a.ft, &clients, &machines)) != 0)
        pxs_diex(PXS_EXIT_FAIL, "%s", pxs_error());
    if (strcmp(clients.v[0], "All") == 0 || strcmp(clients.v[0], "ALL") == 0)
        all_clients(&cfg, &a, group, &clients);
    if (a.archive && a.format != PXS_FMT_TABLE) {
        /* The table says it in its last line; the other formats stay parseable. */
        char *absent = pxs_query_rows_only_names();
        pxs_warnx("from the RRD archive, which keeps per-minute values only: %s are absent",
                  absent);
        free(absent);
    }

    pxs_query q = {.statsdir = cfg.statsdir, .ft = a.ft, .clients = &clients,
                   .machines = &machines, .start = a.start, .end = a.end, .by = a.by,
                   .archive = a.archive};
    pxs_query_out out;
    pxs_query_out_init(&out, stdout, a.format, a.archive);
    int rc = pxs_query_run(&q, pxs_query_out_row, &out);
    pxs_query_out_finish(&out);
    if (rc < 0)
        pxs_warnx("%s", pxs_error());
    free(group);
    pxs_strlist_free(&clients);
    pxs_strlist_free(&machines);
    pxs_config_free(&cfg);
    if (fflush(stdout) != 0 || ferror(stdout))
        pxs_die(PXS_EXIT_FAIL, "standard output");
    return rc == 0 ? PXS_EXIT_OK : PXS_EXIT_FAIL;
}
