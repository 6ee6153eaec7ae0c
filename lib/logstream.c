/* logstream — one client's logs as one stream of lines, cut into hours (the
 * rules are in logstream.h; statsUpdater(1) says them for operators).
 *
 * Why the state needs more than "the first byte not collected": with lines
 * out of order, a run that closes hour H reads on past H's end (lines of H
 * may still follow) and lines of later hours it leaves for the next run. So
 * each file's position is a pair: offset, the first line that may still
 * count in an hour not final, and scanned, where this run stopped reading.
 * The next run starts at offset; lines before scanned were seen (counted, or
 * late, or left for their hour), lines after it are new. The hours before T
 * that were written while the logs could still bring them lines (the run
 * reached the end of the logs less than D after them) stay open to new lines:
 * read again from offset, and written again whole when a new line falls in
 * them, so that replaying a killed run never counts a line twice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/hourspill.h"
#include "pxstats/logident.h"
#include "pxstats/logscan.h"
#include "pxstats/logstream.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

/* Lines looked at after a line far ahead of the stream to tell a clock that
 * jumped (a later line comes back) from a log that went quiet for a while (no
 * line comes back). Lines after DATE plus the tolerance are looked after to
 * the end: they would otherwise stop the scan. */
#define LOOKAHEAD_LINES 256
/* Lines of the run log about single lines, per client and run. */
#define NOTES_MAX 20
/* A spilled hour's rows move to its file in batches of this many rows, or
 * sooner when their names take this many bytes (very long names). */
#define SPILL_BATCH 4096
#define SPILL_BATCH_BYTES (1u << 20)

typedef struct crossing {
    uint64_t offset;        /* of the first line of the file whose time reached... */
    int64_t time;           /* ...this, in a later hour than every line before it */
} crossing;

/* A file in this run. */
typedef struct fstate {
    pxs_stream_file *in;
    uint64_t begin;         /* where its reading begins */
    uint64_t seen_end;      /* lines before it were seen by an earlier run */
    bool has_pos;
    bool read;              /* read in this run */
    bool consumed;          /* nothing new in it: not read */
    bool given_up;          /* read as far as it could be, the rest given up */
    uint64_t end;           /* where its reading stopped */
    int64_t max_at_end;     /* M there */
    crossing *cx;           /* hour crossings of the effective times, in order */
    size_t ncx, cap;
    int64_t next_hour;      /* the end of the latest hour of a line of it, this run */
    int64_t line_base;      /* lines before begin (messages), -1 while unknown */
} fstate;

/* An hour held in memory until it is settled. */
typedef struct slot {
    pxs_hour h;
    pxs_hourspill *spill;   /* a big hour: its rows go on in a temporary file */
    bool no_spill;          /* its temporary file could not be made */
    bool shadow;            /* an hour before T: written again only when amended */
    bool amended;           /* a line new since the last run fell in it */
    uint64_t lines, malformed; /* new ones, for the report */
    const fstate *noted;    /* the file already in h's list of files */
} slot;

typedef struct run {
    pxs_stream *s;
    int64_t T, A, end, limit, D, tol;
    int64_t M;              /* latest plausible time read, PXS_NO_TIME before any */
    int64_t S;              /* hours before S are settled: floor_hour(M - D) */
    int64_t next_settle;    /* the time M must reach to settle the hour S */
    slot *last_slot;        /* the slot of the last line (most lines go to it) */
    slot *slots;
    size_t nslots, cap;
    int64_t next_normal;    /* the hours [T, next_normal) are written */
    fstate *fs;
    size_t nfs, cur;
    bool closed;            /* read a line at limit + D or later */
    bool future_stop;       /* stopped before a line beyond DATE + tolerance */
    bool failed;            /* a publish failed */
    /* The last lookahead that found a line coming back. */
    bool la_valid;
    size_t la_file;
    uint64_t la_until;      /* at this offset... */
    int64_t la_time;        /* ...a line of this time (-1: the next file's first line) */
    int64_t la_base;        /* for this bound on its time */
    size_t notes;
} run;

/* ---- small helpers ----------------------------------------------------------- */

static bool has_m(const run *r)
{
    return r->M != PXS_NO_TIME;
}

/* The stream's own idea of the run's date: an hour-by-hour run reading this
 * line would have had the first hour end not yet settled, never more than DATE.
 * Judging lines from the future against it (not against DATE) is what makes
 * a catch-up run and hour-by-hour runs agree. */
static int64_t stream_date(const run *r)
{
    int64_t v = has_m(r) ? r->S + PXS_HOUR : r->s->date;

    return v < r->s->date ? v : r->s->date;
}

/* Notes the line at offset when its time t is in a later hour than every
 * line of the file before it: where the next run may have to begin. */
static void cross(fstate *fs, uint64_t offset, int64_t t)
{
    if (t < fs->next_hour)
        return;
    fs->next_hour = pxs_hour_floor(t) + PXS_HOUR;
    xgrow((void **)&fs->cx, &fs->cap, fs->ncx + 1, sizeof *fs->cx);
    fs->cx[fs->ncx++] = (crossing){offset, t};
}

/* Lines before offset in a file (for "file:line" in messages), or -1. */
static int64_t lines_before(const pxs_logfile *f, uint64_t offset)
{
    char buf[65536];
    int64_t n = 0;
    uint64_t done = 0;
    pxs_logreader rd;

    if (offset == 0)
        return 0;
    if (pxs_logreader_open(&rd, f->path, f->gz, 0) != 0) {
        pxs_logreader_close(&rd);
        return -1;
    }
    while (done < offset) {
        size_t want = offset - done < sizeof buf ? (size_t)(offset - done) : sizeof buf;
        ssize_t got = pxs_logreader_read(&rd, buf, want);
        if (got <= 0)
            break;
        for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + got - p))) != NULL; p++)
            n++;
        done += (uint64_t)got;
    }
    pxs_logreader_close(&rd);
    return done == offset ? n : -1;
}

/* A line of the run log (and of -v) about one line of a file, at most
 * NOTES_MAX a run. */
static void note_line(run *r, fstate *fs, const pxs_record *rec, const char *what)
{
    char iso[PXS_ISO_SIZE], *msg;

    if (r->notes++ >= NOTES_MAX) {
        if (r->notes == NOTES_MAX + 1)
            pxs_strlist_add(&r->s->notes, "(more lines of this kind are only counted)");
        return;
    }
    if (fs->line_base < 0)
        fs->line_base = lines_before(fs->in->f, fs->begin);
    if (fs->line_base >= 0)
        msg = xasprintf("%s:%lld: %s (dated %s): counted as malformed", fs->in->f->path,
                        (long long)(fs->line_base + (int64_t)rec->line + 1), what,
                        pxs_format_iso(rec->time, iso));
    else
        msg = xasprintf("%s, line %llu after offset %llu: %s (dated %s): counted as malformed",
                        fs->in->f->path, (unsigned long long)rec->line + 1,
                        (unsigned long long)fs->begin, what, pxs_format_iso(rec->time, iso));
    pxs_strlist_add(&r->s->notes, msg);
    pxs_info("%s", msg);
    free(msg);
}

/* ---- hours ------------------------------------------------------------------- */

static slot *find_slot(run *r, int64_t hour)
{
    for (size_t i = 0; i < r->nslots; i++)
        if (r->slots[i].h.start == hour)
            return &r->slots[i];
    return NULL;
}

static slot *open_slot(run *r, int64_t hour)
{
    slot *sl;
    const pxs_stream *s = r->s;

    if (r->last_slot != NULL && r->last_slot->h.start == hour)
        return r->last_slot;
    sl = find_slot(r, hour);
    if (sl != NULL)
        return r->last_slot = sl;
    xgrow((void **)&r->slots, &r->cap, r->nslots + 1, sizeof *r->slots);
    sl = &r->slots[r->nslots++];
    memset(sl, 0, sizeof *sl);
    pxs_hour_init(&sl->h, s->client, s->machine, s->ft, hour, s->interval_min, s->max_latency,
                  s->types);
    sl->h.partial = hour >= r->end;
    sl->shadow = hour < r->T;
    return r->last_slot = sl;
}

static void free_slot(slot *sl)
{
    pxs_hour_free(&sl->h);
    pxs_hourspill_free(sl->spill);
    sl->spill = NULL;
}

static void drop_slot(run *r, slot *sl)
{
    free_slot(sl);
    *sl = r->slots[--r->nslots];
    r->last_slot = NULL;
}

static int publish(run *r, pxs_hour *h, pxs_hourspill *spill, uint64_t lines, uint64_t malformed)
{
    if (spill != NULL)
        pxs_hourspill_take(spill, h);
    pxs_hour_compute(h);
    if (r->s->publish(r->s->publish_arg, h, spill) != 0) {
        r->failed = true;
        return -1;
    }
    r->s->stats.hours++;
    r->s->stats.lines += lines;
    r->s->stats.malformed += malformed;
    return 0;
}

/* Writes the hours [next_normal, upto) of T and after: their slots, or empty
 * snapshots for the hours with no line from first_empty on. */
static int write_normal_until(run *r, int64_t upto)
{
    for (; r->next_normal < upto; r->next_normal += PXS_HOUR) {
        slot *sl = find_slot(r, r->next_normal);
        int rc = 0;
        if (sl != NULL) {
            rc = publish(r, &sl->h, sl->spill, sl->lines, sl->malformed);
            drop_slot(r, sl);
        } else if (r->next_normal >= r->s->first_empty) {
            pxs_hour empty;
            const pxs_stream *s = r->s;
            pxs_hour_init(&empty, s->client, s->machine, s->ft, r->next_normal, s->interval_min,
                          s->max_latency, s->types);
            rc = publish(r, &empty, NULL, 0, 0);
            pxs_hour_free(&empty);
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* The hours before T that are now settled: written again when amended. */
static int write_shadows_before(run *r, int64_t upto)
{
    for (size_t i = 0; i < r->nslots;) {
        slot *sl = &r->slots[i];
        if (!sl->shadow || sl->h.start >= upto) {
            i++;
            continue;
        }
        if (sl->amended && publish(r, &sl->h, sl->spill, sl->lines, sl->malformed) != 0)
            return -1;
        drop_slot(r, sl);
    }
    return 0;
}

/* M moved on to t: the hours it settles are written. */
static int raise_m(run *r, int64_t t)
{
    int64_t settled;

    if (has_m(r) && t <= r->M)
        return 0;
    r->M = t;
    if (t < r->next_settle)
        return 0;
    settled = pxs_hour_floor(t - r->D);
    r->next_settle = settled + PXS_HOUR + r->D;
    r->S = settled;
    if (write_shadows_before(r, settled) != 0)
        return -1;
    return write_normal_until(r, settled < r->end ? settled : r->end);
}

/* An hour grown past spill_rows goes on in a temporary file (hourspill.h):
 * its rows move there in batches, so that memory stays flat whatever the
 * size of the hour. When the file cannot be made, the hour stays in memory
 * (exact, only bigger) and the operator is told. */
static void spill_rows(run *r, slot *sl)
{
    const pxs_stream *s = r->s;
    size_t at = s->spill_rows ? s->spill_rows : PXS_HOURSPILL_ROWS;
    size_t batch = at < SPILL_BATCH ? at : SPILL_BATCH;

    if (s->spill_dir == NULL || sl->no_spill)
        return;
    if (sl->spill == NULL) {
        if (sl->h.nrows < at)
            return;
        sl->spill = pxs_hourspill_open(s->spill_dir, sl->h.start);
        if (sl->spill == NULL) {
            pxs_warnx("%s (the hour is kept in memory)", pxs_error());
            sl->no_spill = true;
            return;
        }
    } else if (sl->h.nrows < batch && sl->h.products.len < SPILL_BATCH_BYTES) {
        return;
    }
    pxs_hourspill_take(sl->spill, &sl->h);
}

static void add_line(run *r, fstate *fs, slot *sl, pxs_line_kind kind, const pxs_record *rec,
                     bool fresh)
{
    if (kind == PXS_LINE_MALFORMED) {
        sl->h.malformed++;
        sl->malformed += !sl->shadow || fresh;
    } else {
        pxs_hour_add(&sl->h, rec, kind == PXS_LINE_ERROR);
        sl->lines += !sl->shadow || fresh;
        spill_rows(r, sl);
    }
    if (sl->shadow && fresh)
        sl->amended = true;
    /* Once per file and hour, not once per line: the list is searched. */
    if (sl->noted != fs) {
        pxs_hour_note_file(&sl->h, fs->in->f->path);
        sl->noted = fs;
    }
}

/* ---- lines from the future ---------------------------------------------------- */

typedef struct lookahead {
    int64_t bound;          /* a line at or before it comes back */
    bool to_the_end;        /* no limit on the lines looked at */
    uint64_t looked;
    bool found;
    uint64_t at;
    int64_t time;
} lookahead;

static int look(void *arg, pxs_line_kind kind, const pxs_record *rec, uint64_t offset)
{
    lookahead *la = arg;

    if (rec->line == 0 || (kind == PXS_LINE_MALFORMED && !rec->timed) ||
        rec->time < PXS_LOG_TIME_MIN)
        return 0;
    if (rec->time <= la->bound) {
        la->found = true;
        la->at = offset;
        la->time = rec->time;
        return 1;
    }
    return !la->to_the_end && ++la->looked >= LOOKAHEAD_LINES;
}

/* 1 when a line after the one at offset, of time t (of the current file, then
 * the first lines of the next files), come back, earlier than t by more than
 * the disorder window: for a line beyond DATE plus the tolerance, to a time
 * this run can take (looked for to the end); for a line only far ahead of the
 * stream, to the stream's time (among the next LOOKAHEAD_LINES lines); 0 when
 * none does; -1 when the file cannot be read on (pxs_error set). Lines after
 * a quiet hour also come a little out of order: those are no return. */
static int comes_back(run *r, uint64_t offset, int64_t t, bool beyond)
{
    fstate *fs = &r->fs[r->cur];
    int64_t base = (beyond ? r->s->date : stream_date(r)) + r->tol;
    int64_t bound = base < t - r->D - 1 ? base : t - r->D - 1;
    lookahead la = {bound, beyond, 0, false, 0, -1};
    pxs_scan_opts o = {r->s->ft, (r->s->types & PXS_T_ERRORS) != 0, fs->in->f->gz,
                       !fs->in->f->live};
    pxs_scan_result res;

    if (r->la_valid && r->la_file == r->cur && r->la_base == base && offset < r->la_until &&
        r->la_time <= bound)
        return 1;
    if (pxs_logscan(fs->in->f->path, &o, offset, look, &la, &res) != 0) {
        /* The file cannot be read past here: no verdict without it. The scan
         * that called names the file again: keep the cause only. */
        size_t n = strlen(fs->in->f->path);
        char *cause = xstrdup(pxs_error());
        if (strncmp(cause, fs->in->f->path, n) == 0 && strncmp(cause + n, ": ", 2) == 0)
            pxs_set_error("%s", cause + n + 2);
        free(cause);
        return -1;
    }
    if (!la.found && !res.stopped) {
        for (size_t k = r->cur + 1; k < r->nfs && !la.found; k++) {
            const pxs_logfile *f = r->fs[k].in->f;
            if (!r->fs[k].in->skip && f->first >= 0 && f->first <= bound) {
                la.found = true;
                la.at = UINT64_MAX;
                la.time = f->first;
            }
        }
    }
    if (la.found) {
        r->la_valid = true;
        r->la_file = r->cur;
        r->la_until = la.at;
        r->la_time = la.time;
        r->la_base = base;
    }
    return la.found ? 1 : 0;
}

/* ---- the sink ---------------------------------------------------------------- */

enum untimed { UNREADABLE, BEFORE_2000, FROM_THE_FUTURE };

/* A malformed line without a plausible time, or a line from the future: in
 * the hour of the latest time read (of the file's first line at the very top). */
static int untimed_line(run *r, fstate *fs, uint64_t offset, bool seen, enum untimed why,
                        const pxs_record *rec)
{
    int64_t t = has_m(r) ? r->M : fs->in->f->first;
    bool fresh;

    if (t < 0)
        return 0;      /* nowhere to put it: a file with no plausible time, given up */
    fresh = !seen && (fs->has_pos || t >= r->A);
    if (fresh && why == FROM_THE_FUTURE)
        r->s->stats.future++;
    if (fresh && why != UNREADABLE)
        note_line(r, fs, rec, why == FROM_THE_FUTURE ? "a line from the future"
                                                     : "a line dated before 2000");
    cross(fs, offset, t);
    if (t >= r->limit || t < r->A)
        return 0;
    add_line(r, fs, open_slot(r, pxs_hour_floor(t)), PXS_LINE_MALFORMED, rec, fresh);
    return 0;
}

static int timed_line(run *r, fstate *fs, pxs_line_kind kind, const pxs_record *rec,
                      uint64_t offset, bool seen)
{
    int64_t t = rec->time, hour = pxs_hour_floor(t);
    bool fresh = !seen && (fs->has_pos || t >= r->A);

    cross(fs, offset, t);
    if (t >= r->limit + r->D) {
        /* Every hour before limit is settled: the rest is for later runs. */
        r->closed = true;
        return 1;
    }
    if (has_m(r) && hour < r->S) {
        r->s->stats.late += fresh;
        return 0;
    }
    if (t >= r->A && t < r->limit)
        add_line(r, fs, open_slot(r, hour), kind, rec, fresh);
    return raise_m(r, t);
}

static int on_line(void *arg, pxs_line_kind kind, const pxs_record *rec, uint64_t offset)
{
    run *r = arg;
    fstate *fs = &r->fs[r->cur];
    bool timed = kind != PXS_LINE_MALFORMED || rec->timed;
    bool seen = fs->has_pos && offset < fs->seen_end;

    if (timed && rec->time < PXS_LOG_TIME_MIN)
        return untimed_line(r, fs, offset, seen, BEFORE_2000, rec);
    if (timed && rec->time > stream_date(r) + r->tol) {
        bool beyond = rec->time > r->s->date + r->tol;
        int back = comes_back(r, offset, rec->time, beyond);
        if (back < 0)
            return -1;
        if (back)
            return untimed_line(r, fs, offset, seen, FROM_THE_FUTURE, rec);
        if (beyond) {
            /* Nothing comes back: the log went on past this run's date. */
            r->future_stop = true;
            return 1;
        }
    }
    if (!timed)
        return untimed_line(r, fs, offset, seen, UNREADABLE, rec);
    return timed_line(r, fs, kind, rec, offset, seen);
}

/* ---- the run ----------------------------------------------------------------- */

static void prepare_files(run *r)
{
    r->nfs = r->s->nfiles;
    r->fs = xcalloc(r->nfs ? r->nfs : 1, sizeof *r->fs);
    for (size_t i = 0; i < r->nfs; i++) {
        fstate *fs = &r->fs[i];
        pxs_stream_file *in = &r->s->files[i];
        fs->in = in;
        fs->line_base = -1;
        fs->next_hour = INT64_MIN;
        fs->max_at_end = PXS_NO_TIME;
        if (in->pos != NULL) {
            fs->has_pos = true;
            fs->begin = in->pos->offset;
            fs->seen_end = in->pos->scanned;
            fs->consumed = in->pos->offset == in->pos->scanned &&
                           (in->f->gz ? (in->pos->offset & 0xffffffffu) == pxs_ident_end(in->f)
                                      : in->pos->offset == in->f->size);
        }
        fs->end = fs->begin;
    }
}

/* A file that cannot be read at all, named by --skip-damaged: given up whole. */
static bool give_up_whole(run *r, fstate *fs)
{
    char *msg;

    if (fs->in->f->why == NULL || !fs->in->give_up || fs->has_pos)
        return false;
    fs->given_up = true;
    msg = xasprintf("%s: given up as asked (--skip-damaged): %s", fs->in->f->path, fs->in->f->why);
    pxs_strlist_add(&r->s->notes, msg);
    pxs_info("%s", msg);
    free(msg);
    return true;
}

/* Reads the files in order. Returns 0, 1 when the live file ends with an
 * unterminated line (*tail set), or -1. */
static int read_files(run *r, pxs_scan_result *tail)
{
    for (r->cur = 0; r->cur < r->nfs; r->cur++) {
        fstate *fs = &r->fs[r->cur];
        const pxs_logfile *f = fs->in->f;
        pxs_scan_opts o = {r->s->ft, (r->s->types & PXS_T_ERRORS) != 0, f->gz, !f->live};
        pxs_scan_result res;
        int rc;

        if (fs->in->skip || fs->consumed || give_up_whole(r, fs))
            continue;
        if (f->why != NULL && !fs->has_pos) {
            pxs_set_error("%s: %s", f->path, f->why);
            return -1;
        }
        /* Entering a file where the last run stopped: the stream's latest
         * time there is known from the saved position. */
        if (fs->has_pos && fs->begin == fs->seen_end && fs->in->pos->max_time != PXS_NO_TIME &&
            (!has_m(r) || fs->in->pos->max_time > r->M) && raise_m(r, fs->in->pos->max_time) != 0)
            return -1;
        r->s->stats.files++;
        fs->read = true;
        rc = pxs_logscan(f->path, &o, fs->begin, on_line, r, &res);
        fs->end = res.offset;
        fs->max_at_end = r->M;
        if (rc != 0 && (r->failed || !fs->in->give_up))
            return -1;
        if (rc != 0) {
            char *msg = xasprintf("%s: given up from offset %llu as asked (--skip-damaged): %s",
                                  f->path, (unsigned long long)res.offset, pxs_error());
            fs->given_up = true;
            pxs_strlist_add(&r->s->notes, msg);
            pxs_info("%s", msg);
            free(msg);
            continue;
        }
        if (res.stopped)
            return 0;
        if (f->live && res.tail_len > 0) {
            *tail = res;
            return 1;
        }
    }
    return 0;
}

/* The first hour an unterminated last line may still fall in (the hours from
 * it on stay open), or INT64_MAX when it can only be late. */
static int64_t held_from(const run *r, const pxs_scan_result *tail)
{
    int64_t t = tail->tail_time;

    /* Not readable yet, without a plausible time, or far ahead: any hour
     * not settled (a malformed line goes to the hour of M, not before S). */
    if (t < PXS_LOG_TIME_MIN || t > stream_date(r) + r->tol)
        return has_m(r) ? r->S : r->T;
    return has_m(r) && pxs_hour_floor(t) < r->S ? INT64_MAX : pxs_hour_floor(t);
}

static void keep(pxs_stream *s, const fstate *fs, uint64_t offset, uint64_t scanned, int64_t max,
                 int64_t settled)
{
    pxs_position p = {0};

    pxs_ident_fingerprint(fs->in->f, &p.fp_len, &p.fp_crc);
    p.path = fs->in->f->path;
    p.dev = fs->in->f->dev;
    p.ino = fs->in->f->ino;
    p.offset = offset;
    p.scanned = scanned;
    p.max_time = max;
    p.settled = settled;
    p.machine = (char *)s->machine;
    p.client = (char *)s->client;
    p.ft = s->ft;
    pxs_positions_set(&s->positions, &p);
}

/* Where the next run begins in each file: at its first line of an hour not
 * settled (A2 on), or where this run stopped. */
static void new_positions(run *r, int64_t a2)
{
    for (size_t i = 0; i < r->nfs; i++) {
        fstate *fs = &r->fs[i];
        const pxs_position *old = fs->in->pos;
        uint64_t p = fs->end;
        if (fs->in->skip)
            continue;
        if (fs->given_up) {
            uint64_t e = pxs_ident_end(fs->in->f);
            keep(r->s, fs, e, e, r->M, a2);
        } else if (fs->read) {
            for (size_t k = 0; k < fs->ncx; k++)
                if (fs->cx[k].time >= a2) {
                    p = fs->cx[k].offset;
                    break;
                }
            keep(r->s, fs, p, fs->end, fs->max_at_end, a2);
        } else if (old != NULL) {
            keep(r->s, fs, old->offset, old->scanned, old->max_time, a2);
        }
    }
}

static void free_run(run *r)
{
    for (size_t i = 0; i < r->nslots; i++)
        free_slot(&r->slots[i]);
    free(r->slots);
    for (size_t i = 0; i < r->nfs; i++)
        free(r->fs[i].cx);
    free(r->fs);
}

int pxs_stream_run(pxs_stream *s)
{
    run r = {0};
    pxs_scan_result tail;
    int64_t e2, a2, settled;
    int rc;

    memset(&s->positions, 0, sizeof s->positions);
    memset(&s->stats, 0, sizeof s->stats);
    pxs_strlist_init(&s->notes);
    s->held = NULL;
    r.s = s;
    r.T = s->last;
    r.A = s->settled < s->last ? s->settled : s->last;
    r.end = pxs_hour_floor(s->date);
    r.limit = s->now ? s->date : r.end;
    r.D = s->disorder;
    r.tol = s->tolerance;
    r.M = PXS_NO_TIME;
    r.S = INT64_MIN;
    r.next_settle = INT64_MIN;
    r.next_normal = r.T;
    prepare_files(&r);

    rc = read_files(&r, &tail);
    if (rc < 0) {
        free_run(&r);
        return -1;
    }
    /* The hours written now: all up to the hour of DATE, unless the live
     * file's last line is still being written and may fall in one of them. */
    e2 = r.end;
    if (rc == 1) {
        int64_t h = held_from(&r, &tail);
        if (h < r.end) {
            char iso[PXS_ISO_SIZE];
            e2 = h > r.T ? h : r.T;
            s->held = xasprintf("the hours from %s are held back: the last line of %s is not "
                                "complete yet", pxs_format_iso(e2, iso), r.fs[r.cur].in->f->path);
        }
    }
    if (write_normal_until(&r, e2) != 0 || write_shadows_before(&r, INT64_MAX) != 0) {
        free_run(&r);
        return -1;
    }
    if (s->now && s->date > r.end) {
        slot *sl = open_slot(&r, r.end);
        if (publish(&r, &sl->h, sl->spill, sl->lines, sl->malformed) != 0) {
            free_run(&r);
            return -1;
        }
    }
    /* The hours that later lines may still change: those not settled by a
     * line D past them, nor by DATE when every log was read to its end. */
    if (r.closed)
        settled = e2;
    else {
        settled = has_m(&r) ? r.S : r.A;
        if (rc == 0 && !r.future_stop && pxs_hour_floor(s->date - r.D) > settled)
            settled = pxs_hour_floor(s->date - r.D);
    }
    a2 = settled < e2 ? settled : e2;
    if (a2 < r.A)
        a2 = r.A;
    new_positions(&r, a2);
    s->new_last = e2;
    free_run(&r);
    return 0;
}

void pxs_stream_free(pxs_stream *s)
{
    pxs_positions_free(&s->positions);
    pxs_strlist_free(&s->notes);
    free(s->held);
    s->held = NULL;
}
