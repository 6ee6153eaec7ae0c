/* Unit tests of remote and picklesync that need no ssh server: quoting (run
 * through a real /bin/sh), login@host:port parsing, the [ssh] options, the
 * connect errors and timeouts, and the rsync argument vector. The end-to-end
 * suites remote.sh and picklesync.sh cover a real sshd. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxstats/atomicfile.h"
#include "pxstats/config.h"
#include "pxstats/msg.h"
#include "pxstats/picklesync.h"
#include "pxstats/remote.h"
#include "pxstats/spawn.h"
#include "pxstats/xalloc.h"

static void test_quote_exact(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        {"plain", "'plain'"},
        {"", "''"},
        {"it's", "'it'\\''s'"},
        {"'", "''\\'''"},
        {"$(id)", "'$(id)'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *q = pxs_sh_quote(cases[i].in);
        assert_string_equal(q, cases[i].out);
        free(q);
    }
    char *argv[] = {"statsUpdater", "-c", "a b", "-d", "2006-10-08 12:00:00", NULL};
    char *cmd = pxs_sh_command(argv);
    assert_string_equal(cmd, "'statsUpdater' '-c' 'a b' '-d' '2006-10-08 12:00:00'");
    free(cmd);
}

/* What a real shell makes of the quoted words must be the words themselves,
 * and nothing of them may run. */
static void test_quote_through_shell(void **state)
{
    (void)state;
    char *canary = xstrdup("/tmp/pxs-test-remote-canary.XXXXXX");
    int fd = mkstemp(canary);
    assert_true(fd >= 0);
    close(fd);
    unlink(canary);
    char *touch1 = xasprintf("$(touch %s)", canary);
    char *touch2 = xasprintf("`touch %s`", canary);
    char *touch3 = xasprintf("; touch %s", canary);
    char *touch4 = xasprintf("'; touch %s; '", canary);
    char *words[] = {"plain", "", "it's", "'", "''", "a  b", touch1, touch2, touch3, touch4,
                     "new\nline", "back\\slash\\", "*", "$HOME", "--", "-e", "\"dq\"",
                     "x'\\''y", "tab\there", "!bang", "{a,b}", "~", NULL};
    char *quoted = pxs_sh_command(words);
    char *script = xasprintf("printf '[%%s]' %s", quoted);
    char *sh_argv[] = {"sh", "-c", script, NULL};
    char *out = NULL;
    size_t outlen = 0;
    pxs_spawn_opts o = {.stdout_buf = &out, .stdout_len = &outlen, .timeout = 10};
    assert_int_equal(pxs_spawn(sh_argv, &o), 0);
    char *want = xcalloc(1, 1);
    for (size_t i = 0; words[i] != NULL; i++) {
        char *w = xasprintf("%s[%s]", want, words[i]);
        free(want);
        want = w;
    }
    assert_int_equal(outlen, strlen(want));
    assert_memory_equal(out, want, outlen);
    assert_int_equal(access(canary, F_OK), -1);
    free(want);
    free(out);
    free(script);
    free(quoted);
    free(touch1);
    free(touch2);
    free(touch3);
    free(touch4);
    free(canary);
}

static void test_target_parse(void **state)
{
    (void)state;
    pxs_ssh_target t;
    assert_int_equal(pxs_ssh_target_parse("pds@logan1:2222", NULL, 22, &t), 0);
    assert_string_equal(t.login, "pds");
    assert_string_equal(t.host, "logan1");
    assert_int_equal(t.port, 2222);
    char *name = pxs_ssh_target_name(&t);
    assert_string_equal(name, "pds@logan1:2222");
    free(name);
    pxs_ssh_target_free(&t);

    assert_int_equal(pxs_ssh_target_parse("pds5.example.org", "px", 2200, &t), 0);
    assert_string_equal(t.login, "px");
    assert_string_equal(t.host, "pds5.example.org");
    assert_int_equal(t.port, 2200);
    pxs_ssh_target_free(&t);

    /* No login anywhere: the current user. */
    assert_int_equal(pxs_ssh_target_parse("127.0.0.1", NULL, 0, &t), 0);
    assert_true(strlen(t.login) > 0);
    assert_int_equal(t.port, 22);
    pxs_ssh_target_free(&t);

    static const char *const bad[] = {
        "", "a b", "-oProxyCommand=touch_x", "host:0", "host:70000", "host:22x", "host:",
        "@host", "pds@", "x;rm@h", "pds@h;id", "pds@.hidden", "pds@$(id)", "h:-1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(pxs_ssh_target_parse(bad[i], "pds", 22, &t), -1);
    assert_int_equal(pxs_ssh_target_parse("-evil", NULL, 22, &t), -1);
    assert_non_null(strstr(pxs_error(), "unsafe host name"));
    assert_int_equal(pxs_ssh_target_parse("h:99999", NULL, 22, &t), -1);
    assert_non_null(strstr(pxs_error(), "bad port"));
}

/* A config file in a fresh directory; returns the directory. */
static char *write_config(const char *text, pxs_config *cfg)
{
    char *dir = xstrdup("/tmp/pxs-test-remote.XXXXXX");
    assert_non_null(mkdtemp(dir));
    char *file = xasprintf("%s/pxstats.conf", dir);
    assert_int_equal(pxs_atomic_write(file, text, strlen(text)), 0);
    assert_int_equal(pxs_config_load(cfg, dir, file), 0);
    free(file);
    return dir;
}

static void rmtree(const char *d)
{
    char *cmd = xasprintf("rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static void test_opts_from_config(void **state)
{
    (void)state;
    pxs_config cfg;
    pxs_ssh_opts o;
    char *dir = write_config("[paths]\n", &cfg);
    setenv("HOME", "/home/op", 1);
    assert_int_equal(pxs_ssh_opts_from_config(&cfg, &o), 0);
    assert_int_equal(o.port, 22);
    assert_int_equal(o.connect_timeout, 10);
    assert_int_equal(o.run_timeout, 600);
    assert_string_equal(o.known_hosts, "/home/op/.ssh/known_hosts");
    assert_string_equal(o.identity, "/home/op/.ssh/id_rsa"); /* no id_ed25519 there */
    pxs_ssh_opts_free(&o);
    pxs_config_free(&cfg);
    rmtree(dir);
    free(dir);

    dir = write_config("[ssh]\nidentity = ~/keys/k\nknownHosts = /etc/kh\nport = 2222\n"
                       "connectTimeout = 3\nrunTimeout = 4\n", &cfg);
    assert_int_equal(pxs_ssh_opts_from_config(&cfg, &o), 0);
    assert_string_equal(o.identity, "/home/op/keys/k");
    assert_string_equal(o.known_hosts, "/etc/kh");
    assert_int_equal(o.port, 2222);
    assert_int_equal(o.connect_timeout, 3);
    assert_int_equal(o.run_timeout, 4);
    pxs_ssh_opts_free(&o);
    pxs_config_free(&cfg);
    rmtree(dir);
    free(dir);

    static const char *const bad[] = {"[ssh]\nport = 0\n", "[ssh]\nconnectTimeout = soon\n",
                                      "[ssh]\nrunTimeout = -1\n"};
    for (size_t i = 0; i < 3; i++) {
        dir = write_config(bad[i], &cfg);
        assert_int_equal(pxs_ssh_opts_from_config(&cfg, &o), -1);
        assert_non_null(strstr(pxs_error(), "pxstats.conf"));
        pxs_config_free(&cfg);
        rmtree(dir);
        free(dir);
    }
}

static double elapsed_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A listening socket on 127.0.0.1 and its port. */
static int listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 8), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void test_connect_failures(void **state)
{
    (void)state;
    pxs_ssh_opts o = {.identity = "/nonexistent/key", .known_hosts = "/dev/null",
                      .port = 22, .connect_timeout = 1, .run_timeout = 1};
    int port;
    int fd = listener(&port);
    pxs_ssh_target t = {.login = "pds", .host = "127.0.0.1", .port = port};
    /* Accepted by the kernel, never a word from the server: the handshake
     * must give up at the connect timeout. */
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_null(pxs_ssh_connect(&t, &o));
    double secs = elapsed_since(&t0);
    assert_true(secs >= 0.9 && secs < 3.0);
    assert_non_null(strstr(pxs_error(), "pds@127.0.0.1:"));
    assert_non_null(strstr(pxs_error(), "timed out after 1 s during the ssh handshake"));
    close(fd);

    /* Nobody listens any more: refused, at once. */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_null(pxs_ssh_connect(&t, &o));
    assert_true(elapsed_since(&t0) < 1.0);
    assert_non_null(strstr(pxs_error(), "Connection refused"));

    char *argv[] = {"true", NULL};
    pxs_ssh_result r;
    assert_int_equal(pxs_ssh_exec(&t, &o, argv, &r), -1);
    pxs_ssh_result_free(&r);

    /* A known_hosts file that cannot be read stops before any ssh traffic. */
    fd = listener(&port);
    t.port = port;
    o.known_hosts = "/nonexistent/kh";
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_null(pxs_ssh_connect(&t, &o));
    assert_true(elapsed_since(&t0) < 0.5);
    assert_non_null(strstr(pxs_error(), "cannot read known_hosts file /nonexistent/kh"));
    close(fd);
}

/* ---- the rsync vector of pickleSync ------------------------------------- */

static void test_rsh_quote(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        {"/k/id", "/k/id"},
        {"/my keys/id", "'/my keys/id'"},
        {"it's", "'it''s'"},
        {"", "''"},
        {"a\"b", "'a\"b'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *q = pxs_rsync_rsh_quote(cases[i].in);
        assert_string_equal(q, cases[i].out);
        free(q);
    }
}

static void assert_argv(char **got, const char *const *want)
{
    size_t i = 0;
    for (; want[i] != NULL; i++) {
        assert_non_null(got[i]);
        assert_string_equal(got[i], want[i]);
    }
    assert_null(got[i]);
}

static void test_sync_argv(void **state)
{
    (void)state;
    pxs_config cfg;
    char *dir = write_config("[ssh]\nidentity = /my keys/id\nknownHosts = /k/kh\nport = 2222\n"
                             "connectTimeout = 7\n[sync]\nremoteStatsDir = /r/stats/\n"
                             "timeout = 33\nlogin = pds\n[sync other]\nremoteStatsDir = /o\n",
                             &cfg);
    pxs_sync_opts o = {.cfg = &cfg};
    char **argv;
    char *rsh = xstrdup("ssh -p 2222 -i '/my keys/id' -o IdentitiesOnly=yes"
                        " -o UserKnownHostsFile=/k/kh -o GlobalKnownHostsFile=/dev/null"
                        " -o StrictHostKeyChecking=yes -o BatchMode=yes -o UpdateHostKeys=no"
                        " -o ConnectTimeout=7");
    char *local = xasprintf("%s/stats/pickles/", dir);
    assert_int_equal(pxs_sync_argv(&o, "pds5", &argv), 0);
    const char *want1[] = {"rsync", "-rt", "--no-links", "--no-devices", "--no-specials",
                           "--timeout=33", "-e", rsh,
                           "pds@pds5:/r/stats/pickles/", local, NULL};
    assert_argv(argv, want1);
    pxs_sync_argv_free(argv);

    /* -l, a port of its own, a per-machine stats root, clients, -v. */
    pxs_strlist clients;
    pxs_strlist_init(&clients);
    pxs_strlist_add(&clients, "amis");
    pxs_strlist_add(&clients, "wxo-b1");
    o.login = "px";
    o.clients = &clients;
    o.verbose = true;
    o.temp_dir = "/s/pickles/.pickleSync.AbCdEf";
    assert_int_equal(pxs_sync_argv(&o, "other:2200", &argv), 0);
    char *rsh2 = xstrdup(rsh);
    memcpy(strstr(rsh2, "2222"), "2200", 4);
    const char *want2[] = {"rsync", "-rt", "--no-links", "--no-devices", "--no-specials",
                           "--timeout=33", "--temp-dir=/s/pickles/.pickleSync.AbCdEf", "-v", "-e", rsh2,
                           "--include=/amis/***", "--include=/wxo-b1/***", "--exclude=*",
                           "px@other:/o/pickles/", local, NULL};
    assert_argv(argv, want2);
    pxs_sync_argv_free(argv);

    /* Refusals: a machine or client name that could become an option or a
     * command, a port out of range. */
    assert_int_equal(pxs_sync_argv(&o, "-oProxyCommand=x", &argv), -1);
    assert_int_equal(pxs_sync_argv(&o, "h:0", &argv), -1);
    pxs_strlist_add(&clients, "a;b");
    assert_int_equal(pxs_sync_argv(&o, "pds5", &argv), -1);
    assert_non_null(strstr(pxs_error(), "unsafe client name"));
    pxs_strlist_free(&clients);
    pxs_config_free(&cfg);
    rmtree(dir);
    free(dir);

    /* With no remoteStatsDir, the machines' tree is ours, made absolute when
     * --root was relative. */
    char *cwd = getcwd(NULL, 0);
    assert_non_null(cwd);
    dir = write_config("", &cfg);
    pxs_config_free(&cfg);
    char *parent = xstrdup(dir);
    *strrchr(parent, '/') = '\0';
    assert_int_equal(chdir(parent), 0);
    assert_int_equal(pxs_config_load(&cfg, strrchr(dir, '/') + 1, "/dev/null"), 0);
    o = (pxs_sync_opts){.cfg = &cfg};
    assert_int_equal(pxs_sync_argv(&o, "pds5", &argv), 0);
    size_t n = 0;
    while (argv[n] != NULL)
        n++;
    /* The source is the next to last argument: <login>@pds5:<dir>/stats/pickles/ */
    char *want_remote = xasprintf("@pds5:%s/stats/pickles/", dir);
    assert_true(n >= 2);
    assert_non_null(strchr(argv[n - 2], '@'));
    assert_string_equal(strchr(argv[n - 2], '@'), want_remote);
    char *want_local = xasprintf("%s/stats/pickles/", strrchr(dir, '/') + 1);
    assert_string_equal(argv[n - 1], want_local);
    free(want_local);
    assert_int_equal(chdir(cwd), 0);
    pxs_sync_argv_free(argv);
    free(want_remote);
    free(parent);
    free(cwd);
    pxs_config_free(&cfg);
    rmtree(dir);
    free(dir);

    /* A relative remote stats root; a known_hosts path ssh would split. */
    dir = write_config("[sync]\nremoteStatsDir = stats\n", &cfg);
    o = (pxs_sync_opts){.cfg = &cfg};
    assert_int_equal(pxs_sync_argv(&o, "pds5", &argv), -1);
    assert_non_null(strstr(pxs_error(), "not absolute"));
    pxs_config_free(&cfg);
    rmtree(dir);
    free(dir);
    dir = write_config("[ssh]\nknownHosts = /a b/kh\n", &cfg);
    o = (pxs_sync_opts){.cfg = &cfg};
    assert_int_equal(pxs_sync_argv(&o, "pds5", &argv), -1);
    assert_non_null(strstr(pxs_error(), "whitespace"));
    pxs_config_free(&cfg);
    rmtree(dir);
    free(dir);
    free(rsh);
    free(rsh2);
    free(local);
}

/* A machine that refuses: reported, exit 1, and the next one still tried. */
static void test_sync_failure_reported(void **state)
{
    (void)state;
    pxs_config cfg;
    char *dir = write_config("[sync]\nrsync = false\n", &cfg);
    pxs_sync_opts o = {.cfg = &cfg};
    pxs_strlist ms;
    pxs_strlist_init(&ms);
    pxs_strlist_add(&ms, "m1");
    pxs_strlist_add(&ms, "m2");
    assert_int_equal(pxs_sync_machines(&o, &ms), 1);
    pxs_config_free(&cfg);
    rmtree(dir);
    free(dir);
    dir = write_config("[sync]\nrsync = true\n", &cfg);
    o.cfg = &cfg;
    assert_int_equal(pxs_sync_machines(&o, &ms), 0);
    pxs_strlist_free(&ms);
    pxs_strlist_init(&ms);
    assert_int_equal(pxs_sync_machines(&o, &ms), -1);
    pxs_config_free(&cfg);
    rmtree(dir);
    free(dir);
}

int main(void)
{
    pxs_set_progname("test_remote");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_exact),
        cmocka_unit_test(test_quote_through_shell),
        cmocka_unit_test(test_target_parse),
        cmocka_unit_test(test_opts_from_config),
        cmocka_unit_test(test_connect_failures),
        cmocka_unit_test(test_rsh_quote),
        cmocka_unit_test(test_sync_argv),
        cmocka_unit_test(test_sync_failure_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
