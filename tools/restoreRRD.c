/* restoreRRD — back up, list and restore the RRD archive (DESIGN.md §4, §5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/cli.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/rrdbackup.h"
#include "pxstats/runlog.h"

static const char usage[] =
    "usage: restoreRRD [--wait] (--backup | --list | \"YYYY-MM-DD HH:MM:SS\")\n"
    "                  [--root DIR] [--config FILE]\n"
    "Backs up the RRD archive and DATABASE-UPDATES into databases_backups/<date>/\n"
    "(the newest 20 are kept), lists the backups, or restores one: the current state\n"
    "is backed up first, then every file is replaced by the backup's copy.\n"
    "  -b, --backup       make a backup now\n"
    "  -l, --list         list the backups, oldest first\n"
    "      --wait         wait for a running rrdTransfer instead of stopping\n"
    "      --root DIR     pxstats root (stats tree DIR/stats)\n"
    "      --config FILE  configuration file\n"
    "      --version      print the version\n"
    "  -h, --help         this text\n";

enum { OPT_WAIT = PXS_OPT_FIRST_FREE };

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"backup", no_argument, NULL, 'b'}, {"list", no_argument, NULL, 'l'},
        {"wait", no_argument, NULL, OPT_WAIT}, PXS_COMMON_LONG_OPTS, {NULL, 0, NULL, 0}};
    pxs_cli cli;
    pxs_cli_init(&cli, argv[0], usage);
    bool backup = false, list = false, wait = false;
    int opt;
    while ((opt = pxs_cli_getopt(&cli, argc, argv, "blh", longopts)) != -1) {
        switch (opt) {
        case 'b': backup = true; break;
        case 'l': list = true; break;
        case OPT_WAIT: wait = true; break;
        }
    }
    const char *date = optind < argc ? argv[optind] : NULL;
    if (optind + 1 < argc)
        pxs_cli_usage_error(&cli, "unexpected argument '%s'", argv[optind + 1]);
    if (backup + list + (date != NULL) != 1)
        pxs_cli_usage_error(&cli, "give exactly one of --backup, --list or a date");
    if (date != NULL) {
        /* The backup's directory name (with '_') is accepted as well. */
        char iso[PXS_ISO_SIZE] = "";
        int64_t t;
        snprintf(iso, sizeof iso, "%s", date);
        if (iso[10] == '_')
            iso[10] = ' ';
        if (strlen(date) != PXS_ISO_LEN || !pxs_parse_iso(iso, PXS_ISO_LEN, &t))
            pxs_cli_usage_error(&cli, "the date must be YYYY-MM-DD HH:MM:SS, not '%s'", date);
    }

    pxs_config cfg;
    pxs_cli_config(&cli, &cfg);
    int rc = 0;
    char *name = NULL;
    if (list) {
        pxs_strlist l;
        pxs_strlist_init(&l);
        rc = pxs_rrd_backups_list(cfg.statsdir, &l);
        for (size_t i = 0; rc == 0 && i < l.n; i++)
            printf("%s\n", l.v[i]);
        pxs_strlist_free(&l);
    } else if (backup) {
        /* An empty backup would later "restore" an archive to nothing. */
        char *archive = pxs_stats_file(cfg.statsdir, "databases");
        if (access(archive, F_OK) != 0)
            pxs_diex(PXS_EXIT_FAIL, "nothing to back up: %s: no RRD archive (rrdTransfer makes it)",
                     archive);
        free(archive);
        rc = pxs_rrd_backup(cfg.statsdir, pxs_now(), wait, &name);
        if (rc == 0)
            printf("backup %s made\n", name);
    } else {
        rc = pxs_rrd_restore(cfg.statsdir, date, pxs_now(), wait, &name);
        if (rc == 0)
            printf("restored %s (the previous state is backup %s)\n", date, name);
    }
    if (rc != 0)
        pxs_warnx("%s", pxs_error());
    else if (backup)
        pxs_runlog(cfg.statsdir, "backup %s made", name);
    else if (!list)
        pxs_runlog(cfg.statsdir, "restored %s (the previous state is backup %s)", date, name);
    free(name);
    pxs_config_free(&cfg);
    return rc == 0 ? PXS_EXIT_OK : PXS_EXIT_FAIL;
}
