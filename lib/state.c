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
    const pxs_time_entry *x = *(const pxs_time_entry *const *)a;
    const pxs_time_entry *y = *(const pxs_time_entry *const *)b;
    int c = strcmp(x->machine, y->machine);

    if (c == 0)
        c = (int)x->ft - (int)y->ft;
    return c ? c : strcmp(x->client, y->client);
}

/* Entries sorted for writing (e[] itself keeps its order: the index). */
typedef struct sorted {
    const void **v;
    size_t n;
} sorted;

static sorted sort_entries(const void *e, size_t n, size_t size,
                           int (*cmp)(const void *, const void *))
{
    sorted s = {xcalloc(n ? n : 1, sizeof *s.v), n};

    for (size_t i = 0; i < n; i++)
        s.v[i] = (const char *)e + i * size;
    if (n > 1)
        qsort(s.v, n, sizeof *s.v, cmp);
    return s;
}

static int print_times(FILE *m, void *arg)
{
    const sorted *s = arg;

    fputs("# pxstats PICKLED-TIMES: <machine> <ft>_<client> <start of the first hour not yet "
          "collected, UTC>\n", m);
    for (size_t i = 0; i < s->n; i++) {
        const pxs_time_entry *e = s->v[i];
        char iso[PXS_ISO_SIZE];
        fprintf(m, "%s %s_%s %s\n", e->machine, pxs_filetype_name(e->ft), e->client,
                pxs_format_iso(e->time, iso));
    }
    return 0;
}

int pxs_times_save(const char *statsdir, const pxs_times *t)
{
    sorted s = sort_entries(t->e, t->n, sizeof *t->e, cmp_time_entry);
    int rc = save_text(statsdir, TIMES_FILE, print_times, &s);

    free(s.v);
    return rc;
}

void pxs_times_free(pxs_times *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->e[i].machine);
        free(t->e[i].client);
    }
    free(t->e);
    pxs_strpool_free(&t->keys);
    memset(t, 0, sizeof *t);
}

/* The hash key of an owner (machine, ft, client): names hold no spaces. */
static size_t owner_key(char *buf, size_t size, const char *machine, pxs_filetype ft,
                        const char *client, char **key)
{
    int n = snprintf(buf, size, "%s %s %s", machine, pxs_filetype_name(ft), client);

    *key = (size_t)n < size ? buf : xasprintf("%s %s %s", machine, pxs_filetype_name(ft), client);
    return (size_t)n;
}

#define KEY_SIZE 256

static pxs_time_entry *times_find(const pxs_times *t, const char *machine, pxs_filetype ft,
                                  const char *client)
{
    char buf[KEY_SIZE], *key;
    size_t len = owner_key(buf, sizeof buf, machine, ft, client, &key);
    uint32_t id;
    bool found = pxs_strpool_find(&t->keys, key, len, &id) && id < t->n;

    if (key != buf)
        free(key);
    return found ? &t->e[id] : NULL;
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
    char buf[KEY_SIZE], *key;
    size_t len = owner_key(buf, sizeof buf, machine, ft, client, &key);
    uint32_t id = pxs_strpool_intern(&t->keys, key, len);
    pxs_time_entry *e;

    if (key != buf)
        free(key);
    if (id == t->n) {
        xgrow((void **)&t->e, &t->cap, t->n + 1, sizeof *t->e);
        e = &t->e[t->n++];
        e->machine = xstrdup(machine);
        e->client = xstrdup(client);
        e->ft = ft;
    } else
        e = &t->e[id];
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

/* By path, then by what else tells two positions apart: a total order, so
 * that the file's bytes never depend on the order positions were set in. */
static int cmp_position(const void *a, const void *b)
{
    const pxs_position *x = *(const pxs_position *const *)a;
    const pxs_position *y = *(const pxs_position *const *)b;
    int c = strcmp(x->path, y->path);

    if (c == 0 && x->dev != y->dev)
        c = x->dev < y->dev ? -1 : 1;
    if (c == 0 && x->ino != y->ino)
        c = x->ino < y->ino ? -1 : 1;
    if (c == 0)
        c = strcmp(x->machine, y->machine);
    if (c == 0)
        c = (int)x->ft - (int)y->ft;
    return c ? c : strcmp(x->client, y->client);
}

static int print_positions(FILE *m, void *arg)
{
    const sorted *s = arg;

    fputs("# pxstats PICKLED_FILE_POSITIONS: <path> <dev> <inode> <fplen>:<crc32 of its first "
          "fplen bytes> <offset of the first byte not collected> <machine> <ft>_<client> "
          "<offset where the last scan stopped> <latest log time read before it> <start of the "
          "first hour later lines may still change>\n", m);
    for (size_t i = 0; i < s->n; i++) {
        const pxs_position *e = s->v[i];
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
    sorted s = sort_entries(p->e, p->n, sizeof *p->e, cmp_position);
    int rc = save_text(statsdir, POSITIONS_FILE, print_positions, &s);

    free(s.v);
    return rc;
}

/* The index of a positions table: hash tables (string pools) of the file keys
 * "<dev>:<ino>" and of the owner keys, and for each entry its key ids and the
 * next entry of its owner (a list per owner). Links are entry + 1, 0 = none. */
struct pxs_positions_index {
    pxs_strpool files, owners;
    uint32_t *file_at;      /* by file id: its entry */
    size_t nfile;
    uint32_t *head;         /* by owner id: its first entry */
    size_t nowner;
    uint32_t *next, *fid, *oid;   /* by entry */
    size_t nentry;
};

/* Grows a zero-filled array of uint32_t to hold index i. */
static void grow_zeroed(uint32_t **v, size_t *cap, size_t i)
{
    size_t old = *cap;

    if (i < old)
        return;
    xgrow((void **)v, cap, i + 1, sizeof **v);
    memset(*v + old, 0, (*cap - old) * sizeof **v);
}

static size_t file_key(char *buf, size_t size, uint64_t dev, uint64_t ino)
{
    return (size_t)snprintf(buf, size, "%" PRIu64 ":%" PRIu64, dev, ino);
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
    if (p->ix) {
        pxs_strpool_free(&p->ix->files);
        pxs_strpool_free(&p->ix->owners);
        free(p->ix->file_at);
        free(p->ix->head);
        free(p->ix->next);
        free(p->ix->fid);
        free(p->ix->oid);
        free(p->ix);
    }
    memset(p, 0, sizeof *p);
}

pxs_position *pxs_positions_find(pxs_positions *p, uint64_t dev, uint64_t ino)
{
    char key[48];
    size_t len = file_key(key, sizeof key, dev, ino);
    uint32_t id;

    if (p->ix == NULL || !pxs_strpool_find(&p->ix->files, key, len, &id) || id >= p->ix->nfile ||
        p->ix->file_at[id] == 0)
        return NULL;
    return &p->e[p->ix->file_at[id] - 1];
}

static bool owner_id(const pxs_positions *p, const char *machine, pxs_filetype ft,
                     const char *client, uint32_t *id)
{
    char buf[KEY_SIZE], *key;
    size_t len = owner_key(buf, sizeof buf, machine, ft, client, &key);
    bool found = p->ix != NULL && pxs_strpool_find(&p->ix->owners, key, len, id) &&
                 *id < p->ix->nowner;

    if (key != buf)
        free(key);
    return found;
}

/* Puts entry i at the head of the list of owner o. */
static void owner_link(struct pxs_positions_index *ix, size_t i, uint32_t o)
{
    ix->oid[i] = o;
    ix->next[i] = ix->head[o];
    ix->head[o] = (uint32_t)i + 1;
}

/* The link that points at entry i in its owner's list. */
static uint32_t *link_to(struct pxs_positions_index *ix, size_t i)
{
    uint32_t *l = &ix->head[ix->oid[i]];

    while (*l != i + 1)
        l = &ix->next[*l - 1];
    return l;
}

void pxs_positions_set(pxs_positions *p, const pxs_position *pos)
{
    pxs_position *e = pxs_positions_find(p, pos->dev, pos->ino);
    struct pxs_positions_index *ix;
    char buf[KEY_SIZE], *key;
    size_t i, len;
    uint32_t o;

    if (p->ix == NULL)
        p->ix = xcalloc(1, sizeof *p->ix);
    ix = p->ix;
    len = owner_key(buf, sizeof buf, pos->machine, pos->ft, pos->client, &key);
    o = pxs_strpool_intern(&ix->owners, key, len);
    if (key != buf)
        free(key);
    grow_zeroed(&ix->head, &ix->nowner, o);
    if (e == NULL) {
        char fk[48];
        uint32_t f = pxs_strpool_intern(&ix->files, fk, file_key(fk, sizeof fk, pos->dev, pos->ino));
        i = p->n++;
        xgrow((void **)&p->e, &p->cap, p->n, sizeof *p->e);
        if (i >= ix->nentry) {
            size_t c = ix->nentry;
            xgrow((void **)&ix->next, &c, i + 1, sizeof *ix->next);
            c = ix->nentry;
            xgrow((void **)&ix->fid, &c, i + 1, sizeof *ix->fid);
            xgrow((void **)&ix->oid, &ix->nentry, i + 1, sizeof *ix->oid);
        }
        grow_zeroed(&ix->file_at, &ix->nfile, f);
        ix->file_at[f] = (uint32_t)i + 1;
        ix->fid[i] = f;
        owner_link(ix, i, o);
        e = &p->e[i];
    } else {
        i = (size_t)(e - p->e);
        position_free(e);
        if (ix->oid[i] != o) {
            uint32_t *l = link_to(ix, i);
            *l = ix->next[i];
            owner_link(ix, i, o);
        }
    }
    *e = *pos;
    e->path = xstrdup(pos->path);
    e->machine = xstrdup(pos->machine);
    e->client = xstrdup(pos->client);
    /* Where a scan stopped is never before the first line not collected. */
    if (e->scanned < e->offset)
        e->scanned = e->offset;
}

static int cmp_size_desc(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return x < y ? 1 : x > y ? -1 : 0;
}

void pxs_positions_drop(pxs_positions *p, const char *machine, pxs_filetype ft, const char *client)
{
    struct pxs_positions_index *ix = p->ix;
    size_t *v, k = 0;
    uint32_t o;

    if (!owner_id(p, machine, ft, client, &o))
        return;
    for (uint32_t l = ix->head[o]; l != 0; l = ix->next[l - 1])
        k++;
    v = xcalloc(k ? k : 1, sizeof *v);
    k = 0;
    for (uint32_t l = ix->head[o]; l != 0; l = ix->next[l - 1])
        v[k++] = l - 1;
    ix->head[o] = 0;
    /* From the last: the entry moved into a hole is never one to drop. */
    qsort(v, k, sizeof *v, cmp_size_desc);
    for (size_t j = 0; j < k; j++) {
        size_t i = v[j], last = p->n - 1;
        position_free(&p->e[i]);
        ix->file_at[ix->fid[i]] = 0;
        if (i != last) {
            p->e[i] = p->e[last];
            ix->fid[i] = ix->fid[last];
            ix->oid[i] = ix->oid[last];
            ix->next[i] = ix->next[last];
            ix->file_at[ix->fid[i]] = (uint32_t)i + 1;
            *link_to(ix, last) = (uint32_t)i + 1;
        }
        p->n--;
    }
    free(v);
}

pxs_position **pxs_positions_of(pxs_positions *p, const char *machine, pxs_filetype ft,
                                const char *client, size_t *n)
{
    pxs_position **v;
    uint32_t o;
    size_t k = 0;

    *n = 0;
    if (!owner_id(p, machine, ft, client, &o))
        return xcalloc(1, sizeof *v);
    for (uint32_t l = p->ix->head[o]; l != 0; l = p->ix->next[l - 1])
        k++;
    v = xcalloc(k ? k : 1, sizeof *v);
    for (uint32_t l = p->ix->head[o]; l != 0; l = p->ix->next[l - 1])
        v[(*n)++] = &p->e[l - 1];
    if (*n > 1)
        qsort(v, *n, sizeof *v, cmp_position);
    return v;
}
