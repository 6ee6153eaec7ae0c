#!/usr/bin/env python3
"""pxcheck -- the independent arithmetic of the pxstats tests.

Computes, from raw PX log files and nothing of pxstats, what the hourly
snapshots of one client (tx) or source (rx) must hold, in the schema of
`pickleView --json`, and compares that expectation with what pickleView says.
The rules are those of DESIGN.md sections 3 and 4, written again from the text:

  data line   contains "[INFO]" and "Bytes" and none of "/sec", " Segment ",
              "SEND TIMEOUT"; error line: contains "[ERROR]"; others skipped
  time        the text before the first comma, exactly "YYYY-MM-DD HH:MM:SS" (UTC)
  bytes       the integer between the first "(" and the " Bytes" after it
  tx          the 7th space-separated token, its last "/" component is the
              ingest name what:sys:site:type:prio:format:YYYYMMDDhhmmss;
              product = the ingest name; latency = time - 7th colon field,
              whole seconds, clamped at 0, no wrap at a day
  rx          ingest name = the last "/" component of the line; product = its
              first colon field; latency 0
  malformed   a data or error line whose time, bytes or ingest cannot be read
  plausible   a time from 2000-01-01 on; a line with an earlier time has none
  the stream  the files of one machine are one stream: in the order of their first
              line with a plausible time (up to DATE + the future tolerance; else
              their first time after it), the live ".log" last; M is the latest
              plausible time read so far (of data, error and malformed lines)
  the future  the stream's date V is DATE, or, once M is known, the end of the first
              hour not settled (floor_hour(M - disorder) + 1 h) when earlier; a line
              more than the tolerance after V is from the future (malformed, in the
              hour of M) when a later line comes back, earlier than it by more than
              the disorder: for a line also after DATE + tolerance, any later line
              up to DATE + tolerance (to the end of the logs); else a line up to
              V + tolerance among the next 256 timed lines.
              A line after DATE + tolerance that nothing comes back from ends the
              stream: the log went on past DATE
  late        a line of an hour already settled (floor_hour(M - disorder) is after
              it): counted in no hour
  untimed     a malformed line without a plausible time counts in the hour of M (of
              the file's first time before any M)
  buckets     the minute (interval) of the line within its hour [HH:00, HH+1:00)
  hours       every hour of the window; those before the oldest line of the files
              are marked "beforeLogs" (unknown, not silent: no snapshot expected,
              and one that exists must be all zeros)
  statistics  over data rows: min, max, mean = total / count, exact median
              (mean of the two middle values for an even count), total, and
              where min and max first occurred; nbFiles = data rows;
              filesOverMaxLatency = latency > maxLatency (tx); errors = error
              rows, which count nowhere else; no values -> zeros (and nulls);
              a type not collected (--types) is zero

Usage:
  pxcheck.py expect  -f tx|rx -c NAME [-m MACHINE] --start DATE --end DATE
                     [--date DATE] [--future-tolerance MIN] [--disorder MIN]
                     [--max-latency S] [--interval MIN] [--types LIST]
                     [--cut DATE] [--max-line BYTES] [--keep-partial] FILE...
      one JSON object per hour of [hour(start), end), one per line
  pxcheck.py counts  <expect options> FILE...
      one JSON object: the lines counted in the window's hours ("lines"), the
      malformed ones ("malformed"), the late ones ("late"), those from the future
      ("future"), all of the stream
  pxcheck.py compare [--malformed] [--files] [--no-where] [--tolerance R]
                     EXPECTED ACTUAL...
      EXPECTED: the output of expect; ACTUAL: pickleView --json outputs
      ("-" = stdin). Prints every difference; exit 0 when there is none.
  pxcheck.py verify  --stats DIR [--pickleview PROG] [compare options]
                     <expect options> FILE...
      expect, then pickleView --json on DIR/pickles/NAME/YYYYMMDD/FT/MACHINE_HH
      of each hour, then compare.
  pxcheck.py query   -f tx|rx -c NAME -m MACHINES --start DATE --end DATE
                     --by minute|hour|day|total [--max-latency S] [--until DATE]
                     [--machine-until DIR=DATE]... FILE...
      what `statsQuery --format json` must print for NAME over [start, end):
      one JSON object per period with the fields of its contract, from the
      files of every machine (one directory per machine). Percentiles are
      nearest rank: the value of rank ceil(p * n / 100) in ascending order.
      A period is unknown (null) when none of its hours has a snapshot: an
      hour has one on a machine from the hour of the machine's oldest line up
      to --until (the date statsUpdater collected to; default: no limit), or
      --machine-until DIR=DATE for the machine whose files are in DIR.
  pxcheck.py query-compare EXPECTED ACTUAL
      EXPECTED: the output of query; ACTUAL: statsQuery --format json output.
      Every field of every row, in order; exit 0 when there is no difference.

--date is the run's DATE (default --end); --cut DATE leaves out the lines at or
after DATE (and the untimed lines whose hour is M's, M at or after DATE): the
partial hour that statsUpdater -n -d DATE writes.
--max-line BYTES models a reader that refuses longer lines (counted malformed);
without it every line is read whole, as DESIGN.md says nothing of a limit.

For a merged snapshot (-m m1m2), give the files of every machine, machine after
machine: rows of equal time then keep the machines' order, as a merge does.

Log files may be plain or gzipped (.gz, detected by content). The last line of a
live file (a name ending in ".log") without its newline is held back, as
statsUpdater holds it until it is complete; --keep-partial counts it. The last
line of a rotated file counts as it stands.
"""

import argparse
import calendar
import gzip
import json
import os
import re
import subprocess
import sys
import time

TIME_RE = re.compile(rb"\A(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\Z")
COMPACT_RE = re.compile(rb"\A(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\Z")
DIGITS_RE = re.compile(rb"\A[0-9]+\Z")
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def epoch_of(fields):
    """Epoch seconds (UTC) of (Y, M, D, h, m, s) strings, or None when out of range."""
    y, mo, d, h, mi, s = (int(x) for x in fields)
    if not (1 <= mo <= 12 and 1 <= d <= DAYS_IN_MONTH[mo - 1] and h <= 23 and mi <= 59 and s <= 59):
        return None
    if mo == 2 and d == 29 and not calendar.isleap(y):
        return None
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0))


def parse_time(text):
    m = TIME_RE.match(text)
    return epoch_of(m.groups()) if m else None


def parse_compact(text):
    m = COMPACT_RE.match(text)
    return epoch_of(m.groups()) if m else None


def iso(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def parse_date_arg(text):
    t = parse_time(text.encode()) if len(text) == 19 else None
    if t is None and len(text) == 10:
        t = parse_time((text + " 00:00:00").encode())
    if t is None:
        raise argparse.ArgumentTypeError("not a date YYYY-MM-DD HH:MM:SS: %r" % text)
    return t


# ---- one line ------------------------------------------------------------

DATA, ERROR, SKIP, MALFORMED = "data", "error", "skip", "malformed"


def classify(line, ft, want_errors):
    """(kind, time, bytes, latency, product) of one line (bytes, no newline)."""
    if (b"[INFO]" in line and b"Bytes" in line and b"/sec" not in line
            and b" Segment " not in line and b"SEND TIMEOUT" not in line):
        kind = DATA
    elif b"[ERROR]" in line:
        if not want_errors:
            return (SKIP, None, 0, 0, None)
        kind = ERROR
    else:
        return (SKIP, None, 0, 0, None)
    t = parse_time(line.split(b",", 1)[0])
    if t is None:
        return (MALFORMED, None, 0, 0, None)
    if kind == ERROR:
        return (ERROR, t, 0, 0, "")
    open_at = line.find(b"(")
    close_at = line.find(b" Bytes", open_at + 1) if open_at >= 0 else -1
    if close_at < 0 or not DIGITS_RE.match(line[open_at + 1:close_at]):
        return (MALFORMED, t, 0, 0, None)
    nbytes = int(line[open_at + 1:close_at])
    if ft == "tx":
        tokens = line.split(b" ")
        if len(tokens) < 7:
            return (MALFORMED, t, 0, 0, None)
        ingest = tokens[6].split(b"/")[-1]
        fields = ingest.split(b":")
        recv = parse_compact(fields[6]) if len(fields) >= 7 else None
        if recv is None:
            return (MALFORMED, t, 0, 0, None)
        return (DATA, t, nbytes, max(0, t - recv), ingest.decode("latin-1"))
    if b"/" not in line:
        return (MALFORMED, t, 0, 0, None)
    ingest = line.split(b"/")[-1]
    return (DATA, t, nbytes, 0, ingest.split(b":")[0].decode("latin-1"))


# ---- files ---------------------------------------------------------------

def read_lines(path, keep_partial):
    with open(path, "rb") as f:
        head = f.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (EOFError, gzip.BadGzipFile) as e:
        raise ValueError("%s: %s" % (path, e)) from None
    lines = data.split(b"\n")
    last = lines.pop()             # "" when the file ends with a newline
    if last and (keep_partial or not is_live(path)):
        lines.append(last)
    return lines


def is_live(path):
    return path.endswith(".log")


TIME_MIN = calendar.timegm((2000, 1, 1, 0, 0, 0, 0, 0, 0))
LOOKAHEAD_LINES = 256


def first_time(lines, latest):
    """The time of the first line with a plausible time up to latest, else the
    first time after latest, else None."""
    ahead = None
    for line in lines:
        t = parse_time(line.split(b",", 1)[0])
        if t is None or t < TIME_MIN:
            continue
        if t <= latest:
            return t
        if ahead is None:
            ahead = t
    return ahead


def basename(path):
    return path.rstrip("/").split("/")[-1]


def dirname(path):
    return path.rstrip("/").rpartition("/")[0]


# ---- the expectation -----------------------------------------------------

def stats(values, where):
    """min, max, mean, median, total of values and where min/max first occurred."""
    if not values:
        return {"min": 0, "max": 0, "mean": 0, "median": 0, "total": 0,
                "minFile": None, "minTime": None, "maxFile": None, "maxTime": None}
    s = sorted(values)
    n = len(s)
    median = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    total = sum(values)
    lo, hi = min(values), max(values)
    imin, imax = values.index(lo), values.index(hi)
    return {"min": lo, "max": hi, "mean": total / n, "median": median, "total": total,
            "minFile": where[imin][0], "minTime": iso(where[imin][1]),
            "maxFile": where[imax][0], "maxTime": iso(where[imax][1])}


def hour_of(t):
    return t - t % 3600


class Stream:
    """The lines of one machine's files, in reading order, and the rules of
    the stream (module docstring)."""

    def __init__(self, args, files):
        self.args = args
        self.date = args.date if args.date is not None else args.end
        self.tol = args.future_tolerance * 60
        self.disorder = args.disorder * 60
        self.want_errors = "errors" in types_of(args)
        self.files = files            # [(path, lines, first)] in reading order
        self.m = None
        self.late = self.future = 0

    def stream_date(self):
        if self.m is None:
            return self.date
        return min(self.date, hour_of(self.m - self.disorder) + 3600)

    def timed(self, line):
        if self.args.max_line is not None and len(line) > self.args.max_line:
            return (MALFORMED, None, 0, 0, None)
        return classify(line, self.args.ft, self.want_errors)

    def comes_back(self, k, i, bound, to_the_end):
        bound = min(bound, self.timed(self.files[k][1][i])[1] - self.disorder - 1)
        looked = 0
        for line in self.files[k][1][i + 1:]:
            kind, t = self.timed(line)[:2]
            if kind == SKIP or t is None or t < TIME_MIN:
                continue
            if t <= bound:
                return True
            looked += 1
            if not to_the_end and looked >= LOOKAHEAD_LINES:
                return False
        return any(f[2] is not None and f[2] <= bound for f in self.files[k + 1:])

    def lines(self):
        """(kind, time, bytes, latency, product, hour, path) of every line that
        counts somewhere, in the stream's order; time is None for untimed."""
        for k, (path, lines, first) in enumerate(self.files):
            for i, line in enumerate(lines):
                kind, t, nbytes, latency, product = self.timed(line)
                if kind == SKIP:
                    continue
                untimed = t is None or t < TIME_MIN
                if not untimed and t > self.stream_date() + self.tol:
                    beyond = t > self.date + self.tol
                    bound = (self.date if beyond else self.stream_date()) + self.tol
                    if self.comes_back(k, i, bound, beyond):
                        untimed = True
                        self.future += 1
                    elif beyond:
                        return
                if untimed:
                    te = self.m if self.m is not None else first
                    if te is not None:
                        yield (MALFORMED, None, 0, 0, None, hour_of(te), te, path)
                    continue
                if self.m is not None and hour_of(t) < hour_of(self.m - self.disorder):
                    self.late += 1
                    continue
                yield (kind, t, nbytes, latency, product, hour_of(t), t, path)
                self.m = t if self.m is None else max(self.m, t)


def types_of(args):
    types = set(args.types.split(",")) if args.types != "All" else {"latency", "bytecount", "errors"}
    if args.ft == "rx":
        types.discard("latency")
    return types


def streams(args):
    """One Stream per machine: the files of several directories (the machines
    of a merged snapshot) directory after directory, in the order of the
    command line; in a directory, by first time (names lie), the live last."""
    latest = (args.date if args.date is not None else args.end) + args.future_tolerance * 60
    groups = {}
    for path in args.files:
        lines = read_lines(path, args.keep_partial)
        groups.setdefault(dirname(path), []).append((path, lines, first_time(lines, latest)))
    out = []
    for group in groups.values():
        group.sort(key=lambda x: (is_live(x[0]), -1 if x[2] is None else x[2]))
        out.append(Stream(args, group))
    return out


def expect(args, counts=None):
    width = args.interval * 60
    if 3600 % width:
        sys.exit("pxcheck: --interval must divide 60")
    types = types_of(args)
    first_hour = args.start - args.start % 3600
    hours = {}
    for h in range(first_hour, args.end, 3600):
        hours[h] = {"files": [], "malformed": 0,
                    "rows": [[] for _ in range(3600 // width)]}
    all_streams = streams(args)
    firsts = [f[2] for st in all_streams for f in st.files if f[2] is not None]
    oldest = min(firsts) if firsts else None
    for st in all_streams:
        for kind, t, nbytes, latency, product, hour, when, path in st.lines():
            if args.cut is not None and when >= args.cut:
                continue
            entry = hours.get(hour)
            if entry is None:
                continue
            if basename(path) not in entry["files"]:
                entry["files"].append(basename(path))
            if counts is not None:
                counts["malformed" if kind == MALFORMED else "lines"] += 1
            if kind == MALFORMED:
                entry["malformed"] += 1
                continue
            entry["rows"][(t - hour) // width].append((kind, t, nbytes, latency, product))
        if counts is not None:
            counts["late"] += st.late
            counts["future"] += st.future
    out = []
    for h, hour in hours.items():
        buckets = []
        for i, rows in enumerate(hour["rows"]):
            # In time order, stable: rows of equal time keep the order of the
            # files and machines, which decides where a min or max first occurred.
            data = sorted((r for r in rows if r[0] == DATA), key=lambda r: r[1])
            where = [(r[4], r[1]) for r in data]
            lat = stats([r[3] for r in data] if "latency" in types else [], where)
            byt = stats([r[2] for r in data] if "bytecount" in types else [], where)
            buckets.append({
                "start": iso(h + i * width),
                "nbFiles": len(data),
                "filesOverMaxLatency":
                    sum(1 for r in data if r[3] > args.max_latency) if "latency" in types else 0,
                "latency": lat, "bytecount": byt,
                "errors": {"total": sum(1 for r in rows if r[0] == ERROR)},
            })
        out.append({"client": args.name, "machine": args.machine, "fileType": args.ft,
                    "start": iso(h), "interval": args.interval, "maxLatency": args.max_latency,
                    "files": hour["files"], "malformed": hour["malformed"], "buckets": buckets,
                    # Before the oldest line of the logs an hour is unknown, not
                    # silent: statsUpdater writes no snapshot for it.
                    "beforeLogs": oldest is None or h + 3600 <= oldest})
    return out


# ---- statsQuery ----------------------------------------------------------

QUERY_FIELDS = ["client", "machines", "fileType", "start", "end", "files", "bytes", "errors",
                "filesOverMaxLatency", "latency_min", "latency_p50", "latency_p90",
                "latency_p95", "latency_p99", "latency_max", "latency_mean",
                "bytecount_p50", "bytecount_p99", "bytecount_max"]


def nearest_rank(sorted_values, p):
    """The smallest value v with at least p % of the values <= v."""
    n = len(sorted_values)
    rank = max(1, -(-p * n // 100))          # ceil(p * n / 100), in integers
    return sorted_values[rank - 1]


def period_end(by, t, end):
    if by == "minute":
        e = t - t % 60 + 60
    elif by == "hour":
        e = t - t % 3600 + 3600
    elif by == "day":
        e = t - t % 86400 + 86400
    else:
        e = end
    return min(e, end)


def query(args):
    rows = []            # (kind, time, bytes, latency)
    oldest = {}          # machine directory -> its oldest line time
    until = {}           # machine directory -> the end of its collection
    for spec in args.machine_until:
        d, _, date = spec.partition("=")
        until[d.rstrip("/")] = parse_date_arg(date)
    for path in args.files:
        lines = read_lines(path, False)
        machine = dirname(path)
        end = until.get(machine, args.until)
        for line in lines:
            kind, t, nbytes, latency, _ = classify(line, args.ft, True)
            # an hour the machine did not collect has no snapshot: not counted
            if kind in (DATA, ERROR) and (end is None or t - t % 3600 < end):
                rows.append((kind, t, nbytes, latency))
        first = first_time(lines, float("inf"))
        if first is not None:
            oldest[machine] = min(first, oldest.get(machine, first))

    def hour_known(h):
        for m, o in oldest.items():
            end = until.get(m, args.until)
            if h + 3600 > o and (end is None or h < end):
                return True
        return False

    out = []
    start = args.start
    while start < args.end:
        end = period_end(args.by, start, args.end)
        known = any(hour_known(h) for h in range(start - start % 3600, end, 3600))
        data = [r for r in rows if start <= r[1] < end and r[0] == DATA]
        errors = sum(1 for r in rows if start <= r[1] < end and r[0] == ERROR)
        o = dict.fromkeys(QUERY_FIELDS)
        o.update(client=args.name, machines=args.machine, fileType=args.ft,
                 start=iso(start), end=iso(end))
        if known:
            lat = sorted(r[3] for r in data) if args.ft == "tx" else []
            size = sorted(r[2] for r in data)
            o.update(files=len(data), bytes=sum(r[2] for r in data), errors=errors)
            if args.ft == "tx":      # rx has no latency: nothing is late (null)
                o.update(filesOverMaxLatency=sum(1 for r in data if r[3] > args.max_latency))
            if lat:
                o.update(latency_min=lat[0], latency_max=lat[-1],
                         latency_mean=sum(lat) / len(lat),
                         **{"latency_p%d" % p: nearest_rank(lat, p) for p in (50, 90, 95, 99)})
            if size:
                o.update(bytecount_p50=nearest_rank(size, 50), bytecount_p99=nearest_rank(size, 99),
                         bytecount_max=size[-1])
        out.append(o)
        start = end
    return out


def run_query_compare(opts):
    expected = load_json_objects(opts.expected)
    actual = load_json_objects(opts.actual)
    diffs = []
    if len(expected) != len(actual):
        diffs.append("%d rows expected, got %d" % (len(expected), len(actual)))
    for i, (e, a) in enumerate(zip(expected, actual)):
        if list(a.keys()) != QUERY_FIELDS:
            diffs.append("row %d: keys %r" % (i, list(a.keys())))
        for f in QUERY_FIELDS:
            if not same_value(e.get(f), a.get(f), 1e-12):
                diffs.append("row %d (%s %s): %s expected %r got %r"
                             % (i, e.get("client"), e.get("start"), f, e.get(f), a.get(f)))
    return report(diffs)


# ---- comparison ----------------------------------------------------------

def load_json_objects(path):
    try:
        if path == "-":
            return load_json_objects_text(sys.stdin.read())
        with open(path, encoding="utf-8") as f:
            return load_json_objects_text(f.read())
    except ValueError as e:
        raise ValueError("%s: %s" % (path, e)) from None


def same_value(a, b, tol):
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or abs(a - b) <= tol * max(abs(a), abs(b))
    return a == b


BUCKET_FIELDS = ["start", "nbFiles", "filesOverMaxLatency"] + \
    ["%s.%s" % (t, s) for t in ("latency", "bytecount") for s in ("min", "max", "mean", "median", "total")] + \
    ["errors.total"]
WHERE_FIELDS = ["%s.%s" % (t, s) for t in ("latency", "bytecount")
                for s in ("minFile", "minTime", "maxFile", "maxTime")]


def field(obj, dotted):
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return "<absent>"
        obj = obj[part]
    return obj


def compare_hours(expected, actual, opts):
    """Lists every difference between expected and actual hours (lists of dicts)."""
    diffs = []
    key = lambda o: (o.get("client"), o.get("machine"), o.get("fileType"), o.get("start"))
    got = {}
    for o in actual:
        got[key(o)] = o
    top = ["client", "machine", "fileType", "start", "interval"]
    if opts.malformed:
        top.append("malformed")
    fields = BUCKET_FIELDS + ([] if opts.no_where else WHERE_FIELDS)
    for e in expected:
        a = got.pop(key(e), None)
        name = "%s %s %s %s" % key(e)
        if a is None:
            if not e.get("beforeLogs"):
                diffs.append("%s: no such hour in the actual output" % name)
            continue
        for f in top:
            if not same_value(e.get(f), a.get(f), opts.tolerance):
                diffs.append("%s: %s expected %r got %r" % (name, f, e.get(f), a.get(f)))
        if opts.compare_files and sorted(e.get("files", [])) != sorted(a.get("files", [])):
            diffs.append("%s: files expected %r got %r" % (name, e.get("files"), a.get("files")))
        eb, ab = e.get("buckets", []), a.get("buckets", [])
        if len(eb) != len(ab):
            diffs.append("%s: %d buckets expected, got %d" % (name, len(eb), len(ab)))
        for i, (x, y) in enumerate(zip(eb, ab)):
            for f in fields:
                if not same_value(field(x, f), field(y, f), opts.tolerance):
                    diffs.append("%s: bucket %d (%s) %s expected %r got %r"
                                 % (name, i, x.get("start"), f, field(x, f), field(y, f)))
    for k in got:
        diffs.append("%s %s %s %s: unexpected hour in the actual output" % k)
    return diffs


def report(diffs):
    for d in diffs:
        print(d)
    if diffs:
        print("pxcheck: %d difference(s)" % len(diffs), file=sys.stderr)
    return 1 if diffs else 0


def run_compare(opts):
    expected = load_json_objects(opts.expected)
    actual = []
    for path in opts.actual:
        actual.extend(load_json_objects(path))
    return report(compare_hours(expected, actual, opts))


def run_verify(opts):
    expected = expect(opts)
    actual = []
    for e in expected:
        day = e["start"][:10].replace("-", "")
        path = "%s/pickles/%s/%s/%s/%s_%s" % (opts.stats, opts.name, day, opts.ft,
                                              opts.machine, e["start"][11:13])
        if e.get("beforeLogs") and not os.path.exists(path):
            continue
        res = subprocess.run([opts.pickleview, "--json", path], capture_output=True, text=True)
        if res.returncode != 0:
            print("%s: pickleView failed (%d): %s" % (path, res.returncode, res.stderr.strip()))
            continue
        try:
            actual.extend(load_json_objects_text(res.stdout))
        except ValueError as e:
            print("%s: pickleView --json printed no JSON: %s" % (path, e))
    return report(compare_hours(expected, actual, opts))


def load_json_objects_text(text):
    dec, objs, i = json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return objs
        obj, i = dec.raw_decode(text, i)
        objs.append(obj)


# ---- command line --------------------------------------------------------

def add_expect_opts(p):
    p.add_argument("-f", dest="ft", choices=("tx", "rx"), required=True)
    p.add_argument("-c", dest="name", required=True, help="client or source name")
    p.add_argument("-m", dest="machine", default="pds1")
    p.add_argument("--start", type=parse_date_arg, required=True)
    p.add_argument("--end", type=parse_date_arg, required=True)
    p.add_argument("--max-latency", type=int, default=15)
    p.add_argument("--interval", type=int, default=1, help="bucket width in minutes")
    p.add_argument("--types", default="All", help="latency,bytecount,errors or All")
    p.add_argument("--date", type=parse_date_arg, default=None, metavar="DATE",
                   help="the run's date, for lines from the future (default --end)")
    p.add_argument("--future-tolerance", type=int, default=60, metavar="MIN")
    p.add_argument("--disorder", type=int, default=5, metavar="MIN")
    p.add_argument("--cut", type=parse_date_arg, default=None, metavar="DATE",
                   help="ignore the lines at or after DATE (statsUpdater -n -d DATE: a partial hour)")
    p.add_argument("--max-line", type=int, default=None, metavar="BYTES",
                   help="count any line longer than BYTES (without newline) as malformed")
    p.add_argument("--keep-partial", action="store_true",
                   help="count a live file's last line without newline")
    p.add_argument("files", nargs="+")


def add_compare_opts(p):
    p.add_argument("--malformed", action="store_true", help="compare the malformed counts too")
    p.add_argument("--files", dest="compare_files", action="store_true",
                   help="compare the lists of files too")
    p.add_argument("--no-where", action="store_true",
                   help="do not compare minFile/minTime/maxFile/maxTime")
    p.add_argument("--tolerance", type=float, default=1e-9, help="relative, for numbers")


def main(argv):
    ap = argparse.ArgumentParser(prog="pxcheck.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    pe = sub.add_parser("expect", help="expected pickleView --json of each hour")
    add_expect_opts(pe)
    pc = sub.add_parser("compare", help="expected against actual, every differing field")
    add_compare_opts(pc)
    pc.add_argument("expected")
    pc.add_argument("actual", nargs="+")
    pq = sub.add_parser("query", help="expected statsQuery --format json rows")
    pq.add_argument("-f", dest="ft", choices=("tx", "rx"), required=True)
    pq.add_argument("-c", dest="name", required=True)
    pq.add_argument("-m", dest="machine", required=True, help="the machines field (-m of statsQuery)")
    pq.add_argument("--start", type=parse_date_arg, required=True)
    pq.add_argument("--end", type=parse_date_arg, required=True)
    pq.add_argument("--by", choices=("minute", "hour", "day", "total"), required=True)
    pq.add_argument("--max-latency", type=int, default=15)
    pq.add_argument("--until", type=parse_date_arg, default=None)
    pq.add_argument("--machine-until", action="append", default=[], metavar="DIR=DATE",
                    help="the collection end of the machine whose logs are in DIR")
    pq.add_argument("files", nargs="+")
    pqc = sub.add_parser("query-compare", help="expected statsQuery rows against actual ones")
    pqc.add_argument("expected")
    pqc.add_argument("actual")
    pn = sub.add_parser("counts", help="lines, malformed, late and future lines of the window")
    add_expect_opts(pn)
    pv = sub.add_parser("verify", help="expect + pickleView over a stats tree + compare")
    pv.add_argument("--stats", required=True, help="the stats root (holding pickles/)")
    pv.add_argument("--pickleview", default="pickleView")
    add_compare_opts(pv)
    add_expect_opts(pv)
    opts = ap.parse_args(argv)
    if opts.cmd == "expect":
        for hour in expect(opts):
            print(json.dumps(hour, separators=(",", ":")))
        return 0
    if opts.cmd == "compare":
        return run_compare(opts)
    if opts.cmd == "query":
        for row in query(opts):
            print(json.dumps(row, separators=(",", ":")))
        return 0
    if opts.cmd == "query-compare":
        return run_query_compare(opts)
    if opts.cmd == "counts":
        counts = {"lines": 0, "malformed": 0, "late": 0, "future": 0}
        expect(opts, counts)
        print(json.dumps(counts, sort_keys=True))
        return 0
    return run_verify(opts)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(1)
    except (OSError, EOFError, ValueError) as e:   # unreadable file, bad gzip or JSON
        print("pxcheck: %s" % e, file=sys.stderr)
        sys.exit(2)
