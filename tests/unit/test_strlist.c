/* Unit tests of strlist (comma lists: split, join, unique, sort) and strpool
 * (interning: one id per distinct string, stable across table growth). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pxstats/strlist.h"
#include "pxstats/strpool.h"
#include "pxstats/xalloc.h"

/* Asserts that l holds exactly the n strings of want, in order. */
static void expect_items(const pxs_strlist *l, const char *const *want, size_t n)
{
    assert_int_equal(l->n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(l->v[i], want[i]);
}

static void test_split(void **state)
{
    pxs_strlist l;

    (void)state;
    pxs_strlist_init(&l);
    pxs_strlist_split(&l, "a, b,c", ',');
    expect_items(&l, (const char *[]){"a", "b", "c"}, 3);
    pxs_strlist_free(&l);
    assert_null(l.v);
    assert_int_equal(l.n, 0);

    /* Spaces and tabs trimmed on both sides, inner spaces kept, empty items
     * (also all-blank ones) dropped. */
    pxs_strlist_split(&l, "  amis ,,\tpds 5\t, ,  ,x,", ',');
    expect_items(&l, (const char *[]){"amis", "pds 5", "x"}, 3);
    pxs_strlist_free(&l);

    pxs_strlist_split(&l, "", ',');
    assert_int_equal(l.n, 0);
    pxs_strlist_split(&l, ",,,", ',');
    assert_int_equal(l.n, 0);
    pxs_strlist_split(&l, "   ", ',');
    assert_int_equal(l.n, 0);
    pxs_strlist_split(&l, "single", ',');
    expect_items(&l, (const char *[]){"single"}, 1);
    pxs_strlist_free(&l);

    /* Another separator: the machine groups of the config ("a,b;c"). */
    pxs_strlist_split(&l, "pds5,pds6 ; pds7;", ';');
    expect_items(&l, (const char *[]){"pds5,pds6", "pds7"}, 2);
    pxs_strlist_free(&l);

    /* Splitting appends to what is there; duplicates are kept. */
    pxs_strlist_add(&l, "first");
    pxs_strlist_split(&l, "a,a", ',');
    expect_items(&l, (const char *[]){"first", "a", "a"}, 3);
    pxs_strlist_free(&l);
}

static void test_join(void **state)
{
    pxs_strlist l;
    char *s;

    (void)state;
    pxs_strlist_init(&l);
    s = pxs_strlist_join(&l, ", ");
    assert_string_equal(s, "");
    free(s);
    pxs_strlist_add(&l, "a");
    s = pxs_strlist_join(&l, ", ");
    assert_string_equal(s, "a");
    free(s);
    pxs_strlist_add(&l, "bb");
    pxs_strlist_add(&l, "");
    pxs_strlist_add(&l, "ccc");
    s = pxs_strlist_join(&l, ", ");
    assert_string_equal(s, "a, bb, , ccc");
    free(s);
    s = pxs_strlist_join(&l, "");
    assert_string_equal(s, "abbccc");
    free(s);
    /* join then split gives the (non-empty) items back. */
    s = pxs_strlist_join(&l, ",");
    {
        pxs_strlist back;
        pxs_strlist_init(&back);
        pxs_strlist_split(&back, s, ',');
        expect_items(&back, (const char *[]){"a", "bb", "ccc"}, 3);
        pxs_strlist_free(&back);
    }
    free(s);
    pxs_strlist_free(&l);
}

static void test_add_copies_and_unique(void **state)
{
    pxs_strlist l;
    char buf[8] = "abc";

    (void)state;
    pxs_strlist_init(&l);
    pxs_strlist_add(&l, buf);
    buf[0] = 'X'; /* the list owns a copy */
    assert_string_equal(l.v[0], "abc");
    assert_true(pxs_strlist_has(&l, "abc"));
    assert_false(pxs_strlist_has(&l, "Xbc"));
    assert_false(pxs_strlist_has(&l, "ab"));
    assert_false(pxs_strlist_has(&l, "abcd"));
    pxs_strlist_add_unique(&l, "abc");
    pxs_strlist_add_unique(&l, "ABC"); /* case matters */
    pxs_strlist_add_unique(&l, "ab");
    pxs_strlist_add_unique(&l, "ab");
    expect_items(&l, (const char *[]){"abc", "ABC", "ab"}, 3);
    pxs_strlist_add(&l, "abc"); /* plain add keeps duplicates */
    assert_int_equal(l.n, 4);
    pxs_strlist_free(&l);

    /* Growth over many items. */
    for (int i = 0; i < 5000; i++) {
        char *s = xasprintf("item%d", i % 2500);
        pxs_strlist_add_unique(&l, s);
        free(s);
    }
    assert_int_equal(l.n, 2500);
    assert_string_equal(l.v[2499], "item2499");
    pxs_strlist_free(&l);
}

static void test_sort(void **state)
{
    pxs_strlist l;

    (void)state;
    pxs_strlist_init(&l);
    pxs_strlist_sort(&l); /* empty: fine */
    pxs_strlist_add(&l, "only");
    pxs_strlist_sort(&l);
    expect_items(&l, (const char *[]){"only"}, 1);
    pxs_strlist_free(&l);

    pxs_strlist_split(&l, "pds6,amis,Zeta,pds10,a,pds5,_x,amis2,-", ',');
    pxs_strlist_sort(&l);
    /* strcmp order: '-' < digits < upper < '_' < lower. */
    expect_items(&l, (const char *[]){"-", "Zeta", "_x", "a", "amis", "amis2", "pds10", "pds5",
                                      "pds6"},
                 9);
    pxs_strlist_free(&l);
}

static void test_pool_basics(void **state)
{
    pxs_strpool p;
    uint32_t a, b, c, e;

    (void)state;
    pxs_strpool_init(&p);
    a = pxs_strpool_intern(&p, "SACN31", 6);
    b = pxs_strpool_intern(&p, "SACN32", 6);
    assert_int_not_equal(a, b);
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    assert_int_equal(pxs_strpool_intern(&p, "SACN31", 6), a);
    /* Not NUL-terminated input: only len bytes. */
    c = pxs_strpool_intern(&p, "SACN31_CWAO", 6);
    assert_int_equal(c, a);
    assert_string_equal(pxs_strpool_get(&p, a), "SACN31");
    assert_string_equal(pxs_strpool_get(&p, b), "SACN32");
    /* Empty string: an id of its own, distinct from the others, stable. */
    e = pxs_strpool_intern(&p, "", 0);
    assert_int_not_equal(e, a);
    assert_int_not_equal(e, b);
    assert_int_equal(pxs_strpool_intern(&p, "x", 0), e);
    assert_string_equal(pxs_strpool_get(&p, e), "");
    assert_int_equal(p.n, 3);
    /* An unknown id reads as "". */
    assert_string_equal(pxs_strpool_get(&p, 12345), "");
    pxs_strpool_free(&p);
    assert_int_equal(p.n, 0);
    assert_null(p.buf);
}

static void test_pool_prefixes(void **state)
{
    static const char *words[] = {"", "a", "ab", "abc", "abcd", "abcde", "b", "ba", "bab"};
    const size_t nw = sizeof words / sizeof words[0];
    uint32_t ids[sizeof words / sizeof words[0]];
    pxs_strpool p;

    (void)state;
    pxs_strpool_init(&p);
    /* Longest first, then shortest first: prefixes must never match. */
    for (size_t i = nw; i-- > 0;)
        ids[i] = pxs_strpool_intern(&p, words[i], strlen(words[i]));
    for (size_t i = 0; i < nw; i++) {
        assert_int_equal(pxs_strpool_intern(&p, words[i], strlen(words[i])), ids[i]);
        assert_string_equal(pxs_strpool_get(&p, ids[i]), words[i]);
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(ids[i], ids[j]);
    }
    assert_int_equal(p.n, nw);
    pxs_strpool_free(&p);
}

static void test_pool_many(void **state)
{
    enum { N = 50000 };
    pxs_strpool p;
    uint32_t *ids = xcalloc(N, sizeof *ids);

    (void)state;
    pxs_strpool_init(&p);
    for (int i = 0; i < N; i++) {
        char *s = xasprintf("SACN%d_CWAO_%d:file:CWAO", i, i * 7);
        ids[i] = pxs_strpool_intern(&p, s, strlen(s));
        assert_int_equal(ids[i], (uint32_t)i); /* ids are dense and in order */
        free(s);
    }
    assert_int_equal(p.n, N);
    /* Every string is found again with its id after the table grew many
     * times, and reads back unchanged. */
    for (int i = N; i-- > 0;) {
        char *s = xasprintf("SACN%d_CWAO_%d:file:CWAO", i, i * 7);
        assert_int_equal(pxs_strpool_intern(&p, s, strlen(s)), ids[i]);
        assert_string_equal(pxs_strpool_get(&p, ids[i]), s);
        free(s);
    }
    assert_int_equal(p.n, N);
    /* The table stays at most half full. */
    assert_true(p.nslots >= 2u * p.n);
    pxs_strpool_free(&p);
    free(ids);
}

static void test_sort_unique(void **state)
{
    pxs_strlist l;

    (void)state;
    pxs_strlist_init(&l);
    pxs_strlist_sort_unique(&l); /* empty: fine */
    pxs_strlist_split(&l, "b,a,b,c,a,a,ab,b", ',');
    pxs_strlist_sort_unique(&l);
    expect_items(&l, (const char *[]){"a", "ab", "b", "c"}, 4);
    pxs_strlist_sort_unique(&l);
    expect_items(&l, (const char *[]){"a", "ab", "b", "c"}, 4);
    pxs_strlist_free(&l);
}

/* find: what intern gave, never a prefix, nothing added. */
static void test_pool_find(void **state)
{
    pxs_strpool p;
    uint32_t id = 99;

    (void)state;
    pxs_strpool_init(&p);
    assert_false(pxs_strpool_find(&p, "a", 1, &id)); /* empty pool, no table */
    assert_int_equal(id, 99);
    for (int i = 0; i < 1000; i++) {
        char *s = xasprintf("k%d", i);
        pxs_strpool_intern(&p, s, strlen(s));
        free(s);
    }
    for (int i = 0; i < 1000; i++) {
        char *s = xasprintf("k%d", i);
        assert_true(pxs_strpool_find(&p, s, strlen(s), &id));
        assert_int_equal(id, (uint32_t)i);
        free(s);
    }
    assert_false(pxs_strpool_find(&p, "k", 1, &id));
    assert_false(pxs_strpool_find(&p, "k1000", 5, &id));
    assert_true(pxs_strpool_find(&p, "k10000", 3, &id)); /* len bytes only: "k10" */
    assert_int_equal(id, 10);
    assert_int_equal(p.n, 1000);
    pxs_strpool_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_sort_unique),
        cmocka_unit_test(test_pool_find),
        cmocka_unit_test(test_add_copies_and_unique),
        cmocka_unit_test(test_sort),
        cmocka_unit_test(test_pool_basics),
        cmocka_unit_test(test_pool_prefixes),
        cmocka_unit_test(test_pool_many),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
