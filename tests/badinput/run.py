#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""run.py: kasbah under AddressSanitizer + UndefinedBehaviorSanitizer over bad input.

Where: tests/badinput, run by tests/suites/badinput. Two parts:
  (a) captures: every capture under ../shared/data/pcaps (MANIFEST.tsv), or with
      --selection FILE a fixed list (see tests/suites/badinput for what CI runs);
  (b) generated: the broken files mkbroken.py writes (empty, not a capture, cut mid-record,
      record longer than its snaplen, zero-length packets, pcapng with bad blocks, a huge
      caplen field, hostile packet contents, directories mixing good and bad files).
Each run of kasbah must show:
  - no sanitizer report on stderr (ASan, LSan, UBSan; the sanitizers also halt on error);
  - the documented exit status: 0 when the input could be read (damage inside a file is a
    warning), 2 for an input error (missing, unreadable, not a capture);
  - for an input error, exactly one line on stderr, naming the file; for damage inside a
    readable file, a warning naming the file;
  - eve.json (when the run succeeds) made only of complete JSON objects, one per line,
    ending with a stats record whose decoder.pkts is the number of complete records in the
    file (capfile.py: libpcap's rules, which kasbah's capture stage extends to gzip files
    and to pcapng files with differing interfaces).
Binary: --kasbah, else $KASBAH_ASAN_BIN, else <repo>/$KASBAH_ASAN_BUILDDIR/src/kasbah
(KASBAH_ASAN_BUILDDIR defaults to build-asan); --setup configures and builds that
directory with `-Db_sanitize=address,undefined -Db_lundef=false` first.
Prints a line per failure, then `badinput: N passed, M failed`; exit 1 on any failure.
"""

import argparse
import concurrent.futures
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "agreement"))
from capfile import capfile_inspect  # noqa: E402
import mkbroken  # noqa: E402

TIMEOUT = 300
SAN_MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
               "runtime error:", "SUMMARY: ", "MemorySanitizer")
SAN_ENV = {
    "ASAN_OPTIONS": "halt_on_error=1:abort_on_error=0:detect_leaks=1:exitcode=86:"
                    "strict_string_checks=1:detect_stack_use_after_return=1:"
                    "check_initialization_order=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:exitcode=87",
}


def shared_dir():
    env = os.environ.get("KASBAH_SHARED")
    if env:
        return env
    sibling = os.path.join(os.path.dirname(REPO), "shared")
    return sibling if os.path.isdir(sibling) else "/work/shared"


def asan_builddir():
    return os.path.join(REPO, os.environ.get("KASBAH_ASAN_BUILDDIR", "build-asan"))


def setup_build(builddir):
    """Configure (once) and build the sanitizer build directory; True on success."""
    if not os.path.exists(os.path.join(builddir, "build.ninja")):
        cmd = ["meson", "setup", builddir, "-Db_sanitize=address,undefined",
               "-Db_lundef=false", "--buildtype=debugoptimized"]
        if subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL).returncode != 0:
            return False
    jobs = os.environ.get("KASBAH_JOBS", "2")
    return subprocess.run(["ninja", "-C", builddir, "-j", jobs, "src/kasbah"],
                          stdout=subprocess.DEVNULL).returncode == 0


def run_one(kasbah, target, logdir):
    env = dict(os.environ)
    env.update(SAN_ENV)
    os.makedirs(logdir, exist_ok=True)
    t0 = time.monotonic()
    try:
        p = subprocess.run([kasbah, "-r", target, "-l", logdir, "-k", "none"], env=env,
                           capture_output=True, text=True, errors="replace", timeout=TIMEOUT)
        rc, err = p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        rc, err = None, "timed out after %ds" % TIMEOUT
    return rc, err, time.monotonic() - t0


def check_eve(logdir):
    """(problems, decoder.pkts or None, whether a stats record was seen)."""
    eve = os.path.join(logdir, "eve.json")
    if not os.path.exists(eve):
        return ["no eve.json"], None, False
    problems, pkts, seen = [], None, False
    with open(eve, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        problems.append("eve.json ends in a partial line")
    for n, raw in enumerate(data.splitlines(), 1):
        try:
            rec = json.loads(raw)
        except ValueError:
            problems.append("eve.json line %d is not complete JSON: %r" % (n, raw[:80]))
            continue
        if not isinstance(rec, dict) or "event_type" not in rec:
            problems.append("eve.json line %d is not an event object" % n)
            continue
        if rec["event_type"] == "stats":
            seen = True
            pkts = rec.get("stats", {}).get("decoder", {}).get("pkts")
    return problems, pkts, seen


def judge(job):
    """Run one case; return (name, [failures], seconds)."""
    name, kasbah, target, want_rc, want_pkts, names, one_line = job
    work = tempfile.mkdtemp(prefix="badinput-")
    fails = []
    try:
        logdir = os.path.join(work, "log")
        rc, err, secs = run_one(kasbah, target, logdir)
        lines = [ln for ln in err.splitlines() if ln.strip()]
        if any(m in err for m in SAN_MARKERS):
            first = next((ln for ln in lines if any(m in ln for m in SAN_MARKERS)), "")
            fails.append("sanitizer report: %s" % first.strip()[:200])
        if rc is None:
            fails.append("hung: %s" % err)
        elif rc != want_rc:
            fails.append("exit status %s, expected %d; stderr: %s" % (rc, want_rc, " | ".join(lines[:3])[:300]))
        for nm in names:
            if not any(nm in ln for ln in lines):
                fails.append("stderr does not name %s: %s" % (nm, " | ".join(lines[:3])[:300]))
        errors = [ln for ln in lines if ": error:" in ln]
        if want_rc == 2 and rc == 2 and (len(errors) != 1 or (names and names[0] not in errors[0])):
            fails.append("expected one error line naming %s, got: %s"
                         % (names[0] if names else "the input", " | ".join(errors)[:300]))
        if one_line and len(lines) != 1:
            fails.append("expected one line on stderr, got %d: %s" % (len(lines), " | ".join(lines[:4])[:300]))
        if rc == 0:
            problems, pkts, seen = check_eve(logdir)
            fails += problems
            if not seen:
                fails.append("no stats record in eve.json")
            elif want_pkts is not None and pkts != want_pkts:
                fails.append("decoder.pkts %s, expected %d" % (pkts, want_pkts))
        elif os.path.exists(os.path.join(logdir, "eve.json")):
            problems, _, _ = check_eve(logdir)
            fails += problems
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return name, fails, secs


def capture_jobs(kasbah, pcaps, rels):
    jobs = []
    for rel in rels:
        path = os.path.join(pcaps, rel)
        info = capfile_inspect(path)
        lp = info.reader_count
        if lp < 0:
            jobs.append((rel, kasbah, path, 2, None, (os.path.basename(rel),), True))
        else:
            jobs.append((rel, kasbah, path, 0, lp, (), False))
    return jobs


def directory_jobs(kasbah, pcaps, rels):
    """One run per directory holding captures: kasbah reads it as one stream. Expected:
    the sum of what libpcap delivers from each capture, and a warning naming each file
    that is not a capture libpcap can open."""
    by_dir = {}
    for rel in rels:
        by_dir.setdefault(os.path.dirname(rel), []).append(rel)
    jobs = []
    for d in sorted(by_dir):
        total, unreadable = 0, []
        for rel in by_dir[d]:
            lp = capfile_inspect(os.path.join(pcaps, rel)).reader_count
            if lp < 0:
                unreadable.append(os.path.basename(rel))
            else:
                total += lp
        readable = len(by_dir[d]) - len(unreadable)
        jobs.append(("dir:" + (d or "."), kasbah, os.path.join(pcaps, d), 0 if readable else 2,
                     total if readable else None, tuple(unreadable), False))
    return jobs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kasbah", help="sanitizer-built kasbah binary")
    ap.add_argument("--setup", action="store_true", help="configure and build build-asan first")
    ap.add_argument("--all", action="store_true",
                    help="one run per capture in MANIFEST.tsv (the default without --dirs/--selection)")
    ap.add_argument("--dirs", action="store_true",
                    help="one run per directory of captures (every capture, read as streams)")
    ap.add_argument("--selection", help="one run per capture listed in this file")
    ap.add_argument("--no-captures", action="store_true", help="only the generated files")
    ap.add_argument("--no-generated", action="store_true", help="only the shared captures")
    ap.add_argument("--keep", help="write the generated files here and keep them")
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("KASBAH_JOBS", "2")))
    ap.add_argument("-v", "--verbose", action="store_true", help="time per run, slowest first")
    args = ap.parse_args()

    builddir = asan_builddir()
    if args.setup and not args.kasbah and not os.environ.get("KASBAH_ASAN_BIN"):
        if not setup_build(builddir):
            print("badinput: could not build %s with sanitizers" % builddir, file=sys.stderr)
            return 2
    kasbah = args.kasbah or os.environ.get("KASBAH_ASAN_BIN") or os.path.join(builddir, "src", "kasbah")
    kasbah = os.path.abspath(kasbah)
    if not os.access(kasbah, os.X_OK):
        print("badinput: no sanitizer build at %s (use --setup)" % kasbah, file=sys.stderr)
        return 2

    jobs = []
    gendir = args.keep or tempfile.mkdtemp(prefix="badinput-gen-")
    try:
        if not args.no_generated:
            for c in mkbroken.make_cases(gendir):
                jobs.append(("generated/" + c.name, kasbah, c.path, c.rc, c.pkts, c.names, c.one_line))
        if not args.no_captures:
            pcaps = os.path.join(shared_dir(), "data", "pcaps")
            with open(os.path.join(pcaps, "MANIFEST.tsv"), newline="") as f:
                every = [row["path"] for row in csv.DictReader(f, delimiter="\t")]
            if args.dirs:
                jobs += directory_jobs(kasbah, pcaps, every)
            if args.selection:
                with open(args.selection) as f:
                    rels = [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
                jobs += capture_jobs(kasbah, pcaps, rels)
            if args.all or not (args.dirs or args.selection):
                jobs += capture_jobs(kasbah, pcaps, every)

        passed = failed = 0
        times = []
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            for name, fails, secs in ex.map(judge, jobs):
                times.append((secs, name))
                if fails:
                    failed += 1
                    print("FAIL %s" % name)
                    for ln in fails[:10]:
                        print("  %s" % ln)
                else:
                    passed += 1
                sys.stdout.flush()
        wall = time.monotonic() - t0
    finally:
        if not args.keep:
            shutil.rmtree(gendir, ignore_errors=True)
    if args.verbose:
        for secs, name in sorted(times, reverse=True)[:15]:
            print("  %7.2fs %s" % (secs, name))
    print("badinput: %d runs in %.0fs wall (%d jobs)" % (len(jobs), wall, args.jobs))
    print("badinput: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
