/* Unit tests of names: which client, source and machine names are accepted
 * (they become path components and remote arguments), the message of a
 * refusal, and the tx/rx file type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pxstats/msg.h"
#include "pxstats/names.h"

static void test_valid_names(void **state)
{
    static const char *good[] = {
        "a", "Z", "0", "amis", "pds5", "pds-5", "cmc_mirror", "host.domain.ca", "a.b-c_d",
        "x.", "x-", "x_", "_leading_underscore", "0start", "UPPER", "a..b", "ABCxyz0189",
    };

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (!pxs_name_valid(good[i]))
            fail_msg("'%s' should be valid", good[i]);
        if (pxs_name_check("client", good[i]) != 0)
            fail_msg("pxs_name_check refused '%s': %s", good[i], pxs_error());
    }
}

static void test_invalid_names(void **state)
{
    static const char *bad[] = {
        "", "../x", "..", ".", "a/b", "/abs", "x/", ".hidden", "-rf", "--help", "a b", " a",
        "a ", "a\tb", "'q'", "\"q\"", "a;b", ";", "$(reboot)", "a$b", "`id`", "a`b", "a\nb",
        "\n", "a\\b", "a*", "a?", "[a]", "a|b", "a&b", "a>b", "a<b", "a:b", "a,b", "a=b",
        "a~", "~a", "a#b", "a!b", "a%b", "a@b", "a+b", "(a)", "{a}",
        "caf\xc3\xa9",           /* UTF-8 e acute */
        "\xe6\x97\xa5\xe6\x9c\xac", /* UTF-8 CJK */
        "a\xff",                 /* stray high byte */
        "a\x01",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (pxs_name_valid(bad[i]))
            fail_msg("'%s' should be invalid", bad[i]);
        if (pxs_name_check("client", bad[i]) != -1)
            fail_msg("pxs_name_check accepted '%s'", bad[i]);
    }
    assert_false(pxs_name_valid(NULL));
}

/* Every byte, in the middle, first and last place, against the documented
 * set (letters, digits, '.', '_', '-'; not '.' or '-' first). */
static void test_every_byte(void **state)
{
    (void)state;
    for (int c = 1; c < 256; c++) {
        bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '_' || c == '-';
        bool first_ok = allowed && c != '.' && c != '-';
        char mid[4] = {'a', (char)c, 'b', '\0'}, first[3] = {(char)c, 'b', '\0'},
             last[3] = {'a', (char)c, '\0'}, alone[2] = {(char)c, '\0'};
        if (pxs_name_valid(mid) != allowed)
            fail_msg("byte 0x%02x in the middle: %d", c, !allowed);
        if (pxs_name_valid(last) != allowed)
            fail_msg("byte 0x%02x last: %d", c, !allowed);
        if (pxs_name_valid(first) != first_ok)
            fail_msg("byte 0x%02x first: %d", c, !first_ok);
        if (pxs_name_valid(alone) != first_ok)
            fail_msg("byte 0x%02x alone: %d", c, !first_ok);
    }
}

static void test_length_limit(void **state)
{
    char name[PXS_NAME_MAX + 2];

    (void)state;
    assert_int_equal(PXS_NAME_MAX, 128);
    memset(name, 'a', sizeof name);
    name[PXS_NAME_MAX] = '\0';
    assert_int_equal(strlen(name), 128);
    assert_true(pxs_name_valid(name));
    assert_int_equal(pxs_name_check("machine", name), 0);
    name[PXS_NAME_MAX] = 'a';
    name[PXS_NAME_MAX + 1] = '\0';
    assert_int_equal(strlen(name), 129);
    assert_false(pxs_name_valid(name));
    assert_int_equal(pxs_name_check("machine", name), -1);
    assert_non_null(strstr(pxs_error(), "unsafe machine name 'aaaa"));
    assert_non_null(strstr(pxs_error(), "too long"));
}

/* The message is "unsafe <what> name '<name>': <reason>". */
static void expect_message(const char *what, const char *name, const char *reason)
{
    char want[512];

    assert_int_equal(pxs_name_check(what, name), -1);
    snprintf(want, sizeof want, "unsafe %s name '%s': %s", what, name, reason);
    assert_string_equal(pxs_error(), want);
}

static void test_messages(void **state)
{
    (void)state;
    expect_message("client", "", "empty");
    expect_message("source", ".hidden", "starts with '.'");
    expect_message("machine", "-rf", "starts with '-'");
    expect_message("client", "../x", "starts with '.'");
    expect_message("client", "a/b", "only letters, digits, '.', '_' and '-' are allowed");
    expect_message("client", "$(reboot)", "only letters, digits, '.', '_' and '-' are allowed");
    expect_message("client", "a b", "only letters, digits, '.', '_' and '-' are allowed");
    /* NULL is refused, not a crash. */
    assert_int_equal(pxs_name_check("client", NULL), -1);
    assert_string_equal(pxs_error(), "unsafe client name '': missing");
    /* A valid name leaves the previous error alone and returns 0. */
    assert_int_equal(pxs_name_check("client", "ok"), 0);
    assert_string_equal(pxs_error(), "unsafe client name '': missing");
}

static void test_filetype(void **state)
{
    pxs_filetype ft = PXS_RX;

    (void)state;
    assert_int_equal(PXS_TX, 0);
    assert_int_equal(PXS_RX, 1);
    assert_string_equal(pxs_filetype_name(PXS_TX), "tx");
    assert_string_equal(pxs_filetype_name(PXS_RX), "rx");
    assert_int_equal(pxs_filetype_parse("tx", &ft), 0);
    assert_int_equal(ft, PXS_TX);
    assert_int_equal(pxs_filetype_parse("rx", &ft), 0);
    assert_int_equal(ft, PXS_RX);

    static const char *bad[] = {"", "TX", "Rx", "t", "txx", " tx", "tx ", "both", "All"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[128];
        ft = PXS_RX;
        if (pxs_filetype_parse(bad[i], &ft) != -1)
            fail_msg("pxs_filetype_parse accepted '%s'", bad[i]);
        assert_int_equal(ft, PXS_RX); /* untouched */
        snprintf(want, sizeof want, "file type must be tx or rx, not '%s'", bad[i]);
        assert_string_equal(pxs_error(), want);
    }
}

static void test_groups_parse(void **state)
{
    pxs_strlist g;
    (void)state;
    pxs_strlist_init(&g);
    assert_int_equal(pxs_groups_parse(" pds5 , pds6 ;pxatx;; ", &g), 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.v[0], "pds5,pds6");
    assert_string_equal(g.v[1], "pxatx");
    pxs_strlist_free(&g);
    /* A machine named twice, in one group or in two, is refused (issue 13):
     * "m1,m1" would merge the same snapshots twice. So is a group repeated,
     * and two groups making the same merged name. */
    static const char *const dup[] = {"m1,m1", "m1, m1", "m1,m2,m1", "m1;m1", "m1,m2;m2",
                                      "pds5,pds6;pxatx; pds5,pds6", "a,bc;ab,c", "ab;a,b"};
    for (size_t i = 0; i < sizeof dup / sizeof dup[0]; i++) {
        pxs_strlist_init(&g);
        if (pxs_groups_parse(dup[i], &g) != -1)
            fail_msg("'%s' was accepted", dup[i]);
        assert_true(strstr(pxs_error(), "twice") != NULL || strstr(pxs_error(), "same merged") != NULL);
        pxs_strlist_free(&g);
    }
    pxs_strlist_init(&g);
    assert_int_equal(pxs_groups_parse("m1,m1", &g), -1);
    assert_string_equal(pxs_error(), "machine 'm1' named twice in 'm1,m1'");
    pxs_strlist_free(&g);
    assert_int_equal(pxs_machines_parse(" pds5,pds6 ", &g), 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.v[1], "pds6");
    pxs_strlist_free(&g);
    assert_int_equal(pxs_machines_parse("pds5,pds6,pds5", &g), -1);
    assert_non_null(strstr(pxs_error(), "'pds5' named twice"));
    pxs_strlist_free(&g);
    assert_int_equal(pxs_machines_parse("pds5,../x", &g), -1);
    assert_non_null(strstr(pxs_error(), "../x"));
    pxs_strlist_free(&g);
    assert_int_equal(pxs_groups_parse("a;b/c", &g), -1);
    assert_non_null(strstr(pxs_error(), "b/c"));
    pxs_strlist_free(&g);
    assert_int_equal(pxs_groups_parse("", &g), 0);
    assert_int_equal(g.n, 0);
    pxs_strlist_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups_parse),
        cmocka_unit_test(test_valid_names),
        cmocka_unit_test(test_invalid_names),
        cmocka_unit_test(test_every_byte),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_filetype),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
