# SPDX-License-Identifier: GPL-2.0-only
"""faultlib.py: what the fault suites (tests/suites/floods, allocfail, sanitizers,
shutdown) share: where the binaries are, running kasbah with its peak RSS (wait4),
reading eve.json and the stats record, and the pass/fail lines.

Where: tests/faults. Python stdlib only.

Result lines follow the other suites: one `<suite>: FAIL <case>: <why>` line per failure
and `<suite>: ok <case> ...` per pass, then `<suite>: N passed, M failed` last.
"""

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

SAN_MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
               "runtime error:", "SUMMARY: ")
SAN_ENV = {
    "ASAN_OPTIONS": "halt_on_error=1:abort_on_error=0:detect_leaks=1:exitcode=86:"
                    "strict_string_checks=1:detect_stack_use_after_return=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:exitcode=87",
}


def kasbah_bin():
    env = os.environ.get("KASBAH_BIN")
    if env:
        return os.path.abspath(env)   # cases run with their own directory as cwd
    return os.path.join(REPO, os.environ.get("KASBAH_BUILDDIR", "build"), "src", "kasbah")


def asan_builddir():
    return os.path.join(REPO, os.environ.get("KASBAH_ASAN_BUILDDIR", "build-asan"))


def setup_asan_build(targets=None):
    """Configure (once) and build the ASan+UBSan directory, as tests/suites/badinput
    does (same directory and options, so CI builds it once). None on success, else
    the reason."""
    bd = asan_builddir()
    if not os.path.exists(os.path.join(bd, "build.ninja")):
        cmd = ["meson", "setup", bd, "-Db_sanitize=address,undefined", "-Db_lundef=false",
               "--buildtype=debugoptimized"]
        p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
        if p.returncode != 0:
            return "meson setup %s failed: %s" % (bd, p.stderr.strip()[-300:])
    jobs = os.environ.get("KASBAH_JOBS", "2")
    p = subprocess.run(["ninja", "-C", bd, "-j", jobs] + list(targets or []),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        return "ninja -C %s failed: %s" % (bd, p.stdout.strip()[-500:])
    return None


class Run:
    """One finished process: rc (negative = killed by that signal), stderr text,
    peak RSS in KiB (ru_maxrss), wall seconds, timed_out."""

    def __init__(self, rc, err, maxrss_kib, secs, timed_out):
        self.rc = rc
        self.err = err
        self.maxrss_kib = maxrss_kib
        self.secs = secs
        self.timed_out = timed_out


def run(cmd, env=None, timeout=300, preexec=None, on_start=None):
    """Run cmd to its end and measure it with wait4 (its own peak RSS, not the
    children's high-water mark). on_start(proc) is called once it runs (e.g. to
    send a signal later)."""
    t0 = time.monotonic()
    errf = tempfile.TemporaryFile()
    try:
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=errf, preexec_fn=preexec)
        if on_start is not None:
            on_start(proc)
        timed_out = False
        deadline = t0 + timeout
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid != 0:
                break
            if time.monotonic() > deadline:
                proc.kill()
                timed_out = True
                pid, status, ru = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
        errf.seek(0)
        err = errf.read().decode("utf-8", "replace")
    finally:
        errf.close()
    return Run(proc.returncode, err, ru.ru_maxrss, time.monotonic() - t0, timed_out)


def sanitizer_line(err):
    """The first sanitizer report line of err, or None."""
    for ln in err.splitlines():
        if any(m in ln for m in SAN_MARKERS):
            return ln.strip()[:200]
    return None


def read_eve(path):
    """(records, problems): every line must be a complete JSON object with an
    event_type, and the file must end with a newline."""
    problems, recs = [], []
    if not os.path.exists(path):
        return recs, ["no %s" % os.path.basename(path)]
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        problems.append("eve.json ends in a partial line")
    for n, raw in enumerate(data.splitlines(), 1):
        try:
            rec = json.loads(raw)
        except ValueError:
            problems.append("eve.json line %d is not complete JSON: %r" % (n, raw[:60]))
            continue
        if not isinstance(rec, dict) or "event_type" not in rec:
            problems.append("eve.json line %d is not an event object" % n)
            continue
        recs.append(rec)
    return recs, problems


def flat_stats(recs):
    """The last stats record flattened to {"a.b.c": value}; {} when there is none."""
    last = None
    for r in recs:
        if r.get("event_type") == "stats":
            last = r.get("stats", {})
    out = {}

    def walk(d, prefix):
        for k, v in d.items():
            if isinstance(v, dict):
                walk(v, prefix + k + ".")
            else:
                out[prefix + k] = v
    if last is not None:
        walk(last, "")
    return out


def alert_counts(recs):
    counts = {}
    for r in recs:
        if r.get("event_type") == "alert":
            sid = r.get("alert", {}).get("signature_id")
            counts[sid] = counts.get(sid, 0) + 1
    return counts


def memcap_over(stats):
    """Accounts whose peak passed their cap: [(name, peak, cap)]."""
    bad = []
    for k, cap in stats.items():
        if k.startswith("memcap.") and k.endswith(".cap") and cap:
            name = k[len("memcap."):-len(".cap")]
            peak = stats.get("memcap.%s.peak" % name, 0)
            if peak > cap:
                bad.append((name, peak, cap))
    return bad


class Results:
    def __init__(self, suite):
        self.suite = suite
        self.passed = 0
        self.failed = 0

    def check(self, case, fails, note=""):
        if fails:
            self.failed += 1
            for f in fails:
                print("%s: FAIL %s: %s" % (self.suite, case, f), flush=True)
        else:
            self.passed += 1
            print("%s: ok %s%s" % (self.suite, case, "  (%s)" % note if note else ""), flush=True)

    def finish(self):
        print("%s: %d passed, %d failed" % (self.suite, self.passed, self.failed), flush=True)
        return 1 if self.failed else 0


def ignore_sigxfsz():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def limit_fsize(nbytes):
    """A preexec_fn: RLIMIT_FSIZE = nbytes (the child sees EFBIG past it)."""
    def f():
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return f


def die(msg):
    print(msg, file=sys.stderr)
    sys.exit(2)
