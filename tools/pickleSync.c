/* pickleSync — bring the snapshots of remote machines to this host (rsync
 * over ssh); see picklesync.h. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/cli.h"
#include "pxstats/msg.h"
#include "pxstats/picklesync.h"
#include "pxstats/remote.h"

static const char usage[] =
    "usage: pickleSync [-c CLIENTS] [-l LOGIN] -m MACHINES [-v] [-o LOGFILE] [--root DIR]\n"
    "                  [--config FILE]\n"
    "Copies stats/pickles/ (or only the named clients) from each machine to the\n"
    "local stats tree with rsync over ssh: only what changed, whole files only,\n"
    "host keys checked against the known_hosts of the config.\n"
    "  -c, --clients LIST    comma list of clients/sources, or All (default All)\n"
    "  -l, --login LOGIN     remote login (default [sync] login, else the current user)\n"
    "  -m, --machines LIST   comma list of [login@]host[:port]\n"
    "  -v, --verbose         list the files copied and each machine's outcome\n"
    "  -o, --output LOGFILE  append every message to LOGFILE instead of the terminal\n"
    "      --root DIR        pxstats root (stats tree DIR/stats)\n"
    "      --config FILE     configuration file\n"
    "      --version         print the version\n"
    "  -h, --help            this text\n"
    "Exit status: 0 when every machine was synchronised, 1 when one failed (the\n"
    "others are still synchronised), 2 on a usage error.\n";

/* Sends stdout and stderr to the end of the log file. */
static void redirect_output(const char *logfile)
{
    int fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND, 0666);
    if (fd < 0)
        pxs_die(PXS_EXIT_FAIL, "%s", logfile);
    fflush(stdout);
    fflush(stderr);
    if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
        pxs_die(PXS_EXIT_FAIL, "%s", logfile);
    close(fd);
}

/* Checks every machine before anything runs: a typo is a usage error. */
static void check_machines(const pxs_cli *cli, const pxs_strlist *machines, const char *login)
{
    if (machines->n == 0)
        pxs_cli_usage_error(cli, "-m needs at least one machine");
    for (size_t i = 0; i < machines->n; i++) {
        pxs_ssh_target t;
        if (pxs_ssh_target_parse(machines->v[i], login, 22, &t) < 0)
            pxs_cli_usage_error(cli, "-m: %s", pxs_error());
        pxs_ssh_target_free(&t);
    }
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"clients", required_argument, NULL, 'c'}, {"login", required_argument, NULL, 'l'},
        {"machines", required_argument, NULL, 'm'}, {"verbose", no_argument, NULL, 'v'},
        {"output", required_argument, NULL, 'o'},  PXS_COMMON_LONG_OPTS,
        {NULL, 0, NULL, 0}};
    pxs_cli cli;
    pxs_strlist clients, machines;
    const char *login = NULL, *logfile = NULL;
    bool verbose = false;
    int opt;

    pxs_cli_init(&cli, argv[0], usage);
    pxs_strlist_init(&clients);
    pxs_strlist_init(&machines);
    while ((opt = pxs_cli_getopt(&cli, argc, argv, "c:l:m:vo:h", opts)) != -1) {
        switch (opt) {
        case 'c': pxs_strlist_free(&clients); pxs_cli_names(&cli, "client", optarg, &clients); break;
        case 'l':
            if (pxs_name_check("login", optarg) < 0)
                pxs_cli_usage_error(&cli, "-l: %s", pxs_error());
            login = optarg;
            break;
        case 'm': pxs_strlist_free(&machines); pxs_strlist_split(&machines, optarg, ','); break;
        case 'v': verbose = true; break;
        case 'o': logfile = optarg; break;
        }
    }
    if (optind < argc)
        pxs_cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);
    check_machines(&cli, &machines, login);
    if (clients.n == 1 && strcmp(clients.v[0], "All") == 0)
        pxs_strlist_free(&clients);   /* All: the whole pickles/ tree */
    if (logfile != NULL)
        redirect_output(logfile);
    pxs_set_verbose(verbose);

    pxs_config cfg;
    pxs_cli_config(&cli, &cfg);
    pxs_sync_opts o = {.cfg = &cfg, .login = login, .clients = &clients, .verbose = verbose};
    int rc = pxs_sync_machines(&o, &machines);
    if (rc < 0)
        pxs_warnx("%s", pxs_error());
    pxs_config_free(&cfg);
    pxs_strlist_free(&clients);
    pxs_strlist_free(&machines);
    return rc == 0 ? PXS_EXIT_OK : PXS_EXIT_FAIL;
}
