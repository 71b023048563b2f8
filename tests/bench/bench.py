#!/usr/bin/env python3
"""complyd benchmarks (issue 7): complyd next to the tool a user would pick
instead, each pair measured in the same run, alternating, several runs.

    tests/bench/bench.py [--build build] [--runs 5] [--lynis-runs 3]
                         [--daemon-seconds 90] [--only ROW,...] [--quick]

Prints ONE table (median [min-max] of each side, ratio complyd/peer of the
medians, target, verdict), then the exact commands. Python 3 standard
library only; the in-process helpers (tests/bench/bench_*.c) are built here
with cc against BUILD/libcomplyd.a. Everything stays on loopback. No row
asserts anything: this is for people (README.md in this directory).
Run as root on the machine under test; peers are installed by `make bench`.
"""
import argparse
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(TOP, "tests", "bench")
SSG = "/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml"
PKGS = "jansson yaml-0.1 libsystemd libcrypto zlib liblzma liblz4"
HELPERS = ("debversion", "spool", "evalmem", "ship")
SYS_PY = "/usr/bin/python3"  # Debian's python3, where python3-apt lives

ROWS = []       # table rows, in order
COMMANDS = []   # (row, command) shown under the table
NOTES = []      # skipped rows and remarks


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def q(args):
    """A command line as a shell would read it."""
    import shlex
    return " ".join(shlex.quote(a) for a in args)


# ---- measuring ---------------------------------------------------------------

EXEC = None  # build/bench/bench_exec once built: see run()


def run(args, stdin=None, stdout=subprocess.DEVNULL, env=None, timeout=1200):
    """Runs args to completion; returns (seconds, peak RSS KiB of the process
    tree, exit status, stdout bytes or None). A command with no input and
    no output kept is timed by bench_exec (posix_spawn() to wait4(), in C):
    timed from here, Python's fork and its polling for the exit added some
    3 ms to every run of either side. Otherwise (curl's output is read) wall
    time is from fork to reap here. Peak RSS: wait4()'s maxrss of the tree,
    through bench_exec or GNU time's %M (wait4() here would count the RSS
    the forked Python child had before its exec)."""
    if EXEC and stdin is None and stdout == subprocess.DEVNULL and env is None:
        p = subprocess.run([EXEC] + list(args), capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError("bench_exec %s: %s" % (args[0], p.stderr.strip()))
        secs, maxrss, rc = p.stdout.split()
        return float(secs), int(maxrss), int(rc), None
    rss_file = None
    if os.path.exists("/usr/bin/time"):
        fd, rss_file = tempfile.mkstemp(prefix="complyd-bench-rss-")
        os.close(fd)
        args = ["/usr/bin/time", "-f", "%M", "-o", rss_file] + list(args)
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdin=stdin or subprocess.DEVNULL, stdout=stdout,
                         stderr=subprocess.PIPE, env=env, close_fds=True)
    out = None
    if stdout == subprocess.PIPE:
        out = p.stdout.read()
    deadline = time.monotonic() + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            p.kill()
        time.sleep(0.001)
    secs = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    maxrss = ru.ru_maxrss
    if rss_file:
        try:
            with open(rss_file) as fh:
                maxrss = int(fh.read().split()[-1])
        except (OSError, ValueError, IndexError):
            pass
        os.unlink(rss_file)
    p.stderr.read()
    p.stderr.close()
    if p.stdout:
        p.stdout.close()
    return secs, maxrss, p.returncode, out


def stats(xs):
    xs = list(xs)
    return statistics.median(xs), min(xs), max(xs)


def fmt(v, unit):
    if v is None:
        return "-"
    if unit == "ms":
        return "%.1f" % (v * 1e3) if v < 10 else "%.0f" % (v * 1e3)
    if unit == "s":
        return "%.3f" % v if v < 1 else "%.2f" % v
    if unit in ("MiB",):
        return "%.1f" % (v / 1024.0)
    if unit in ("/s",):
        return "%.0f" % v
    if unit == "ns":
        return "%.0f" % v
    if unit == "%":
        return "%.2f" % v
    return "%.3g" % v


def add_row(name, unit, c, p, target, better, peer_name="", note=""):
    """c, p: lists of samples (p may be None: a reference value alone).
    target: the wanted ratio bound; better: "le" (ratio <= target) or "ge"."""
    cm = stats(c) if c else None
    pm = stats(p) if p else None
    ratio = cm[0] / pm[0] if cm and pm and pm[0] else None
    met = None
    if ratio is not None and target is not None:
        met = ratio <= target if better == "le" else ratio >= target
    ROWS.append(dict(name=name, unit=unit, c=cm, p=pm, n=(len(c or []), len(p or [])),
                     ratio=ratio, target=target, better=better, met=met, peer=peer_name, note=note))


def cell(s, unit):
    if not s:
        return "-"
    return "%s [%s-%s]" % (fmt(s[0], unit), fmt(s[1], unit), fmt(s[2], unit))


def print_table():
    head = ("row", "unit", "complyd median [min-max]", "peer", "peer median [min-max]", "n",
            "ratio", "target", "met")
    lines = []
    for r in ROWS:
        tgt = "-" if r["target"] is None else ("%s %.3g" % ("<=" if r["better"] == "le" else ">=", r["target"]))
        met = "-" if r["met"] is None else ("yes" if r["met"] else "NO")
        ratio = "-" if r["ratio"] is None else (
            "%.2e" % r["ratio"] if r["ratio"] < 0.001 else "%.4f" % r["ratio"] if r["ratio"] < 0.1
            else "%.2f" % r["ratio"])
        lines.append((r["name"], r["unit"], cell(r["c"], r["unit"]), r["peer"], cell(r["p"], r["unit"]),
                      "%d/%d" % r["n"], ratio, tgt, met + (" " + r["note"] if r["note"] else "")))
    w = [max(len(str(x[i])) for x in [head] + lines) for i in range(len(head))]
    out = ["  ".join(str(x[i]).ljust(w[i]) for i in range(len(head))).rstrip() for x in [head] + lines]
    out.insert(1, "  ".join("-" * w[i] for i in range(len(head))))
    print("\n".join(out))
    print("\nratio = complyd median / peer median; n = samples (complyd/peer), taken alternately.")
    if NOTES:
        print("\nNotes:")
        for n in NOTES:
            print("  - " + n)
    print("\nCommands:")
    for row, cmd in COMMANDS:
        print("  [%s] %s" % (row, cmd))


# ---- helpers -------------------------------------------------------------------

def build_exec(out):
    """bench_exec: no library, nothing of complyd's."""
    global EXEC
    src, dst = os.path.join(HERE, "bench_exec.c"), os.path.join(out, "bench_exec")
    if not (os.path.exists(dst) and os.path.getmtime(dst) > os.path.getmtime(src)):
        log("  CC   " + dst)
        subprocess.run(["cc", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-o", dst, src], check=True)
    EXEC = dst


def build_floor(out, cflags):
    """bench_floor links only the libraries the daemon must use (--as-needed:
    nothing else is loaded), and no complyd code."""
    src, dst = os.path.join(HERE, "bench_floor.c"), os.path.join(out, "bench_floor")
    if os.path.exists(dst) and os.path.getmtime(dst) > os.path.getmtime(src):
        return
    libs = subprocess.run(["pkg-config", "--libs", "libcrypto", "libsystemd", "jansson", "yaml-0.1"],
                          capture_output=True, text=True, check=True).stdout.split()
    log("  CC   " + dst)
    subprocess.run(["cc", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror"] + cflags +
                   ["-o", dst, src, "-Wl,--as-needed"] + libs, check=True)


def build_helpers(build):
    """cc each tests/bench/bench_*.c against BUILD/libcomplyd.a."""
    out = os.path.join(build, "bench")
    os.makedirs(out, exist_ok=True)
    cflags = subprocess.run(["pkg-config", "--cflags"] + PKGS.split() + ["libcurl"],
                            capture_output=True, text=True, check=True).stdout.split()
    libs = subprocess.run(["pkg-config", "--libs"] + PKGS.split(),
                          capture_output=True, text=True, check=True).stdout.split()
    lib = os.path.join(build, "libcomplyd.a")
    build_floor(out, cflags)
    build_exec(out)
    for h in HELPERS:
        src = os.path.join(HERE, "bench_%s.c" % h)
        dst = os.path.join(out, "bench_%s" % h)
        if os.path.exists(dst) and os.path.getmtime(dst) > max(os.path.getmtime(src), os.path.getmtime(lib)):
            continue
        cmd = (["cc", "-std=gnu11", "-O2", "-g", "-Wall", "-Wextra", "-Werror", "-Wformat=2", "-Wshadow",
                "-Wstrict-prototypes", "-Wno-unused-parameter", "-Wno-missing-field-initializers",
                "-D_GNU_SOURCE", "-I" + os.path.join(TOP, "include"), "-I" + os.path.join(TOP, "src"),
                "-I" + os.path.join(TOP, "probes", "lib")] + cflags + ["-o", dst, src, lib] + libs + ["-ldl", "-lm"])
        log("  CC   " + dst)
        subprocess.run(cmd, check=True)
    return out


# ---- rows ----------------------------------------------------------------------

def row_sockets(a):
    """complyd probe open_ports vs ss -tulnp with N listeners opened here."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(a.sockets) + 256
    if soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
        except (ValueError, OSError) as e:
            NOTES.append("sockets: cannot raise RLIMIT_NOFILE: %s" % e)
    cp = [a.complyd, "probe", "open_ports"]
    ss = ["ss", "-tulnp"]
    COMMANDS.append(("sockets", q(cp) + " > /dev/null   vs   " + q(ss) + " > /dev/null"))
    for n in a.sockets:
        socks = []
        try:
            for _ in range(n):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind(("127.0.0.1", 0))
                s.listen(1)
                socks.append(s)
        except OSError as e:
            for s in socks:
                s.close()
            NOTES.append("sockets %d: skipped, cannot open them: %s" % (n, e))
            continue
        c, p = [], []
        run(cp), run(ss)  # warm the page cache for both
        for i in range(a.runs):
            for which in ((0, 1) if i % 2 == 0 else (1, 0)):
                if which == 0:
                    t, _, rc, _ = run(cp)
                    c.append(t)
                else:
                    t, _, rc, _ = run(ss)
                    p.append(t)
                if rc != 0:
                    NOTES.append("sockets %d: %s exited %d" % (n, "complyd" if which == 0 else "ss", rc))
        for s in socks:
            s.close()
        add_row("listening sockets %d, wall" % n, "ms", c, p, 1.0, "le", "ss -tulnp")


def no_list_cache_config():
    """A configuration that turns patch_level's list cache off: every apt
    list is decompressed and scanned, as on the first run after apt update."""
    fd, path = tempfile.mkstemp(prefix="complyd-bench-nocache-", suffix=".yaml")
    with os.fdopen(fd, "w") as fh:
        fh.write('probes:\n  patch_level:\n    params:\n      cache_dir: ""\n')
    return path


def row_patch_level(a):
    cfg = no_list_cache_config()
    cp = [a.complyd, "probe", "patch_level"]
    cold = cp + ["--config", cfg]
    apt = ["apt", "list", "--upgradable"]
    COMMANDS.append(("pending updates", q(cp) + " > /dev/null   vs   " + q(apt) + " > /dev/null"))
    COMMANDS.append(("pending updates", q(cold) + " > /dev/null   (%s: probes.patch_level.params.cache_dir: \"\")"
                     % cfg))
    c, k, p = [], [], []
    run(cp), run(apt)
    for i in range(a.runs):
        for which in ((0, 1, 2) if i % 2 == 0 else (2, 1, 0)):
            t = run((cp, cold, apt)[which])[0]
            (c, k, p)[which].append(t)
    os.unlink(cfg)
    add_row("pending updates, wall", "ms", c, p, 0.1, "le", "apt list --upgradable",
            "(lists unchanged since the last run: their cached entries are read)")
    add_row("pending updates, no list cache, wall", "ms", k, p, 0.1, "le", "apt list --upgradable",
            "(every list decompressed and scanned: the first run after apt update)")


TRICKY = ["0", "1", "1.0", "1.0-1", "1.0-1~bpo1", "1.0~rc1", "1.0~~", "1.0~", "1.0+", "1.0+b1",
          "1.0.0", "1.0a", "1.0-0", "1:1.0", "0:1.0", "2:0.1", "1.0-1.1", "1.0-1+deb12u1",
          "1.0-1+deb12u10", "1.0-1+deb12u2", "10.0", "9.9", "1.00", "1.000001", "1.0-a", "1.0-A",
          "a", "A", "1.0-1ubuntu1", "1.0-1build1", "2.36-9+deb12u4", "2.36-9+deb12u14",
          "1:2.36-9", "3.0.8-1.1", "20230311+deb12u1", "20250419~deb12u2", "7.88.1-10+deb12u5",
          "1.2.3+dfsg-1", "1.2.3+dfsg1-1", "1.2.3~dfsg-1", "0.0.0", "00", "000.001", "1.0-~",
          "1.0-1~", "9:9.9.9-9", "1.0..1", "1.0.-1", "1.0-1-1"]


def gen_pairs(path, n, seed=7):
    """n version pairs: real versions (installed and in the apt lists),
    pairs of one package's versions, and dpkg's corner cases."""
    vers = set(TRICKY)
    by_pkg = {}
    q_out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Version}\n"],
                           capture_output=True, text=True).stdout
    for line in q_out.splitlines():
        if "\t" in line:
            pkg, v = line.split("\t", 1)
            if v:
                vers.add(v)
                by_pkg.setdefault(pkg, set()).add(v)
    lists = "/var/lib/apt/lists"
    for f in sorted(os.listdir(lists)) if os.path.isdir(lists) else []:
        if not f.endswith("_Packages"):
            continue
        pkg = None
        with open(os.path.join(lists, f), encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("Package: "):
                    pkg = line[9:].strip()
                elif line.startswith("Version: ") and pkg:
                    v = line[9:].strip()
                    vers.add(v)
                    by_pkg.setdefault(pkg, set()).add(v)
    rnd = random.Random(seed)
    pool = sorted(vers)
    multi = [sorted(v) for v in by_pkg.values() if len(v) > 1]
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            k = i % 4
            if k == 0 and multi:
                a, b = rnd.sample(rnd.choice(multi), 2)
            elif k == 1:
                a, b = rnd.choice(TRICKY), rnd.choice(TRICKY)
            elif k == 2:
                a = rnd.choice(pool)
                b = a + rnd.choice(["", "~", "+b1", "-1", ".0", "~rc1", "a"]) if rnd.random() < 0.7 else a
            else:
                a, b = rnd.choice(pool), rnd.choice(pool)
            out.write("%s\t%s\n" % (a, b))
    return len(pool)


APT_TRUTH = r"""
import sys, apt_pkg
apt_pkg.init_system()
out = open(sys.argv[2], "w")
for line in open(sys.argv[1], encoding="utf-8"):
    a, b = line.rstrip("\n").split("\t")
    c = apt_pkg.version_compare(a, b)
    out.write("%d\n" % ((c > 0) - (c < 0)))
"""


def row_debversion(a, helpers):
    tmp = tempfile.mkdtemp(prefix="complyd-bench-dv-")
    try:
        pairs = os.path.join(tmp, "pairs")
        npool = gen_pairs(pairs, a.pairs)
        with open(pairs, encoding="utf-8") as fh:
            plist = [l.rstrip("\n").split("\t") for l in fh]
        truth_f = os.path.join(tmp, "truth")
        truth_src = None
        r = subprocess.run([SYS_PY, "-c", APT_TRUTH, pairs, truth_f], capture_output=True, text=True)
        if r.returncode == 0:
            truth_src = "libapt (python3-apt apt_pkg.version_compare)"
            with open(truth_f) as fh:
                truth = [int(x) for x in fh]
        else:
            NOTES.append("debversion: python3-apt unavailable (%s); dpkg --compare-versions is the truth"
                         % r.stderr.strip().splitlines()[-1:])
            truth = None
        bdv = os.path.join(helpers, "bench_debversion")
        mine_f = os.path.join(tmp, "mine")
        cmd = [bdv, pairs, mine_f, str(a.dv_reps)]
        COMMANDS.append(("debversion", "%s   (in-process debversion_cmp over %d pairs, %d reps; "
                         "pairs from %d distinct versions: dpkg status, apt lists, corner cases)"
                         % (q(cmd), len(plist), a.dv_reps, npool)))
        COMMANDS.append(("debversion", "valgrind --tool=callgrind --toggle-collect=compare_all %s"
                         % q([bdv, pairs, mine_f, "0"])))
        COMMANDS.append(("debversion", "dpkg --compare-versions A {lt|eq|gt} B   (per pair, the operator "
                         "libapt's order gives: exit 0 = agreement)"))
        COMMANDS.append(("debversion", "%s -c 'apt_pkg.version_compare(a, b)' (truth, every pair)" % SYS_PY))
        c_ns, d_ns = [], []
        rnd = random.Random(11)
        dpkg_ok = dpkg_n = 0
        for i in range(a.runs):
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()
            c_ns.append(float(out[out.index("ns_per_pair") + 1]))
            # dpkg, one exec per pair, on a fresh sample each run
            sample = rnd.sample(range(len(plist)), a.dpkg_sample)
            t0 = time.perf_counter()
            for j in sample:
                want = truth[j] if truth else None
                op = {-1: "lt", 0: "eq", 1: "gt"}[want] if want is not None else "lt"
                rc = subprocess.run(["dpkg", "--compare-versions", plist[j][0], op, plist[j][1]],
                                    stderr=subprocess.DEVNULL).returncode
                dpkg_n += 1
                dpkg_ok += rc == 0
            d_ns.append((time.perf_counter() - t0) * 1e9 / len(sample))
        with open(mine_f) as fh:
            mine = [int(x) for x in fh]
        add_row("debversion compare, wall per pair", "ns", c_ns, d_ns, None, "le",
                "dpkg --compare-versions", note="(dpkg: %d-pair sample/run)" % a.dpkg_sample)
        ROWS[-1]["ratio_note"] = True
        # callgrind: instructions per comparison, repeatable
        if shutil.which("valgrind"):
            cg_out = os.path.join(tmp, "cg.out")
            r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cg_out,
                                "--toggle-collect=compare_all", bdv, pairs, os.path.join(tmp, "m2"), "0"],
                               capture_output=True, text=True)
            ir = None
            if os.path.exists(cg_out):
                with open(cg_out) as fh:
                    for line in fh:
                        if line.startswith("summary:") or line.startswith("totals:"):
                            ir = int(line.split()[1])
            if ir:
                add_row("debversion compare, callgrind Ir per pair", "Ir", [ir / len(plist)], None, None, "le",
                        "-")
        if truth:
            agree = sum(1 for x, y in zip(mine, truth) if x == y)
            ROWS.append(dict(name="debversion agreement with libapt", unit="pairs",
                             c=None, p=None, n=(len(plist), dpkg_n), ratio=None, target=None, better="le",
                             met=agree == len(plist) and dpkg_ok == dpkg_n, peer="dpkg --compare-versions",
                             note="complyd %d/%d pairs = libapt; dpkg %d/%d sampled pairs = libapt"
                             % (agree, len(plist), dpkg_ok, dpkg_n), text=True))
            if agree != len(plist):
                bad = [(plist[k], mine[k], truth[k]) for k in range(len(plist)) if mine[k] != truth[k]][:5]
                NOTES.append("debversion disagreements (pair, complyd, libapt): %s" % bad)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def row_full(a):
    cp = [a.complyd, "check"]
    ly = ["lynis", "audit", "system", "--quick"]
    os_ = ["oscap", "xccdf", "eval", "--profile", "standard", SSG]
    have_ly = shutil.which("lynis") is not None
    have_os = shutil.which("oscap") is not None and os.path.exists(SSG)
    if not have_ly:
        NOTES.append("lynis is not installed (apt-get install lynis failed?): its rows are skipped")
    if not have_os:
        NOTES.append("oscap or %s missing (openscap-scanner, ssg-debian): its rows are skipped" % SSG)
    COMMANDS.append(("full evaluation", q(cp) + " > /dev/null"))
    if have_ly:
        COMMANDS.append(("full evaluation", q(ly) + " > /dev/null"))
    if have_os:
        COMMANDS.append(("full evaluation", q(os_) + " > /dev/null"))
    cfg = no_list_cache_config()
    cold = cp + ["--config", cfg]
    COMMANDS.append(("full evaluation", q(cold) + " > /dev/null   (patch_level's list cache off)"))
    c, k, l, o = [], [], [], []
    run(cp)
    if have_os:
        run(os_)
    for i in range(max(a.runs, a.lynis_runs if have_ly else 0)):
        if i < a.runs:
            c.append(run(cp))
            k.append(run(cold))
        if have_os and i < a.runs:
            o.append(run(os_))
        if have_ly and i < a.lynis_runs:
            log("  lynis run %d/%d (about 80 s)" % (i + 1, a.lynis_runs))
            l.append(run(ly))
        if i < a.runs and i > 0 and not have_ly and not have_os:
            pass
    ct, cr = [x[0] for x in c], [x[1] for x in c]
    if have_ly:
        add_row("full evaluation vs Lynis, wall", "s", ct, [x[0] for x in l], 1 / 200, "le",
                "lynis audit system --quick")
        add_row("full evaluation vs Lynis, peak RSS", "MiB", cr, [x[1] for x in l], 0.1, "le",
                "lynis audit system --quick")
    if have_os:
        add_row("full evaluation vs OpenSCAP, wall", "s", ct, [x[0] for x in o], 1 / 20, "le",
                "oscap xccdf eval standard", "(apt lists unchanged since the last run, the usual case)")
        add_row("full evaluation, no list cache, vs OpenSCAP", "s", [x[0] for x in k], [x[0] for x in o],
                None, "le", "oscap xccdf eval standard",
                "(the first run after apt update: every list decompressed and scanned)")
        add_row("full evaluation vs OpenSCAP, peak RSS", "MiB", cr, [x[1] for x in o], 0.1, "le",
                "oscap xccdf eval standard")
        rc = o[0][2]
        NOTES.append("oscap exit status %d; on Debian 12 the debian11 content's platform (CPE) check does not "
                     "match, so every rule of the profile is 'notapplicable': its time is loading the content "
                     "and evaluating the platform, the floor of any OpenSCAP run" % rc)
    if not have_ly and not have_os:
        add_row("full evaluation, wall", "s", ct, None, None, "le", "-")
    os.unlink(cfg)


def controls_list(complyd):
    out = subprocess.run([complyd, "controls", "--format", "json"], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)


def parse_dur(s):
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    return int(s[:-1]) * units[s[-1]]


def proc_cpu(pid):
    """utime+stime of pid and its reaped children, seconds."""
    with open("/proc/%d/stat" % pid) as fh:
        f = fh.read().rsplit(")", 1)[1].split()
    hz = os.sysconf("SC_CLK_TCK")
    return sum(int(x) for x in f[11:15]) / hz


def proc_rss(pid):
    """(VmRSS, RssAnon) of pid in KiB: everything resident, and its private
    anonymous part (heap, stacks) without the shared library pages."""
    vm = anon = 0
    with open("/proc/%d/status" % pid) as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                vm = int(line.split()[1])
            elif line.startswith("RssAnon:"):
                anon = int(line.split()[1])
    return vm, anon


def row_daemon(a, helpers):
    factor = a.daemon_factor
    tmp = tempfile.mkdtemp(prefix="complyd-bench-run-")
    try:
        ctl = controls_list(a.complyd)
        lines = ["state_dir: %s/state" % tmp, "evidence:", "  heartbeat: %ds" % max(60, 3600 // factor),
                 "alerts:", "  journald: true", "controls:"]
        for c in ctl:
            sec = max(1, parse_dur(c["interval"]) // factor)
            lines += ["  %s:" % c["id"], "    interval: %ds" % sec]
        cfg = os.path.join(tmp, "complyd.yaml")
        with open(cfg, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        os.mkdir(os.path.join(tmp, "state"), 0o700)
        cmd = [a.complyd, "run", "--config", cfg]
        COMMANDS.append(("daemon", "%s for %d s; every control's interval / %d (15m -> %ds, 1h -> %ds, "
                         "6h -> %ds), heartbeat 1h -> %ds (its minimum); config %s"
                         % (q(cmd), a.daemon_seconds, factor, 900 // factor, 3600 // factor,
                            21600 // factor, max(60, 3600 // factor), "state_dir + controls.ID.interval")))
        floor_cmd = [os.path.join(helpers, "bench_floor")]
        COMMANDS.append(("daemon", "%s   (beside the daemon, the same time: libc, libcrypto, libsystemd, jansson "
                         "and libyaml, one Ed25519 signature, an idle sd-event loop; no complyd code)"
                         % q(floor_cmd)))
        floor = subprocess.Popen(floor_cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        err = open(os.path.join(tmp, "stderr"), "w")
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        rss, windows, floor_rss = [], [], []
        win, last_cpu, last_t = 10.0, 0.0, t0
        status = ru = None
        try:
            while time.perf_counter() - t0 < a.daemon_seconds:
                pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    break
                status = None
                time.sleep(0.1)
                try:
                    rss.append(proc_rss(p.pid))
                    floor_rss.append(proc_rss(floor.pid))
                    now = time.perf_counter()
                    if now - last_t >= win:
                        cpu = proc_cpu(p.pid)
                        windows.append((cpu - last_cpu) / ((now - last_t) * factor / 3600.0))
                        last_cpu, last_t = cpu, now
                except OSError:
                    break
        finally:
            if status is None:
                p.send_signal(signal.SIGTERM)
                _, status, ru = os.wait4(p.pid, 0)
            p.returncode = 0  # reaped here
            err.close()
            floor.terminate()
            floor.wait()
        wall = time.perf_counter() - t0
        total_cpu = ru.ru_utime + ru.ru_stime
        # the children (probe runs) are reaped by the daemon: their CPU is in its cutime/cstime
        with open(os.path.join(tmp, "stderr"), errors="replace") as fh:
            errtext = fh.read()
        if os.waitstatus_to_exitcode(status) not in (0, -signal.SIGTERM) or not rss:
            NOTES.append("daemon: complyd run exited %d: %s" % (os.waitstatus_to_exitcode(status),
                                                                errtext.strip().splitlines()[-3:]))
        anon = [x[1] for x in rss if x[0] > 0]
        rss = [x[0] for x in rss if x[0] > 0]
        if not rss:
            return
        hours = wall * factor / 3600.0
        nrec = 0
        spool = os.path.join(tmp, "state", "spool")
        for f in os.listdir(spool) if os.path.isdir(spool) else []:
            if f.endswith(".seg"):
                with open(os.path.join(spool, f), "rb") as fh:
                    nrec += fh.read().count(b"CSP1")
        NOTES.append("daemon: %.0f s wall = %.1f h of the default schedule, %d evidence records written; "
                     "CPU of the daemon and its probe runs (wait4): %.2f s = %.2f CPU-s per default hour"
                     % (wall, hours, nrec, total_cpu, total_cpu / hours))
        floor_vm = [x[0] for x in floor_rss if x[0] > 0]
        floor_anon = [x[1] for x in floor_rss if x[0] > 0]
        add_row("daemon at rest, VmRSS (daemon process)", "MiB", rss, floor_vm, None, "le",
                "bench_floor (the libraries alone)")
        floor_mib = stats(floor_vm)[0] / 1024 if floor_vm else 0
        ROWS[-1]["met"] = ROWS[-1]["c"][0] <= 4 * 1024
        ROWS[-1]["note"] = ("(target: median RSS <= 4 MiB, %s the %.1f MiB the required libraries take "
                            "by themselves; complyd's own share: %.1f MiB)"
                            % ("below" if floor_mib > 4 else "above", floor_mib,
                               ROWS[-1]["c"][0] / 1024 - floor_mib))
        add_row("daemon at rest, private RSS (RssAnon)", "MiB", anon, floor_anon, None, "le",
                "bench_floor (the libraries alone)")
        ROWS[-1]["met"] = ROWS[-1]["c"][0] <= 4 * 1024
        ROWS[-1]["note"] = "(heap, stacks and relocated library data: what is this process's alone; <= 4 MiB)"
        add_row("daemon at rest, CPU-s per default hour", "s", windows, None, None, "le",
                "osquery budget 10% = 360 s/h")
        ROWS[-1]["p"] = (360.0, 360.0, 360.0)
        ROWS[-1]["ratio"] = ROWS[-1]["c"][0] / 360.0 if windows else None
        ROWS[-1]["met"] = bool(windows) and ROWS[-1]["c"][0] <= 1.0
        ROWS[-1]["target"] = 1 / 360.0
        ROWS[-1]["note"] = "(target: <= 1 CPU-s/h; per %gs window, probes included)" % win
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def row_spool(a, helpers):
    base = tempfile.mkdtemp(prefix="complyd-bench-spool-", dir="/var/tmp")
    try:
        bsp = os.path.join(helpers, "bench_spool")
        frame = a.record_bytes + 25
        ddf = os.path.join(base, "dd.bin")
        dd = ["dd", "if=/dev/zero", "of=" + ddf, "bs=%d" % frame, "count=%d" % a.spool_n, "oflag=dsync",
              "status=none"]
        fio = ["fio", "--name=spool", "--filename=" + os.path.join(base, "fio.bin"), "--rw=write",
               "--bs=%d" % frame, "--size=%d" % (frame * a.spool_n), "--ioengine=sync", "--fdatasync=1",
               "--output-format=json"]
        have_fio = shutil.which("fio") is not None
        if not have_fio:
            NOTES.append("fio not installed: the spool rows use dd only")
        modes = [("always", 1, a.spool_n), ("batch", 8, a.spool_n * 5)]
        for mode, group, n in modes:
            COMMANDS.append(("spool", q([bsp, base + "/s", mode, str(n), str(a.record_bytes), str(group)])))
        COMMANDS.append(("spool", q(dd) + "   (rate = count / seconds)"))
        if have_fio:
            COMMANDS.append(("spool", q(fio) + "   (write IOPS)"))
        res = {m: [] for m, _, _ in modes}
        ddr, fior = [], []
        for i in range(a.runs):
            for mode, group, n in modes:
                d = os.path.join(base, "s")
                shutil.rmtree(d, ignore_errors=True)
                os.mkdir(d)
                out = subprocess.run([bsp, d, mode, str(n), str(a.record_bytes), str(group)],
                                     capture_output=True, text=True, check=True).stdout.split()
                res[mode].append(float(out[out.index("appends_per_sec") + 1]))
            t = run(dd)[0]
            ddr.append(a.spool_n / t)
            os.unlink(ddf)
            if have_fio:
                out = subprocess.run(fio, capture_output=True, text=True)
                try:
                    fior.append(json.loads(out.stdout)["jobs"][0]["write"]["iops"])
                except (ValueError, KeyError, IndexError):
                    pass
                try:
                    os.unlink(os.path.join(base, "fio.bin"))
                except OSError:
                    pass
        add_row("spool appends/s, fsync each (%d B frames)" % frame, "/s", res["always"], ddr, 0.5, "ge",
                "dd oflag=dsync bs=%d" % frame)
        add_row("spool appends/s, group commit 8", "/s", res["batch"], ddr, 0.5, "ge",
                "dd oflag=dsync bs=%d" % frame)
        if fior:
            add_row("spool appends/s, fsync each, vs fio", "/s", res["always"], fior, 0.5, "ge",
                    "fio fdatasync=1 bs=%d" % frame)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def row_delivery(a, helpers):
    tmp = tempfile.mkdtemp(prefix="complyd-bench-ship-")
    coll = None
    try:
        certs = os.path.join(tmp, "certs")
        subprocess.run([os.path.join(TOP, "tests", "collector", "make_certs.sh"), certs],
                       check=True, capture_output=True)
        token = os.path.join(tmp, "token")
        with open(token, "w") as fh:
            fh.write("bench-token\n")
        portf = os.path.join(tmp, "port")
        ccmd = [sys.executable, os.path.join(TOP, "tests", "collector", "collector.py"),
                "--cert", os.path.join(certs, "server.crt"), "--key", os.path.join(certs, "server.key"),
                "--token", "bench-token", "--port-file", portf]
        coll = subprocess.Popen(ccmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(portf) and open(portf).read().strip():
                break
            time.sleep(0.05)
        port = int(open(portf).read().strip())
        url = "https://127.0.0.1:%d/evidence" % port
        ca = os.path.join(certs, "ca.crt")
        bsh = os.path.join(helpers, "bench_ship")
        COMMANDS.append(("delivery", "collector: " + q(ccmd)))
        for fmt_ in ("native", "ocsf"):
            # the bodies the shipper would send, for curl
            dump = os.path.join(tmp, "dump-" + fmt_)
            st = os.path.join(tmp, "st-dump")
            shutil.rmtree(st, ignore_errors=True)
            os.mkdir(st)
            subprocess.run([bsh, "dump", st, dump, fmt_, str(a.ship_n), "200"], check=True,
                           capture_output=True)
            bodies = sorted(os.path.join(dump, f) for f in os.listdir(dump))
            for gz in ("gzip", "plain"):
                files = bodies
                if gz == "gzip":
                    import gzip as gzmod
                    files = []
                    for b in bodies:
                        with open(b, "rb") as fh:
                            data = gzmod.compress(fh.read(), 6)
                        with open(b + ".gz", "wb") as fh:
                            fh.write(data)
                        files.append(b + ".gz")
                cfg = os.path.join(tmp, "curl-%s-%s.cfg" % (fmt_, gz))
                with open(cfg, "w") as fh:
                    for k, f in enumerate(files):
                        if k:
                            fh.write("next\n")
                        fh.write('url = "%s"\ndata-binary = "@%s"\ncacert = "%s"\n' % (url, f, ca))
                        fh.write('header = "Content-Type: application/x-ndjson"\n'
                                 'header = "Authorization: Bearer bench-token"\n')
                        if gz == "gzip":
                            fh.write('header = "Content-Encoding: gzip"\n')
                        fh.write('output = "/dev/null"\nfail\nsilent\nshow-error\n'
                                 'write-out = "%{http_code}\\n"\n')
                curl = ["curl", "-K", cfg]
                ship = [bsh, "ship", os.path.join(tmp, "st"), url, ca, token, fmt_, gz, str(a.ship_n), "200"]
                COMMANDS.append(("delivery %s %s" % (fmt_, gz), q(ship)))
                COMMANDS.append(("delivery %s %s" % (fmt_, gz), "%s   (%d batches, one process, connection "
                                 "reused; bodies pre-built%s by the shipper's format code)"
                                 % (q(curl), len(files), " and pre-gzipped" if gz == "gzip" else "")))
                c, p = [], []
                carried = a.ship_n if fmt_ == "native" else a.ship_n - (a.ship_n + 9) // 10
                for i in range(a.ship_runs):
                    for which in ((0, 1) if i % 2 == 0 else (1, 0)):
                        if which == 0:
                            shutil.rmtree(os.path.join(tmp, "st"), ignore_errors=True)
                            os.mkdir(os.path.join(tmp, "st"))
                            out = subprocess.run(ship, capture_output=True, text=True)
                            if out.returncode != 0:
                                NOTES.append("delivery %s %s: %s" % (fmt_, gz, out.stderr.strip()[-200:]))
                                continue
                            w = out.stdout.split()
                            c.append(float(w[w.index("records_per_sec") + 1]))
                        else:
                            t, _, rc, out = run(curl, stdout=subprocess.PIPE)
                            codes = out.decode().split()
                            if rc != 0 or codes.count("200") != len(files):
                                NOTES.append("delivery %s %s: curl exit %d, %d/%d answered 200"
                                             % (fmt_, gz, rc, codes.count("200"), len(files)))
                                continue
                            p.append(a.ship_n / t)
                add_row("delivery %s %s, records/s" % (fmt_, gz), "/s", c, p, 0.8, "ge", "curl -K (same batches)")
                if fmt_ == "ocsf":
                    ROWS[-1]["note"] = "(records/s counts spool records; OCSF carries %d of %d)" % (carried, a.ship_n)
    finally:
        if coll:
            coll.terminate()
            coll.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def row_memory(a, helpers):
    tmp = tempfile.mkdtemp(prefix="complyd-bench-mem-")
    try:
        probes = sorted({c["probe"] for c in controls_list(a.complyd)})
        for p in probes:
            with open(os.path.join(tmp, p + ".json"), "wb") as fh:
                subprocess.run([a.complyd, "probe", p], stdout=fh, stderr=subprocess.DEVNULL)
        cmd = [os.path.join(helpers, "bench_evalmem"), tmp, str(a.cycles)]
        COMMANDS.append(("memory", "%s   (canned observations from `complyd probe NAME` for %s)"
                         % (q(cmd), ", ".join(probes))))
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        rows = {}
        for line in out.splitlines():
            w = line.split()
            rows[int(w[3])] = dict(rss=int(w[5]), heap=int(w[7]), us=float(w[9]))
        at100, atn = rows[100], rows[a.cycles]
        growth = (atn["rss"] - at100["rss"]) * 100.0 / at100["rss"]
        add_row("memory: RSS after %d cycles vs 100" % a.cycles, "MiB", [atn["rss"]], [at100["rss"]], 1.01, "le",
                "same process after 100 cycles")
        ROWS[-1]["note"] = "(growth %.2f %%; heap in use %d -> %d KiB; %.0f us/cycle of 46 controls)" % (
            growth, at100["heap"], atn["heap"], atn["us"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


ALL = ["sockets", "patch_level", "debversion", "full", "daemon", "spool", "delivery", "memory"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--runs", type=int, default=5, help="samples per side (default 5)")
    ap.add_argument("--lynis-runs", type=int, default=3, help="Lynis runs (about 80 s each; default 3)")
    ap.add_argument("--daemon-seconds", type=int, default=90)
    ap.add_argument("--daemon-factor", type=int, default=900, help="interval divisor (15m -> 1s)")
    ap.add_argument("--sockets", default="10,1000,10000")
    ap.add_argument("--pairs", type=int, default=100000)
    ap.add_argument("--dpkg-sample", type=int, default=400, help="dpkg execs per run (default 400)")
    ap.add_argument("--dv-reps", type=int, default=20)
    ap.add_argument("--record-bytes", type=int, default=2048)
    ap.add_argument("--spool-n", type=int, default=1000)
    ap.add_argument("--ship-n", type=int, default=20000)
    ap.add_argument("--ship-runs", type=int, default=3)
    ap.add_argument("--cycles", type=int, default=10000)
    ap.add_argument("--only", default=",".join(ALL), help="rows: " + ",".join(ALL))
    ap.add_argument("--quick", action="store_true", help="fewer runs and no Lynis (a smoke test)")
    a = ap.parse_args()
    a.sockets = [int(x) for x in a.sockets.split(",")]
    if a.quick:
        a.runs, a.lynis_runs, a.daemon_seconds, a.ship_n, a.ship_runs = 2, 0, 20, 5000, 1
        a.dpkg_sample, a.cycles = 100, 1000
    a.complyd = os.path.join(a.build, "complyd")
    if os.geteuid() != 0:
        log("note: not root: open_ports cannot see other users' processes, lynis/oscap see less")
    helpers = build_helpers(a.build)
    only = a.only.split(",")
    t0 = time.time()
    for name in ALL:
        if name not in only:
            continue
        log("bench: %s ..." % name)
        t = time.time()
        if name == "sockets":
            row_sockets(a)
        elif name == "patch_level":
            row_patch_level(a)
        elif name == "debversion":
            row_debversion(a, helpers)
        elif name == "full":
            row_full(a)
        elif name == "daemon":
            row_daemon(a, helpers)
        elif name == "spool":
            row_spool(a, helpers)
        elif name == "delivery":
            row_delivery(a, helpers)
        elif name == "memory":
            row_memory(a, helpers)
        log("bench: %s done in %.0f s" % (name, time.time() - t))
    print("complyd bench: %s, %d CPUs, %s; %d runs per side (Lynis %d); wall time: the row says; "
          "callgrind: the debversion Ir row only" % (
              os.uname().nodename, os.cpu_count(), os.uname().release, a.runs, a.lynis_runs))
    print()
    print_table()
    print("\nTotal bench time: %.0f s" % (time.time() - t0))


if __name__ == "__main__":
    try:
        main()
    finally:
        print("\n".join(NOTES), file=sys.stderr) if os.environ.get("BENCH_DEBUG") else None
