/* launch — the graphics host's hourly cycle. See launch.h. */
#include "pxstats/launch.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/names.h"
#include "pxstats/pngspan.h"
#include "pxstats/pxtime.h"
#include "pxstats/remote.h"
#include "pxstats/spawn.h"
#include "pxstats/xalloc.h"

char *pxs_tool_path(const char *name)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            char *p = xasprintf("%s/%s", self, name);
            if (access(p, X_OK) == 0)
                return p;
            free(p);
        }
    }
    return xstrdup(name);
}

void pxs_argv_print(FILE *fp, char *const argv[])
{
    for (int i = 0; argv[i]; i++) {
        const char *a = argv[i];
        int plain = *a && strpbrk(a, " \t\n'\"\\$`;&|<>()*?[]#~!{}") == NULL;
        fputs(i ? " " : "", fp);
        if (plain) {
            fputs(a, fp);
            continue;
        }
        fputc('\'', fp);
        for (; *a; a++) {
            if (*a == '\'')
                fputs("'\\''", fp);
            else
                fputc(*a, fp);
        }
        fputc('\'', fp);
    }
    fputc('\n', fp);
}

bool pxs_launch_is_local(const pxs_config *cfg, const char *machine)
{
    const char *set = pxs_conf_get(cfg, "graphics", "localMachines", NULL);
    if (set) {
        pxs_strlist l;
        pxs_strlist_init(&l);
        pxs_strlist_split(&l, set, ',');
        bool in = pxs_strlist_has(&l, machine);
        pxs_strlist_free(&l);
        return in;
    }
    char host[256] = "";
    if (strcmp(machine, "localhost") == 0)
        return true;
    if (gethostname(host, sizeof host - 1) != 0)
        return false;
    if (strcmp(machine, host) == 0)
        return true;
    /* "logan1" names "logan1.example.org" too */
    size_t l = strcspn(host, ".");
    return strlen(machine) == l && strncmp(machine, host, l) == 0;
}

/* Splits a config list on sep into out; returns the count. */
static size_t conf_list(const pxs_config *cfg, const char *sec, const char *key, char sep,
                        pxs_strlist *out)
{
    pxs_strlist_init(out);
    pxs_strlist_split(out, pxs_conf_get(cfg, sec, key, ""), sep);
    return out->n;
}

/* The groups of a ';'/',' list of the config, each "m1,m2", every machine
 * name checked. Returns 0 or -1 (pxs_error names the key). */
static int conf_groups(const pxs_config *cfg, const char *sec, const char *key, pxs_strlist *out)
{
    pxs_strlist_init(out);
    if (pxs_groups_parse(pxs_conf_get(cfg, sec, key, ""), out) != 0) {
        pxs_set_error("[%s] %s: %s", sec, key, pxs_error());
        return -1;
    }
    return 0;
}

static pxs_step *add_step(pxs_plan *p, pxs_step_kind kind, char *what)
{
    xgrow((void **)&p->v, &p->cap, p->n + 1, sizeof *p->v);
    pxs_step *s = &p->v[p->n++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->what = what;
    pxs_strlist_init(&s->argv);
    return s;
}

/* argv[0] = the program, then --root/--config of the launch when set. */
static void local_prog(const pxs_launch_opts *o, pxs_step *s, const char *prog)
{
    char *path = pxs_tool_path(prog);
    pxs_strlist_add(&s->argv, path);
    free(path);
    if (o->root) {
        pxs_strlist_add(&s->argv, "--root");
        pxs_strlist_add(&s->argv, o->root);
    }
    if (o->config) {
        pxs_strlist_add(&s->argv, "--config");
        pxs_strlist_add(&s->argv, o->config);
    }
}

static void add_args(pxs_step *s, const char *const *args)
{
    for (; *args; args++)
        pxs_strlist_add(&s->argv, *args);
}

/* statsUpdater -f rx|tx -m <logmachine> -d <date> on its pickling machine. */
static void plan_update(const pxs_launch_opts *o, pxs_plan *p, const char *logm,
                        const char *pickm, const char *login, const char *date)
{
    static const char *const fts[] = {"rx", "tx"};
    for (int f = 0; f < 2; f++) {
        const char *args[] = {"-f", fts[f], "-m", logm, "-d", date, NULL};
        if (pxs_launch_is_local(o->cfg, pickm)) {
            pxs_step *s = add_step(p, PXS_STEP_LOCAL,
                                   xasprintf("statsUpdater -f %s for %s here", fts[f], logm));
            local_prog(o, s, "statsUpdater");
            add_args(s, args);
            continue;
        }
        pxs_step *s = add_step(p, PXS_STEP_REMOTE, xasprintf("statsUpdater -f %s for %s on %s",
                                                              fts[f], logm, pickm));
        const char *bindir = pxs_conf_get(o->cfg, "graphics", "remoteBinDir", "");
        const char *root = pxs_conf_get(o->cfg, "graphics", "remoteRoot", "");
        char *prog = *bindir ? xasprintf("%s/statsUpdater", bindir) : xstrdup("statsUpdater");
        pxs_strlist_add(&s->argv, prog);
        free(prog);
        if (*root) {
            pxs_strlist_add(&s->argv, "--root");
            pxs_strlist_add(&s->argv, root);
        }
        add_args(s, args);
        s->host = xstrdup(pickm);
        s->login = xstrdup(login);
    }
}

/* Steps 1 and 2: updates on the pickling machines, then their snapshots
 * brought here (once per remote pickling machine). */
static int plan_pickling(const pxs_launch_opts *o, pxs_plan *p, const pxs_strlist *groups,
                         const char *date)
{
    pxs_strlist logms, pickms, logins, synced;
    int rc = 0;
    pxs_strlist_init(&logms);
    for (size_t g = 0; g < groups->n; g++)
        pxs_strlist_split(&logms, groups->v[g], ',');
    conf_list(o->cfg, "graphics", "picklingMachines", ';', &pickms);
    conf_list(o->cfg, "graphics", "picklingMachineLogins", ';', &logins);
    pxs_strlist_init(&synced);
    if (pickms.n != logms.n || (logins.n && logins.n != pickms.n)) {
        pxs_set_error("[graphics] picklingMachines / picklingMachineLogins: %zu / %zu "
                      "entries for %zu log machines in logFilesMachines (one each is needed)",
                      pickms.n, logins.n, logms.n);
        rc = -1;
    }
    for (size_t i = 0; i < pickms.n && rc == 0; i++)
        if (pxs_name_check("pickling machine", pickms.v[i]) < 0 ||
            (logins.n && pxs_name_check("login", logins.v[i]) < 0)) {
            pxs_set_error("[graphics] picklingMachines: %s", pxs_error());
            rc = -1;
        }
    for (size_t i = 0; i < logms.n && rc == 0; i++) {
        const char *login = logins.n ? logins.v[i] : "";
        plan_update(o, p, logms.v[i], pickms.v[i], login, date);
    }
    for (size_t i = 0; i < pickms.n && rc == 0; i++) {
        if (pxs_launch_is_local(o->cfg, pickms.v[i]) || pxs_strlist_has(&synced, pickms.v[i]))
            continue;
        pxs_strlist_add(&synced, pickms.v[i]);
        pxs_step *s = add_step(p, PXS_STEP_LOCAL, xasprintf("pickleSync from %s", pickms.v[i]));
        local_prog(o, s, "pickleSync");
        if (logins.n && *logins.v[i]) {
            pxs_strlist_add(&s->argv, "-l");
            pxs_strlist_add(&s->argv, logins.v[i]);
        }
        const char *args[] = {"-m", pickms.v[i], NULL};
        add_args(s, args);
    }
    pxs_strlist_free(&logms);
    pxs_strlist_free(&pickms);
    pxs_strlist_free(&logins);
    pxs_strlist_free(&synced);
    return rc;
}

static int plan_maintenance(const pxs_launch_opts *o, pxs_plan *p, bool backup);

/* Steps 3 to 6: merges, archive (and its daily backup), graphs, images and
 * pages, all local. Returns 0, or -1 on a bad [graphics] maintenanceHours. */
static int plan_local(const pxs_launch_opts *o, pxs_plan *p, const pxs_strlist *groups,
                      const pxs_strlist *dbgroups, const char *date)
{
    static const char *const fts[] = {"rx", "tx"};
    for (size_t g = 0; g < groups->n; g++) {
        if (!strchr(groups->v[g], ','))
            continue;   /* a single machine has nothing to merge */
        for (int f = 0; f < 2; f++) {
            pxs_step *s = add_step(p, PXS_STEP_LOCAL,
                                   xasprintf("pickleMerge -f %s of %s", fts[f], groups->v[g]));
            local_prog(o, s, "pickleMerge");
            const char *args[] = {"-c", "All", "-f", fts[f], "-m", groups->v[g],
                                  "-d", date, "-s", "24", NULL};
            add_args(s, args);
        }
    }
    for (size_t g = 0; g < dbgroups->n; g++) {
        for (int f = 0; f < 2; f++) {
            pxs_step *s = add_step(p, PXS_STEP_LOCAL, xasprintf("rrdTransfer -f %s of %s", fts[f],
                                                                dbgroups->v[g]));
            local_prog(o, s, "rrdTransfer");
            const char *args[] = {"-f", fts[f], "-m", dbgroups->v[g], "-e", date, NULL};
            add_args(s, args);
        }
    }
    if (plan_maintenance(o, p, true) != 0)
        return -1;
    for (size_t g = 0; g < groups->n; g++) {
        pxs_step *s = add_step(p, PXS_STEP_LOCAL, xasprintf("graphGen --all of %s", groups->v[g]));
        local_prog(o, s, "graphGen");
        const char *args[] = {"--all", "-l", "-m", groups->v[g], "-s", "24", "-d", date, NULL};
        add_args(s, args);
    }
    pxs_step *s = add_step(p, PXS_STEP_LOCAL, xstrdup("webPages --images"));
    local_prog(o, s, "webPages");
    const char *img[] = {"--images", "--date", date, NULL};
    add_args(s, img);
    s = add_step(p, PXS_STEP_LOCAL, xstrdup("webPages --all"));
    local_prog(o, s, "webPages");
    const char *pages[] = {"--all", "--date", date, NULL};
    add_args(s, pages);
    return 0;
}

/* Step 7: one upload step per upload machine. */
static int plan_uploads(const pxs_launch_opts *o, pxs_plan *p)
{
    pxs_strlist ms, logins;
    int rc = 0;
    conf_list(o->cfg, "uploads", "machineNames", ';', &ms);
    conf_list(o->cfg, "uploads", "logins", ';', &logins);
    const char *dir = pxs_conf_get(o->cfg, "uploads", "directory", ".");
    if (logins.n && logins.n != ms.n) {
        pxs_set_error("[uploads] logins: %zu entries for %zu machineNames (one each is needed)",
                      logins.n, ms.n);
        rc = -1;
    }
    for (size_t i = 0; i < ms.n && rc == 0; i++) {
        if (pxs_name_check("upload machine", ms.v[i]) < 0 ||
            (logins.n && pxs_name_check("login", logins.v[i]) < 0)) {
            pxs_set_error("[uploads]: %s", pxs_error());
            rc = -1;
            break;
        }
        bool local = pxs_launch_is_local(o->cfg, ms.v[i]);
        pxs_step *s = add_step(p, PXS_STEP_UPLOAD,
                               xasprintf("24 h images to %s:%s", ms.v[i], dir));
        s->host = local ? NULL : xstrdup(ms.v[i]);
        s->login = xstrdup(logins.n ? logins.v[i] : "");
        s->dir = xstrdup(dir);
    }
    pxs_strlist_free(&ms);
    pxs_strlist_free(&logins);
    return rc;
}

/* Whether the hour of the cycle is one of the hours of [graphics] key (a
 * comma list of 0-23; def when the key is absent, "" for none): sets *due.
 * Returns 0, or -1 (pxs_error names the key) on a value that is no hour. */
static int due_now(const pxs_launch_opts *o, const char *key, const char *def, bool *due)
{
    pxs_strlist hours;
    pxs_strlist_init(&hours);
    pxs_strlist_split(&hours, pxs_conf_get(o->cfg, "graphics", key, def), ',');
    int hour = (int)((o->now - pxs_day_floor(o->now)) / PXS_HOUR), rc = 0;
    *due = false;
    for (size_t i = 0; i < hours.n; i++) {
        char *end;
        long h = strtol(hours.v[i], &end, 10);
        if (*end || h < 0 || h > 23) {
            pxs_set_error("[graphics] %s: '%s' is not an hour (0-23)", key, hours.v[i]);
            rc = -1;
        }
        *due = *due || h == hour;
    }
    pxs_strlist_free(&hours);
    return rc;
}

/* Step 8: statsMonitor at the configured hours. */
static int plan_monitor(const pxs_launch_opts *o, pxs_plan *p)
{
    bool due;
    int rc = due_now(o, "monitorHours", "0,12", &due);
    if (rc == 0 && due) {
        pxs_step *s = add_step(p, PXS_STEP_LOCAL, xstrdup("statsMonitor"));
        local_prog(o, s, "statsMonitor");
        s->findings = 1;
    }
    return rc;
}

/* Once a day ([graphics] maintenanceHours, default 0): a backup of the
 * archive, right after it was fed (rrdTransfer rebuilds a database whose
 * snapshots changed from the newest backup older than the change: without
 * daily backups, a snapshot repaired late could not be brought in), and,
 * last of the cycle, the cleaning of old snapshots and graphs (pickleClean,
 * its days from [cleaning] in the config). */
static int plan_maintenance(const pxs_launch_opts *o, pxs_plan *p, bool backup)
{
    bool due;
    int rc = due_now(o, "maintenanceHours", "0", &due);
    if (rc != 0 || !due)
        return rc;
    pxs_step *s;
    if (backup) {
        s = add_step(p, PXS_STEP_LOCAL, xstrdup("restoreRRD --backup"));
        local_prog(o, s, "restoreRRD");
        const char *args[] = {"--backup", "--wait", NULL};
        add_args(s, args);
    } else {
        s = add_step(p, PXS_STEP_LOCAL, xstrdup("pickleClean"));
        local_prog(o, s, "pickleClean");
    }
    return 0;
}

int pxs_launch_check_groups(const pxs_config *cfg)
{
    static const char *const keys[][2] = {{"graphics", "logFilesMachines"},
                                         {"databases", "machineNames"}};
    for (size_t k = 0; k < 2; k++) {
        pxs_strlist g;
        int rc = conf_groups(cfg, keys[k][0], keys[k][1], &g);
        pxs_strlist_free(&g);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int pxs_launch_plan(const pxs_launch_opts *o, pxs_plan *plan)
{
    pxs_strlist groups, dbgroups;
    char date[PXS_ISO_SIZE];
    int rc;
    memset(plan, 0, sizeof *plan);
    /* every step works on complete hours: say so in the command lines */
    pxs_format_iso(pxs_hour_floor(o->now), date);
    rc = conf_groups(o->cfg, "graphics", "logFilesMachines", &groups);
    if (rc == 0 && groups.n == 0) {
        pxs_set_error("[graphics] logFilesMachines: no machine in %s",
                      o->cfg->file ? o->cfg->file : "the config (no config file)");
        rc = -1;
    }
    if (rc == 0)
        rc = conf_groups(o->cfg, "databases", "machineNames", &dbgroups);
    else
        pxs_strlist_init(&dbgroups);
    if (rc == 0 && dbgroups.n == 0)
        for (size_t g = 0; g < groups.n; g++)
            pxs_strlist_add(&dbgroups, groups.v[g]);
    if (rc == 0)
        rc = plan_pickling(o, plan, &groups, date);
    if (rc == 0)
        rc = plan_local(o, plan, &groups, &dbgroups, date);
    if (rc == 0)
        rc = plan_uploads(o, plan);
    if (rc == 0)
        rc = plan_monitor(o, plan);
    if (rc == 0)
        rc = plan_maintenance(o, plan, false);
    pxs_strlist_free(&groups);
    pxs_strlist_free(&dbgroups);
    if (rc < 0)
        pxs_plan_free(plan);
    return rc;
}

void pxs_plan_free(pxs_plan *plan)
{
    for (size_t i = 0; i < plan->n; i++) {
        pxs_step *s = &plan->v[i];
        free(s->what);
        pxs_strlist_free(&s->argv);
        free(s->host);
        free(s->login);
        free(s->dir);
    }
    free(plan->v);
    memset(plan, 0, sizeof *plan);
}

/* argv of a step as a NULL-terminated vector (borrowed strings). */
static char **step_argv(const pxs_step *s)
{
    char **v = xcalloc(s->argv.n + 1, sizeof *v);
    for (size_t i = 0; i < s->argv.n; i++)
        v[i] = s->argv.v[i];
    return v;
}

void pxs_plan_print(const pxs_plan *plan, FILE *fp)
{
    for (size_t i = 0; i < plan->n; i++) {
        const pxs_step *s = &plan->v[i];
        if (s->kind == PXS_STEP_UPLOAD) {
            fprintf(fp, "upload webGraphics/columbo/{rx,tx}/*.png drawn this cycle to %s%s%s:%s/{rx,tx}/\n",
                    *s->login ? s->login : "", *s->login ? "@" : "", s->host ? s->host : "localhost",
                    s->dir);
            continue;
        }
        if (s->kind == PXS_STEP_REMOTE)
            fprintf(fp, "[%s%s%s] ", *s->login ? s->login : "", *s->login ? "@" : "", s->host);
        char **v = step_argv(s);
        pxs_argv_print(fp, v);
        free(v);
    }
}

/* Prints what a remote command said, each line prefixed by the host. */
static void relay(FILE *fp, const char *host, const char *text)
{
    while (text && *text) {
        size_t l = strcspn(text, "\n");
        fprintf(fp, "[%s] %.*s\n", host, (int)l, text);
        text += l + (text[l] == '\n');
    }
}

static int run_remote(const pxs_ssh_opts *so, const pxs_step *s)
{
    pxs_ssh_target t;
    pxs_ssh_result r = {0};
    if (pxs_ssh_target_parse(s->host, *s->login ? s->login : NULL, so->port, &t) < 0) {
        pxs_warnx("%s: %s", s->what, pxs_error());
        return -1;
    }
    char **v = step_argv(s);
    int st = pxs_ssh_exec(&t, so, v, &r);
    free(v);
    relay(stdout, s->host, r.out);
    relay(stderr, s->host, r.err);
    if (st < 0)
        pxs_warnx("%s: %s", s->what, pxs_error());
    pxs_ssh_result_free(&r);
    pxs_ssh_target_free(&t);
    return st;
}

/* The 24 h images of webGraphics/columbo/<ft> drawn this cycle (their graph
 * ends at the hour of the cycle, pngspan.h): a fresh list of file names.
 * Columbo gets nothing else: an image left by an earlier hour (graphGen
 * failed for that client) is not sent as if it were current. */
static void columbo_images(const char *statsdir, pxs_filetype ft, int64_t now, pxs_strlist *out)
{
    char *dir = pxs_columbo_dir(statsdir, ft);
    pxs_dirlist dl;
    pxs_strlist_init(out);
    if (pxs_dir_read(dir, &dl) != 0)
        pxs_warnx("%s", pxs_error());
    for (size_t i = 0; i < dl.n; i++) {
        const char *e = dl.e[i].name;
        size_t l = strlen(e);
        if (e[0] == '.' || l <= 4 || strcmp(e + l - 4, ".png") != 0)
            continue;
        char *p = xasprintf("%s/%s", dir, e);
        int64_t s, t;
        int have = pxs_png_file_span(p, &s, &t);
        if (have == 1 && t == pxs_hour_floor(now))
            pxs_strlist_add(out, e);
        else if (have >= 0)
            pxs_info("%s: not drawn this cycle: not uploaded", p);
        else
            pxs_warnx("%s", pxs_error());
        free(p);
    }
    pxs_dir_free(&dl);
    free(dir);
}

/* Copies (or uploads over one ssh connection) every 24 h image drawn this
 * cycle, into <dir>/<ft>/ (tx and rx never share a file). Returns 0, or 1
 * when anything failed (each failure reported). */
static int run_upload(const pxs_launch_opts *o, const pxs_ssh_opts *so, const pxs_step *s)
{
    static const pxs_filetype fts[] = {PXS_RX, PXS_TX};
    pxs_ssh_target t;
    pxs_ssh *c = NULL;
    int rc = 0;
    char *dirs[2];
    for (int f = 0; f < 2; f++)
        dirs[f] = xasprintf("%s/%s", s->dir, pxs_filetype_name(fts[f]));
    if (s->host) {
        if (pxs_ssh_target_parse(s->host, *s->login ? s->login : NULL, so->port, &t) < 0) {
            pxs_warnx("%s: %s", s->what, pxs_error());
            free(dirs[0]);
            free(dirs[1]);
            return 1;
        }
        char *mk[] = {"mkdir", "-p", "--", dirs[0], dirs[1], NULL};
        char *cmd = pxs_sh_command(mk);
        c = pxs_ssh_connect(&t, so);
        if (!c || pxs_ssh_run(c, cmd, NULL) != 0) {
            pxs_warnx("%s: %s", s->what, c ? "cannot create the directory" : pxs_error());
            rc = 1;
        }
        free(cmd);
    }
    for (int f = 0; f < 2 && rc == 0; f++) {
        pxs_strlist imgs;
        columbo_images(o->cfg->statsdir, fts[f], o->now, &imgs);
        char *srcdir = pxs_columbo_dir(o->cfg->statsdir, fts[f]);
        for (size_t i = 0; i < imgs.n && rc == 0; i++) {
            char *src = xasprintf("%s/%s", srcdir, imgs.v[i]);
            char *dst = xasprintf("%s/%s", dirs[f], imgs.v[i]);
            int r = c ? pxs_ssh_upload(c, src, dst, 0644) : pxs_atomic_copy(src, dst);
            if (r < 0) {
                pxs_warnx("%s: %s", s->what, pxs_error());
                rc = 1;
            }
            free(src);
            free(dst);
        }
        free(srcdir);
        pxs_strlist_free(&imgs);
    }
    if (c)
        pxs_ssh_close(c);
    if (s->host)
        pxs_ssh_target_free(&t);
    free(dirs[0]);
    free(dirs[1]);
    return rc ? -1 : 0;   /* already reported */
}

static int run_step(const pxs_launch_opts *o, const pxs_ssh_opts *so, const pxs_step *s)
{
    if (s->kind == PXS_STEP_UPLOAD)
        return run_upload(o, so, s);
    if (s->kind == PXS_STEP_REMOTE)
        return run_remote(so, s);
    char **v = step_argv(s);
    int st = pxs_spawn(v, NULL);
    if (st < 0)
        pxs_warnx("%s: %s", s->what, pxs_error());
    free(v);
    return st;
}

int pxs_launch_run(const pxs_launch_opts *o, const pxs_plan *plan)
{
    pxs_ssh_opts so;
    pxs_strlist failed;
    int have_ssh = pxs_ssh_opts_from_config(o->cfg, &so) == 0;
    char *ssh_error = have_ssh ? NULL : xstrdup(pxs_error());
    pxs_strlist_init(&failed);
    for (size_t i = 0; i < plan->n; i++) {
        const pxs_step *s = &plan->v[i];
        int st;
        if (s->kind != PXS_STEP_LOCAL && !have_ssh && (s->kind == PXS_STEP_REMOTE || s->host)) {
            pxs_warnx("%s: %s", s->what, ssh_error);
            st = -1;
        } else {
            pxs_info("step %zu/%zu: %s", i + 1, plan->n, s->what);
            fflush(stdout);   /* keep our lines in order with the children's */
            st = run_step(o, &so, s);
        }
        if (st != 0 && st == s->findings) {
            pxs_warnx("%s reported problems (exit status %d): see its report", s->what, st);
        } else if (st != 0) {
            if (st > 0)
                pxs_warnx("step failed: %s (exit status %d)", s->what, st);
            pxs_strlist_add(&failed, s->what);
        }
    }
    char *list = pxs_strlist_join(&failed, ", ");
    printf("%s: %zu steps, %zu failed%s%s\n", pxs_progname(), plan->n, failed.n,
           failed.n ? ": " : "", list);
    fflush(stdout);
    free(list);
    free(ssh_error);
    if (have_ssh)
        pxs_ssh_opts_free(&so);
    int n = (int)failed.n;
    pxs_strlist_free(&failed);
    return n;
}
