/* Unit tests of dbupdates: the DATABASE-UPDATES files, their text form, the
 * epoch form of the original, damage, and the clients of a machine group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/atomicfile.h"
#include "pxstats/dbupdates.h"
#include "pxstats/msg.h"
#include "pxstats/spawn.h"
#include "pxstats/xalloc.h"

#define T0 1160265600   /* 2006-10-08 00:00:00 */

static char *stats;

static int setup(void **state)
{
    (void)state;
    stats = xstrdup("/tmp/pxs-test-dbupdates.XXXXXX");
    assert_non_null(mkdtemp(stats));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *argv[] = {"rm", "-rf", stats, NULL};
    pxs_spawn(argv, NULL);
    free(stats);
    return 0;
}

static void test_roundtrip(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_int_equal(pxs_dbupdates_get(stats, PXS_TX, "amis", "pds5pds6", &t), 0);
    assert_int_equal(pxs_dbupdates_set(stats, PXS_TX, "amis", "pds5pds6", T0 + 3600), 0);
    assert_int_equal(pxs_dbupdates_get(stats, PXS_TX, "amis", "pds5pds6", &t), 1);
    assert_int_equal(t, T0 + 3600);
    /* Text an operator can read, under the documented name. */
    char *path = xasprintf("%s/DATABASE-UPDATES/tx/amis_pds5pds6", stats);
    size_t len;
    char *text = pxs_read_file(path, &len);
    assert_non_null(text);
    assert_int_equal(strncmp(text, "2006-10-08 01:00:00\n", 20), 0);
    char *p2 = pxs_dbupdates_path(stats, PXS_TX, "amis", "pds5pds6");
    assert_string_equal(p2, path);
    /* rx is a separate tree. */
    assert_int_equal(pxs_dbupdates_get(stats, PXS_RX, "amis", "pds5pds6", &t), 0);
    free(text);
    free(path);
    free(p2);
}

static void test_epoch_and_damage(void **state)
{
    (void)state;
    char *path = pxs_dbupdates_path(stats, PXS_RX, "ncp1", "pds5");
    int64_t t = 0;
    assert_int_equal(pxs_atomic_write(path, "1160269200.0\n", 13), 0);
    assert_int_equal(pxs_dbupdates_get(stats, PXS_RX, "ncp1", "pds5", &t), 1);
    assert_int_equal(t, T0 + 3600);
    assert_int_equal(pxs_atomic_write(path, "soon\n", 5), 0);
    assert_int_equal(pxs_dbupdates_get(stats, PXS_RX, "ncp1", "pds5", &t), -1);
    assert_non_null(strstr(pxs_error(), path));
    assert_int_equal(pxs_atomic_write(path, "", 0), 0);
    assert_int_equal(pxs_dbupdates_get(stats, PXS_RX, "ncp1", "pds5", &t), -1);
    assert_int_equal(pxs_atomic_write(path, "-5", 2), 0);
    assert_int_equal(pxs_dbupdates_get(stats, PXS_RX, "ncp1", "pds5", &t), -1);
    /* A directory in the way of the file: an error, not "absent". */
    assert_int_equal(unlink(path), 0);
    assert_int_equal(pxs_mkdirs(path), 0);
    assert_int_equal(pxs_dbupdates_get(stats, PXS_RX, "ncp1", "pds5", &t), -1);
    assert_int_equal(pxs_dbupdates_set(stats, PXS_RX, "ncp1", "pds5", T0), -1);
    free(path);
}

static void test_clients(void **state)
{
    (void)state;
    assert_int_equal(pxs_dbupdates_set(stats, PXS_TX, "amis", "pds5pds6", T0), 0);
    assert_int_equal(pxs_dbupdates_set(stats, PXS_TX, "west_coast", "pds5pds6", T0), 0);
    assert_int_equal(pxs_dbupdates_set(stats, PXS_TX, "metser", "pds5", T0), 0);
    assert_int_equal(pxs_dbupdates_set(stats, PXS_TX, "bob", "xpds5pds6", T0), 0);
    assert_int_equal(pxs_dbupdates_set(stats, PXS_RX, "ncp1", "pds5pds6", T0), 0);
    pxs_strlist l;
    pxs_strlist_init(&l);
    assert_int_equal(pxs_dbupdates_clients(stats, PXS_TX, "pds5pds6", &l), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0], "amis");
    assert_string_equal(l.v[1], "west_coast");
    pxs_strlist_free(&l);
    pxs_strlist_init(&l);
    assert_int_equal(pxs_dbupdates_clients(stats, PXS_TX, "pds5", &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0], "metser");
    pxs_strlist_free(&l);
    pxs_strlist_init(&l);
    assert_int_equal(pxs_dbupdates_clients(stats, PXS_RX, "nowhere", &l), 0);
    assert_int_equal(l.n, 0);
    pxs_strlist_free(&l);
    /* A file where the directory should be. */
    char *dir = xasprintf("%s/x", stats);
    char *f = xasprintf("%s/DATABASE-UPDATES/tx", dir);
    assert_int_equal(pxs_atomic_write(f, "x", 1), 0);
    char *sub = xasprintf("%s/DATABASE-UPDATES", dir);
    pxs_strlist_init(&l);
    assert_int_equal(pxs_dbupdates_clients(dir, PXS_TX, "pds5", &l), -1);
    pxs_strlist_free(&l);
    free(dir);
    free(f);
    free(sub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_epoch_and_damage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clients, setup, teardown),
    };
    pxs_set_progname("test_dbupdates");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
