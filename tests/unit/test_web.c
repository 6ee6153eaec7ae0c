/* Unit tests of web (pages, escaping), webimages (the image tree plan and
 * the daily copies) and launch (the hourly cycle's plan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/config.h"
#include "pxstats/launch.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/spawn.h"
#include "pxstats/web.h"
#include "pxstats/webimages.h"
#include "pxstats/xalloc.h"

static int64_t at(const char *iso)
{
    int64_t t;
    assert_true(pxs_parse_iso(iso, strlen(iso), &t));
    return t;
}

/* A fresh temporary directory (the stats root of a test). */
static char *tmpdir(void)
{
    char *d = xstrdup("/tmp/pxs-test-web.XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static void rmtree(const char *d)
{
    char *argv[] = {"rm", "-rf", (char *)d, NULL};
    assert_int_equal(pxs_spawn_wait(pxs_spawn_bg(argv)), 0);
}

static void touch(const char *dir, const char *rel, const char *content)
{
    char *p = xasprintf("%s/%s", dir, rel);
    assert_int_equal(pxs_atomic_write(p, content, strlen(content)), 0);
    free(p);
}

static void mkdir_in(const char *dir, const char *rel)
{
    char *p = xasprintf("%s/%s", dir, rel);
    assert_int_equal(pxs_mkdirs(p), 0);
    free(p);
}

static int exists(const char *dir, const char *rel)
{
    struct stat st;
    char *p = xasprintf("%s/%s", dir, rel);
    int ok = stat(p, &st) == 0;
    free(p);
    return ok;
}

/* Renders a page of period p into a fresh string. */
static char *render(const char *statsdir, pxs_period p, int64_t now, const pxs_web_names *n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    if (p == PXS_NPERIODS)
        assert_int_equal(pxs_web_render_index(fp, now, n), 0);
    else
        assert_int_equal(pxs_web_render(fp, statsdir, p, now, n), 0);
    fclose(fp);
    return buf;
}

static void test_escape(void **state)
{
    (void)state;
    char *s = pxs_html_escape("a<b>&c\"d'e");
    assert_string_equal(s, "a&lt;b&gt;&amp;c&quot;d&#39;e");
    free(s);
    s = pxs_html_escape("");
    assert_string_equal(s, "");
    free(s);
    s = pxs_html_escape("<script>alert('x')</script>\x01\x1b[31m\x7f\tok\n");
    assert_string_equal(s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;??[31m?\tok\n");
    free(s);
    s = pxs_url_segment("amis-1.x_y~");
    assert_string_equal(s, "amis-1.x_y~");
    free(s);
    s = pxs_url_segment("a b<&\"/é");
    assert_string_equal(s, "a%20b%3C%26%22%2F%C3%A9");
    free(s);
}

/* A hostile name reaches the page only escaped, in text and in URLs. */
static void test_render_escapes_names(void **state)
{
    (void)state;
    char *d = tmpdir();
    const char *evil = "<x&\"y'>";
    char *rel = xasprintf("webGraphics/weekly/latency/%s/47.png", evil);
    touch(d, rel, "png");
    free(rel);
    pxs_web_names n;
    pxs_web_names_init(&n);
    pxs_strlist_add(&n.tx, evil);
    pxs_strlist_add(&n.rx, "ncp1");
    char *page = render(d, PXS_WEEKLY, at("2026-11-25 10:30:00"), &n);
    assert_null(strstr(page, evil));
    assert_null(strstr(page, "<x"));
    assert_non_null(strstr(page, "&lt;x&amp;&quot;y&#39;&gt;"));
    assert_non_null(strstr(page, "href=\"../webGraphics/weekly/latency/%3Cx%26%22y%27%3E/47.png\""));
    /* the rx section comes first, and rx has no latency column */
    char *rx = strstr(page, "RX sources"), *tx = strstr(page, "TX clients");
    assert_non_null(rx);
    assert_non_null(tx);
    assert_true(rx < tx);
    assert_null(strstr(rx, "Latency") < tx ? strstr(rx, "Latency") : NULL);
    assert_non_null(strstr(tx, "<th scope=\"col\">Files Over Maximum Latency</th>"));
    free(page);
    pxs_web_names_free(&n);
    rmtree(d);
    free(d);
}

/* Present images are links, absent ones grey labels; periods oldest first. */
static void test_render_links_and_missing(void **state)
{
    (void)state;
    char *d = tmpdir();
    touch(d, "webGraphics/daily/amis/Sat.png", "png");
    touch(d, "webGraphics/monthly/bytecount/amis/Oct.png", "png");
    pxs_web_names n;
    pxs_web_names_init(&n);
    pxs_strlist_add(&n.tx, "amis");
    /* 00:10 on Sunday: the latest day is Saturday (its graph ends at 00:00) */
    char *page = render(d, PXS_DAILY, at("2026-11-29 00:10:00"), &n);
    assert_non_null(strstr(page, "<!DOCTYPE html>"));
    assert_non_null(strstr(page, "<a href=\"../webGraphics/daily/amis/Sat.png\">Sat 28 Nov</a>"));
    assert_non_null(strstr(page, "<img class=\"latest\" src=\"../webGraphics/daily/amis/Sat.png\""));
    assert_non_null(strstr(page, "<span class=\"missing\" title=\"no image\">Fri 27 Nov</span>"));
    assert_non_null(strstr(page, "Sun 22 Nov"));
    assert_null(strstr(page, "Sun 29 Nov"));
    assert_true(strstr(page, "Sun 22 Nov") < strstr(page, "Sat 28 Nov"));
    assert_non_null(strstr(page, "<p>No RX source.</p>"));
    free(page);
    page = render(d, PXS_MONTHLY, at("2026-11-29 00:10:00"), &n);
    assert_non_null(strstr(page, "<a href=\"../webGraphics/monthly/bytecount/amis/Oct.png\">Oct 2026</a>"));
    assert_non_null(strstr(page, "<span class=\"missing\" title=\"no image\">Sep 2026</span>"));
    assert_null(strstr(page, "Aug 2026"));
    free(page);
    page = render(d, PXS_NPERIODS, at("2026-11-29 00:10:00"), &n);
    assert_non_null(strstr(page, "0 RX sources, 1 TX clients."));
    assert_non_null(strstr(page, "href=\"yearlyGraphs.html\""));
    free(page);
    pxs_web_names_free(&n);
    rmtree(d);
    free(d);
}

static void test_periods(void **state)
{
    (void)state;
    char b[32];
    int64_t ref = pxs_web_ref_time(at("2026-01-01 00:30:00"));
    /* at 00:30 on January 1st the current day, month and year are the old ones */
    assert_string_equal(pxs_period_label(PXS_YEARLY, ref, b, sizeof b), "2025");
    assert_string_equal(pxs_period_label(PXS_MONTHLY, ref, b, sizeof b), "Dec");
    assert_string_equal(pxs_period_label(PXS_DAILY, ref, b, sizeof b), "Wed");
    ref = pxs_web_ref_time(at("2026-02-10 13:00:00"));
    assert_string_equal(pxs_period_label(PXS_MONTHLY, pxs_period_back(PXS_MONTHLY, ref, 2), b,
                                         sizeof b), "Dec");
    assert_string_equal(pxs_period_label(PXS_YEARLY, pxs_period_back(PXS_YEARLY, ref, 2), b,
                                         sizeof b), "2024");
    /* %W: weeks start on Monday; 2026-02-09 is a Monday of week 06 */
    assert_string_equal(pxs_period_label(PXS_WEEKLY, ref, b, sizeof b), "06");
    assert_string_equal(pxs_period_label(PXS_WEEKLY, pxs_period_back(PXS_WEEKLY, ref, 4), b,
                                         sizeof b), "02");
    assert_int_equal(pxs_period_count(PXS_DAILY), 7);
    assert_int_equal(pxs_period_count(PXS_WEEKLY), 5);
    assert_int_equal(pxs_period_count(PXS_YEARLY), 3);
    const char *const *types, *const *titles;
    assert_int_equal(pxs_web_types(0, &types, &titles), 3);
    assert_string_equal(types[0], "bytecount");
    assert_string_equal(titles[2], "Errors");
    assert_int_equal(pxs_web_types(1, &types, &titles), 5);
    assert_string_equal(types[1], "filesOverMaxLatency");
}

static void test_names_load(void **state)
{
    (void)state;
    char *d = tmpdir();
    mkdir_in(d, "pickles/amis/20261128/tx");
    mkdir_in(d, "pickles/ncp1/20261128/rx");
    mkdir_in(d, "pickles/both/20261127/tx");
    mkdir_in(d, "pickles/both/20261128/rx");
    touch(d, "webGraphics/weekly/latency/oldtx/40.png", "png");
    touch(d, "webGraphics/yearly/errors/oldrx/2025.png", "png");
    touch(d, "webGraphics/columbo/onlyday.png", "png");
    touch(d, "webGraphics/columbo/not a name.png", "png");
    pxs_web_names n;
    pxs_web_names_init(&n);
    assert_int_equal(pxs_web_names_load(d, &n), 0);
    char *tx = pxs_strlist_join(&n.tx, ","), *rx = pxs_strlist_join(&n.rx, ",");
    assert_string_equal(tx, "amis,both,oldtx,onlyday");
    assert_string_equal(rx, "both,ncp1,oldrx");
    free(tx);
    free(rx);
    pxs_web_names_free(&n);
    rmtree(d);
    free(d);
}

static void test_write_atomic_and_failure(void **state)
{
    (void)state;
    char *d = tmpdir();
    pxs_web_names n;
    pxs_web_names_init(&n);
    pxs_strlist_add(&n.rx, "ncp1");
    for (int p = 0; p <= PXS_NPERIODS; p++)
        assert_int_equal(pxs_web_write(d, (pxs_period)p, at("2026-11-29 10:00:00"), &n), 0);
    assert_true(exists(d, "webPages/index.html"));
    assert_true(exists(d, "webPages/yearlyGraphs.html"));
    size_t len;
    char *p = xasprintf("%s/webPages/weeklyGraphs.html", d);
    char *text = pxs_read_file(p, &len);
    assert_non_null(text);
    assert_non_null(strstr(text, "</html>\n"));
    free(text);
    free(p);
    /* webPages is a file: the page cannot be written, the error names it */
    char *bad = tmpdir();
    touch(bad, "webPages", "not a directory");
    assert_int_equal(pxs_web_write(bad, PXS_DAILY, at("2026-11-29 10:00:00"), &n), -1);
    assert_non_null(strstr(pxs_error(), "webPages"));
    pxs_web_names_free(&n);
    rmtree(d);
    rmtree(bad);
    free(d);
    free(bad);
}

static void test_images_plan(void **state)
{
    (void)state;
    char *d = tmpdir();
    /* a new installation: every span is due, whatever the hour */
    assert_int_equal(pxs_webimages_plan(d, at("2026-11-25 13:00:00"), false), PXS_IMG_ALL);
    /* a span whose folder exists but whose last drawing failed is still due */
    mkdir_in(d, "webGraphics/weekly");
    mkdir_in(d, "webGraphics/monthly");
    mkdir_in(d, "webGraphics/yearly");
    assert_int_equal(pxs_webimages_plan(d, at("2026-11-25 13:00:00"), false), PXS_IMG_ALL);
    touch(d, "webGraphics/weekly/.drawn", "2026-11-25 12:00:00");
    touch(d, "webGraphics/monthly/.drawn", "2026-11-25 12:00:00");
    touch(d, "webGraphics/yearly/.drawn", "2026-11-25 12:00:00");
    assert_int_equal(pxs_webimages_plan(d, at("2026-11-25 13:20:00"), false), 0);
    assert_int_equal(pxs_webimages_plan(d, at("2026-11-25 14:00:00"), false), PXS_IMG_WEEK);
    assert_int_equal(pxs_webimages_plan(d, at("2026-11-25 00:59:59"), false), PXS_IMG_ALL);
    assert_int_equal(pxs_webimages_plan(d, at("2026-11-25 13:00:00"), true), PXS_IMG_ALL);
    rmtree(d);
    free(d);
}

static void test_images_daily(void **state)
{
    (void)state;
    char *d = tmpdir();
    touch(d, "webGraphics/columbo/amis.png", "AMIS");
    touch(d, "webGraphics/columbo/ncp1.png", "NCP1");
    touch(d, "webGraphics/columbo/-bad.png", "BAD");
    touch(d, "webGraphics/columbo/notes.txt", "x");
    int copied = -1;
    /* Monday 00:30: the graph is Sunday's */
    assert_int_equal(pxs_webimages_daily(d, at("2026-11-30 00:30:00"), &copied), 0);
    assert_int_equal(copied, 2);
    size_t len;
    char *p = xasprintf("%s/webGraphics/daily/amis/Sun.png", d);
    char *text = pxs_read_file(p, &len);
    assert_non_null(text);
    assert_string_equal(text, "AMIS");
    free(text);
    free(p);
    assert_true(exists(d, "webGraphics/daily/ncp1/Sun.png"));
    assert_false(exists(d, "webGraphics/daily/-bad"));
    assert_false(exists(d, "webGraphics/daily/notes.txt"));
    /* a daily folder that cannot be made: reported, the others still copied */
    touch(d, "webGraphics/daily/ncp1x", "file in the way");
    touch(d, "webGraphics/columbo/ncp1x.png", "X");
    assert_int_equal(pxs_webimages_daily(d, at("2026-11-30 05:00:00"), &copied), 1);
    assert_int_equal(copied, 2);
    assert_true(exists(d, "webGraphics/daily/amis/Mon.png"));
    rmtree(d);
    free(d);
}

static const char conf_text[] =
    "[graphics]\n"
    "logFilesMachines = pds5, pds6; pxatx\n"
    "picklingMachines = logan1;here;logan1\n"
    "picklingMachineLogins = pds;pds;px\n"
    "localMachines = here\n"
    "[databases]\nmachineNames = pds5,pds6;pxatx\n"
    "[uploads]\nmachineNames = lvs1\nlogins = pds\ndirectory = /srv/graphs\n";

static int count_kind(const pxs_plan *p, pxs_step_kind k, const char *prog)
{
    int n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->v[i].kind == k && (!prog || (p->v[i].argv.n && strstr(p->v[i].argv.v[0], prog))))
            n++;
    return n;
}

static void test_launch_plan(void **state)
{
    (void)state;
    pxs_config cfg = {0};
    pxs_plan plan;
    assert_int_equal(pxs_config_parse(&cfg, conf_text, "test.conf"), 0);
    pxs_launch_opts o = {.cfg = &cfg, .now = at("2026-11-29 12:08:00"), .root = "/r"};
    assert_int_equal(pxs_launch_plan(&o, &plan), 0);
    /* pds5 and pxatx are pickled on logan1 (remote), pds6 here */
    assert_int_equal(count_kind(&plan, PXS_STEP_REMOTE, "statsUpdater"), 4);
    assert_int_equal(count_kind(&plan, PXS_STEP_LOCAL, "statsUpdater"), 2);
    assert_int_equal(count_kind(&plan, PXS_STEP_LOCAL, "pickleSync"), 1);  /* logan1 once */
    assert_int_equal(count_kind(&plan, PXS_STEP_LOCAL, "pickleMerge"), 2); /* rx, tx of pds5,pds6 */
    assert_int_equal(count_kind(&plan, PXS_STEP_LOCAL, "rrdTransfer"), 4);
    assert_int_equal(count_kind(&plan, PXS_STEP_LOCAL, "graphGen"), 2);
    assert_int_equal(count_kind(&plan, PXS_STEP_LOCAL, "webPages"), 2);
    assert_int_equal(count_kind(&plan, PXS_STEP_UPLOAD, NULL), 1);
    assert_int_equal(count_kind(&plan, PXS_STEP_LOCAL, "statsMonitor"), 1);  /* 12h */
    /* the first step: remote, no local --root, the log machine named */
    const pxs_step *s = &plan.v[0];
    assert_int_equal(s->kind, PXS_STEP_REMOTE);
    assert_string_equal(s->host, "logan1");
    assert_string_equal(s->login, "pds");
    char *cmd = pxs_strlist_join(&s->argv, " ");
    assert_string_equal(cmd, "statsUpdater -f rx -m pds5 -d 2026-11-29 12:00:00");
    free(cmd);
    /* local steps carry --root */
    assert_true(plan.v[2].kind == PXS_STEP_LOCAL);
    assert_string_equal(plan.v[2].argv.v[1], "--root");
    char *out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    pxs_plan_print(&plan, fp);
    fclose(fp);
    assert_non_null(strstr(out, "[pds@logan1] statsUpdater -f rx -m pds5 -d '2026-11-29 12:00:00'\n"));
    assert_non_null(strstr(out, "upload webGraphics/columbo/*.png to pds@lvs1:/srv/graphs\n"));
    free(out);
    pxs_plan_free(&plan);
    /* 13h: no monitor */
    o.now = at("2026-11-29 13:08:00");
    assert_int_equal(pxs_launch_plan(&o, &plan), 0);
    assert_int_equal(count_kind(&plan, PXS_STEP_LOCAL, "statsMonitor"), 0);
    pxs_plan_free(&plan);
    pxs_config_free(&cfg);
}

static void test_launch_plan_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "[graphics]\nlogFilesMachines = a,b\npicklingMachines = p\n",
        "[graphics]\nlogFilesMachines = a;../b\npicklingMachines = p;p\n",
        "[graphics]\nlogFilesMachines = a\npicklingMachines = p\nmonitorHours = 25\n",
        "[graphics]\nlogFilesMachines = a\npicklingMachines = p\n[uploads]\nmachineNames = u;v\nlogins = x\n",
        "[graphics]\npicklingMachines = p\n",
    };
    static const char *const what[] = {"picklingMachines", "machine", "monitorHours", "logins",
                                       "logFilesMachines"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        pxs_config cfg = {0};
        pxs_plan plan;
        assert_int_equal(pxs_config_parse(&cfg, bad[i], "bad.conf"), 0);
        pxs_launch_opts o = {.cfg = &cfg, .now = at("2026-11-29 12:00:00")};
        assert_int_equal(pxs_launch_plan(&o, &plan), -1);
        assert_non_null(strstr(pxs_error(), what[i]));
        pxs_config_free(&cfg);
    }
}

static void test_launch_helpers(void **state)
{
    (void)state;
    pxs_config cfg = {0};
    assert_int_equal(pxs_config_parse(&cfg, "", "empty.conf"), 0);
    assert_true(pxs_launch_is_local(&cfg, "localhost"));
    char host[256];
    assert_int_equal(gethostname(host, sizeof host), 0);
    assert_true(pxs_launch_is_local(&cfg, host));
    assert_false(pxs_launch_is_local(&cfg, "surely-not-this-host"));
    pxs_config_free(&cfg);
    memset(&cfg, 0, sizeof cfg);
    /* localMachines set and empty: nothing is local, not even localhost */
    assert_int_equal(pxs_config_parse(&cfg, "[graphics]\nlocalMachines =\n", "l.conf"), 0);
    assert_false(pxs_launch_is_local(&cfg, "localhost"));
    pxs_config_free(&cfg);
    /* a program that is not beside the test binary is left to PATH */
    char *p = pxs_tool_path("no-such-pxstats-program");
    assert_string_equal(p, "no-such-pxstats-program");
    free(p);
    char *out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    char *argv[] = {"prog", "-d", "2026-01-01 00:00:00", "it's", "", "plain", NULL};
    pxs_argv_print(fp, argv);
    fclose(fp);
    assert_string_equal(out, "prog -d '2026-01-01 00:00:00' 'it'\\''s' '' plain\n");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_render_escapes_names),
        cmocka_unit_test(test_render_links_and_missing),
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_names_load),
        cmocka_unit_test(test_write_atomic_and_failure),
        cmocka_unit_test(test_images_plan),
        cmocka_unit_test(test_images_daily),
        cmocka_unit_test(test_launch_plan),
        cmocka_unit_test(test_launch_plan_errors),
        cmocka_unit_test(test_launch_helpers),
    };
    pxs_set_progname("test_web");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
