/* Unit tests of config: the INI syntax (sections, comments, case, duplicates,
 * whitespace, errors with file:line), integer settings with range errors, and
 * where pxs_config_load finds the root, the config file and the paths. */
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

#include "pxstats/atomicfile.h"
#include "pxstats/config.h"
#include "pxstats/msg.h"
#include "pxstats/xalloc.h"

/* ---- helpers ------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tree(const char *dir) { nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

static char *tmpdir(void)
{
    char *dir = xstrdup("/tmp/pxs-test-config.XXXXXX");

    assert_non_null(mkdtemp(dir));
    return dir;
}

static char *write_file(const char *dir, const char *rel, const char *text)
{
    char *path = xasprintf("%s/%s", dir, rel);

    assert_int_equal(pxs_atomic_write(path, text, strlen(text)), 0);
    return path;
}

static void clear_env(void)
{
    unsetenv("PXROOT");
    unsetenv("PXSTATS_CONF");
}

static int parse(pxs_config *c, const char *text)
{
    memset(c, 0, sizeof *c);
    return pxs_config_parse(c, text, "test.conf");
}

/* ---- INI parsing --------------------------------------------------------- */

static void test_sections_and_comments(void **state)
{
    pxs_config c;
    const char *text =
        "# a comment\n"
        "; another comment\n"
        "top = level\n"
        "\n"
        "[paths]\n"
        "logdir = /var/log/px\n"
        "   # indented comment\n"
        "\t; indented too\n"
        "[ Collection ]\n"
        "maxLatency=20\n"
        "note = a # not a comment = kept\n"
        "empty =\n"
        "[upload]\n"
        "targets = a,b;c\n";

    (void)state;
    assert_int_equal(parse(&c, text), 0);
    assert_null(c.file); /* parse alone reads no file */
    assert_string_equal(pxs_conf_get(&c, "", "top", NULL), "level");
    assert_string_equal(pxs_conf_get(&c, "paths", "logdir", NULL), "/var/log/px");
    /* Section names are trimmed and case-insensitive like keys. */
    assert_string_equal(pxs_conf_get(&c, "collection", "maxLatency", NULL), "20");
    assert_string_equal(pxs_conf_get(&c, "COLLECTION", "maxlatency", NULL), "20");
    /* Only the first '=' splits; '#' after the start of a line is text. */
    assert_string_equal(pxs_conf_get(&c, "collection", "note", NULL), "a # not a comment = kept");
    assert_string_equal(pxs_conf_get(&c, "collection", "empty", "def"), "");
    assert_string_equal(pxs_conf_get(&c, "upload", "targets", NULL), "a,b;c");
    /* Keys belong to their section only. */
    assert_null(pxs_conf_get(&c, "paths", "maxLatency", NULL));
    assert_null(pxs_conf_get(&c, "upload", "top", NULL));
    assert_string_equal(pxs_conf_get(&c, "nosuch", "key", "fallback"), "fallback");
    /* Comments are not keys. */
    assert_null(pxs_conf_get(&c, "", "# a comment", NULL));
    /* Line numbers count every line, blank and comment lines included. */
    assert_int_equal(pxs_conf_line(&c, "", "top"), 3);
    assert_int_equal(pxs_conf_line(&c, "paths", "logdir"), 6);
    assert_int_equal(pxs_conf_line(&c, "collection", "maxlatency"), 10);
    assert_int_equal(pxs_conf_line(&c, "upload", "targets"), 14);
    assert_int_equal(pxs_conf_line(&c, "upload", "nosuch"), 0);
    assert_int_equal(c.n, 6);
    pxs_config_free(&c);
    assert_int_equal(c.n, 0);
    assert_null(c.e);
}

static void test_case_duplicates_whitespace(void **state)
{
    pxs_config c;
    const char *text =
        "[Mail]\r\n"
        "  To   =   ops@example.org  \r\n"
        "\tSUBJECT\t=\tpxstats report\t\r\n"
        "[mail]\n"
        "to = second@example.org\n"
        "[other]\n"
        "to = elsewhere\n"
        "[MAIL]\n"
        "TO = last@example.org\n";

    (void)state;
    assert_int_equal(parse(&c, text), 0);
    /* The last of duplicate keys wins, whatever the case of key or section. */
    assert_string_equal(pxs_conf_get(&c, "mail", "to", NULL), "last@example.org");
    assert_string_equal(pxs_conf_get(&c, "Mail", "To", NULL), "last@example.org");
    assert_int_equal(pxs_conf_line(&c, "mail", "to"), 9);
    /* Values are trimmed (also of \r and tabs), inner spaces kept. */
    assert_string_equal(pxs_conf_get(&c, "mail", "subject", NULL), "pxstats report");
    assert_string_equal(pxs_conf_get(&c, "other", "to", NULL), "elsewhere");
    /* One entry per (section, key). */
    assert_int_equal(c.n, 3);
    pxs_config_free(&c);

    /* Empty text and comment-only text are fine. */
    assert_int_equal(parse(&c, ""), 0);
    assert_int_equal(c.n, 0);
    pxs_config_free(&c);
    assert_int_equal(parse(&c, "# nothing\n\n;\n"), 0);
    assert_int_equal(c.n, 0);
    pxs_config_free(&c);
    /* No final newline. */
    assert_int_equal(parse(&c, "[a]\nk = v"), 0);
    assert_string_equal(pxs_conf_get(&c, "a", "k", NULL), "v");
    pxs_config_free(&c);
}

static void expect_parse_error(const char *text, const char *want)
{
    pxs_config c;

    assert_int_equal(parse(&c, text), -1);
    if (strcmp(pxs_error(), want) != 0)
        fail_msg("error for %s: '%s', expected '%s'", text, pxs_error(), want);
    pxs_config_free(&c);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_parse_error("[ok]\na = 1\n[bad\n", "test.conf:3: bad section header '[bad'");
    expect_parse_error("\n\n\n[a] trailing\n", "test.conf:4: bad section header '[a] trailing'");
    expect_parse_error("[a]]\n", "test.conf:1: bad section header '[a]]'");
    expect_parse_error("# c\n[a]\njust words\n",
                       "test.conf:3: expected 'key = value', got 'just words'");
    expect_parse_error("[a]\nk = v\n\n  = value\n", "test.conf:4: empty key");
    expect_parse_error("=\n", "test.conf:1: empty key");
    /* CRLF files number lines the same way. */
    expect_parse_error("[a]\r\nk = v\r\noops\r\n", "test.conf:3: expected 'key = value', got 'oops'");
    /* The first error stops the parse. */
    expect_parse_error("a\nb\n", "test.conf:1: expected 'key = value', got 'a'");
}

/* ---- integers ------------------------------------------------------------ */

static void test_get_int(void **state)
{
    pxs_config c;
    long v = 0;

    (void)state;
    assert_int_equal(parse(&c, "[n]\nten = 10\nneg = -5\nplus = +7\nzero = 0\nbig = 2147483648\n"
                                "hex = 0x10\nword = ten\nhalf = 1.5\nblank =\nspace = 1 2\n"
                                "huge = 99999999999999999999999\n"),
                     0);
    assert_int_equal(pxs_conf_get_int(&c, "n", "ten", 3, 0, 100, &v), 0);
    assert_int_equal(v, 10);
    assert_int_equal(pxs_conf_get_int(&c, "N", "TEN", 3, 10, 10, &v), 0);
    assert_int_equal(v, 10);
    assert_int_equal(pxs_conf_get_int(&c, "n", "neg", 3, -10, 10, &v), 0);
    assert_int_equal(v, -5);
    assert_int_equal(pxs_conf_get_int(&c, "n", "plus", 3, 0, 10, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(pxs_conf_get_int(&c, "n", "zero", 3, 0, 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(pxs_conf_get_int(&c, "n", "big", 3, 0, 3000000000L, &v), 0);
    assert_int_equal(v, 2147483648L);
    /* Absent: the default, even outside [min, max]. */
    assert_int_equal(pxs_conf_get_int(&c, "n", "absent", 42, 0, 10, &v), 0);
    assert_int_equal(v, 42);

    static const char *bad[] = {"neg", "hex", "word", "half", "blank", "space", "huge", "ten"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 77;
        /* "ten" is out of [0, 9]; the others are not integers of [0, 9]. */
        if (pxs_conf_get_int(&c, "n", bad[i], 1, 0, 9, &v) != -1)
            fail_msg("'%s' accepted", bad[i]);
        assert_int_equal(v, 77);
        assert_non_null(strstr(pxs_error(), "expected an integer from 0 to 9"));
    }
    /* The message names the key, its value and its line ("config" stands for
     * the file when the text was not read from one). */
    assert_int_equal(pxs_conf_get_int(&c, "n", "ten", 1, 0, 9, &v), -1);
    assert_string_equal(pxs_error(), "config:2: [n] ten = '10': expected an integer from 0 to 9");
    assert_int_equal(pxs_conf_get_int(&c, "n", "word", 1, 0, 9, &v), -1);
    assert_string_equal(pxs_error(),
                        "config:8: [n] word = 'ten': expected an integer from 0 to 9");
    pxs_config_free(&c);
}

static void test_get_int_names_file(void **state)
{
    char *dir = tmpdir();
    char *file = write_file(dir, "my.conf", "# settings\n[monitoring]\n\ndays = 15\nmaxGap = 900\n");
    pxs_config c;
    long v;
    char *want;

    (void)state;
    clear_env();
    assert_int_equal(pxs_config_load(&c, dir, file), 0);
    assert_int_equal(pxs_conf_get_int(&c, "monitoring", "maxGap", 0, 1, 500, &v), -1);
    want = xasprintf("%s:5: [monitoring] maxGap = '900': expected an integer from 1 to 500", file);
    assert_string_equal(pxs_error(), want);
    free(want);
    pxs_config_free(&c);
    rm_tree(dir);
    free(file);
    free(dir);
}

/* ---- loading ------------------------------------------------------------- */

static void expect_paths(const pxs_config *c, const char *root)
{
    char *p;

    assert_string_equal(c->root, root);
    p = xasprintf("%s/log", root);
    assert_string_equal(c->logdir, p);
    free(p);
    p = xasprintf("%s/stats", root);
    assert_string_equal(c->statsdir, p);
    free(p);
    p = xasprintf("%s/etc", root);
    assert_string_equal(c->etcdir, p);
    free(p);
}

static void test_load_root_argument_and_env(void **state)
{
    char *dir = tmpdir(), *other = tmpdir();
    pxs_config c;

    (void)state;
    clear_env();
    /* No config file anywhere: every default. */
    assert_int_equal(pxs_config_load(&c, dir, NULL), 0);
    expect_paths(&c, dir);
    assert_null(c.file);
    assert_int_equal(c.n, 0);
    assert_int_equal(c.max_latency, 15);
    pxs_config_free(&c);

    /* PXROOT when no root is given. */
    setenv("PXROOT", other, 1);
    assert_int_equal(pxs_config_load(&c, NULL, NULL), 0);
    expect_paths(&c, other);
    pxs_config_free(&c);
    assert_int_equal(pxs_config_load(&c, "", NULL), 0); /* empty = not given */
    expect_paths(&c, other);
    pxs_config_free(&c);
    /* The root argument wins over PXROOT. */
    assert_int_equal(pxs_config_load(&c, dir, NULL), 0);
    expect_paths(&c, dir);
    pxs_config_free(&c);
    /* An empty PXROOT is ignored: the default root, /apps/px (checked
     * without reading what the host may have there). */
    setenv("PXROOT", "", 1);
    assert_string_equal(pxs_config_start_root(NULL), "/apps/px");
    assert_string_equal(pxs_config_start_root(""), "/apps/px");
    assert_string_equal(pxs_config_start_root(dir), dir);
    setenv("PXROOT", other, 1);
    assert_string_equal(pxs_config_start_root(NULL), other);
    assert_string_equal(pxs_config_start_root(dir), dir);
    unsetenv("PXROOT");
    assert_string_equal(pxs_config_start_root(NULL), "/apps/px");
    clear_env();
    rm_tree(dir);
    rm_tree(other);
    free(dir);
    free(other);
}

static void test_load_auto_detect(void **state)
{
    char *dir = tmpdir();
    char *file = write_file(dir, "etc/pxstats.conf", "[collection]\nmaxLatency = 30\n");
    char *want = xasprintf("%s/etc/pxstats.conf", dir);
    pxs_config c;

    (void)state;
    clear_env();
    assert_int_equal(pxs_config_load(&c, dir, NULL), 0);
    assert_non_null(c.file);
    assert_string_equal(c.file, want);
    assert_int_equal(c.max_latency, 30);
    expect_paths(&c, dir);
    pxs_config_free(&c);
    /* Also found through PXROOT. */
    setenv("PXROOT", dir, 1);
    assert_int_equal(pxs_config_load(&c, NULL, NULL), 0);
    assert_string_equal(c.file, want);
    assert_int_equal(c.max_latency, 30);
    pxs_config_free(&c);
    clear_env();
    rm_tree(dir);
    free(want);
    free(file);
    free(dir);
}

static void test_load_conf_env_and_argument(void **state)
{
    char *dir = tmpdir();
    char *auto_file = write_file(dir, "etc/pxstats.conf", "[collection]\nmaxLatency = 30\n");
    char *env_file = write_file(dir, "env.conf", "[collection]\nmaxLatency = 40\n");
    char *arg_file = write_file(dir, "arg.conf", "[collection]\nmaxLatency = 50\n");
    pxs_config c;

    (void)state;
    clear_env();
    /* PXSTATS_CONF wins over <root>/etc/pxstats.conf. */
    setenv("PXSTATS_CONF", env_file, 1);
    assert_int_equal(pxs_config_load(&c, dir, NULL), 0);
    assert_string_equal(c.file, env_file);
    assert_int_equal(c.max_latency, 40);
    pxs_config_free(&c);
    /* The file argument wins over PXSTATS_CONF. */
    assert_int_equal(pxs_config_load(&c, dir, arg_file), 0);
    assert_string_equal(c.file, arg_file);
    assert_int_equal(c.max_latency, 50);
    /* The config file does not move the root. */
    expect_paths(&c, dir);
    pxs_config_free(&c);
    clear_env();
    rm_tree(dir);
    free(auto_file);
    free(env_file);
    free(arg_file);
    free(dir);
}

static void test_load_missing_and_bad_files(void **state)
{
    char *dir = tmpdir();
    char *missing = xasprintf("%s/nope.conf", dir);
    char *bad = write_file(dir, "bad.conf", "[collection]\nmaxLatency = 15\nno equals here\n");
    char *badlat = write_file(dir, "lat.conf", "\n[collection]\nmaxlatency = -3\n");
    char *want;
    pxs_config c;

    (void)state;
    clear_env();
    /* A named config that does not exist is an error (not silently the
     * defaults), whether named by argument or by PXSTATS_CONF. */
    assert_int_equal(pxs_config_load(&c, dir, missing), -1);
    assert_non_null(strstr(pxs_error(), missing));
    assert_non_null(strstr(pxs_error(), "No such file or directory"));
    pxs_config_free(&c);
    setenv("PXSTATS_CONF", missing, 1);
    assert_int_equal(pxs_config_load(&c, dir, NULL), -1);
    assert_non_null(strstr(pxs_error(), missing));
    pxs_config_free(&c);
    clear_env();

    /* A syntax error names the file and the line. */
    assert_int_equal(pxs_config_load(&c, dir, bad), -1);
    want = xasprintf("%s:3: expected 'key = value', got 'no equals here'", bad);
    assert_string_equal(pxs_error(), want);
    free(want);
    pxs_config_free(&c);

    /* A bad maxLatency too. */
    assert_int_equal(pxs_config_load(&c, dir, badlat), -1);
    want = xasprintf("%s:3: [collection] maxLatency = '-3': expected an integer from 0 to "
                     "1000000000", badlat);
    assert_string_equal(pxs_error(), want);
    free(want);
    pxs_config_free(&c);

    /* A directory given as config is an error, not a crash. */
    assert_int_equal(pxs_config_load(&c, dir, dir), -1);
    assert_non_null(strstr(pxs_error(), dir));
    pxs_config_free(&c);

    rm_tree(dir);
    free(missing);
    free(bad);
    free(badlat);
    free(dir);
}

static void test_load_paths_section(void **state)
{
    char *dir = tmpdir();
    char *file = write_file(dir, "p.conf",
                            "[PATHS]\nLogDir = /data/logs\nstatsdir = /data/stats\n"
                            "ETCDIR = /data/etc\n");
    char *rootfile = write_file(dir, "r.conf", "[paths]\nroot = /from/config\nlogdir = /l\n");
    char *logfile = write_file(dir, "partial.conf", "[paths]\nlogdir = /only/logs\n");
    pxs_config c;

    (void)state;
    clear_env();
    assert_int_equal(pxs_config_load(&c, dir, file), 0);
    assert_string_equal(c.root, dir);
    assert_string_equal(c.logdir, "/data/logs");
    assert_string_equal(c.statsdir, "/data/stats");
    assert_string_equal(c.etcdir, "/data/etc");
    pxs_config_free(&c);

    /* One override; the others stay under the root. */
    assert_int_equal(pxs_config_load(&c, dir, logfile), 0);
    assert_string_equal(c.logdir, "/only/logs");
    {
        char *s = xasprintf("%s/stats", dir), *e = xasprintf("%s/etc", dir);
        assert_string_equal(c.statsdir, s);
        assert_string_equal(c.etcdir, e);
        free(s);
        free(e);
    }
    pxs_config_free(&c);

    /* [paths] root is used only when neither --root nor PXROOT says. */
    assert_int_equal(pxs_config_load(&c, NULL, rootfile), 0);
    assert_string_equal(c.root, "/from/config");
    assert_string_equal(c.logdir, "/l");
    assert_string_equal(c.statsdir, "/from/config/stats");
    assert_string_equal(c.etcdir, "/from/config/etc");
    pxs_config_free(&c);
    assert_int_equal(pxs_config_load(&c, dir, rootfile), 0);
    assert_string_equal(c.root, dir);
    pxs_config_free(&c);
    setenv("PXROOT", dir, 1);
    assert_int_equal(pxs_config_load(&c, NULL, rootfile), 0);
    assert_string_equal(c.root, dir);
    pxs_config_free(&c);

    clear_env();
    rm_tree(dir);
    free(file);
    free(rootfile);
    free(logfile);
    free(dir);
}

static void test_load_max_latency(void **state)
{
    char *dir = tmpdir();
    char *zero = write_file(dir, "z.conf", "[collection]\nmaxLatency = 0\n");
    char *big = write_file(dir, "b.conf", "[Collection]\nMAXLATENCY = 86400\n");
    char *other = write_file(dir, "o.conf", "[paths]\nmaxLatency = 99\n");
    pxs_config c;

    (void)state;
    clear_env();
    assert_int_equal(pxs_config_load(&c, dir, zero), 0);
    assert_int_equal(c.max_latency, 0);
    pxs_config_free(&c);
    assert_int_equal(pxs_config_load(&c, dir, big), 0);
    assert_int_equal(c.max_latency, 86400);
    pxs_config_free(&c);
    /* Only [collection] holds it: elsewhere it is refused, not ignored. */
    assert_int_equal(pxs_config_load(&c, dir, other), -1);
    char *want = xasprintf("%s:2: unknown key 'maxLatency' in [paths] (it belongs in [collection])",
                           other);
    assert_string_equal(pxs_error(), want);
    free(want);
    rm_tree(dir);
    free(zero);
    free(big);
    free(other);
    free(dir);
}

/* Loads text as a config file: 0, or -1 with the message (file name
 * stripped) in err. */
static int load_text(const char *text, char *err, size_t size)
{
    char *dir = tmpdir();
    char *file = write_file(dir, "t.conf", text);
    pxs_config c;
    int rc;

    clear_env();
    rc = pxs_config_load(&c, dir, file);
    if (rc == 0)
        pxs_config_free(&c);
    else
        snprintf(err, size, "%s", pxs_error() + strlen(file));
    rm_tree(dir);
    free(file);
    free(dir);
    return rc;
}

static void expect_refused(const char *text, const char *err)
{
    char got[512];

    if (load_text(text, got, sizeof got) == 0)
        fail_msg("accepted: %s", text);
    assert_string_equal(got, err);
}

/* Every section and key must be one the programs read: a typo is an error
 * with its line and the nearest valid name, never a default left in force. */
static void test_unknown_sections_and_keys(void **state)
{
    char err[512];

    (void)state;
    expect_refused("[collecton]\nmaxLatency = 30\n",
                   ":1: unknown section [collecton] (did you mean [collection]?)");
    expect_refused("# x\n[monitoring]\nemail = ops@example.org\n",
                   ":3: unknown key 'email' in [monitoring] (did you mean emails?)");
    expect_refused("[monitoring]\nemails = a@b\n\n[graphics]\nlogFileMachines = a;b\n",
                   ":5: unknown key 'logFileMachines' in [graphics] (did you mean "
                   "logFilesMachines?)");
    expect_refused("[ssh]\nkonwnHosts = /x\n",
                   ":2: unknown key 'konwnHosts' in [ssh] (did you mean knownHosts?)");
    expect_refused("[databases]\nmachinenames = a\nfoo = 1\n", ":3: unknown key 'foo' in [databases]");
    expect_refused("maxLatency = 3\n",
                   ":1: 'maxLatency' is outside any [section] (it belongs in [collection])");
    expect_refused("[graphics]\nmaxLatency = 3\n",
                   ":2: unknown key 'maxLatency' in [graphics] (it belongs in [collection])");
    expect_refused("[totally]\n", ":1: unknown section [totally]");
    /* An empty section counts too: its keys would go nowhere. */
    expect_refused("[collection]\nmaxLatency = 3\n[monitorng]\n",
                   ":3: unknown section [monitorng] (did you mean [monitoring]?)");
    expect_refused("[sync]\nremoteStatsDir = /x\n[sync pds5]\nlogin = px\n",
                   ":4: unknown key 'login' in [sync pds5] (it belongs in [sync])");
    /* Accepted: case-insensitive names, the per-host [sync <host>], any client
     * name in [monitoring.gaps]. */
    assert_int_equal(load_text("[Collection]\nMAXLATENCY = 3\n[sync pds5]\nremoteStatsDir = /x\n"
                               "[monitoring.gaps]\namis = 240\nwxo-b1 = 3\n",
                               err, sizeof err),
                     0);
    /* The samples shipped with pxstats are valid as they are (the suites
     * run from the top of the source tree). */
    static const char *const samples[] = {"etc/pxstats.conf.sample", "etc/monitoring.conf.sample"};
    for (size_t i = 0; i < 2; i++) {
        size_t len;
        char *text = pxs_read_file(samples[i], &len);
        if (text == NULL)
            fail_msg("%s", pxs_error());
        if (load_text(text, err, sizeof err) != 0)
            fail_msg("%s: %s", samples[i], err);
        free(text);
    }
    /* The table ends with its sentinel and holds no empty name. */
    size_t n = 0;
    for (const pxs_conf_key *k = pxs_conf_keys; k->section; k++, n++)
        assert_true(*k->section && *k->key);
    assert_true(n > 30);
}

/* [collection] futureToleranceMinutes and disorderMinutes (issue 12). */
static void test_load_edges(void **state)
{
    char *dir = tmpdir();
    char *set = write_file(dir, "s.conf", "[collection]\nfutureToleranceMinutes = 120\ndisorderMinutes = 10\n");
    char *far = write_file(dir, "f.conf", "[collection]\ndisorderMinutes = 61\n");
    char *more = write_file(dir, "m.conf", "[collection]\nfutureToleranceMinutes = 3\ndisorderMinutes = 4\n");
    pxs_config c;
    char *want;

    (void)state;
    clear_env();
    assert_int_equal(pxs_config_load(&c, dir, NULL), 0);
    assert_int_equal(c.future_tolerance_min, 60);
    assert_int_equal(c.disorder_min, 5);
    pxs_config_free(&c);
    assert_int_equal(pxs_config_load(&c, dir, set), 0);
    assert_int_equal(c.future_tolerance_min, 120);
    assert_int_equal(c.disorder_min, 10);
    pxs_config_free(&c);
    /* More than an hour of disorder would hold too many hours open. */
    assert_int_equal(pxs_config_load(&c, dir, far), -1);
    assert_non_null(strstr(pxs_error(), "disorderMinutes = '61': expected an integer from 0 to 60"));
    /* The tolerance of lines ahead cannot be less than the disorder. */
    assert_int_equal(pxs_config_load(&c, dir, more), -1);
    want = xasprintf("%s:3: [collection] disorderMinutes (4) is more than futureToleranceMinutes (3)", more);
    assert_string_equal(pxs_error(), want);
    free(want);
    rm_tree(dir);
    free(set);
    free(far);
    free(more);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections_and_comments),
        cmocka_unit_test(test_case_duplicates_whitespace),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_get_int),
        cmocka_unit_test(test_get_int_names_file),
        cmocka_unit_test(test_load_root_argument_and_env),
        cmocka_unit_test(test_load_auto_detect),
        cmocka_unit_test(test_load_conf_env_and_argument),
        cmocka_unit_test(test_load_missing_and_bad_files),
        cmocka_unit_test(test_load_paths_section),
        cmocka_unit_test(test_load_max_latency),
        cmocka_unit_test(test_unknown_sections_and_keys),
        cmocka_unit_test(test_load_edges),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
