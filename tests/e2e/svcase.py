# SPDX-License-Identifier: GPL-2.0-only
"""svcase: load, run and judge end-to-end cases written in suricata-verify's format.

Shared by tests/e2e/run (kasbah's own cases) and tools/conformance (the cases copied from
OISF/suricata-verify into ../shared/data/suricata-verify/dev), so both judge with the same
code. A case is a directory holding test.yaml, one capture (or packets.yaml, which
tests/e2e/mkpcap.py turns into one), at most one *.rules file and an optional suricata.yaml.

Semantics follow ../shared/data/suricata-verify/README.md and upstream's runner, with
these deliberate differences, all stricter:
  * Values compare strictly by JSON type: true is not 1, "80" is not 80. JSON has one
    number type, so 1 and 1.0 are equal (YAML may write either).
  * A path that does not exist makes a match entry fail, also when the expected value is
    null; has-key is true when the path exists (even if its value is null).
  * Version comparisons are plain tuple comparisons (upstream's lt has an edge-case bug).
  * A test.yaml key or check type this runner does not understand fails the case with
    that reason instead of being ignored.

Requirements (`requires:` on the case or on one filter) are judged against the Suricata
version kasbah emulates, EMULATED_VERSION. An unsatisfied case-level requirement skips the
case, an unsatisfied filter-level one skips that check; both are reported, never silent.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkpcap  # noqa: E402  (tests/e2e/mkpcap.py, beside this file)

# The Suricata release whose behaviour kasbah reproduces; `requires:` is judged against it.
EMULATED_VERSION = "9.0.0"

# test.yaml keys with no effect on how a case runs. `requirements` is a typo upstream
# that upstream's runner ignores too.
IGNORED_KEYS = {"requirements", "comment", "description", "info", "notes", "ticket"}
HANDLED_KEYS = {"requires", "args", "pcap", "checks", "exit-code", "skip", "env"}

SPECIAL_SUFFIXES = ("__find", "__contains", "__startswith", "__endswith",
                    "__gt", "__gte", "__lt", "__lte")

DEFAULT_TIMEOUT = 120


class CaseError(Exception):
    """The case cannot be run as written (a missing file, an unsupported key)."""


class Unsatisfied(Exception):
    """A `requires:` condition does not hold for kasbah: the case or check is skipped."""


# --------------------------------------------------------------------------------------
# Versions

def parse_version(text, wildcard=False):
    """'7.0.5' -> (7, 0, 5); '8' -> (8, 0, 0), or (8, None, None) when wildcard."""
    m = re.match(r"^\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?", str(text))
    if not m:
        raise CaseError("bad version %r" % (text,))
    fill = None if wildcard else 0
    return tuple(int(g) if g is not None else fill for g in m.groups())


def version_satisfies(key, wanted, have):
    """Does version `have` (a string) satisfy requires key `key` with value `wanted`?"""
    h = parse_version(have)
    if key == "version":
        w = parse_version(wanted, wildcard=True)
        return all(wv is None or wv == hv for wv, hv in zip(w, h))
    w = parse_version(wanted)
    if key == "min-version":
        return h >= w
    if key == "gt-version":
        return h > w
    if key == "lt-version":
        return h < w
    raise CaseError("unknown version requirement %r" % (key,))


def check_requires(requires, version, case_dir=None):
    """Raise Unsatisfied(reason) if `requires` does not hold for kasbah at `version`."""
    if requires is None:
        return
    if not isinstance(requires, dict):
        raise CaseError("requires: is not a map")
    for key, want in requires.items():
        if key in ("min-version", "gt-version", "lt-version", "version"):
            if not version_satisfies(key, want, version):
                raise Unsatisfied("requires %s %s (kasbah emulates Suricata %s)"
                                  % (key, want, version))
        elif key == "features":
            # kasbah advertises no optional Suricata build features (Lua, NFQ, ...).
            feats = want if isinstance(want, list) else [want]
            if feats:
                raise Unsatisfied("requires Suricata build feature(s) %s"
                                  % ", ".join(str(f) for f in feats))
        elif key == "env":
            for name in want or []:
                if name not in os.environ:
                    raise Unsatisfied("requires environment variable %s" % name)
        elif key == "files":
            for name in want or []:
                path = name if case_dir is None else os.path.join(case_dir, name)
                if not os.path.exists(path):
                    raise Unsatisfied("requires file %s" % name)
        elif key == "pcap":
            pass  # whether a capture is needed; every case here has one
        elif key == "os":
            if not sys.platform.startswith(str(want).lower()):
                raise Unsatisfied("requires os %s" % want)
        else:
            raise CaseError("unsupported requires key %r" % (key,))


# --------------------------------------------------------------------------------------
# Values and matching

MISSING = object()


def kind(v):
    """JSON type of a value; bool is its own kind, never a number."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if v is None:
        return "null"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def strict_equal(a, b):
    """Equality where the JSON types must agree too (true != 1, "1" != 1)."""
    ka, kb = kind(a), kind(b)
    if ka != kb:
        return False
    if ka == "array":
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b))
    if ka == "object":
        return set(a) == set(b) and all(strict_equal(a[k], b[k]) for k in a)
    return a == b


_INDEX = re.compile(r"\[(\d+)\]")


def find_value(event, path):
    """Value at dotted `path` (`alert.signature_id`, `dns.answers[0].rrname`), or MISSING.

    A trailing `__len` yields the length (-1 for a value without one); a trailing special
    suffix (`__find`, `__gt`, ...) yields the value it applies to.
    """
    obj = event
    for part in path.split("."):
        if part == "__len":
            if isinstance(obj, (str, list, dict)):
                return len(obj)
            return -1
        if part in SPECIAL_SUFFIXES:
            return obj
        bracket = part.find("[")
        name = part if bracket < 0 else part[:bracket]
        indices = []
        if bracket >= 0:
            rest = part[bracket:]
            indices = [int(i) for i in _INDEX.findall(rest)]
            if _INDEX.sub("", rest) != "":
                return MISSING  # malformed index such as name[x]
        if not isinstance(obj, dict) or name not in obj:
            return MISSING
        obj = obj[name]
        for i in indices:
            if not isinstance(obj, list) or i >= len(obj):
                return MISSING
            obj = obj[i]
    return obj


def match_entry(key, expected, event):
    """Does one entry of a filter's `match` map hold for `event`?"""
    if key == "has-key":
        return find_value(event, expected) is not MISSING
    if key == "not-has-key":
        return find_value(event, expected) is MISSING
    val = find_value(event, key)
    if val is MISSING:
        return False
    suffix = key.rsplit(".", 1)[-1]
    if suffix == "__find":
        return isinstance(val, str) and isinstance(expected, str) and val.find(expected) >= 0
    if suffix == "__contains":
        if isinstance(val, str):
            return isinstance(expected, str) and expected in val
        if isinstance(val, list):
            return any(strict_equal(x, expected) for x in val)
        if isinstance(val, dict):
            return isinstance(expected, str) and expected in val
        return False
    if suffix == "__startswith":
        return isinstance(val, str) and isinstance(expected, str) and val.startswith(expected)
    if suffix == "__endswith":
        return isinstance(val, str) and isinstance(expected, str) and val.endswith(expected)
    if suffix in ("__gt", "__gte", "__lt", "__lte"):
        if kind(val) != "number" or kind(expected) != "number":
            return False
        return {"__gt": val > expected, "__gte": val >= expected,
                "__lt": val < expected, "__lte": val <= expected}[suffix]
    return strict_equal(val, expected)


def match_event(match, event):
    """True when every entry of `match` holds for `event`."""
    return all(match_entry(k, v, event) for k, v in match.items())


def describe_match(match):
    return ", ".join("%s=%s" % (k, json.dumps(v)) for k, v in match.items())


# --------------------------------------------------------------------------------------
# Reading output

def read_events(path):
    """All events of an EVE file; raises CheckFailed on a missing file or a bad line."""
    if not os.path.exists(path):
        raise CheckFailed("%s does not exist" % os.path.basename(path))
    events = []
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise CheckFailed("%s line %d is not UTF-8" % (os.path.basename(path), lineno))
            if not text.endswith("\n"):
                raise CheckFailed("%s line %d is not terminated (partial record)"
                                  % (os.path.basename(path), lineno))
            try:
                ev = json.loads(text)
            except ValueError as e:
                raise CheckFailed("%s line %d is not JSON: %s" % (os.path.basename(path), lineno, e))
            if not isinstance(ev, dict):
                raise CheckFailed("%s line %d is not a JSON object" % (os.path.basename(path), lineno))
            events.append(ev)
    return events


class CheckFailed(Exception):
    pass


# --------------------------------------------------------------------------------------
# Checks

def filter_requires(flt):
    """A filter's own requirements: its `requires:` map plus the shorthand keys."""
    req = dict(flt.get("requires") or {})
    for short in ("version", "min-version", "lt-version"):
        if short in flt:
            req[short] = flt[short]
    if "feature" in flt:
        req["features"] = [flt["feature"]]
    return req


def run_filter(flt, outdir, cache):
    if not isinstance(flt, dict):
        raise CaseError("filter check is not a map")
    if "count" not in flt or kind(flt["count"]) != "number":
        raise CaseError("filter check without a numeric count")
    match = flt.get("match")
    if not isinstance(match, dict):
        raise CaseError("filter check without a match map")
    fname = flt.get("filename", "eve.json")
    path = os.path.join(outdir, fname)
    if path not in cache:
        cache[path] = read_events(path)
    got = sum(1 for ev in cache[path] if match_event(match, ev))
    if got != flt["count"]:
        what = flt.get("comment") or describe_match(match)
        raise CheckFailed("expected %d, got %d: %s" % (flt["count"], got, what))


def run_stats(stats, outdir, cache):
    if not isinstance(stats, dict):
        raise CaseError("stats check is not a map")
    path = os.path.join(outdir, "eve.json")
    if path not in cache:
        cache[path] = read_events(path)
    last = None
    for ev in cache[path]:
        if ev.get("event_type") == "stats":
            last = ev.get("stats")
    if last is None:
        raise CheckFailed("no stats record in eve.json")
    for key, want in stats.items():
        got = find_value(last, key)
        if got is MISSING:
            raise CheckFailed("stats.%s: expected %s, key missing" % (key, json.dumps(want)))
        if not strict_equal(got, want):
            raise CheckFailed("stats.%s: expected %s, got %s"
                              % (key, json.dumps(want), json.dumps(got)))


def judge_checks(checks, outdir, version, case_dir=None):
    """Judge every check. Returns a list of (status, message), status in pass/fail/skip."""
    results = []
    cache = {}
    for n, check in enumerate(checks or [], 1):
        if not isinstance(check, dict) or len(check) != 1:
            results.append(("fail", "check %d: not a single-key map" % n))
            continue
        ctype, body = next(iter(check.items()))
        try:
            if ctype == "filter":
                check_requires(filter_requires(body) if isinstance(body, dict) else {},
                               version, case_dir)
                run_filter(body, outdir, cache)
            elif ctype == "stats":
                run_stats(body, outdir, cache)
            else:
                raise CaseError("unsupported check type %r" % ctype)
            results.append(("pass", "check %d" % n))
        except Unsatisfied as e:
            results.append(("skip", "check %d skipped: %s" % (n, e)))
        except (CheckFailed, CaseError) as e:
            results.append(("fail", "check %d (%s): %s" % (n, ctype, e)))
    return results


# --------------------------------------------------------------------------------------
# Cases

class Case:
    """One case directory, loaded and validated (nothing run yet)."""

    def __init__(self, directory, name=None):
        self.dir = os.path.abspath(directory)
        self.name = name or os.path.basename(self.dir)
        path = os.path.join(self.dir, "test.yaml")
        if not os.path.exists(path):
            raise CaseError("no test.yaml")
        try:
            with open(path, "rb") as f:
                cfg = yaml.safe_load(f)
        except yaml.YAMLError as e:
            raise CaseError("test.yaml: %s" % str(e).replace("\n", " "))
        self.config = cfg if isinstance(cfg, dict) else {}
        unknown = set(self.config) - HANDLED_KEYS - IGNORED_KEYS
        if unknown:
            raise CaseError("unsupported test.yaml key(s): %s" % ", ".join(sorted(unknown)))
        args = self.config.get("args") or []
        if not isinstance(args, list):
            raise CaseError("args: is not a list")
        self.args = []
        for a in args:
            self.args += [w for w in re.split(r"\s+", str(a)) if w]
        self.exit_code = self.config.get("exit-code", 0)
        self.checks = self.config.get("checks") or []
        self.pcap = self._find_pcap()
        rules = sorted(f for f in os.listdir(self.dir) if f.endswith(".rules"))
        if len(rules) > 1:
            raise CaseError("more than one rules file: %s" % ", ".join(rules))
        self.rules = os.path.join(self.dir, rules[0]) if rules else None
        yml = os.path.join(self.dir, "suricata.yaml")
        self.suricata_yaml = yml if os.path.exists(yml) else None
        self.packets = os.path.join(self.dir, "packets.yaml")
        if not os.path.exists(self.packets):
            self.packets = None
        if self.pcap is None and self.packets is None:
            raise CaseError("no capture (no pcap and no packets.yaml)")

    def _find_pcap(self):
        name = self.config.get("pcap")
        if name:
            path = os.path.join(self.dir, str(name))
            if not os.path.exists(path):
                raise CaseError("pcap %s does not exist" % name)
            return path
        found = sorted(f for f in os.listdir(self.dir) if f.endswith((".pcap", ".pcapng")))
        if len(found) > 1:
            raise CaseError("more than one capture: %s" % ", ".join(found))
        return os.path.join(self.dir, found[0]) if found else None

    def check_requires(self, version):
        check_requires(self.config.get("requires"), version, self.dir)
        skip = self.config.get("skip")
        if skip is True:
            raise Unsatisfied("skip: true")
        if isinstance(skip, list):
            for s in skip:
                if isinstance(s, dict) and "uid" in s and os.getuid() == s["uid"]:
                    raise Unsatisfied(s.get("msg", "not for uid %d" % s["uid"]))
                if isinstance(s, dict) and set(s) - {"uid", "msg", "feature"}:
                    raise CaseError("unsupported skip entry %r" % (s,))

    def command(self, kasbah, pcap, outdir):
        cmd = [kasbah, "-r", pcap]
        if self.rules:
            cmd += ["-S", self.rules]
        cmd += ["-l", outdir]
        if self.suricata_yaml:
            cmd += ["-c", self.suricata_yaml]
        # As upstream: a rule that fails to load fails the run instead of going unnoticed.
        cmd.append("--init-errors-fatal")
        cmd += self.args
        if "ips" in os.path.basename(self.dir) and "--simulate-ips" not in cmd:
            cmd.append("--simulate-ips")
        return cmd


class Result:
    def __init__(self, name, status, reason="", checks=None, cmd=None, only_absence=False):
        self.name = name
        # every check that ran is a filter expecting count 0: the pass shows that nothing
        # wrong was logged, not that anything right was
        self.only_absence = only_absence
        self.status = status        # "pass", "fail" or "skip"
        self.reason = reason
        self.checks = checks or []  # [(status, message)]
        self.cmd = cmd or []

    def line(self):
        tag = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}[self.status]
        if self.status == "pass":
            skipped = sum(1 for s, _ in self.checks if s == "skip")
            notes = []
            if skipped:
                notes.append("%d check(s) skipped by requires" % skipped)
            if self.only_absence:
                notes.append("every check expects count 0")
            return "PASS %s%s" % (self.name, " (%s)" % "; ".join(notes) if notes else "")
        return "%s %s: %s" % (tag, self.name, self.reason)


def tail(text, n=3):
    lines = [l for l in text.decode("utf-8", "replace").splitlines() if l.strip()]
    return " | ".join(lines[-n:]) if lines else "(no output)"


SANITIZER_MARKS = (b"ERROR: AddressSanitizer", b"ERROR: LeakSanitizer", b"runtime error:",
                   b"WARNING: ThreadSanitizer", b"ERROR: MemorySanitizer")


def sanitizer_report(stderr):
    """The first line of an ASan/UBSan/LSan/TSan report in stderr, or None."""
    for raw in stderr.splitlines():
        if any(m in raw for m in SANITIZER_MARKS):
            return raw.decode("utf-8", "replace").strip()[:200]
    return None


def run_case(case_dir, name, kasbah, version=EMULATED_VERSION, timeout=DEFAULT_TIMEOUT,
             workdir=None, keep=False):
    """Run one case and judge it. Never raises for a case problem: returns a Result."""
    try:
        case = Case(case_dir, name)
    except CaseError as e:
        return Result(name, "fail", str(e))
    try:
        case.check_requires(version)
    except Unsatisfied as e:
        return Result(name, "skip", str(e))
    except CaseError as e:
        return Result(name, "fail", str(e))

    outdir = tempfile.mkdtemp(prefix="case-", dir=workdir)
    try:
        pcap = case.pcap
        if pcap is None:
            pcap = os.path.join(outdir, "input.pcap")
            try:
                mkpcap.build_file(case.packets, pcap)
            except Exception as e:  # a broken packets.yaml fails this case only
                return Result(name, "fail", "packets.yaml: %s" % e)
        logdir = os.path.join(outdir, "log")
        os.mkdir(logdir)
        cmd = case.command(kasbah, pcap, logdir)
        env = dict(os.environ, TZ="UTC")
        for k, v in (case.config.get("env") or {}).items():
            env[str(k)] = str(v)
        try:
            proc = subprocess.run(cmd, cwd=case.dir, env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return Result(name, "fail", "timed out after %ds" % timeout, cmd=cmd)
        except OSError as e:
            return Result(name, "fail", "cannot run %s: %s" % (kasbah, e), cmd=cmd)
        with open(os.path.join(outdir, "stderr"), "wb") as f:
            f.write(proc.stderr)
        report = sanitizer_report(proc.stderr)
        if report:
            return Result(name, "fail", "sanitizer report: %s" % report, cmd=cmd)
        if proc.returncode != case.exit_code:
            how = ("killed by signal %d" % -proc.returncode if proc.returncode < 0
                   else "exit status %d" % proc.returncode)
            return Result(name, "fail", "%s, expected %d; stderr: %s"
                          % (how, case.exit_code, tail(proc.stderr)), cmd=cmd)
        checks = judge_checks(case.checks, logdir, version, case.dir)
        failed = [m for s, m in checks if s == "fail"]
        if failed:
            more = " (+%d more failing)" % (len(failed) - 1) if len(failed) > 1 else ""
            return Result(name, "fail", failed[0] + more, checks, cmd)
        if checks and all(s == "skip" for s, _ in checks):
            return Result(name, "skip", "every check skipped by requires", checks, cmd)
        ran = [c for c, (s, _) in zip(case.checks, checks) if s == "pass"]
        absence = bool(ran) and all(
            isinstance(c, dict) and isinstance(c.get("filter"), dict)
            and kind(c["filter"].get("count")) == "number" and c["filter"]["count"] == 0
            for c in ran)
        return Result(name, "pass", "", checks, cmd, absence)
    finally:
        if not keep:
            shutil.rmtree(outdir, ignore_errors=True)


def find_cases(root):
    """(name, dir) for every directory under root holding a test.yaml, sorted by name."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        if "test.yaml" in filenames:
            dirnames[:] = []
            found.append((os.path.relpath(dirpath, root), dirpath))
        dirnames.sort()
    return sorted(found)


def repo_root():
    """The repository this file lives in (two levels above tests/e2e)."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def shared_dir():
    """$KASBAH_SHARED, else <repo>/../shared, else /work/shared; None if none exists."""
    env = os.environ.get("KASBAH_SHARED")
    if env:
        return env if os.path.isdir(env) else None
    for cand in (os.path.join(os.path.dirname(repo_root()), "shared"), "/work/shared"):
        if os.path.isdir(cand):
            return cand
    return None


def default_kasbah():
    """$KASBAH_BIN, else <repo>/$KASBAH_BUILDDIR/src/kasbah (KASBAH_BUILDDIR defaults to build)."""
    env = os.environ.get("KASBAH_BIN")
    if env:
        return env
    return os.path.join(repo_root(), os.environ.get("KASBAH_BUILDDIR", "build"), "src", "kasbah")


def run_many(cases, kasbah, jobs=2, timeout=DEFAULT_TIMEOUT, version=EMULATED_VERSION,
             keep=False, workdir=None, on_result=None):
    """Run (name, dir) cases on `jobs` workers; results come back in the input order."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(run_case, d, n, kasbah, version, timeout, workdir, keep)
                   for n, d in cases]
        results = []
        for fut in futures:
            res = fut.result()
            if on_result:
                on_result(res)
            results.append(res)
    return results
