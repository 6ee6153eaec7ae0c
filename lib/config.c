/* config — the INI file and the installation's paths. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "pxstats/atomicfile.h"
#include "pxstats/config.h"
#include "pxstats/msg.h"
#include "pxstats/safefs.h"
#include "pxstats/suggest.h"
#include "pxstats/xalloc.h"

static char *trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static void add_entry(pxs_config *c, const char *section, const char *key, const char *value,
                      int line)
{
    for (int i = 0; i < c->n; i++) {
        pxs_conf_entry *e = &c->e[i];
        if (strcasecmp(e->section, section) == 0 && strcasecmp(e->key, key) == 0) {
            free(e->value);
            e->value = xstrdup(value);
            e->line = line;
            return;
        }
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 32;
        c->e = xrealloc(c->e, (size_t)c->cap * sizeof *c->e);
    }
    c->e[c->n].section = xstrdup(section);
    c->e[c->n].key = xstrdup(key);
    c->e[c->n].value = xstrdup(value);
    c->e[c->n].line = line;
    c->n++;
}

static void add_section(pxs_config *c, const char *name, int line)
{
    if (c->nsections == c->capsections) {
        c->capsections = c->capsections ? c->capsections * 2 : 8;
        c->sections = xrealloc(c->sections, (size_t)c->capsections * sizeof *c->sections);
    }
    c->sections[c->nsections].name = xstrdup(name);
    c->sections[c->nsections].line = line;
    c->nsections++;
}

int pxs_config_parse(pxs_config *c, const char *text, const char *name)
{
    char *copy = xstrdup(text), *save = NULL, *section = xstrdup("");
    int lineno = 0, rc = 0;

    /* strtok_r would merge empty lines and shift the numbering: split by hand. */
    for (char *line = copy; line != NULL; line = save) {
        char *nl = strchr(line, '\n'), *s, *eq;
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        s = trim(line);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (end == NULL || end[1] != '\0') {
                pxs_set_error("%s:%d: bad section header '%s'", name, lineno, s);
                rc = -1;
                break;
            }
            *end = '\0';
            free(section);
            section = xstrdup(trim(s + 1));
            add_section(c, section, lineno);
            continue;
        }
        eq = strchr(s, '=');
        if (eq == NULL) {
            pxs_set_error("%s:%d: expected 'key = value', got '%s'", name, lineno, s);
            rc = -1;
            break;
        }
        *eq = '\0';
        if (*trim(s) == '\0') {
            pxs_set_error("%s:%d: empty key", name, lineno);
            rc = -1;
            break;
        }
        add_entry(c, section, trim(s), trim(eq + 1), lineno);
    }
    free(section);
    free(copy);
    return rc;
}

const char *pxs_conf_get(const pxs_config *c, const char *section, const char *key, const char *def)
{
    for (int i = 0; i < c->n; i++)
        if (strcasecmp(c->e[i].section, section) == 0 && strcasecmp(c->e[i].key, key) == 0)
            return c->e[i].value;
    return def;
}

int pxs_conf_line(const pxs_config *c, const char *section, const char *key)
{
    for (int i = 0; i < c->n; i++)
        if (strcasecmp(c->e[i].section, section) == 0 && strcasecmp(c->e[i].key, key) == 0)
            return c->e[i].line;
    return 0;
}

int pxs_conf_get_int(const pxs_config *c, const char *section, const char *key, long def,
                     long min, long max, long *out)
{
    const char *v = pxs_conf_get(c, section, key, NULL);
    char *end;
    long n;

    if (v == NULL) {
        *out = def;
        return 0;
    }
    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
        pxs_set_error("%s:%d: [%s] %s = '%s': expected an integer from %ld to %ld",
                      c->file ? c->file : "config", pxs_conf_line(c, section, key), section, key,
                      v, min, max);
        return -1;
    }
    *out = n;
    return 0;
}

/* Does a section of the file match a section of the table ("sync *" is
 * "sync" followed by a space and a name)? */
static bool section_matches(const char *pattern, const char *section)
{
    size_t n = strlen(pattern);

    if (n >= 2 && strcmp(pattern + n - 2, " *") == 0)
        return strncasecmp(pattern, section, n - 1) == 0 && section[n - 1] != '\0';
    return strcasecmp(pattern, section) == 0;
}

static bool section_known(const char *section)
{
    for (const pxs_conf_key *k = pxs_conf_keys; k->section; k++)
        if (section_matches(k->section, section))
            return true;
    return false;
}

static bool key_known(const char *section, const char *key)
{
    for (const pxs_conf_key *k = pxs_conf_keys; k->section; k++)
        if (section_matches(k->section, section) &&
            (strcmp(k->key, "*") == 0 || strcasecmp(k->key, key) == 0))
            return true;
    return false;
}

/* " (did you mean [collection]?)" for a mistyped section, or "". */
static void section_hint(const char *section, char *buf, size_t size)
{
    pxs_suggest sg;

    pxs_suggest_init(&sg, section);
    for (const pxs_conf_key *k = pxs_conf_keys; k->section; k++)
        if (strchr(k->section, '*') == NULL)
            pxs_suggest_add(&sg, k->section);
    const char *best = pxs_suggest_best(&sg);
    if (best)
        snprintf(buf, size, " (did you mean [%s]?)", best);
    else
        buf[0] = '\0';
}

/* " (did you mean emails?)" for a mistyped key; a key that exists in another
 * section says where it belongs. */
static void key_hint(const char *section, const char *key, char *buf, size_t size)
{
    pxs_suggest sg;

    pxs_suggest_init(&sg, key);
    for (const pxs_conf_key *k = pxs_conf_keys; k->section; k++)
        if (section_matches(k->section, section) && strcmp(k->key, "*") != 0)
            pxs_suggest_add(&sg, k->key);
    const char *best = pxs_suggest_best(&sg);
    if (best) {
        snprintf(buf, size, " (did you mean %s?)", best);
        return;
    }
    for (const pxs_conf_key *k = pxs_conf_keys; k->section; k++)
        if (strcasecmp(k->key, key) == 0 && strchr(k->section, '*') == NULL) {
            snprintf(buf, size, " (it belongs in [%s])", k->section);
            return;
        }
    buf[0] = '\0';
}

int pxs_config_check(const pxs_config *c, const char *name)
{
    char hint[160];

    for (int i = 0; i < c->nsections; i++)
        if (!section_known(c->sections[i].name)) {
            section_hint(c->sections[i].name, hint, sizeof hint);
            pxs_set_error("%s:%d: unknown section [%s]%s", name, c->sections[i].line,
                          c->sections[i].name, hint);
            return -1;
        }
    for (int i = 0; i < c->n; i++) {
        const pxs_conf_entry *e = &c->e[i];
        if (*e->section == '\0') {
            key_hint("", e->key, hint, sizeof hint);
            pxs_set_error("%s:%d: '%s' is outside any [section]%s", name, e->line, e->key, hint);
            return -1;
        }
        if (section_known(e->section) && !key_known(e->section, e->key)) {
            key_hint(e->section, e->key, hint, sizeof hint);
            pxs_set_error("%s:%d: unknown key '%s' in [%s]%s", name, e->line, e->key, e->section,
                          hint);
            return -1;
        }
    }
    return 0;
}

static char *path_setting(const pxs_config *c, const char *key, const char *root, const char *sub)
{
    const char *v = pxs_conf_get(c, "paths", key, NULL);

    return v ? xstrdup(v) : xasprintf("%s/%s", root, sub);
}

static bool exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

/* [collection] futureToleranceMinutes and disorderMinutes: how far a log line
 * may be ahead of the run's date, and how far behind the lines before it,
 * before statsUpdater stops believing its time (statsUpdater(1)). An hour of
 * disorder at most keeps the hours held open in memory to a few. */
static int load_edges(pxs_config *c)
{
    long tol, dis;

    if (pxs_conf_get_int(c, "collection", "futureToleranceMinutes", 60, 0, 525600, &tol) != 0 ||
        pxs_conf_get_int(c, "collection", "disorderMinutes", 5, 0, 60, &dis) != 0)
        return -1;
    if (dis > tol) {
        pxs_set_error("%s:%d: [collection] disorderMinutes (%ld) is more than "
                      "futureToleranceMinutes (%ld)", c->file ? c->file : "config",
                      pxs_conf_line(c, "collection", "disorderMinutes"), dis, tol);
        return -1;
    }
    c->future_tolerance_min = (int)tol;
    c->disorder_min = (int)dis;
    return 0;
}

const char *pxs_config_start_root(const char *root)
{
    const char *r = root;

    if (r == NULL || *r == '\0')
        r = getenv("PXROOT");
    if (r == NULL || *r == '\0')
        r = "/apps/px";
    return r;
}

int pxs_config_load(pxs_config *c, const char *root, const char *file)
{
    const char *r = pxs_config_start_root(root);
    char *guess = NULL;
    long maxlat;

    memset(c, 0, sizeof *c);
    if (file == NULL || *file == '\0')
        file = getenv("PXSTATS_CONF");
    if (file == NULL || *file == '\0') {
        guess = xasprintf("%s/etc/pxstats.conf", r);
        if (exists(guess))
            file = guess;
    }
    if (file != NULL && *file != '\0') {
        size_t len;
        char *text = pxs_read_file(file, &len);
        if (text == NULL) {
            free(guess);
            return -1;
        }
        c->file = xstrdup(file);
        if (pxs_config_parse(c, text, file) != 0 || pxs_config_check(c, file) != 0) {
            free(text);
            free(guess);
            pxs_config_free(c);
            return -1;
        }
        free(text);
    }
    free(guess);
    /* A root given on the command line wins over the config's. */
    if ((root == NULL || *root == '\0') && pxs_conf_get(c, "paths", "root", NULL) &&
        getenv("PXROOT") == NULL)
        r = pxs_conf_get(c, "paths", "root", NULL);
    c->root = xstrdup(r);
    c->logdir = path_setting(c, "logdir", c->root, "log");
    c->statsdir = path_setting(c, "statsdir", c->root, "stats");
    c->etcdir = path_setting(c, "etcdir", c->root, "etc");
    if (!*c->root || !*c->logdir || !*c->statsdir || !*c->etcdir) {
        pxs_set_error("%s: [paths]: an empty directory name (root, logdir, statsdir, etcdir)",
                      c->file ? c->file : "config");
        pxs_config_free(c);
        return -1;
    }
    if (pxs_conf_get_int(c, "collection", "maxLatency", 15, 0, 1000000000L, &maxlat) != 0) {
        pxs_config_free(c);
        return -1;
    }
    c->max_latency = (int)maxlat;
    if (load_edges(c) != 0) {
        pxs_config_free(c);
        return -1;
    }
    /* From here on no link in the stats tree is followed (safefs.h). */
    pxs_tree_set_root(c->statsdir);
    return 0;
}

void pxs_config_free(pxs_config *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->e[i].section);
        free(c->e[i].key);
        free(c->e[i].value);
    }
    free(c->e);
    for (int i = 0; i < c->nsections; i++)
        free(c->sections[i].name);
    free(c->sections);
    free(c->file);
    free(c->root);
    free(c->logdir);
    free(c->statsdir);
    free(c->etcdir);
    memset(c, 0, sizeof *c);
}
