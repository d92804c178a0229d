#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""shutdown.py: signals in mid-run and output faults (issue 7, item 6).

Where: tests/faults, run by tests/suites/shutdown. Captures come from floodgen.c (a DNS
flood: every packet a new flow, so flows are live at any moment). Cases:
  sigint, sigterm   the signal arrives one second into a run over 400,000 packets:
                    exit 0, the "interrupted" warning, decoder.pkts below the packets in
                    the file (it really stopped early) and above 0, every eve.json line
                    complete JSON, a stats record last, and one flow record for every flow
                    counted (flow.total): the live flows were flushed.
  fsize-limit       RLIMIT_FSIZE of 64 KiB (SIGXFSZ ignored, as kasbah does itself):
                    exit 3 (src/engine/cli.h), an error line naming eve.json, and the
                    file <= 64 KiB of complete JSON lines.
  fsize-append      the same with `append: yes` over an eve.json holding earlier lines:
                    those lines are still there, byte for byte, followed by complete lines.
  tmpfs-full        a 64 KiB tmpfs as the log directory (needs root and mount; otherwise
                    the case is reported as not run, and neither passes nor fails):
                    exit 3, "No space left on device", complete lines.
  logdir-missing, logdir-is-file, logdir-unwritable (a read-only tmpfs as root, else a
                    mode 0555 directory): exit 3, one error line naming the directory,
                    nothing written.
Prints a line per case, then `shutdown: N passed, M failed`; exit 1 on any failure.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import faultlib  # noqa: E402
from floods import build_tool  # noqa: E402

BIG = 400000
LIMIT = 64 * 1024
EXIT_OUTPUT = 3


def run_kasbah(cmd, preexec=None, signal_after=None, sig=None):
    def on_start(proc):
        if signal_after is not None:
            t = threading.Timer(signal_after, lambda: proc.poll() is None and proc.send_signal(sig))
            t.daemon = True
            t.start()
    return faultlib.run(cmd, timeout=300, preexec=preexec, on_start=on_start)


def signal_case(name, sig, kasbah, pcap, work, res):
    logdir = os.path.join(work, name)
    os.mkdir(logdir)
    r = run_kasbah([kasbah, "-r", pcap, "-l", logdir], signal_after=1.0, sig=sig)
    fails = []
    if r.rc != 0:
        fails.append("exit status %s, expected 0: %s" % (r.rc, r.err.strip()[-200:]))
    if "interrupted" not in r.err:
        fails.append("no 'interrupted' line on stderr")
    recs, problems = faultlib.read_eve(os.path.join(logdir, "eve.json"))
    fails += problems[:3]
    st = faultlib.flat_stats(recs)
    pkts = st.get("decoder.pkts")
    if not recs or recs[-1].get("event_type") != "stats":
        fails.append("the last record is not stats")
    if not isinstance(pkts, int) or not 0 < pkts < BIG:
        fails.append("decoder.pkts %s: the run was not stopped mid-way (0 < pkts < %d)" % (pkts, BIG))
    flows = sum(1 for x in recs if x.get("event_type") == "flow")
    if not flows or flows != st.get("flow.total"):
        fails.append("%d flow records for flow.total %s: live flows not flushed"
                     % (flows, st.get("flow.total")))
    res.check(name, fails, "stopped after %s packets, %d flow records" % (pkts, flows))


def output_fault_case(name, kasbah, pcap, logdir, res, preexec=None, conf=None, keep_prefix=b"",
                      want_text="eve.json"):
    cmd = [kasbah, "-r", pcap, "-l", logdir]
    if conf:
        cmd += ["-c", conf]
    r = run_kasbah(cmd, preexec=preexec)
    fails = []
    if r.rc != EXIT_OUTPUT:
        fails.append("exit status %s, expected %d" % (r.rc, EXIT_OUTPUT))
    errs = [ln for ln in r.err.splitlines() if "error:" in ln]
    if not errs or not any(want_text in ln for ln in errs):
        fails.append("no error line naming %r: %s" % (want_text, " | ".join(errs)[:300]))
    path = os.path.join(logdir, "eve.json")
    size = os.path.getsize(path) if os.path.exists(path) else 0
    recs, problems = faultlib.read_eve(path)
    fails += problems[:3]
    if not recs:
        fails.append("nothing was written before the fault")
    if size > LIMIT:
        fails.append("eve.json is %d bytes, over the %d-byte limit" % (size, LIMIT))
    if keep_prefix:
        with open(path, "rb") as f:
            if f.read(len(keep_prefix)) != keep_prefix:
                fails.append("the lines written before the run changed")
    res.check(name, fails, "%d complete records, %d bytes; %s" % (
        len(recs), size, errs[0].strip()[:100] if errs else ""))


def logdir_case(name, kasbah, pcap, logdir, res, want_text):
    before = set(os.listdir(logdir)) if os.path.isdir(logdir) else None
    r = run_kasbah([kasbah, "-r", pcap, "-l", logdir])
    fails = []
    if r.rc != EXIT_OUTPUT:
        fails.append("exit status %s, expected %d" % (r.rc, EXIT_OUTPUT))
    lines = [ln for ln in r.err.splitlines() if ln.strip()]
    if len(lines) != 1 or "error:" not in lines[0] or logdir not in lines[0] \
            or want_text not in lines[0]:
        fails.append("expected one error line naming %s and saying %r, got: %s"
                     % (logdir, want_text, " | ".join(lines)[:300]))
    if before is not None and set(os.listdir(logdir)) != before:
        fails.append("files were created in %s" % logdir)
    res.check(name, fails, lines[0].strip()[:100] if lines else "")


def try_mount(path, opts):
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    os.makedirs(path, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", path],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def umount(path):
    subprocess.run(["umount", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv):
    kasbah = faultlib.kasbah_bin()
    if not os.access(kasbah, os.X_OK):
        faultlib.die("shutdown: no kasbah binary at %s (build first)" % kasbah)
    res = faultlib.Results("shutdown")
    work = tempfile.mkdtemp(prefix="shutdown-")
    try:
        gen = build_tool(work, "floodgen")
        big = os.path.join(work, "big.pcap")
        small = os.path.join(work, "small.pcap")
        subprocess.run([gen, "dns", str(BIG), big], check=True)
        subprocess.run([gen, "dns", "20000", small], check=True)

        signal_case("sigint", signal.SIGINT, kasbah, big, work, res)
        signal_case("sigterm", signal.SIGTERM, kasbah, big, work, res)

        d = os.path.join(work, "fsize")
        os.mkdir(d)
        output_fault_case("fsize-limit", kasbah, small, d, res, preexec=faultlib.limit_fsize(LIMIT))

        d = os.path.join(work, "append")
        os.mkdir(d)
        earlier = b"".join(json.dumps({"event_type": "stats", "n": i}).encode() + b"\n"
                           for i in range(20))
        with open(os.path.join(d, "eve.json"), "wb") as f:
            f.write(earlier)
        conf = os.path.join(work, "append.yaml")
        with open(conf, "w") as f:
            f.write("outputs:\n  - eve-log:\n      enabled: yes\n      append: yes\n")
        output_fault_case("fsize-append", kasbah, small, d, res, conf=conf,
                          preexec=faultlib.limit_fsize(LIMIT), keep_prefix=earlier)

        mnt = os.path.join(work, "tmpfs")
        if try_mount(mnt, "size=64k"):
            try:
                output_fault_case("tmpfs-full", kasbah, small, mnt, res,
                                  want_text="No space left on device")
            finally:
                umount(mnt)
        else:
            print("shutdown: tmpfs-full not run: cannot mount a tmpfs (needs root); "
                  "fsize-limit covers the same path")

        logdir_case("logdir-missing", kasbah, small, os.path.join(work, "nowhere"), res,
                    "does not exist")
        f = os.path.join(work, "a-file")
        open(f, "w").close()
        logdir_case("logdir-is-file", kasbah, small, f, res, "not a directory")
        ro = os.path.join(work, "readonly")
        if try_mount(ro, "ro,size=64k"):
            try:
                logdir_case("logdir-unwritable", kasbah, small, ro, res, "not writable")
            finally:
                umount(ro)
        elif os.geteuid() != 0:
            os.makedirs(ro, exist_ok=True)
            os.chmod(ro, 0o555)
            logdir_case("logdir-unwritable", kasbah, small, ro, res, "not writable")
            os.chmod(ro, 0o755)
        else:
            print("shutdown: logdir-unwritable not run: root without mount ignores modes")
    finally:
        for m in ("tmpfs", "readonly"):
            if os.path.ismount(os.path.join(work, m)):
                umount(os.path.join(work, m))
        shutil.rmtree(work, ignore_errors=True)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
