/* Unit tests of clients: the log directory of a machine, the names of a file
 * type from PX's the *.conf files of etc/<ft> or from the <ft>_<name>.log* files, the
 * clients that have snapshots, and the expansion of "All". */
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "pxstats/atomicfile.h"
#include "pxstats/clients.h"
#include "pxstats/msg.h"
#include "pxstats/xalloc.h"

#define PATH_SIZE 4096

static int setup_dir(void **state)
{
    if (testdir_make(state, "clients") != 0)
        return -1;
    pxs_set_progname("graphGen");
    return 0;
}

static int teardown_dir(void **state)
{
    return testdir_remove(state);
}

static void touch(const char *dir, const char *rel)
{
    char path[PATH_SIZE];

    snprintf(path, sizeof path, "%s/%s", dir, rel);
    assert_int_equal(pxs_atomic_write(path, "", 0), 0);
}

static void mkdirs(const char *dir, const char *rel)
{
    char path[PATH_SIZE];

    snprintf(path, sizeof path, "%s/%s", dir, rel);
    assert_int_equal(pxs_mkdirs(path), 0);
}

/* A config whose paths are under root (no file read). */
static void config_for(pxs_config *cfg, const char *root)
{
    assert_int_equal(pxs_config_load(cfg, root, "/dev/null"), 0);
}

static char *joined(const pxs_strlist *l)
{
    return pxs_strlist_join(l, ",");
}

static void expect_list(const pxs_strlist *l, const char *want)
{
    char *got = joined(l);

    if (strcmp(got, want) != 0) {
        char msg[2048];
        snprintf(msg, sizeof msg, "got '%s', expected '%s'", got, want);
        free(got);
        fail_msg("%s", msg);
    }
    free(got);
}

/* Captures what fn writes on stderr (fd 2) into buf. */
typedef struct stderr_capture {
    int saved;
    char path[PATH_SIZE];
} stderr_capture;

static void capture_begin(stderr_capture *c, const char *dir)
{
    int fd;

    snprintf(c->path, sizeof c->path, "%s/stderr.txt", dir);
    fflush(stderr);
    c->saved = dup(2);
    fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(c->saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
}

static char *capture_end(stderr_capture *c)
{
    char *s;

    fflush(stderr);
    dup2(c->saved, 2);
    close(c->saved);
    s = pxs_read_file(c->path, NULL);
    assert_non_null(s);
    unlink(c->path);
    return s;
}

/* ---- tests --------------------------------------------------------------- */

static void test_machine_logdir(void **state)
{
    const char *dir = *state;
    char want[PATH_SIZE];
    char *p;

    mkdirs(dir, "pds5");
    touch(dir, "pds6");
    snprintf(want, sizeof want, "%s/pds5", dir);
    p = pxs_machine_logdir(dir, "pds5");
    assert_string_equal(p, want);
    free(p);
    /* Missing, a regular file, or no machine: the log directory itself. */
    p = pxs_machine_logdir(dir, "pds7");
    assert_string_equal(p, dir);
    free(p);
    p = pxs_machine_logdir(dir, "pds6");
    assert_string_equal(p, dir);
    free(p);
    p = pxs_machine_logdir(dir, "");
    assert_string_equal(p, dir);
    free(p);
}

static void test_names_from_conf(void **state)
{
    const char *dir = *state;
    pxs_config cfg;
    pxs_strlist l;
    stderr_capture cap;
    char *err;
    int rc;

    config_for(&cfg, dir);
    touch(dir, "etc/tx/zeta.conf");
    touch(dir, "etc/tx/amis.conf");
    touch(dir, "etc/tx/pds-5.conf");
    touch(dir, "etc/tx/notes.txt");          /* not a .conf */
    touch(dir, "etc/tx/old.conf.bak");       /* not a .conf */
    touch(dir, "etc/tx/.conf");              /* no name */
    touch(dir, "etc/tx/bad name.conf");      /* invalid: skipped with a warning */
    touch(dir, "etc/tx/.hidden.conf");       /* invalid */
    touch(dir, "etc/rx/src1.conf");          /* the other file type */
    /* Logs are ignored when etc/tx exists. */
    touch(dir, "log/tx_fromlog.log");

    pxs_strlist_init(&l);
    capture_begin(&cap, dir);
    rc = pxs_clients_from_logs(&cfg, cfg.logdir, PXS_TX, &l);
    err = capture_end(&cap);
    assert_int_equal(rc, 0);
    expect_list(&l, "amis,pds-5,zeta");
    assert_non_null(strstr(err, "graphGen: "));
    assert_non_null(strstr(err, "ignoring 'bad name': not a valid client or source name"));
    assert_non_null(strstr(err, "ignoring '.hidden': not a valid client or source name"));
    assert_non_null(strstr(err, "/etc/tx"));
    assert_null(strstr(err, "notes"));
    free(err);
    pxs_strlist_free(&l);

    assert_int_equal(pxs_clients_from_logs(&cfg, cfg.logdir, PXS_RX, &l), 0);
    expect_list(&l, "src1");
    pxs_strlist_free(&l);
    pxs_config_free(&cfg);
}

static void test_empty_conf_dir_wins(void **state)
{
    const char *dir = *state;
    pxs_config cfg;
    pxs_strlist l;

    config_for(&cfg, dir);
    mkdirs(dir, "etc/tx");
    touch(dir, "log/tx_amis.log");
    pxs_strlist_init(&l);
    assert_int_equal(pxs_clients_from_logs(&cfg, cfg.logdir, PXS_TX, &l), 0);
    assert_int_equal(l.n, 0);
    pxs_strlist_free(&l);
    pxs_config_free(&cfg);
}

static void test_names_from_logs(void **state)
{
    const char *dir = *state;
    pxs_config cfg;
    pxs_strlist l;
    stderr_capture cap;
    char *err;
    int rc;

    config_for(&cfg, dir); /* no etc/tx, no etc/rx */
    touch(dir, "log/tx_amis.log");
    touch(dir, "log/tx_amis.log.2006-10-07");
    touch(dir, "log/tx_amis.log.2006-10-06.gz");
    touch(dir, "log/tx_cmc.log.2006-10-05.gz"); /* only rotated files left */
    touch(dir, "log/tx_pds-5.log");
    touch(dir, "log/tx_x.y_z.log");
    touch(dir, "log/rx_src1.log");
    touch(dir, "log/rx_src2.log.2006-10-07");
    touch(dir, "log/tx_.log");                 /* no name */
    touch(dir, "log/tx_amis.logger");          /* not ".log" or ".log.<x>" */
    touch(dir, "log/tx_noext");
    touch(dir, "log/amis.log");
    touch(dir, "log/tx_bad name.log");         /* invalid: skipped with a warning */
    touch(dir, "log/tx_$(id).log");            /* invalid */
    touch(dir, "log/px.log");
    mkdirs(dir, "log/pds5");                   /* a machine directory */

    pxs_strlist_init(&l);
    capture_begin(&cap, dir);
    rc = pxs_clients_from_logs(&cfg, cfg.logdir, PXS_TX, &l);
    err = capture_end(&cap);
    assert_int_equal(rc, 0);
    expect_list(&l, "amis,cmc,pds-5,x.y_z");
    assert_non_null(strstr(err, "ignoring 'bad name'"));
    assert_non_null(strstr(err, "ignoring '$(id)'"));
    free(err);
    pxs_strlist_free(&l);

    assert_int_equal(pxs_clients_from_logs(&cfg, cfg.logdir, PXS_RX, &l), 0);
    expect_list(&l, "src1,src2");
    pxs_strlist_free(&l);

    /* Another directory (a machine's). */
    touch(dir, "log/pds5/tx_only5.log");
    {
        char m[PATH_SIZE];
        snprintf(m, sizeof m, "%s/log/pds5", dir);
        assert_int_equal(pxs_clients_from_logs(&cfg, m, PXS_TX, &l), 0);
        expect_list(&l, "only5");
        pxs_strlist_free(&l);
    }
    pxs_config_free(&cfg);
}

static void test_missing_logdir(void **state)
{
    const char *dir = *state;
    char missing[PATH_SIZE];
    pxs_config cfg;
    pxs_strlist l;

    config_for(&cfg, dir);
    snprintf(missing, sizeof missing, "%s/no-logs", dir);
    pxs_strlist_init(&l);
    assert_int_equal(pxs_clients_from_logs(&cfg, missing, PXS_TX, &l), -1);
    assert_non_null(strstr(pxs_error(), missing));
    assert_non_null(strstr(pxs_error(), "No such file or directory"));
    assert_int_equal(l.n, 0);
    pxs_strlist_free(&l);
    pxs_config_free(&cfg);
}

static void test_from_pickles(void **state)
{
    const char *dir = *state;
    char stats[PATH_SIZE];
    pxs_strlist l;

    snprintf(stats, sizeof stats, "%s/stats", dir);
    pxs_strlist_init(&l);
    /* No pickles directory: no clients, no error. */
    assert_int_equal(pxs_clients_from_pickles(stats, &l), 0);
    assert_int_equal(l.n, 0);

    mkdirs(dir, "stats/pickles/zeta/20061008/tx");
    mkdirs(dir, "stats/pickles/amis");
    mkdirs(dir, "stats/pickles/src1/20061008/rx");
    mkdirs(dir, "stats/pickles/.tmp");         /* invalid names are not clients */
    mkdirs(dir, "stats/pickles/bad name");
    touch(dir, "stats/pickles/stray-file");     /* not a directory */
    assert_int_equal(pxs_clients_from_pickles(stats, &l), 0);
    expect_list(&l, "amis,src1,zeta");
    pxs_strlist_free(&l);
}

static void test_expand(void **state)
{
    pxs_strlist names, all;

    (void)state;
    pxs_strlist_init(&names);
    pxs_strlist_init(&all);
    pxs_strlist_split(&all, "amis,cmc,pds5", ',');

    pxs_strlist_add(&names, "All");
    pxs_clients_expand(&names, &all);
    expect_list(&names, "amis,cmc,pds5");
    pxs_strlist_free(&names);

    pxs_strlist_add(&names, "ALL");
    pxs_clients_expand(&names, &all);
    expect_list(&names, "amis,cmc,pds5");
    pxs_strlist_free(&names);

    /* Named clients stay as they are, known or not. */
    pxs_strlist_split(&names, "cmc,other", ',');
    pxs_clients_expand(&names, &all);
    expect_list(&names, "cmc,other");
    pxs_strlist_free(&names);
    /* "All" with others is not expanded (cli refuses that list). */
    pxs_strlist_split(&names, "All,cmc", ',');
    pxs_clients_expand(&names, &all);
    expect_list(&names, "All,cmc");
    pxs_strlist_free(&names);
    /* "all" is a client name, not the keyword. */
    pxs_strlist_add(&names, "all");
    pxs_clients_expand(&names, &all);
    expect_list(&names, "all");
    pxs_strlist_free(&names);

    /* "All" of nothing is nothing. */
    pxs_strlist_free(&all);
    pxs_strlist_add(&names, "All");
    pxs_clients_expand(&names, &all);
    assert_int_equal(names.n, 0);
    pxs_strlist_free(&names);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_dir, teardown_dir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_machine_logdir),
        T(test_names_from_conf),
        T(test_empty_conf_dir_wins),
        T(test_names_from_logs),
        T(test_missing_logdir),
        T(test_from_pickles),
        T(test_expand),
    };

    unsetenv("PXROOT");
    unsetenv("PXSTATS_CONF");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
