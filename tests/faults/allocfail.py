#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""allocfail.py: out-of-memory is a state, not a crash (issue 7, item 5).

Where: tests/faults, run by tests/suites/allocfail. kasbah built with ASan + UBSan (the
build directory tests/suites/badinput uses, $KASBAH_ASAN_BUILDDIR, default build-asan)
runs kasbah's end-to-end cases (tests/e2e/cases) and a few suricata-verify cases with
KASBAH_FAIL_ALLOC=N in the environment, which makes the process's Nth allocation fail
(src/lib/alloc.c). The first 120 allocations (the command line and the built-in
configuration, the same in every run) are swept in the first case only: 1..10, then a
quarter more each step. Past them every 5th allocation is failed, from a per-case offset
so that cases hit different call sites, until a run no longer reaches the Nth allocation,
which ends the case's sweep (a run is about 300 allocations: rules, then per flow).

Each run where the failure was injected must show:
  - no sanitizer report: no crash, no leak (LeakSanitizer on), no undefined behaviour;
  - a documented exit status (src/engine/cli.h): 0, 1 (out of memory while parsing the
    command line), 2, 3 or 4;
  - the failure is visible: a non-zero exit status comes with a `kasbah: error:` line;
    a run that carries on (exit 0) writes an eve.json of complete JSON lines and says
    what it lost, as a warning or error line on stderr or as a non-zero failure counter
    in the final stats record (memcap.<account>.failed, a *.alloc or *memcap* counter).
    or, failing both, its records (all but stats) are the clean run's: the failure cost
    nothing (e.g. a file name kept for messages only). A run with none of these lost
    something without a trace: `silent`, a failure.
Each case first runs once without injection, which must pass (its exit-code, no report).
Prints one line per case (runs, exits by status, failures), then
`allocfail: N passed, M failed` where each case counts once.
Options: -j N parallel runs (default 2); --case NAME (repeatable); --max-runs per case.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
import faultlib  # noqa: E402
import mkpcap  # noqa: E402
import svcase  # noqa: E402

SV_CASES = ["bug-2769", "bug-5633-gre-01", "detect-app-layer-protocol-01", "bug-1045"]
INJECTED = "fault injection: an allocation failed on purpose"
DOCUMENTED = {0, 1, 2, 3, 4}
COUNTER_HINTS = (".failed", ".alloc", "memcap")
COMMON = 120
STRIDE = 5


def schedule(name, limit, first):
    """The N values to try for a case, in order. The first COMMON allocations (command
    line, built-in configuration) are the same in every run: only the first case
    sweeps them (1..10, then a quarter more each step); past them every STRIDE-th
    allocation is failed, from a per-case offset so that cases hit different sites."""
    off = int(hashlib.sha1(name.encode()).hexdigest(), 16) % STRIDE
    ns = []
    if first:
        ns = list(range(1, 11))
        n = 10.0
        while n * 1.25 < COMMON:
            n *= 1.25
            ns.append(int(n))
    n = COMMON + off
    while len(ns) < limit:
        ns.append(n)
        n += STRIDE
    return ns


def first_frame(err):
    """Where a sanitizer report points: its first frame in kasbah's sources other than
    the allocator, else its first frame."""
    frames = [ln.strip() for ln in err.splitlines() if ln.strip().startswith("#")]
    for fr in frames:
        if "/src/" in fr and "lib/alloc.c" not in fr and "asan_" not in fr:
            return fr[fr.find(" in ") + 4:][:120] if " in " in fr else fr[:120]
    for fr in frames:
        if "asan_" not in fr and "lib/alloc.c" not in fr:
            return fr[:120]
    return ""


def failure_counted(stats):
    return sorted(k for k, v in stats.items()
                  if isinstance(v, int) and v > 0 and any(h in k for h in COUNTER_HINTS)
                  and not k.endswith((".cap", ".peak", ".used")))


def records(recs):
    """The records of a run to compare with the clean run: all but stats."""
    return sorted(json.dumps(r, sort_keys=True) for r in recs if r.get("event_type") != "stats")


def one_run(kasbah, case, pcap, n, work, clean=None):
    """Run case with the Nth allocation failing (n = 0: none); (n, injected, verdict,
    detail, rc), or for n = 0 the records of the clean run."""
    out = tempfile.mkdtemp(prefix="n%d-" % n, dir=work)
    try:
        logdir = os.path.join(out, "log")
        os.mkdir(logdir)
        env = dict(os.environ, TZ="UTC", KASBAH_FAIL_ALLOC=str(n))
        if n == 0:
            del env["KASBAH_FAIL_ALLOC"]
        env.update(faultlib.SAN_ENV)
        for k, v in (case.config.get("env") or {}).items():
            env[str(k)] = str(v)
        try:
            p = subprocess.run(case.command(kasbah, pcap, logdir), cwd=case.dir, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=120)
        except subprocess.TimeoutExpired:
            if n == 0:
                return None, "the clean run hung (120 s)"
            return n, True, "fail", "hung (120 s)", None
        except OSError as e:
            if n == 0:
                return None, "cannot run %s: %s" % (kasbah, e)
            return n, True, "fail", "cannot run %s: %s" % (kasbah, e), None
        err = p.stderr.decode("utf-8", "replace")
        if n == 0:
            recs, problems = faultlib.read_eve(os.path.join(logdir, "eve.json"))
            bad = faultlib.sanitizer_line(err) or (problems[0] if problems else None)
            if p.returncode != case.exit_code or bad:
                return None, "the clean run failed: exit %d %s" % (p.returncode, bad or err[-200:])
            return records(recs), None
        injected = INJECTED in err
        san = faultlib.sanitizer_line(err)
        if san:
            return n, injected, "fail", "sanitizer: %s at %s" % (
                san.split("ERROR: ")[-1][:60], first_frame(err)), p.returncode
        if p.returncode < 0:
            return n, injected, "fail", "killed by signal %d" % -p.returncode, p.returncode
        if not injected:
            return n, False, "clean", "", p.returncode
        lines = [ln for ln in err.splitlines() if ln.strip() and INJECTED not in ln]
        if p.returncode not in DOCUMENTED:
            return n, True, "fail", "exit status %d is not documented" % p.returncode, p.returncode
        if p.returncode != 0:
            if not any("error:" in ln for ln in lines):
                return n, True, "fail", "exit %d without an error line" % p.returncode, p.returncode
            return n, True, "error", lines[0][:120], p.returncode
        recs, problems = faultlib.read_eve(os.path.join(logdir, "eve.json"))
        if problems and os.path.exists(os.path.join(logdir, "eve.json")):
            return n, True, "fail", problems[0], 0
        said = [ln for ln in lines if "error:" in ln or "warning:" in ln]
        counted = failure_counted(faultlib.flat_stats(recs))
        if said or counted:
            return n, True, "counted", (said[0][:120] if said else ", ".join(counted[:3])), 0
        if records(recs) == clean:
            return n, True, "harmless", "output identical to the clean run", 0
        return n, True, "silent", "exit 0, no warning, no failure counter, and the output " \
            "differs from the clean run", 0
    finally:
        shutil.rmtree(out, ignore_errors=True)


def sweep(kasbah, name, case_dir, work, jobs, max_runs, first):
    case = svcase.Case(case_dir, name)
    pcap = case.pcap
    if pcap is None:
        pcap = os.path.join(work, name.replace("/", "_") + ".pcap")
        mkpcap.build_file(case.packets, pcap)
    clean, why = one_run(kasbah, case, pcap, 0, work)
    if why:
        return [(0, False, "fail", why, None)]
    results = []
    ns = schedule(name, max_runs, first)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        # in pairs, so that the sweep stops soon after the first N past the run's end
        for i in range(0, len(ns), jobs):
            batch = list(ex.map(lambda n: one_run(kasbah, case, pcap, n, work, clean), ns[i:i + jobs]))
            results += batch
            if any(not r[1] and r[2] == "clean" for r in batch):
                break
            if any(r[3].startswith("cannot run") for r in batch):
                break
    return results


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kasbah", help="an ASan+UBSan kasbah (default: build it)")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--case", action="append", help="only these case names")
    ap.add_argument("--max-runs", type=int, default=120)
    a = ap.parse_args(argv[1:])
    res = faultlib.Results("allocfail")
    kasbah = os.path.abspath(a.kasbah) if a.kasbah else None
    if kasbah is None:
        why = faultlib.setup_asan_build(["src/kasbah"])
        if why:
            res.check("build", [why])
            return res.finish()
        kasbah = os.path.join(faultlib.asan_builddir(), "src", "kasbah")
    cases = svcase.find_cases(os.path.join(REPO, "tests", "e2e", "cases"))
    sv = os.path.join(svcase.shared_dir() or "", "data", "suricata-verify", "dev")
    for c in SV_CASES:
        if os.path.isdir(os.path.join(sv, c)):
            cases.append(("sv/" + c, os.path.join(sv, c)))
        else:
            res.check("sv/" + c, ["suricata-verify case missing under %s" % sv])
    if a.case:
        cases = [(n, d) for n, d in cases if n in a.case]
    work = tempfile.mkdtemp(prefix="allocfail-")
    # a private copy: a rebuild of the build directory during the sweep cannot touch it
    shutil.copy2(kasbah, os.path.join(work, "kasbah"))
    kasbah = os.path.join(work, "kasbah")
    total = {"runs": 0, "injected": 0, "error": 0, "counted": 0, "harmless": 0, "silent": 0,
             "fail": 0}
    try:
        for i, (name, d) in enumerate(cases):
            rs = sweep(kasbah, name, d, work, a.jobs, a.max_runs, i == 0)
            fails = ["N=%d: %s" % (n, det) for n, inj, v, det, rc in rs if v == "fail"]
            fails += ["N=%d: silent: %s" % (n, det) for n, inj, v, det, rc in rs if v == "silent"]
            if rs and not any(v == "clean" for _, _, v, _, _ in rs):
                fails.append("the sweep did not reach the end of the run (raise --max-runs)")
            if not any(inj for _, inj, _, _, _ in rs):
                fails.append("no run had a failure injected (is KASBAH_FAIL_ALLOC read?)")
            codes = {}
            for n, inj, v, det, rc in rs:
                total["runs"] += 1
                if inj:
                    total["injected"] += 1
                    codes[rc] = codes.get(rc, 0) + 1
                if v in total:
                    total[v] += 1
            inj_ns = [n for n, inj, _, _, _ in rs if inj]
            note = "%d runs, N up to %d, %d injected; exits %s" % (
                len(rs), max(inj_ns) if inj_ns else 0, len(inj_ns),
                ", ".join("%s:%d" % (k, codes[k]) for k in sorted(codes, key=str)))
            res.check(name, fails, note)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("allocfail: sweep totals: %d runs, %d with a failure injected: %d ended with an error "
          "line, %d carried on and counted it, %d carried on with the same output, %d silent, "
          "%d failed checks" % (total["runs"], total["injected"], total["error"],
                                total["counted"], total["harmless"], total["silent"],
                                total["fail"]))
    return res.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
