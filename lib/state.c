/* state — PICKLED-TIMES and PICKLED_FILE_POSITIONS, small text files. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/atomicfile.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/state.h"
#include "pxstats/xalloc.h"

#define TIMES_FILE "PICKLED-TIMES"
#define POSITIONS_FILE "PICKLED_FILE_POSITIONS"
#define MAX_FIELDS 16

/* ---- generic line reader -------------------------------------------------- */

static int split_fields(char *line, char **fields)
{
    int n = 0;

    for (char *tok = strtok(line, " \t\r"); tok && n < MAX_FIELDS; tok = strtok(NULL, " \t\r"))
        fields[n++] = tok;
    return n;
}

int pxs_state_read_lines(const char *path, pxs_state_line_fn fn, void *arg)
{
    size_t len;
    char *text = pxs_read_file(path, &len), *line, *next;
    int lineno = 0, rc = 0;

    if (text == NULL)
        return errno == ENOENT ? 0 : -1;
    if (memchr(text, '\0', len) != NULL) {
        pxs_set_error("%s: not a text file", path);
        free(text);
        return -1;
    }
    for (line = text; line && *line; line = next) {
        char *fields[MAX_FIELDS], *nl = strchr(line, '\n');
        int n;
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        n = split_fields(line, fields);
        if (n == 0 || fields[0][0] == '#')
            continue;
        if (fn(fields, n, arg) != 0) {
            pxs_set_error("%s:%d: %s", path, lineno, pxs_error());
            rc = -1;
            break;
        }
    }
    free(text);
    return rc;
}

char *pxs_state_escape(const char *s)
{
    char *out = xmalloc(strlen(s) * 3 + 1), *q = out;

    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '%') {
            sprintf(q, "%%%02X", (unsigned char)*s);
            q += 3;
        } else
            *q++ = *s;
    }
    *q = '\0';
    return out;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

void pxs_state_unescape(char *s)
{
    char *q = s;

    for (; *s; s++) {
        if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
            *q++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
            s += 2;
        } else
            *q++ = *s;
    }
    *q = '\0';
}

/* "tx_name" -> ft, name. */
static int split_key(const char *key, pxs_filetype *ft, const char **client)
{
    if ((strncmp(key, "tx_", 3) != 0 && strncmp(key, "rx_", 3) != 0) || !pxs_name_valid(key + 3)) {
        pxs_set_error("'%s' is not <tx|rx>_<name>", key);
        return -1;
    }
    *ft = key[0] == 't' ? PXS_TX : PXS_RX;
    *client = key + 3;
    return 0;
}

static int save_text(const char *statsdir, const char *name, pxs_atomic_fill_fn fill,
                     const void *arg)
{
    char *path = pxs_stats_file(statsdir, name);
    int rc = pxs_atomic_write_text(path, fill, (void *)arg);

    free(path);
    return rc;
}

/* "YYYY-MM-DDTHH:MM:SS" (one field) or "-". */
static void put_time_field(FILE *m, int64_t t)
{
    char iso[PXS_ISO_SIZE];

    if (t < PXS_LOG_TIME_MIN) {
        fputs(" -", m);
        return;
    }
    pxs_format_iso(t, iso);
    iso[10] = 'T';
    fprintf(m, " %s", iso);
}

static int parse_time_field(char *f, int64_t *t)
{
    if (strcmp(f, "-") == 0) {
        *t = PXS_NO_TIME;
        return 0;
    }
    if (strlen(f) != PXS_ISO_LEN || f[10] != 'T')
        return -1;
    f[10] = ' ';
    if (!pxs_parse_iso(f, PXS_ISO_LEN, t))
        return -1;
    if (*t < PXS_LOG_TIME_MIN)
        *t = PXS_NO_TIME;
    return 0;
}

/* ---- PICKLED-TIMES -------------------------------------------------------- */

static int times_line(char **f, int n, void *arg)
{
    pxs_times *t = arg;
    pxs_filetype ft;
    const char *client;
    int64_t when;
    char iso[PXS_ISO_SIZE + 1];

    if (n != 4) {
        pxs_set_error("expected '<machine> <ft>_<client> YYYY-MM-DD HH:MM:SS'");
        return -1;
    }
    if (!pxs_name_valid(f[0])) {
        pxs_set_error("bad machine name '%s'", f[0]);
        return -1;
    }
    if (split_key(f[1], &ft, &client) != 0)
        return -1;
    snprintf(iso, sizeof iso, "%s %s", f[2], f[3]);
    if (!pxs_parse_date_arg(iso, &when)) {
        pxs_set_error("bad date '%s'", iso);
        return -1;
    }
    pxs_times_set(t, f[0], ft, client, when);
    return 0;
}

int pxs_times_load(const char *statsdir, pxs_times *t)
{
    char *path = pxs_stats_file(statsdir, TIMES_FILE);
    int rc;

    memset(t, 0, sizeof *t);
    rc = pxs_state_read_lines(path, times_line, t);
    free(path);
    if (rc != 0)
        pxs_times_free(t);
    return rc;
}

static int cmp_time_entry(const void *a, const void *b)
{
    const pxs_time_entry *x = a, *y = b;
    int c = strcmp(x->machine, y->machine);

    if (c == 0)
        c = (int)x->ft - (int)y->ft;
    return c ? c : strcmp(x->client, y->client);
}

static int print_times(FILE *m, void *arg)
{
    const pxs_times *t = arg;

    fputs("# pxstats PICKLED-TIMES: <machine> <ft>_<client> <start of the first hour not yet "
          "collected, UTC>\n", m);
    for (size_t i = 0; i < t->n; i++) {
        char iso[PXS_ISO_SIZE];
        fprintf(m, "%s %s_%s %s\n", t->e[i].machine, pxs_filetype_name(t->e[i].ft),
                t->e[i].client, pxs_format_iso(t->e[i].time, iso));
    }
    return 0;
}

int pxs_times_save(const char *statsdir, const pxs_times *t)
{
    if (t->n > 1)
        qsort(t->e, t->n, sizeof *t->e, cmp_time_entry);
    return save_text(statsdir, TIMES_FILE, print_times, t);
}

void pxs_times_free(pxs_times *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->e[i].machine);
        free(t->e[i].client);
    }
    free(t->e);
    memset(t, 0, sizeof *t);
}

static pxs_time_entry *times_find(const pxs_times *t, const char *machine, pxs_filetype ft,
                                  const char *client)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->e[i].ft == ft && strcmp(t->e[i].machine, machine) == 0 &&
            strcmp(t->e[i].client, client) == 0)
            return &t->e[i];
    return NULL;
}

bool pxs_times_get(const pxs_times *t, const char *machine, pxs_filetype ft, const char *client,
                   int64_t *time)
{
    pxs_time_entry *e = times_find(t, machine, ft, client);

    if (e)
        *time = e->time;
    return e != NULL;
}

void pxs_times_set(pxs_times *t, const char *machine, pxs_filetype ft, const char *client,
                   int64_t time)
{
    pxs_time_entry *e = times_find(t, machine, ft, client);

    if (e == NULL) {
        xgrow((void **)&t->e, &t->cap, t->n + 1, sizeof *t->e);
        e = &t->e[t->n++];
        e->machine = xstrdup(machine);
        e->client = xstrdup(client);
        e->ft = ft;
    }
    e->time = time;
}

/* ---- PICKLED_FILE_POSITIONS ---------------------------------------------- */

static int parse_u64(const char *s, uint64_t *v, int base)
{
    char *end;

    errno = 0;
    *v = strtoull(s, &end, base);
    return errno == 0 && end != s && *end == '\0' && s[0] != '-' ? 0 : -1;
}

static int positions_line(char **f, int n, void *arg)
{
    pxs_positions *p = arg;
    pxs_position pos;
    const char *client;
    uint64_t fplen, fpcrc;
    char *colon;

    memset(&pos, 0, sizeof pos);
    if (n != 7 && n != 10) {
        pxs_set_error("expected '<path> <dev> <inode> <fplen>:<fpcrc> <offset> <machine> "
                      "<ft>_<client> [<scanned> <maxtime> <settled>]'");
        return -1;
    }
    colon = strchr(f[3], ':');
    if (colon)
        *colon = '\0';
    if (parse_u64(f[1], &pos.dev, 10) || parse_u64(f[2], &pos.ino, 10) || colon == NULL ||
        parse_u64(f[3], &fplen, 10) || parse_u64(colon + 1, &fpcrc, 16) ||
        parse_u64(f[4], &pos.offset, 10) || fplen > PXS_FP_MAX || fpcrc > UINT32_MAX) {
        pxs_set_error("bad number in a file position");
        return -1;
    }
    if (!pxs_name_valid(f[5]) || split_key(f[6], &pos.ft, &client) != 0) {
        pxs_set_error("bad machine or client in a file position");
        return -1;
    }
    pos.scanned = pos.offset;
    pos.max_time = pos.settled = PXS_NO_TIME;
    if (n == 10 && (parse_u64(f[7], &pos.scanned, 10) != 0 || pos.scanned < pos.offset)) {
        pxs_set_error("bad scanned offset in a file position");
        return -1;
    }
    if (n == 10 && (parse_time_field(f[8], &pos.max_time) != 0 ||
                    parse_time_field(f[9], &pos.settled) != 0)) {
        pxs_set_error("bad time in a file position (YYYY-MM-DDTHH:MM:SS or -)");
        return -1;
    }
    pxs_state_unescape(f[0]);
    pos.path = f[0];
    pos.fp_len = (uint32_t)fplen;
    pos.fp_crc = (uint32_t)fpcrc;
    pos.machine = f[5];
    pos.client = (char *)client;
    pxs_positions_set(p, &pos);
    return 0;
}

int pxs_positions_load(const char *statsdir, pxs_positions *p)
{
    char *path = pxs_stats_file(statsdir, POSITIONS_FILE);
    int rc;

    memset(p, 0, sizeof *p);
    rc = pxs_state_read_lines(path, positions_line, p);
    free(path);
    if (rc != 0)
        pxs_positions_free(p);
    return rc;
}

static int cmp_position(const void *a, const void *b)
{
    const pxs_position *x = a, *y = b;

    return strcmp(x->path, y->path);
}

static int print_positions(FILE *m, void *arg)
{
    const pxs_positions *p = arg;

    fputs("# pxstats PICKLED_FILE_POSITIONS: <path> <dev> <inode> <fplen>:<crc32 of its first "
          "fplen bytes> <offset of the first byte not collected> <machine> <ft>_<client> "
          "<offset where the last scan stopped> <latest log time read before it> <start of the "
          "first hour later lines may still change>\n", m);
    for (size_t i = 0; i < p->n; i++) {
        const pxs_position *e = &p->e[i];
        char *path = pxs_state_escape(e->path);
        fprintf(m, "%s %" PRIu64 " %" PRIu64 " %u:%08x %" PRIu64 " %s %s_%s %" PRIu64, path,
                e->dev, e->ino, e->fp_len, e->fp_crc, e->offset, e->machine,
                pxs_filetype_name(e->ft), e->client, e->scanned);
        put_time_field(m, e->max_time);
        put_time_field(m, e->settled);
        fputc('\n', m);
        free(path);
    }
    return 0;
}

int pxs_positions_save(const char *statsdir, const pxs_positions *p)
{
    if (p->n > 1)
        qsort(p->e, p->n, sizeof *p->e, cmp_position);
    return save_text(statsdir, POSITIONS_FILE, print_positions, p);
}

static void position_free(pxs_position *e)
{
    free(e->path);
    free(e->machine);
    free(e->client);
}

void pxs_positions_free(pxs_positions *p)
{
    for (size_t i = 0; i < p->n; i++)
        position_free(&p->e[i]);
    free(p->e);
    memset(p, 0, sizeof *p);
}

pxs_position *pxs_positions_find(pxs_positions *p, uint64_t dev, uint64_t ino)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->e[i].dev == dev && p->e[i].ino == ino)
            return &p->e[i];
    return NULL;
}

void pxs_positions_set(pxs_positions *p, const pxs_position *pos)
{
    pxs_position *e = pxs_positions_find(p, pos->dev, pos->ino);

    if (e == NULL) {
        xgrow((void **)&p->e, &p->cap, p->n + 1, sizeof *p->e);
        e = &p->e[p->n++];
    } else
        position_free(e);
    *e = *pos;
    e->path = xstrdup(pos->path);
    e->machine = xstrdup(pos->machine);
    e->client = xstrdup(pos->client);
    /* Where a scan stopped is never before the first line not collected. */
    if (e->scanned < e->offset)
        e->scanned = e->offset;
}

void pxs_positions_drop(pxs_positions *p, const char *machine, pxs_filetype ft, const char *client)
{
    size_t k = 0;

    for (size_t i = 0; i < p->n; i++) {
        pxs_position *e = &p->e[i];
        if (e->ft == ft && strcmp(e->machine, machine) == 0 && strcmp(e->client, client) == 0)
            position_free(e);
        else
            p->e[k++] = *e;
    }
    p->n = k;
}
