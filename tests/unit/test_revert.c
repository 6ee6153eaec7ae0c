/* Unit tests of revert: which entries are set, created, left alone; the
 * positions dropped with them; the failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/revert.h"
#include "pxstats/state.h"
#include "pxstats/xalloc.h"

#define T0 1160265600   /* 2006-10-08 00:00:00 */
#define H  3600

static char *stats;

static int setup(void **state)
{
    pxs_times t = {0};
    pxs_positions p = {0};
    pxs_position pos = {.dev = 1, .fp_len = 10, .fp_crc = 7, .offset = 1234};

    (void)state;
    stats = xstrdup("/tmp/pxs-test-revert.XXXXXX");
    assert_non_null(mkdtemp(stats));
    pxs_times_set(&t, "pds5", PXS_TX, "amis", T0 + 10 * H);
    pxs_times_set(&t, "pds5", PXS_TX, "metser", T0 + 10 * H);
    pxs_times_set(&t, "pds5", PXS_RX, "ncp1", T0 + 10 * H);
    pxs_times_set(&t, "pds6", PXS_TX, "amis", T0 + 10 * H);
    assert_int_equal(pxs_times_save(stats, &t), 0);
    pxs_times_free(&t);

    struct { const char *path, *machine, *client; pxs_filetype ft; } files[] = {
        {"/log/tx_amis.log", "pds5", "amis", PXS_TX},
        {"/log/tx_amis.log.2006-10-07", "pds5", "amis", PXS_TX},
        {"/log/tx_metser.log", "pds5", "metser", PXS_TX},
        {"/log/rx_ncp1.log", "pds5", "ncp1", PXS_RX},
        {"/log/pds6/tx_amis.log", "pds6", "amis", PXS_TX},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        pos.path = (char *)files[i].path;
        pos.ino = 100 + i;
        pos.machine = (char *)files[i].machine;
        pos.client = (char *)files[i].client;
        pos.ft = files[i].ft;
        pxs_positions_set(&p, &pos);
    }
    assert_int_equal(pxs_positions_save(stats, &p), 0);
    pxs_positions_free(&p);
    return 0;
}

static int teardown(void **state)
{
    char *argv[] = {"rm", "-rf", stats, NULL};
    pid_t pid = fork();

    (void)state;
    if (pid == 0) {
        execvp("rm", argv);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
    free(stats);
    return 0;
}

static int64_t time_of(const char *machine, pxs_filetype ft, const char *client)
{
    pxs_times t = {0};
    int64_t v = -1;

    assert_int_equal(pxs_times_load(stats, &t), 0);
    if (!pxs_times_get(&t, machine, ft, client, &v))
        v = -1;
    pxs_times_free(&t);
    return v;
}

static bool has_position(uint64_t ino)
{
    pxs_positions p = {0};
    bool r;

    assert_int_equal(pxs_positions_load(stats, &p), 0);
    r = pxs_positions_find(&p, 1, ino) != NULL;
    pxs_positions_free(&p);
    return r;
}

static void list(pxs_strlist *l, const char *text)
{
    pxs_strlist_init(l);
    pxs_strlist_split(l, text, ',');
}

static void test_all_of_a_machine(void **state)
{
    pxs_strlist clients, changed;

    (void)state;
    list(&clients, "All");
    pxs_strlist_init(&changed);
    /* A time within an hour goes back to the hour's start. */
    assert_int_equal(pxs_revert(stats, NULL, "pds5", PXS_REVERT_TX | PXS_REVERT_RX, &clients,
                                T0 + 2 * H + 1799, &changed), 0);
    assert_int_equal(changed.n, 3);
    assert_true(pxs_strlist_has(&changed, "pds5 tx_amis"));
    assert_true(pxs_strlist_has(&changed, "pds5 tx_metser"));
    assert_true(pxs_strlist_has(&changed, "pds5 rx_ncp1"));
    assert_int_equal(time_of("pds5", PXS_TX, "amis"), T0 + 2 * H);
    assert_int_equal(time_of("pds5", PXS_TX, "metser"), T0 + 2 * H);
    assert_int_equal(time_of("pds5", PXS_RX, "ncp1"), T0 + 2 * H);
    /* The other machine is untouched, its position kept. */
    assert_int_equal(time_of("pds6", PXS_TX, "amis"), T0 + 10 * H);
    assert_true(has_position(104));
    for (uint64_t ino = 100; ino < 104; ino++)
        assert_false(has_position(ino));
    pxs_strlist_free(&clients);
    pxs_strlist_free(&changed);
}

static void test_all_of_one_filetype(void **state)
{
    pxs_strlist clients, changed;

    (void)state;
    list(&clients, "All");
    pxs_strlist_init(&changed);
    assert_int_equal(pxs_revert(stats, NULL, "pds5", PXS_REVERT_RX, &clients, T0, &changed), 0);
    assert_int_equal(changed.n, 1);
    assert_string_equal(changed.v[0], "pds5 rx_ncp1");
    assert_int_equal(time_of("pds5", PXS_RX, "ncp1"), T0);
    assert_int_equal(time_of("pds5", PXS_TX, "amis"), T0 + 10 * H);
    assert_false(has_position(103));
    assert_true(has_position(100));
    assert_true(has_position(101));
    assert_true(has_position(102));
    pxs_strlist_free(&clients);
    pxs_strlist_free(&changed);
}

/* xasprintf into *p, freeing what *p held. */
static char *xasprintf_free(char **p, const char *fmt, const char *a)
{
    free(*p);
    *p = xasprintf(fmt, a);
    return *p;
}

static void test_named_clients(void **state)
{
    pxs_strlist clients, changed;
    char *logs, *path = NULL;

    (void)state;
    /* No -f: amis is tx, ncp1 rx (by their entries), newone rx and both
     * tx and rx (by its logs); a name of neither is an error. */
    logs = xasprintf("%s/logs", stats);
    assert_int_equal(pxs_atomic_write(xasprintf_free(&path, "%s/rx_newone.log.2006-10-07.gz", logs),
                                      "x", 1), 0);
    assert_int_equal(pxs_atomic_write(xasprintf_free(&path, "%s/tx_both.log", logs), "", 0), 0);
    assert_int_equal(pxs_atomic_write(xasprintf_free(&path, "%s/rx_both.log", logs), "", 0), 0);
    list(&clients, "nosuch");
    pxs_strlist_init(&changed);
    assert_int_equal(pxs_revert(stats, logs, "pds5", PXS_REVERT_TX | PXS_REVERT_RX, &clients, T0,
                                &changed), -1);
    assert_non_null(strstr(pxs_error(), "nosuch: nothing known of nosuch on machine pds5: no log file"));
    assert_non_null(strstr(pxs_error(), "-f tx or -f rx"));
    assert_int_equal(time_of("pds5", PXS_TX, "nosuch"), -1);
    assert_int_equal(changed.n, 0);
    pxs_strlist_free(&clients);
    list(&clients, "amis,ncp1,newone,both");
    assert_int_equal(pxs_revert(stats, logs, "pds5", PXS_REVERT_TX | PXS_REVERT_RX, &clients, T0,
                                &changed), 0);
    assert_int_equal(changed.n, 5);
    assert_int_equal(time_of("pds5", PXS_TX, "amis"), T0);
    assert_int_equal(time_of("pds5", PXS_RX, "ncp1"), T0);
    assert_int_equal(time_of("pds5", PXS_RX, "newone"), T0);
    assert_int_equal(time_of("pds5", PXS_TX, "both"), T0);
    assert_int_equal(time_of("pds5", PXS_RX, "both"), T0);
    assert_int_equal(time_of("pds5", PXS_RX, "amis"), -1);
    assert_int_equal(time_of("pds5", PXS_TX, "ncp1"), -1);
    assert_int_equal(time_of("pds5", PXS_TX, "newone"), -1);
    assert_int_equal(time_of("pds5", PXS_TX, "metser"), T0 + 10 * H);
    assert_false(has_position(100));
    assert_false(has_position(101));
    assert_true(has_position(102));
    assert_false(has_position(103));
    pxs_strlist_free(&changed);

    /* -f rx with a tx client's name creates its rx entry. */
    pxs_strlist_init(&changed);
    assert_int_equal(pxs_revert(stats, NULL, "pds5", PXS_REVERT_RX, &clients, T0 + H, &changed), 0);
    assert_int_equal(time_of("pds5", PXS_RX, "amis"), T0 + H);
    assert_int_equal(time_of("pds5", PXS_TX, "amis"), T0);
    /* A machine with nothing recorded gets the names too. */
    assert_int_equal(pxs_revert(stats, NULL, "pds9", PXS_REVERT_TX, &clients, T0, &changed), 0);
    assert_int_equal(time_of("pds9", PXS_TX, "ncp1"), T0);
    pxs_strlist_free(&clients);
    pxs_strlist_free(&changed);
    free(path);
    free(logs);
}

static void test_failures(void **state)
{
    pxs_strlist clients, changed;
    char *path;

    (void)state;
    list(&clients, "All");
    pxs_strlist_init(&changed);
    /* All on a machine without entries: said, and nothing written. */
    assert_int_equal(pxs_revert(stats, NULL, "pds9", PXS_REVERT_TX, &clients, T0, &changed), -1);
    assert_non_null(strstr(pxs_error(), "PICKLED-TIMES"));
    assert_non_null(strstr(pxs_error(), "pds9"));
    assert_int_equal(changed.n, 0);
    assert_int_equal(pxs_revert(stats, NULL, "../x", PXS_REVERT_TX, &clients, T0, &changed), -1);
    assert_non_null(strstr(pxs_error(), "../x"));
    /* A damaged state file stops the revert; the times stay as they were. */
    path = xasprintf("%s/PICKLED_FILE_POSITIONS", stats);
    assert_int_equal(pxs_atomic_write(path, "garbage\n", 8), 0);
    assert_int_equal(pxs_revert(stats, NULL, "pds5", PXS_REVERT_TX, &clients, T0, &changed), -1);
    assert_non_null(strstr(pxs_error(), "PICKLED_FILE_POSITIONS"));
    assert_int_equal(time_of("pds5", PXS_TX, "amis"), T0 + 10 * H);
    free(path);
    pxs_strlist_free(&clients);
    pxs_strlist_free(&changed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_all_of_a_machine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_of_one_filetype, setup, teardown),
        cmocka_unit_test_setup_teardown(test_named_clients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
