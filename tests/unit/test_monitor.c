/* Unit tests of monitor: groups and allowances from the config, findings and
 * their "already reported" marks, grouping by time, the state round trip and
 * a corrupt state, the text and HTML renderings (escaping, summaries), and
 * each check on a small real tree built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/atomicfile.h"
#include "pxstats/collector.h"
#include "pxstats/config.h"
#include "pxstats/layout.h"
#include "pxstats/monitor.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/snapshot.h"
#include "pxstats/spawn.h"
#include "pxstats/xalloc.h"

/* 2026-11-29 12:30:00 UTC and the start of its hour. */
#define NOW   1795955400
#define HOUR0 1795953600

static char root[] = "/tmp/pxs-test-monitor.XXXXXX";

static int setup(void **state)
{
    (void)state;
    strcpy(root, "/tmp/pxs-test-monitor.XXXXXX");
    return mkdtemp(root) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char *argv[] = {"rm", "-rf", root, NULL};
    return pxs_spawn(argv, NULL) == 0 ? 0 : -1;
}

/* Writes the config text to <root>/etc/pxstats.conf and loads it. */
static void load(pxs_config *cfg, const char *text)
{
    char *path = xasprintf("%s/etc/pxstats.conf", root);
    assert_int_equal(pxs_atomic_write(path, text, strlen(text)), 0);
    assert_int_equal(pxs_config_load(cfg, root, path), 0);
    free(path);
}

static void put_file(const char *rel, const char *text)
{
    char *path = xasprintf("%s/%s", root, rel);
    assert_int_equal(pxs_atomic_write(path, text, strlen(text)), 0);
    free(path);
}

/* Snapshots of client on machine for n hours from start, one data row per
 * minute except in [quiet_from, quiet_to). */
static void snapshots(const char *client, const char *machine, int64_t start, int n,
                      int64_t quiet_from, int64_t quiet_to)
{
    char *stats = xasprintf("%s/stats", root);
    for (int i = 0; i < n; i++) {
        pxs_hour h;
        int64_t hs = start + (int64_t)i * PXS_HOUR;
        pxs_hour_init(&h, client, machine, PXS_TX, hs, 1, 15, PXS_T_ALL);
        for (int64_t t = hs; t < hs + PXS_HOUR; t += 60)
            if (t < quiet_from || t >= quiet_to)
                pxs_hour_add_row(&h, t + 5, 100, 1, "P", false);
        pxs_hour_compute(&h);
        char *path = pxs_pickle_path(stats, client, hs, PXS_TX, machine);
        assert_int_equal(pxs_snapshot_write(path, &h), 0);
        free(path);
        pxs_hour_free(&h);
    }
    free(stats);
}

static const pxs_finding *find(const pxs_monitor *m, int s, const char *text_part)
{
    for (size_t i = 0; i < m->sec[s].n; i++)
        if (strstr(m->sec[s].f[i].text, text_part) != NULL)
            return &m->sec[s].f[i];
    return NULL;
}

static void test_groups(void **state)
{
    (void)state;
    pxs_config cfg;
    pxs_monitor m;
    load(&cfg, "[monitoring]\n");
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), 0);
    assert_int_equal(pxs_mon_parse_groups(&m, "pds5, pds6 ; pxatx;"), 0);
    assert_int_equal(m.ngroups, 2);
    assert_int_equal(m.groups[0].machines.n, 2);
    assert_string_equal(m.groups[0].merged, "pds5pds6");
    assert_null(m.groups[1].merged);
    assert_string_equal(m.groups[1].machines.v[0], "pxatx");
    assert_int_equal(pxs_mon_parse_groups(&m, "a,../etc"), -1);
    assert_non_null(strstr(pxs_error(), "../etc"));
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);
}

static void test_max_gap(void **state)
{
    (void)state;
    pxs_config cfg;
    pxs_monitor m;
    load(&cfg, "[monitoring]\n");
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), 0);
    assert_int_equal(pxs_mon_max_gap(&m, "c1"), 3600);
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);
    load(&cfg, "[monitoring]\nmaxGap = 30\n[monitoring.gaps]\nc1 = 120\n");
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), 0);
    assert_int_equal(pxs_mon_max_gap(&m, "c1"), 7200);
    assert_int_equal(pxs_mon_max_gap(&m, "c2"), 1800);
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);
    /* Wrong numbers are refused when the run starts, naming file and line. */
    load(&cfg, "[monitoring]\nmaxGap = 0\n");
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), -1);
    assert_non_null(strstr(pxs_error(), "pxstats.conf:2"));
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);
    load(&cfg, "[monitoring.gaps]\nc1 = lots\n");
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), -1);
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);
}

static void test_findings_and_state(void **state)
{
    (void)state;
    pxs_config cfg;
    pxs_monitor m;
    load(&cfg, "[monitoring]\n");
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), 0);
    assert_false(m.have_prev);
    assert_int_equal(m.since, HOUR0 - 12 * PXS_HOUR);   /* today's midnight */
    pxs_mon_add(&m, PXS_MON_WEB, "old page a b", "page %d is old", 1);
    pxs_mon_add(&m, PXS_MON_DISK, "over /x 5", "disk");
    assert_int_equal(pxs_mon_count(&m), 2);
    assert_int_equal(pxs_monitor_save(&m), 0);
    pxs_monitor_free(&m);

    /* The next run knows the previous one and its problems. */
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW + 3600, NULL, false), 0);
    assert_true(m.have_prev);
    assert_int_equal(m.prev_run, NOW);
    assert_int_equal(m.since, NOW);
    pxs_mon_add(&m, PXS_MON_WEB, "old page a b", "page 1 is old");
    pxs_mon_add(&m, PXS_MON_WEB, "old page c", "page 2 is old");
    pxs_mon_add(&m, PXS_MON_DISK, "old page c", "same key, other section");
    pxs_mon_mark_old(&m);
    assert_true(m.sec[PXS_MON_WEB].f[0].old);
    assert_false(m.sec[PXS_MON_WEB].f[1].old);
    assert_false(m.sec[PXS_MON_DISK].f[0].old);
    pxs_monitor_free(&m);

    /* --since wins over the previous run. */
    int64_t since = NOW - 86400;
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW + 3600, &since, false), 0);
    assert_int_equal(m.since, since);
    assert_true(m.since_given);
    pxs_monitor_free(&m);

    /* A state an operator broke stops the run with the file's name. */
    put_file("stats/statsMonitoring/previousMonitoringJob", "yesterday\n");
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), -1);
    assert_non_null(strstr(pxs_error(), "previousMonitoringJob"));
    pxs_monitor_free(&m);
    put_file("stats/statsMonitoring/previousMonitoringJob", "2026-11-29 00:00:00\n");
    put_file("stats/statsMonitoring/lastDataTimes", "tx c1 pds5 soon\n");
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), -1);
    assert_non_null(strstr(pxs_error(), "lastDataTimes:1"));
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);
}

static void test_grouped(void **state)
{
    (void)state;
    pxs_config cfg;
    pxs_monitor m;
    load(&cfg, "");
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), 0);
    pxs_mon_timed items[13];
    for (int i = 0; i < 13; i++)
        items[i] = (pxs_mon_timed){xasprintf("db%02d", 12 - i), i == 5 ? NOW - 7200 : NOW - 3 * 3600};
    pxs_mon_add_grouped(&m, PXS_MON_RRD, "database", "databases", items, 13);
    assert_int_equal(m.sec[PXS_MON_RRD].n, 2);
    /* Oldest first; ten names shown, sorted, the rest counted. */
    assert_string_equal(m.sec[PXS_MON_RRD].f[0].text,
                        "12 databases last updated at 2026-11-29 09:30:00 (180 minutes ago): "
                        "db00, db01, db02, db03, db04, db05, db06, db08, db09, db10 and 2 more");
    assert_string_equal(m.sec[PXS_MON_RRD].f[1].text,
                        "1 databases last updated at 2026-11-29 10:30:00 (120 minutes ago): db07");
    for (int i = 0; i < 13; i++)
        free(items[i].name);
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);
}

static void test_render(void **state)
{
    (void)state;
    pxs_config cfg;
    pxs_monitor m;
    load(&cfg, "");
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), 0);
    char *text = pxs_monitor_text(&m, "host1");
    assert_non_null(strstr(text, "All is well: no warnings.\n"));
    assert_non_null(strstr(text, "\nDisk usage\n----------\nNo disk usage warnings.\n"));
    assert_non_null(strstr(text, "Time of previous test  none (first run)\n"));
    free(text);
    pxs_mon_add(&m, PXS_MON_WEB, "k1", "new <b>&\"problem\"</b>");
    pxs_mon_add(&m, PXS_MON_WEB, "k2", "old one");
    pxs_mon_add(&m, PXS_MON_WEB, "k3", "old two");
    m.sec[PXS_MON_WEB].f[1].old = m.sec[PXS_MON_WEB].f[2].old = true;
    text = pxs_monitor_text(&m, "host1");
    assert_non_null(strstr(text, "3 warnings (1 new, 2 already reported).\n"));
    assert_non_null(strstr(text, "  * new <b>&\"problem\"</b>\n"));
    assert_null(strstr(text, "old one"));
    assert_non_null(strstr(text, "  * 2 problems already reported by the previous run and unchanged"));
    free(text);
    char *html = pxs_monitor_html(&m, "host<1>");
    assert_non_null(strstr(html, "<li>new &lt;b&gt;&amp;&quot;problem&quot;&lt;/b&gt;</li>"));
    assert_non_null(strstr(html, "<title>[Stats Library Monitoring] host&lt;1&gt; 2026-11-29 12:30:00</title>"));
    assert_null(strstr(html, "old one"));
    free(html);
    m.full = true;
    text = pxs_monitor_text(&m, "host1");
    assert_non_null(strstr(text, "  * old one (already reported)\n"));
    assert_null(strstr(text, "not repeated"));
    free(text);
    char *subject = pxs_monitor_subject(&m, "host1");
    assert_string_equal(subject, "[Stats Library Monitoring] host1 2026-11-29 12:30:00");
    free(subject);
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);
}

static void test_disk(void **state)
{
    (void)state;
    pxs_config cfg;
    pxs_monitor m;
    char *text = xasprintf("[monitoring]\nfolders = %s;%s/none;/\nmaxUsages = 100;100;0\n", root, root);
    load(&cfg, text);
    free(text);
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), 0);
    pxs_mon_check_disk(&m);
    assert_int_equal(m.sec[PXS_MON_DISK].n, 2);
    assert_non_null(find(&m, PXS_MON_DISK, "/none: No such file or directory"));
    /* The root file system is never empty: any use exceeds 0 %. */
    assert_non_null(find(&m, PXS_MON_DISK, "Disk usage for / is "));
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);
    load(&cfg, "[monitoring]\nfolders = /\nmaxUsages = lots\n");
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), 0);
    pxs_mon_check_disk(&m);
    assert_non_null(find(&m, PXS_MON_DISK, "'lots' is not a percentage"));
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);
}

static void test_pickles_and_gaps(void **state)
{
    (void)state;
    pxs_config cfg;
    pxs_monitor m;
    int64_t first = HOUR0 - 10 * PXS_HOUR;
    /* c1 on pds5 and pds6 for 10 hours (02:00-12:00); pds5 silent from 05:30
     * to 08:00, pds6 from 06:00 to 07:30. */
    snapshots("c1", "pds5", first, 10, HOUR0 - 6 * 3600 - 1800, HOUR0 - 4 * 3600);
    snapshots("c1", "pds6", first, 10, HOUR0 - 6 * 3600, HOUR0 - 4 * 3600 - 1800);
    snapshots("c1", "pds5pds6", first, 10, 0, 0);
    snapshots("c9", "other", first, 10, 0, 0);   /* not in a configured group */
    char *path = xasprintf("%s/stats/pickles/c1/20261129/tx/pds6_05", root);
    assert_int_equal(unlink(path), 0);
    free(path);
    load(&cfg, "[monitoring]\nmachines = pds5,pds6\n");
    int64_t since = HOUR0 - 8 * PXS_HOUR;
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, &since, false), 0);
    assert_int_equal(pxs_mon_inventory(&m), 0);
    assert_int_equal(m.ntargets, 1);
    assert_string_equal(m.targets[0].client, "c1");
    assert_int_equal(m.targets[0].first, first);
    pxs_mon_check_pickles(&m);
    assert_int_equal(m.sec[PXS_MON_PICKLES].n, 1);
    assert_string_equal(m.sec[PXS_MON_PICKLES].f[0].text,
                        "missing pickles/c1/<YYYYMMDD>/tx/pds6_<HH> from 2026-11-29 05:00:00 to "
                        "2026-11-29 05:00:00 (1 hour)");
    pxs_mon_check_gaps(&m);
    /* pds6 is silent from 05:00 (its deleted hour) to 07:30, pds5 from 05:30
     * to 08:00: the group, from 05:30 to 07:30. */
    assert_int_equal(m.sec[PXS_MON_GAPS].n, 1);
    assert_string_equal(m.sec[PXS_MON_GAPS].f[0].text,
                        "tx c1 on pds5pds6: No data was found between 2026-11-29 05:30:00 and "
                        "2026-11-29 07:30:00 (120 minutes; 60 allowed).");
    assert_int_equal(m.new_last_data.n, 1);
    assert_string_equal(m.new_last_data.v[0], "tx c1 pds5pds6 1795953600");
    assert_int_equal(pxs_monitor_save(&m), 0);
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);

    /* The next run, two hours later with no new snapshot: the silence that
     * began at the last data (12:00) is measured from there. */
    load(&cfg, "[monitoring]\nmachines = pds5,pds6\nmaxGap = 90\n");
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW + 2 * 3600, NULL, false), 0);
    assert_int_equal(pxs_mon_inventory(&m), 0);
    pxs_mon_check_gaps(&m);
    assert_int_equal(m.sec[PXS_MON_GAPS].n, 1);
    assert_string_equal(m.sec[PXS_MON_GAPS].f[0].text,
                        "tx c1 on pds5pds6: No data was found between 2026-11-29 12:00:00 and "
                        "2026-11-29 14:00:00 (120 minutes; 90 allowed).");
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);
}

static void test_crontab_and_checksums(void **state)
{
    (void)state;
    pxs_config cfg;
    pxs_monitor m;
    put_file("crontab", "8 * * * * launchGraphs\n");
    put_file("bin/pickleView", "v1");
    put_file("bin/unrelated", "not a pxstats program");
    char *text = xasprintf("[monitoring]\ncrontabFile = %s/crontab\nbinDir = %s/bin\n", root, root);
    load(&cfg, text);
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), 0);
    pxs_mon_check_crontab(&m);
    pxs_mon_check_checksums(&m);
    assert_int_equal(pxs_mon_count(&m), 0);
    assert_string_equal(m.sec[PXS_MON_CRONTAB].notes.v[0], "first run: crontab recorded");
    assert_string_equal(m.sec[PXS_MON_CHECKSUMS].notes.v[0], "first run: 2 checksums recorded");
    /* CRC-32 of "v1" is 0x6962ccb5 (python3: zlib.crc32(b"v1")). */
    assert_non_null(strstr(m.checksums, "6962ccb5 2 "));
    assert_null(strstr(m.checksums, "unrelated"));
    assert_int_equal(pxs_monitor_save(&m), 0);
    pxs_monitor_free(&m);

    put_file("crontab", "8 * * * * launchGraphs\n0 0 * * * other\n");
    put_file("bin/pickleView", "v2");
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW + 60, NULL, false), 0);
    pxs_mon_check_crontab(&m);
    pxs_mon_check_checksums(&m);
    assert_non_null(find(&m, PXS_MON_CRONTAB, "(1 line added, 0 removed)"));
    assert_string_equal(m.sec[PXS_MON_CRONTAB].notes.v[0], "added:   0 0 * * * other");
    assert_non_null(find(&m, PXS_MON_CHECKSUMS, "bin/pickleView has changed"));
    assert_int_equal(m.sec[PXS_MON_CHECKSUMS].n, 1);
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);

    /* An unreadable crontab file is itself a finding. */
    free(text);
    text = xasprintf("[monitoring]\ncrontabFile = %s/no-crontab\n", root);
    load(&cfg, text);
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), 0);
    pxs_mon_check_crontab(&m);
    assert_non_null(find(&m, PXS_MON_CRONTAB, "Cannot read the crontab"));
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);
    free(text);
}

static void set_mtime(const char *rel, int64_t t)
{
    char *path = xasprintf("%s/%s", root, rel);
    struct timeval tv[2] = {{(time_t)t, 0}, {(time_t)t, 0}};
    assert_int_equal(utimes(path, tv), 0);
    free(path);
}

static void test_web(void **state)
{
    (void)state;
    pxs_config cfg;
    pxs_monitor m;
    load(&cfg, "");
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), 0);
    pxs_mon_check_web(&m);
    /* A missing webPages/ is an empty one: no page. */
    assert_non_null(find(&m, PXS_MON_WEB, "No web page (*.html) in"));
    assert_non_null(find(&m, PXS_MON_WEB, "No daily image"));
    pxs_monitor_free(&m);

    put_file("stats/webPages/index.html", "x");
    put_file("stats/webPages/dailyGraphs.html", "x");
    put_file("stats/webPages/notes.txt", "x");
    put_file("stats/webGraphics/daily/tx/c1/Sat.png", "x");
    put_file("stats/webGraphics/daily/tx/c1/Sun.png", "x");
    set_mtime("stats/webPages/index.html", NOW - 600);
    set_mtime("stats/webPages/dailyGraphs.html", NOW - 3601);
    set_mtime("stats/webPages/notes.txt", NOW - 86400);
    set_mtime("stats/webGraphics/daily/tx/c1/Sat.png", NOW - 86400);
    set_mtime("stats/webGraphics/daily/tx/c1/Sun.png", NOW - 60);   /* the newest counts */
    assert_int_equal(pxs_monitor_init(&m, &cfg, NOW, NULL, false), 0);
    pxs_mon_check_web(&m);
    assert_int_equal(m.sec[PXS_MON_WEB].n, 1);
    assert_non_null(find(&m, PXS_MON_WEB, "dailyGraphs.html was last modified at 2026-11-29 11:29:59 (60 minutes ago)."));
    pxs_monitor_free(&m);
    pxs_config_free(&cfg);
}

int main(void)
{
    pxs_set_progname("test_monitor");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_findings_and_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grouped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pickles_and_gaps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crontab_and_checksums, setup, teardown),
        cmocka_unit_test_setup_teardown(test_web, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
