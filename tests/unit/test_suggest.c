/* Unit tests of suggest: the edit distance (case ignored, neighbours swapped
 * in one edit) and the limit beyond which no name is offered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pxstats/suggest.h"

static void test_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(pxs_edit_distance("emails", "emails"), 0);
    assert_int_equal(pxs_edit_distance("email", "emails"), 1);
    assert_int_equal(pxs_edit_distance("fileType", "filetype"), 0);
    assert_int_equal(pxs_edit_distance("konwn", "known"), 1);
    assert_int_equal(pxs_edit_distance("", "abc"), 3);
    assert_int_equal(pxs_edit_distance("abc", ""), 3);
    assert_int_equal(pxs_edit_distance("kitten", "sitting"), 3);
    assert_int_equal(pxs_edit_distance("ca", "abc"), 3);
    /* Too long to be a name: never near. */
    assert_int_equal(pxs_edit_distance("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "a"),
                     (unsigned)-1);
}

static void test_suggest(void **state)
{
    pxs_suggest sg;

    (void)state;
    pxs_suggest_init(&sg, "colection");
    pxs_suggest_add(&sg, "paths");
    pxs_suggest_add(&sg, "collection");
    pxs_suggest_add(&sg, "selection");
    assert_string_equal(pxs_suggest_best(&sg), "collection");
    /* The first of equally near candidates. */
    pxs_suggest_init(&sg, "ax");
    pxs_suggest_add(&sg, "tx");
    pxs_suggest_add(&sg, "rx");
    assert_string_equal(pxs_suggest_best(&sg), "tx");
    /* Too far to be a typo: a third of the word, at least one edit. */
    pxs_suggest_init(&sg, "week");
    pxs_suggest_add(&sg, "day");
    assert_null(pxs_suggest_best(&sg));
    pxs_suggest_init(&sg, "maxlatncyy");
    pxs_suggest_add(&sg, "maxLatency");
    assert_string_equal(pxs_suggest_best(&sg), "maxLatency");
    pxs_suggest_init(&sg, "x");
    assert_null(pxs_suggest_best(&sg));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_suggest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
