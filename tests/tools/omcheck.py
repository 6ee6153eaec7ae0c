#!/usr/bin/env python3
"""omcheck -- a strict reader of the OpenMetrics / Prometheus text exposition.

Reads an exposition (a file or stdin) and checks what node_exporter's textfile
collector and an OpenMetrics parser both require, written from the
specifications (OpenMetrics 1.0, Prometheus text format 0.0.4), nothing of
pxstats:
  - every line is "# HELP name text", "# TYPE name type", a sample, or the
    final "# EOF" (OpenMetrics allows no other comment; nothing after # EOF);
  - metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*
    not starting with "__", label values double-quoted with only the escapes
    \\\\, \\" and \\n, no label twice in one sample;
  - a family's TYPE comes before its samples, at most one HELP and one TYPE per
    family; the samples of a family are contiguous; no family appears twice;
  - a sample belongs to its family by name: gauge and untyped "name"; counter
    "name_total" (and _created); summary "name" with a "quantile" label in
    [0, 1], "name_sum", "name_count" (no quantile label on those);
  - values are floats (integers, decimals, exponents, +Inf, -Inf, NaN); _count
    and _sum of a summary are not negative, a counter neither;
  - no two samples have the same name and label set; no timestamp (the
    textfile collector refuses them).
Prints every problem and exits 1, or prints the samples as JSON
[{"name", "labels": {...}, "value"}...] with --json and exits 0.
Usage: omcheck.py [--json] [FILE]
"""
import json
import math
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
TYPES = {"counter", "gauge", "summary", "histogram", "gaugehistogram", "stateset", "info", "unknown",
         "untyped"}


def parse_value(text):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text):
        raise ValueError("not a number: %r" % text)
    return float(text)


def parse_labels(text, pos):
    """Labels from text[pos] == '{' to the matching '}': (dict, next position)."""
    labels = {}
    i = pos + 1
    while True:
        if text[i:i + 1] == "}":
            return labels, i + 1
        m = re.match(r"([^=\s]+)=\"", text[i:])
        if not m:
            raise ValueError("bad label at %r" % text[i:i + 20])
        name = m.group(1)
        if not LABEL.match(name) or name.startswith("__"):
            raise ValueError("bad label name %r" % name)
        if name in labels:
            raise ValueError("label %r twice" % name)
        i += m.end()
        value = []
        while True:
            if i >= len(text):
                raise ValueError("unterminated label value")
            c = text[i]
            if c == "\\":
                nxt = text[i + 1:i + 2]
                if nxt not in ("\\", "\"", "n"):
                    raise ValueError("bad escape \\%s" % nxt)
                value.append("\n" if nxt == "n" else nxt)
                i += 2
            elif c == "\"":
                i += 1
                break
            elif c == "\n":
                raise ValueError("line feed in a label value")
            else:
                value.append(c)
                i += 1
        labels[name] = "".join(value)
        if text[i:i + 1] == ",":
            i += 1
        elif text[i:i + 1] != "}":
            raise ValueError("expected , or } after a label")


def family_of(name, types):
    """The family a sample name belongs to, by the declared types."""
    if name in types and types[name] in ("gauge", "unknown", "untyped", "summary", "stateset", "info"):
        return name, ""
    for suffix in ("_total", "_created", "_sum", "_count", "_bucket", "_gcount", "_gsum", "_info"):
        if name.endswith(suffix) and name[:-len(suffix)] in types:
            return name[:-len(suffix)], suffix
    return name, None


def check(text):
    problems, samples = [], []
    types, helps, seen_families, series = {}, {}, [], set()
    current = None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    else:
        problems.append("the exposition does not end with a line feed")
    if not lines or lines[-1] != "# EOF":
        problems.append("no final '# EOF' line")
    for no, line in enumerate(lines, 1):
        where = "line %d" % no
        if line == "# EOF":
            if no != len(lines):
                problems.append("%s: '# EOF' before the end" % where)
            continue
        if line.startswith("#"):
            m = re.match(r"# (HELP|TYPE) (\S+)(?: (.*))?\Z", line)
            if not m:
                problems.append("%s: a comment that is not HELP, TYPE or EOF: %r" % (where, line))
                continue
            kind, name, rest = m.group(1), m.group(2), m.group(3) or ""
            if not NAME.match(name):
                problems.append("%s: bad metric name %r" % (where, name))
            if name in seen_families and name != current:
                problems.append("%s: family %s appears twice" % (where, name))
            if kind == "TYPE":
                if name in types:
                    problems.append("%s: a second TYPE for %s" % (where, name))
                if rest not in TYPES:
                    problems.append("%s: unknown type %r" % (where, rest))
                if any(s["family"] == name for s in samples):
                    problems.append("%s: TYPE of %s after its samples" % (where, name))
                types[name] = rest
            else:
                if name in helps:
                    problems.append("%s: a second HELP for %s" % (where, name))
                helps[name] = rest
            if name not in seen_families:
                seen_families.append(name)
            current = name
            continue
        m = re.match(r"([^{\s]+)", line)
        if not m or not NAME.match(m.group(1)):
            problems.append("%s: bad sample %r" % (where, line))
            continue
        name, i = m.group(1), m.end()
        labels = {}
        try:
            if line[i:i + 1] == "{":
                labels, i = parse_labels(line, i)
            rest = line[i:]
            if not rest.startswith(" "):
                raise ValueError("no space before the value")
            parts = rest[1:].split(" ")
            if len(parts) != 1:
                raise ValueError("a timestamp or trailing text: %r" % rest)
            value = parse_value(parts[0])
        except ValueError as e:
            problems.append("%s: %s" % (where, e))
            continue
        family, suffix = family_of(name, types)
        if suffix is None:
            problems.append("%s: sample %s has no TYPE'd family" % (where, name))
        elif family != current:
            if family in seen_families:
                problems.append("%s: samples of %s are not contiguous" % (where, family))
            else:
                problems.append("%s: sample %s without its HELP/TYPE" % (where, name))
        ftype = types.get(family)
        if ftype == "summary":
            if suffix == "" and "quantile" not in labels:
                problems.append("%s: summary sample without a quantile label" % where)
            if suffix == "" and "quantile" in labels:
                q = parse_value(labels["quantile"])
                if not 0 <= q <= 1:
                    problems.append("%s: quantile %s out of [0, 1]" % (where, q))
            if suffix in ("_sum", "_count"):
                if "quantile" in labels:
                    problems.append("%s: %s with a quantile label" % (where, name))
                if value < 0:
                    problems.append("%s: negative %s" % (where, name))
            if suffix not in ("", "_sum", "_count", "_created"):
                problems.append("%s: %s is not a summary sample" % (where, name))
        elif ftype == "gauge":
            if suffix != "":
                problems.append("%s: %s is not a gauge sample" % (where, name))
            if "quantile" in labels:
                problems.append("%s: a gauge with a quantile label" % where)
        elif ftype == "counter" and value < 0:
            problems.append("%s: negative counter" % where)
        key = (name, tuple(sorted(labels.items())))
        if key in series:
            problems.append("%s: series %s%s repeated" % (where, name, labels))
        series.add(key)
        samples.append({"name": name, "family": family, "labels": labels, "value": value})
    return problems, samples


def main(argv):
    as_json = "--json" in argv
    files = [a for a in argv if a != "--json"]
    text = open(files[0], encoding="utf-8").read() if files else sys.stdin.read()
    problems, samples = check(text)
    for p in problems:
        print("omcheck: " + p)
    if problems:
        return 1
    if as_json:
        print(json.dumps([{k: s[k] for k in ("name", "labels", "value")} for s in samples]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
