/* Unit tests of cli: the common options, -h (usage on stdout, exit 0),
 * --version, usage errors (one line ending "try 'prog -h'" on stderr, exit
 * 2), the option parsers, the names list and the stats-tree guard. Whatever exits runs in a forked child whose stdout and
 * stderr are captured. */
#include <ftw.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/atomicfile.h"
#include "pxstats/cli.h"
#include "pxstats/msg.h"
#include "pxstats/xalloc.h"

#define USAGE "usage: prog [-d date] [-c clients] [--root DIR] [--config FILE]\n" \
              "  -d, --date DATE   the hour to work on\n"
/* The end of every usage error. */
#define TRY "; try 'prog -h'\n"

/* ---- running code that exits ---------------------------------------------- */

typedef struct outcome {
    int status;       /* exit status, or -1 when killed */
    char out[8192];   /* stdout */
    char err[8192];   /* stderr */
} outcome;

static const char *child_arg; /* what the child function works on */
static char **child_argv;
static int child_argc;

static void read_all(int fd, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t r;

    while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = '\0';
    close(fd);
}

/* Runs fn in a child with stdout and stderr captured. The child leaves with
 * _exit(0) if fn returns (the code under test is expected to exit). */
static void run_child(void (*fn)(void), outcome *o)
{
    int po[2], pe[2], st;
    pid_t pid;

    assert_int_equal(pipe(po), 0);
    assert_int_equal(pipe(pe), 0);
    /* Flush first: a child must not repeat cmocka's buffered output. */
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(po[1]);
        close(pe[0]);
        close(pe[1]);
        fn();
        fflush(stdout);
        fflush(stderr);
        _exit(100); /* fn did not exit */
    }
    close(po[1]);
    close(pe[1]);
    /* Outputs are small (under a pipe's buffer): read one, then the other. */
    read_all(po[0], o->out, sizeof o->out);
    read_all(pe[0], o->err, sizeof o->err);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    o->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static pxs_cli cli;

static void init_cli(void) { pxs_cli_init(&cli, "/usr/local/bin/prog", USAGE); }

/* A program's option loop, as the tools write it. */
static void fake_main(void)
{
    static const struct option longs[] = {
        {"date", required_argument, NULL, 'd'},
        {"dry-run", no_argument, NULL, 'n'},
        {"fileType", required_argument, NULL, 'f'},
        PXS_COMMON_LONG_OPTS,
        {NULL, 0, NULL, 0},
    };
    int opt;

    init_cli();
    optind = 0; /* full reset of GNU getopt */
    while ((opt = pxs_cli_getopt(&cli, child_argc, child_argv, "d:nf:h", longs)) != -1) {
        if (opt == 'd')
            printf("date=%lld\n", (long long)pxs_cli_date(&cli, "-d", optarg));
        else if (opt == 'n')
            printf("dry\n");
        else if (opt == 'f')
            printf("ft=%d\n", (int)pxs_cli_filetype(&cli, optarg));
    }
    printf("root=%s config=%s\n", cli.root ? cli.root : "-", cli.config ? cli.config : "-");
    fflush(stdout);
    _exit(0);
}

static void run_main(outcome *o, char **argv)
{
    int n = 0;

    while (argv[n])
        n++;
    child_argv = argv;
    child_argc = n;
    run_child(fake_main, o);
}

/* ---- tests ----------------------------------------------------------------- */

static void test_init_and_common(void **state)
{
    (void)state;
    init_cli();
    assert_string_equal(pxs_progname(), "prog");
    assert_string_equal(cli.usage, USAGE);
    assert_null(cli.root);
    assert_null(cli.config);
    assert_int_equal(pxs_cli_common(&cli, PXS_OPT_ROOT, "/r"), 1);
    assert_string_equal(cli.root, "/r");
    assert_int_equal(pxs_cli_common(&cli, PXS_OPT_CONFIG, "/c.conf"), 1);
    assert_string_equal(cli.config, "/c.conf");
    assert_int_equal(pxs_cli_common(&cli, 'd', "x"), 0);
    assert_int_equal(pxs_cli_common(&cli, PXS_OPT_FIRST_FREE, NULL), 0);
    /* The interactive test is the terminal test of stderr. */
    assert_int_equal(pxs_cli_interactive() != 0, isatty(2) != 0);
}

static void test_help(void **state)
{
    outcome o;

    (void)state;
    run_main(&o, (char *[]){"prog", "-h", NULL});
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, USAGE);
    assert_string_equal(o.err, "");
    run_main(&o, (char *[]){"prog", "--help", "--bogus", NULL});
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, USAGE);
}

/* argv must make run_main exit 2 with exactly the line err. */
static void expect_bad(char **argv, const char *err)
{
    outcome o;

    run_main(&o, argv);
    assert_int_equal(o.status, 2);
    assert_string_equal(o.out, "");
    assert_string_equal(o.err, err);
}

static void test_bad_option(void **state)
{
    (void)state;
    /* One line, no usage: what is wrong, and where to look. */
    expect_bad((char *[]){"prog", "--bogus", NULL}, "prog: unknown option '--bogus'" TRY);
    expect_bad((char *[]){"prog", "--bogus=1", NULL}, "prog: unknown option '--bogus'" TRY);
    expect_bad((char *[]){"prog", "-x", NULL}, "prog: unknown option '-x'" TRY);
    expect_bad((char *[]){"prog", "-xn", NULL}, "prog: unknown option '-x'" TRY);
    expect_bad((char *[]){"prog", "--root", "/r", "-x", "--root", "/s", NULL},
               "prog: unknown option '-x'" TRY);
    /* A missing argument, a needless one. */
    expect_bad((char *[]){"prog", "--root", NULL}, "prog: option '--root' needs an argument" TRY);
    expect_bad((char *[]){"prog", "-d", NULL}, "prog: option '-d' needs an argument" TRY);
    expect_bad((char *[]){"prog", "--dry-run=yes", NULL},
               "prog: option '--dry-run' takes no argument" TRY);
    expect_bad((char *[]){"prog", "--version=2", NULL},
               "prog: option '--version' takes no argument" TRY);
    /* ... also when abbreviated */
    expect_bad((char *[]){"prog", "--dry=yes", NULL},
               "prog: option '--dry-run' takes no argument" TRY);
    expect_bad((char *[]){"prog", "--fileT", NULL},
               "prog: option '--fileType' needs an argument" TRY);
    /* A near miss is named: case, a letter too many or too few, a swap. */
    expect_bad((char *[]){"prog", "--filetype", "tx", NULL},
               "prog: unknown option '--filetype' (did you mean --fileType?)" TRY);
    expect_bad((char *[]){"prog", "--confg", "x", NULL},
               "prog: unknown option '--confg' (did you mean --config?)" TRY);
    expect_bad((char *[]){"prog", "--dryrun", NULL},
               "prog: unknown option '--dryrun' (did you mean --dry-run?)" TRY);
    expect_bad((char *[]){"prog", "--rot", "/x", NULL},
               "prog: unknown option '--rot' (did you mean --root?)" TRY);
    /* An abbreviation of two options is ambiguous; of one, accepted. */
    expect_bad((char *[]){"prog", "--d", "x", NULL}, "prog: option '--d' is ambiguous" TRY);
    outcome o;
    run_main(&o, (char *[]){"prog", "--dry", NULL});
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, "dry\nroot=- config=-\n");
}

static void test_version(void **state)
{
    outcome o;
    char want[128];

    (void)state;
    run_main(&o, (char *[]){"prog", "--version", NULL});
    assert_int_equal(o.status, 0);
    snprintf(want, sizeof want, "prog (pxstats) %s\n", pxs_version());
    assert_string_equal(o.out, want);
    assert_string_equal(o.err, "");
    /* The Makefile's VERSION: digits and dots. */
    assert_true(strlen(pxs_version()) >= 3);
    assert_true(strspn(pxs_version(), "0123456789.") == strlen(pxs_version()));
}

static void test_common_long_options(void **state)
{
    outcome o;

    (void)state;
    run_main(&o, (char *[]){"prog", "--root", "/tmp/r", "--config=/tmp/c.conf", NULL});
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, "root=/tmp/r config=/tmp/c.conf\n");
    assert_string_equal(o.err, "");
    run_main(&o, (char *[]){"prog", "-d", "2006-10-08 12:34:56", NULL});
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, "date=1160310896\nroot=- config=-\n");
    run_main(&o, (char *[]){"prog", "--date", "2006-10-08", NULL});
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, "date=1160265600\nroot=- config=-\n");
}

static void do_bad_date(void)
{
    init_cli();
    pxs_cli_date(&cli, "-d", child_arg);
}

static void test_dates(void **state)
{
    outcome o;

    (void)state;
    init_cli();
    assert_int_equal(pxs_cli_date(&cli, "-d", "2006-10-08 12:34:56"), 1160310896);
    assert_int_equal(pxs_cli_date(&cli, "-d", "1969-12-31 23:00:00"), -3600);
    assert_int_equal(pxs_cli_date(&cli, "--date", "2040-01-01"), 2208988800LL);

    child_arg = "2006-10-08T12:00:00";
    run_child(do_bad_date, &o);
    assert_int_equal(o.status, 2);
    assert_string_equal(o.out, "");
    assert_string_equal(o.err, "prog: -d: bad date '2006-10-08T12:00:00' (the format is "
                               "\"YYYY-MM-DD HH:MM:SS\", UTC)" TRY);
    child_arg = "2006-02-29";
    run_child(do_bad_date, &o);
    assert_int_equal(o.status, 2);
    assert_non_null(strstr(o.err, "bad date '2006-02-29'"));
    child_arg = "";
    run_child(do_bad_date, &o);
    assert_int_equal(o.status, 2);
}

static void do_long(void)
{
    init_cli();
    printf("%ld\n", pxs_cli_long(&cli, "-s", child_arg, 1, 240));
}

static void test_long(void **state)
{
    static const char *bad[] = {"0", "241", "-1", "abc", "", "12x", "1.5", "99999999999999999999999"};
    outcome o;
    char want[256];

    (void)state;
    init_cli();
    assert_int_equal(pxs_cli_long(&cli, "-s", "1", 1, 240), 1);
    assert_int_equal(pxs_cli_long(&cli, "-s", "240", 1, 240), 240);
    assert_int_equal(pxs_cli_long(&cli, "-s", "-5", -10, 10), -5);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        child_arg = bad[i];
        run_child(do_long, &o);
        if (o.status != 2)
            fail_msg("pxs_cli_long accepted '%s' (status %d, out %s)", bad[i], o.status, o.out);
        snprintf(want, sizeof want, "prog: -s: '%s' is not a number from 1 to 240" TRY, bad[i]);
        assert_string_equal(o.err, want);
    }
}

static void do_filetype(void)
{
    init_cli();
    printf("%d\n", (int)pxs_cli_filetype(&cli, child_arg));
}

static void test_filetype(void **state)
{
    outcome o;

    (void)state;
    init_cli();
    assert_int_equal(pxs_cli_filetype(&cli, "tx"), PXS_TX);
    assert_int_equal(pxs_cli_filetype(&cli, "rx"), PXS_RX);
    child_arg = "both";
    run_child(do_filetype, &o);
    assert_int_equal(o.status, 2);
    assert_string_equal(o.err, "prog: -f: 'both' is not one of tx, rx" TRY);
    child_arg = "TX";
    run_child(do_filetype, &o);
    assert_int_equal(o.status, 2);
    assert_string_equal(o.err, "prog: -f: 'TX' is not one of tx, rx (did you mean tx?)" TRY);
    run_main(&o, (char *[]){"prog", "--fileType", "rx", NULL});
    assert_int_equal(o.status, 0);
    assert_string_equal(o.out, "ft=1\nroot=- config=-\n");
}

static void do_names(void)
{
    pxs_strlist l;

    init_cli();
    pxs_strlist_init(&l);
    pxs_cli_names(&cli, "client", child_arg, &l);
    for (size_t i = 0; i < l.n; i++)
        printf("[%s]", l.v[i]);
    pxs_strlist_free(&l);
}

static void expect_names_error(const char *arg, const char *line)
{
    outcome o;
    char want[1024];

    child_arg = arg;
    run_child(do_names, &o);
    if (o.status != 2)
        fail_msg("names '%s': status %d, out '%s'", arg, o.status, o.out);
    assert_string_equal(o.out, "");
    snprintf(want, sizeof want, "prog: %s" TRY, line);
    assert_string_equal(o.err, want);
}

static void test_names(void **state)
{
    pxs_strlist l;

    (void)state;
    init_cli();
    pxs_strlist_init(&l);
    pxs_cli_names(&cli, "client", " amis, pds-5 ,x.y_z", &l);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.v[0], "amis");
    assert_string_equal(l.v[1], "pds-5");
    assert_string_equal(l.v[2], "x.y_z");
    pxs_strlist_free(&l);
    /* "All" (or "ALL") is kept alone for the caller to expand. */
    pxs_cli_names(&cli, "client", "All", &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0], "All");
    pxs_strlist_free(&l);
    pxs_cli_names(&cli, "client", " ALL ,", &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0], "ALL");
    pxs_strlist_free(&l);

    expect_names_error("", "empty client list");
    expect_names_error(" , ,", "empty client list");
    expect_names_error("All,amis", "'All' cannot be combined with other client names");
    expect_names_error("amis,ALL", "'All' cannot be combined with other client names");
    expect_names_error("amis,../x", "unsafe client name '../x': starts with '.'");
    expect_names_error("-rf", "unsafe client name '-rf': starts with '-'");
    expect_names_error("a b", "unsafe client name 'a b': only letters, digits, '.', '_' and '-' "
                              "are allowed");
    expect_names_error("$(reboot)", "unsafe client name '$(reboot)': only letters, digits, '.', "
                                    "'_' and '-' are allowed");
    expect_names_error("ok,a/b", "unsafe client name 'a/b': only letters, digits, '.', '_' and "
                                 "'-' are allowed");
    /* A name twice would be counted twice. */
    expect_names_error("amis,satnet,amis", "client 'amis' is named twice");
}

static void do_usage_error(void)
{
    init_cli();
    pxs_cli_usage_error(&cli, "%s needs %d argument%s", "-m", 1, "");
}

static void test_usage_error(void **state)
{
    outcome o;

    (void)state;
    run_child(do_usage_error, &o);
    assert_int_equal(o.status, 2);
    assert_string_equal(o.out, "");
    assert_string_equal(o.err, "prog: -m needs 1 argument" TRY);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void do_config(void)
{
    pxs_config cfg;

    pxs_cli_config(&cli, &cfg);
    printf("%s|%s|%d\n", cfg.root, cfg.file ? cfg.file : "-", cfg.max_latency);
    pxs_config_free(&cfg);
    fflush(stdout);
    _exit(0);
}

static void test_config(void **state)
{
    char dir[] = "/tmp/pxs-test-cli.XXXXXX";
    char conf[256], bad[256], want[512], stats[256];
    outcome o;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(stats, sizeof stats, "%s/stats", dir);
    assert_int_equal(pxs_mkdirs(stats), 0);
    snprintf(conf, sizeof conf, "%s/good.conf", dir);
    snprintf(bad, sizeof bad, "%s/bad.conf", dir);
    assert_int_equal(pxs_atomic_write(conf, "[collection]\nmaxLatency = 20\n", 29), 0);
    assert_int_equal(pxs_atomic_write(bad, "[collection\n", 12), 0);
    unsetenv("PXSTATS_CONF");
    unsetenv("PXROOT");

    init_cli();
    cli.root = dir;
    cli.config = conf;
    run_child(do_config, &o);
    assert_int_equal(o.status, 0);
    snprintf(want, sizeof want, "%s|%s|20\n", dir, conf);
    assert_string_equal(o.out, want);

    /* A broken config: exit 1 with "prog: <file>:<line>: ...". */
    init_cli();
    cli.root = dir;
    cli.config = bad;
    run_child(do_config, &o);
    assert_int_equal(o.status, 1);
    assert_string_equal(o.out, "");
    snprintf(want, sizeof want, "prog: %s:1: bad section header '[collection'\n", bad);
    assert_string_equal(o.err, want);
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* The stats tree: refused when missing, unless the program creates it (and
 * says so with -v); a file in its place is refused by every program. */
static void test_config_tree(void **state)
{
    char dir[] = "/tmp/pxs-test-cli.XXXXXX";
    char want[512], stats[300];
    struct stat st;
    outcome o;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(stats, sizeof stats, "%s/stats", dir);
    unsetenv("PXSTATS_CONF");
    unsetenv("PXROOT");
    init_cli();
    cli.root = dir;
    run_child(do_config, &o);
    assert_int_equal(o.status, 1);
    assert_string_equal(o.out, "");
    snprintf(want, sizeof want, "prog: stats tree %s: No such file or directory (check --root, "
             "PXROOT or [paths] statsdir; statsUpdater starts a tree)\n", stats);
    assert_string_equal(o.err, want);
    assert_int_equal(stat(stats, &st), -1);

    init_cli();
    cli.root = dir;
    cli.creates_tree = true;
    pxs_set_verbose(true);
    run_child(do_config, &o);
    pxs_set_verbose(false);
    assert_int_equal(o.status, 0);
    snprintf(want, sizeof want, "prog: created the stats tree %s\n", stats);
    assert_string_equal(o.err, want);
    assert_int_equal(stat(stats, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* Once there, nothing is said. */
    run_child(do_config, &o);
    assert_int_equal(o.status, 0);
    assert_string_equal(o.err, "");

    assert_int_equal(rmdir(stats), 0);
    assert_int_equal(pxs_atomic_write(stats, "x", 1), 0);
    init_cli();
    cli.root = dir;
    cli.creates_tree = true;
    run_child(do_config, &o);
    assert_int_equal(o.status, 1);
    snprintf(want, sizeof want, "prog: stats tree %s: not a directory\n", stats);
    assert_string_equal(o.err, want);
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void do_word(void)
{
    static const char *const words[] = {"minute", "hour", "day", "total"};

    init_cli();
    printf("%d\n", pxs_cli_word(&cli, "--by", child_arg, words, 4));
}

static void test_word(void **state)
{
    static const char *const words[] = {"minute", "hour", "day", "total"};
    outcome o;

    (void)state;
    init_cli();
    assert_int_equal(pxs_cli_word(&cli, "--by", "day", words, 4), 2);
    child_arg = "hours";
    run_child(do_word, &o);
    assert_int_equal(o.status, 2);
    assert_string_equal(o.err, "prog: --by: 'hours' is not one of minute, hour, day, total "
                               "(did you mean hour?)" TRY);
    child_arg = "week";
    run_child(do_word, &o);
    assert_string_equal(o.err, "prog: --by: 'week' is not one of minute, hour, day, total" TRY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_and_common),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_bad_option),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_common_long_options),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_long),
        cmocka_unit_test(test_filetype),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_usage_error),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_config_tree),
        cmocka_unit_test(test_word),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
