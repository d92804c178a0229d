#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""sanitizers.py: the unit and end-to-end suites under ASan + UBSan, and a subset under
valgrind memcheck, with zero reports (issue 7, item 3).

Where: tests/faults, run by tests/suites/sanitizers. Three parts:
  asan-unit   `meson test --suite unit` in the sanitizer build directory (the one
              tests/suites/badinput and allocfail use: $KASBAH_ASAN_BUILDDIR, default
              build-asan, configured with -Db_sanitize=address,undefined; here every
              target is built, not only src/kasbah). Each unit program is a case: it must
              end OK, and its output must hold no sanitizer report.
  asan-e2e    tests/e2e/run with that build's kasbah (svcase fails a case on any
              sanitizer report on stderr). Each end-to-end case is a case.
  valgrind    `valgrind --error-exitcode=1 --leak-check=full` over a few unit programs
              and three end-to-end cases, with the ordinary build ($KASBAH_BUILDDIR,
              default build): exit status 0 and no report. Leaks counted as errors are
              definite and indirect ones: every live block's only pointer is 16 bytes
              into it (the header of src/lib/alloc.c), so valgrind calls process-lifetime
              registries "possibly lost"; LeakSanitizer, run above, follows such interior
              pointers and reports real leaks of every kind.
Sanitizer options: halt_on_error, detect_leaks=1 (faultlib.SAN_ENV).
Prints a line per case, then `sanitizers: N passed, M failed`; exit 1 on any failure.
Options: --part asan-unit|asan-e2e|valgrind (repeatable) runs only those parts.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
import faultlib  # noqa: E402
import svcase  # noqa: E402

VALGRIND_UNITS = ["lib/test_json", "core/test_config", "dns/test_dns"]
VALGRIND_E2E = ["dns-query-alert", "http-tx-alert", "flow-tcp-session"]
VALGRIND = ["valgrind", "-q", "--error-exitcode=1", "--leak-check=full",
            "--show-leak-kinds=definite,indirect", "--errors-for-leak-kinds=definite,indirect"]


def san_env():
    env = dict(os.environ)
    env.update(faultlib.SAN_ENV)
    return env


def asan_unit(res):
    bd = faultlib.asan_builddir()
    log = os.path.join(bd, "meson-logs", "testlog.json")
    if os.path.exists(log):
        os.unlink(log)
    p = subprocess.run(["meson", "test", "-C", bd, "--suite", "unit", "--num-processes",
                        os.environ.get("KASBAH_JOBS", "2"), "-t", "4"],
                       env=san_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if not os.path.exists(log):
        res.check("asan-unit", ["meson test wrote no log (exit %d): %s"
                                % (p.returncode, p.stdout.strip()[-300:])])
        return
    with open(log, encoding="utf-8") as f:
        tests = sorted((json.loads(ln) for ln in f if ln.strip()), key=lambda t: t.get("name"))
    if not tests:
        res.check("asan-unit", ["no unit tests ran"])
    for t in tests:
        out = (t.get("stdout") or "") + (t.get("stderr") or "")
        fails = []
        if t.get("result") not in ("OK", "EXPECTEDFAIL"):
            fails.append("result %s (exit %s)" % (t.get("result"), t.get("returncode")))
        san = faultlib.sanitizer_line(out)
        if san:
            fails.append("sanitizer: " + san)
        res.check("asan-unit/" + str(t.get("name")), fails)


def asan_e2e(res):
    kasbah = os.path.join(faultlib.asan_builddir(), "src", "kasbah")
    p = subprocess.run([os.path.join(REPO, "tests", "e2e", "run"), "--kasbah", kasbah, "-j",
                        os.environ.get("KASBAH_JOBS", "2")],
                       env=san_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = False
    for ln in p.stdout.splitlines():
        m = re.match(r"(PASS|FAIL|SKIP) (\S+?)(?::| |$)(.*)", ln)
        if not m:
            continue
        seen = True
        if m.group(1) == "FAIL":
            res.check("asan-e2e/" + m.group(2), [m.group(3).strip()[:300]])
        elif m.group(1) == "PASS":
            res.check("asan-e2e/" + m.group(2), [])
        else:
            print("sanitizers: asan-e2e/%s skipped by requires" % m.group(2))
    if not seen or (p.returncode != 0 and "FAIL" not in p.stdout):
        res.check("asan-e2e", ["tests/e2e/run exit %d: %s" % (p.returncode, p.stdout.strip()[-300:])])


def valgrind_one(name, cmd, res, cwd=None, want_rc=0):
    p = subprocess.run(VALGRIND + cmd, cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       errors="replace", timeout=600)
    reports = [ln for ln in p.stderr.splitlines() if ln.startswith("==")]
    fails = []
    if p.returncode != want_rc:
        fails.append("exit status %d, expected %d" % (p.returncode, want_rc))
    if reports:
        first = next((ln for ln in reports if ln.strip("= 0123456789")), reports[0])
        fails.append("%d valgrind report lines, first: %s" % (len(reports), first[:200]))
    res.check("valgrind/" + name, fails)


def valgrind(res):
    if subprocess.run(["valgrind", "--version"], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        res.check("valgrind", ["valgrind is not installed (scripts/install-deps)"])
        return
    bd = os.path.join(REPO, os.environ.get("KASBAH_BUILDDIR", "build"))
    for u in VALGRIND_UNITS:
        exe = os.path.join(bd, "tests", "unit", u)
        if not os.access(exe, os.X_OK):
            res.check("valgrind/" + u, ["%s is not built" % exe])
            continue
        valgrind_one(u, [exe], res)
    kasbah = faultlib.kasbah_bin()
    with tempfile.TemporaryDirectory(prefix="valgrind-") as work:
        for name in VALGRIND_E2E:
            case = svcase.Case(os.path.join(REPO, "tests", "e2e", "cases", name), name)
            pcap = case.pcap
            if pcap is None:
                pcap = os.path.join(work, name + ".pcap")
                svcase.mkpcap.build_file(case.packets, pcap)
            logdir = os.path.join(work, name)
            os.mkdir(logdir)
            valgrind_one("e2e/" + name, case.command(kasbah, pcap, logdir), res, cwd=case.dir,
                         want_rc=case.exit_code)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", action="append", choices=["asan-unit", "asan-e2e", "valgrind"])
    a = ap.parse_args(argv[1:])
    parts = a.part or ["asan-unit", "asan-e2e", "valgrind"]
    res = faultlib.Results("sanitizers")
    if "asan-unit" in parts or "asan-e2e" in parts:
        why = faultlib.setup_asan_build()
        if why:
            res.check("asan-build", [why])
            parts = [p for p in parts if p == "valgrind"]
    if "asan-unit" in parts:
        asan_unit(res)
    if "asan-e2e" in parts:
        asan_e2e(res)
    if "valgrind" in parts:
        valgrind(res)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
