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
#include "pxstats/pngspan.h"
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

/* A small PNG at dir/rel carrying the span [start, end) (pngspan.h); with
 * start == end, one carrying no span at all. */
static void png_at(const char *dir, const char *rel, int64_t start, int64_t end)
{
    static const unsigned char img[] = {
        0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
        0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0x3a, 0x7e, 0x9b, 0x55,
        0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    char *p = xasprintf("%s/%s", dir, rel);
    if (start == end)
        assert_int_equal(pxs_atomic_write(p, img, sizeof img), 0);
    else
        assert_int_equal(pxs_png_write_span(p, img, sizeof img, start, end), 0);
    free(p);
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
    /* week 47 of 2026: Monday 23 November to Monday 30 November */
    char *rel = xasprintf("webGraphics/weekly/tx/latency/%s/47.png", evil);
    png_at(d, rel, at("2026-11-23 00:00:00"), at("2026-11-30 00:00:00"));
    free(rel);
    pxs_web_names n;
    pxs_web_names_init(&n);
    pxs_strlist_add(&n.tx, evil);
    pxs_strlist_add(&n.rx, "ncp1");
    char *page = render(d, PXS_WEEKLY, at("2026-11-25 10:30:00"), &n);
    assert_null(strstr(page, evil));
    assert_null(strstr(page, "<x"));
    assert_non_null(strstr(page, "&lt;x&amp;&quot;y&#39;&gt;"));
    assert_non_null(strstr(page, "href=\"../webGraphics/weekly/tx/latency/%3Cx%26%22y%27%3E/47.png\""));
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

/* An image is a link under a date only when it was drawn for that date;
 * otherwise, present or not, the cell says it is missing (issue 13, rule 5). */
static void test_render_links_and_missing(void **state)
{
    (void)state;
    char *d = tmpdir();
    /* Saturday 28's 24 h graph ends at Sunday 00:00: drawn for Saturday */
    png_at(d, "webGraphics/daily/tx/amis/Sat.png", at("2026-11-28 00:00:00"), at("2026-11-29 00:00:00"));
    /* Friday's file is last week's (Friday 20): not Friday 27's */
    png_at(d, "webGraphics/daily/tx/amis/Fri.png", at("2026-11-19 12:00:00"), at("2026-11-20 12:00:00"));
    /* Thursday's carries no span: drawn for no known date */
    png_at(d, "webGraphics/daily/tx/amis/Thu.png", 0, 0);
    /* Wednesday 25's graph, drawn at 13:00 that day */
    png_at(d, "webGraphics/daily/tx/amis/Wed.png", at("2026-11-24 13:00:00"), at("2026-11-25 13:00:00"));
    /* an rx source of the same name has images of its own */
    png_at(d, "webGraphics/daily/rx/amis/Sat.png", at("2026-11-28 00:00:00"), at("2026-11-29 00:00:00"));
    png_at(d, "webGraphics/monthly/tx/bytecount/amis/Oct.png", at("2026-10-01 00:00:00"), at("2026-11-01 00:00:00"));
    /* last year's September, and a September shorter than the month */
    png_at(d, "webGraphics/monthly/tx/bytecount/amis/Sep.png", at("2025-09-01 00:00:00"), at("2025-10-01 00:00:00"));
    png_at(d, "webGraphics/monthly/tx/errors/amis/Sep.png", at("2026-08-31 23:00:00"), at("2026-10-01 00:00:00"));
    pxs_web_names n;
    pxs_web_names_init(&n);
    pxs_strlist_add(&n.tx, "amis");
    /* 00:10 on Sunday: the latest day is Saturday (its graph ends at 00:00) */
    char *page = render(d, PXS_DAILY, at("2026-11-29 00:10:00"), &n);
    assert_non_null(strstr(page, "<!DOCTYPE html>"));
    assert_non_null(strstr(page, "<a href=\"../webGraphics/daily/tx/amis/Sat.png\">Sat 28 Nov</a>"));
    assert_non_null(strstr(page, "<img class=\"latest\" src=\"../webGraphics/daily/tx/amis/Sat.png\""));
    assert_non_null(strstr(page, "<a href=\"../webGraphics/daily/tx/amis/Wed.png\">Wed 25 Nov</a>"));
    assert_non_null(strstr(page, "<span class=\"missing\" title=\"no image drawn for this date\">Fri 27 Nov</span>"));
    assert_non_null(strstr(page, "<span class=\"missing\" title=\"no image drawn for this date\">Thu 26 Nov</span>"));
    assert_null(strstr(page, "Fri.png"));
    assert_null(strstr(page, "Thu.png"));
    assert_null(strstr(page, "daily/rx/"));
    assert_non_null(strstr(page, "Sun 22 Nov"));
    assert_null(strstr(page, "Sun 29 Nov"));
    assert_true(strstr(page, "Sun 22 Nov") < strstr(page, "Sat 28 Nov"));
    assert_non_null(strstr(page, "<p>No RX source.</p>"));
    free(page);
    /* a week later, Saturday's image is last week's: missing, no stale image */
    page = render(d, PXS_DAILY, at("2026-12-06 00:10:00"), &n);
    assert_null(strstr(page, "Sat.png"));
    assert_non_null(strstr(page, "no graph drawn for this day"));
    free(page);
    page = render(d, PXS_MONTHLY, at("2026-11-29 00:10:00"), &n);
    assert_non_null(strstr(page, "<a href=\"../webGraphics/monthly/tx/bytecount/amis/Oct.png\">Oct 2026</a>"));
    assert_non_null(strstr(page, "<span class=\"missing\" title=\"no image drawn for this date\">Sep 2026</span>"));
    assert_null(strstr(page, "Sep.png"));
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
    /* A week is named by its Monday: the week of 2025-12-29 to 2026-01-05
     * is week 52 on both sides of New Year. */
    assert_string_equal(pxs_period_label(PXS_WEEKLY, at("2025-12-30 10:00:00"), b, sizeof b), "52");
    assert_string_equal(pxs_period_label(PXS_WEEKLY, at("2026-01-04 23:59:59"), b, sizeof b), "52");
    assert_string_equal(pxs_period_label(PXS_WEEKLY, at("2026-01-05 00:00:00"), b, sizeof b), "01");
    /* The bounds of each period, in UTC, at and around its edges. */
    int64_t s0, e0;
    pxs_period_bounds(PXS_WEEKLY, at("2026-01-01 00:00:00"), &s0, &e0);
    assert_int_equal(s0, at("2025-12-29 00:00:00"));
    assert_int_equal(e0, at("2026-01-05 00:00:00"));
    pxs_period_bounds(PXS_WEEKLY, at("2026-11-30 00:00:00") - 1, &s0, &e0);
    assert_int_equal(s0, at("2026-11-23 00:00:00"));
    assert_int_equal(e0, at("2026-11-30 00:00:00"));
    pxs_period_bounds(PXS_WEEKLY, at("1970-01-01 12:00:00"), &s0, &e0);
    assert_int_equal(s0, at("1969-12-29 00:00:00"));
    pxs_period_bounds(PXS_DAILY, at("2026-03-01 00:00:00") - 1, &s0, &e0);
    assert_int_equal(s0, at("2026-02-28 00:00:00"));
    assert_int_equal(e0, at("2026-03-01 00:00:00"));
    pxs_period_bounds(PXS_MONTHLY, at("2024-02-29 23:59:59"), &s0, &e0);
    assert_int_equal(s0, at("2024-02-01 00:00:00"));
    assert_int_equal(e0, at("2024-03-01 00:00:00"));
    pxs_period_bounds(PXS_MONTHLY, at("2026-12-31 23:00:00"), &s0, &e0);
    assert_int_equal(e0, at("2027-01-01 00:00:00"));
    pxs_period_bounds(PXS_YEARLY, at("2024-06-01 00:00:00"), &s0, &e0);
    assert_int_equal(s0, at("2024-01-01 00:00:00"));
    assert_int_equal(e0, at("2025-01-01 00:00:00"));
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
    touch(d, "webGraphics/weekly/tx/latency/oldtx/40.png", "png");
    touch(d, "webGraphics/yearly/rx/errors/oldrx/2025.png", "png");
    touch(d, "webGraphics/columbo/tx/onlyday.png", "png");
    touch(d, "webGraphics/columbo/tx/not a name.png", "png");
    /* a tx client and an rx source of one name: a row in each section */
    touch(d, "webGraphics/daily/tx/wxo/Mon.png", "png");
    touch(d, "webGraphics/columbo/rx/wxo.png", "png");
    pxs_web_names n;
    pxs_web_names_init(&n);
    assert_int_equal(pxs_web_names_load(d, &n), 0);
    char *tx = pxs_strlist_join(&n.tx, ","), *rx = pxs_strlist_join(&n.rx, ",");
    assert_string_equal(tx, "amis,both,oldtx,onlyday,wxo");
    assert_string_equal(rx, "both,ncp1,oldrx,wxo");
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
    int64_t sun = at("2026-11-29 00:00:00"), mon = at("2026-11-30 00:00:00");
    png_at(d, "webGraphics/columbo/tx/amis.png", sun, mon);
    png_at(d, "webGraphics/columbo/rx/ncp1.png", sun, mon);
    png_at(d, "webGraphics/columbo/rx/amis.png", sun + 3600, mon);   /* an rx source named amis */
    png_at(d, "webGraphics/columbo/tx/-bad.png", sun, mon);
    touch(d, "webGraphics/columbo/tx/notes.txt", "x");
    /* graphGen failed for old this week, and stamp has no span at all */
    png_at(d, "webGraphics/columbo/tx/old.png", sun - 7 * 86400, mon - 7 * 86400);
    png_at(d, "webGraphics/columbo/tx/stamp.png", 0, 0);
    int copied = -1;
    /* Monday 00:30: the graph ending at midnight is Sunday's */
    assert_int_equal(pxs_webimages_daily(d, at("2026-11-30 00:30:00"), &copied), 0);
    assert_int_equal(copied, 3);
    char *a = xasprintf("%s/webGraphics/columbo/tx/amis.png", d);
    char *b = xasprintf("%s/webGraphics/daily/tx/amis/Sun.png", d);
    size_t la, lb;
    char *ta = pxs_read_file(a, &la), *tb = pxs_read_file(b, &lb);
    assert_non_null(tb);
    assert_int_equal(la, lb);
    assert_memory_equal(ta, tb, la);
    free(ta);
    free(tb);
    free(a);
    free(b);
    assert_true(exists(d, "webGraphics/daily/rx/ncp1/Sun.png"));
    assert_true(exists(d, "webGraphics/daily/rx/amis/Sun.png"));
    assert_false(exists(d, "webGraphics/daily/tx/-bad"));
    assert_false(exists(d, "webGraphics/daily/tx/notes.txt"));
    assert_false(exists(d, "webGraphics/daily/tx/old"));
    assert_false(exists(d, "webGraphics/daily/tx/stamp"));
    /* At 05:00 the graphs still end on Sunday: nothing is copied under Monday. */
    assert_int_equal(pxs_webimages_daily(d, at("2026-11-30 05:00:00"), &copied), 0);
    assert_int_equal(copied, 0);
    assert_false(exists(d, "webGraphics/daily/tx/amis/Mon.png"));
    /* a daily folder that cannot be made: reported, the others still copied */
    png_at(d, "webGraphics/columbo/tx/amis.png", mon, mon + 5 * 3600);
    png_at(d, "webGraphics/columbo/tx/ncp1x.png", mon, mon + 5 * 3600);
    touch(d, "webGraphics/daily/tx/ncp1x", "file in the way");
    assert_int_equal(pxs_webimages_daily(d, at("2026-11-30 05:00:00"), &copied), 1);
    assert_int_equal(copied, 1);
    assert_true(exists(d, "webGraphics/daily/tx/amis/Mon.png"));
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
    assert_non_null(strstr(out, "upload webGraphics/columbo/{rx,tx}/*.png drawn this cycle to pds@lvs1:/srv/graphs/{rx,tx}/\n"));
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
