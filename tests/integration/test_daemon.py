"""complyd run as systemd would run it: a real NOTIFY_SOCKET, a real HTTPS
webhook receiver, a fixture root that the test edits to make a control
drift, signals for reload and stop."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import unittest

from helpers import COMPLYD, FIXTURES, TOP, Collector, TempHost, process_alive, run, wait_for

PAM_LINE = "auth required pam_google_authenticator.so\n"
BUILD_DIR = os.path.join(TOP, "build")


class Daemon:
    """A running `complyd run` with a notify socket the test owns."""

    def __init__(self, workdir, config, root, watchdog_usec=1000000):
        self.notify_path = os.path.join(workdir, "notify-%d.sock" % time.monotonic_ns())
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.notify_path)
        self.sock.settimeout(0.2)
        self.lock = threading.Lock()
        self.log_path = os.path.join(workdir, "daemon-%d.log" % time.monotonic_ns())
        self.log = open(self.log_path, "w")
        env = dict(os.environ, NOTIFY_SOCKET=self.notify_path, WATCHDOG_USEC=str(watchdog_usec))
        env.pop("WATCHDOG_PID", None)
        env.pop("JOURNAL_STREAM", None)
        self.proc = subprocess.Popen([COMPLYD, "run", "--config", config, "--root", root],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.notes = []
        # systemd reads its notify socket all the time; so must we, or a
        # full socket buffer blocks the daemon's sd_notify()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.notes.extend(data.decode().splitlines())

    def read_notes(self):
        with self.lock:
            return list(self.notes)

    def wait_note(self, prefix, timeout=30, after=0):
        return wait_for(lambda: [n for n in self.read_notes()[after:] if n.startswith(prefix)], timeout,
                        what="%s on the notify socket" % prefix)

    def output(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            time.sleep(0.3)  # the last datagrams
            self.sock.close()
            self.reader.join()
            self.log.close()


METRIC_NAMES = ["complyd_control_status", "complyd_control_last_run_timestamp_seconds",
                "complyd_probe_duration_seconds", "complyd_spool_records", "complyd_spool_bytes",
                "complyd_push_failures_total", "complyd_drift_events_total"]


def check_exposition_format(tc, text):
    """What `promtool check metrics` checks that matters here: every sample
    belongs to a family announced by HELP and TYPE first, names and labels
    are well formed, values are numbers, counters end in _total."""
    families = {}
    sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? '
                        r'(-?[0-9.]+(?:e[+-]?[0-9]+)?|NaN|[+-]Inf)$')
    for line in text.splitlines():
        if line.startswith("# HELP "):
            families.setdefault(line.split()[2], set()).add("help")
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            tc.assertIn(kind, ("gauge", "counter"))
            tc.assertIn("help", families.get(name, ()), "HELP before TYPE for " + name)
            families[name].add(kind)
            if kind == "counter":
                tc.assertTrue(name.endswith("_total"), name)
        else:
            m = sample.match(line)
            tc.assertIsNotNone(m, "malformed sample line: %r" % line)
            tc.assertIn(m.group(1), families, "sample before its HELP/TYPE: " + line)
    for name in METRIC_NAMES:
        tc.assertIn(name, families)


class DaemonTest(TempHost):

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, "root")
        shutil.copytree(os.path.join(FIXTURES, "hosts", "mfa-totp-enforced"), self.root, symlinks=True)
        self.pam = os.path.join(self.root, "etc", "pam.d", "sshd")
        self.collector = Collector(self.tmp)
        self.token = os.path.join(self.tmp, "token")
        with open(self.token, "w") as f:
            f.write("hook-token\n")
        self.builtin_ids = [c["id"] for c in json.loads(run("controls", "--format", "json").stdout)]
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            d.stop(signal.SIGKILL)
        self.collector.stop()
        super().tearDown()

    def configure(self, keep=("ssh-mfa-enforced",), extra="", interval="1s"):
        """Only the controls in keep run, every interval; alerts go to the webhook."""
        lines = ["metrics:\n  textfile: %s\n" % os.path.join(self.tmp, "complyd.prom"),
                 "alerts:\n  webhook:\n    url: %s/hook\n    format: json\n    token_file: %s\n    ca_file: %s\n"
                 % (self.collector.url, self.token, self.collector.ca),
                 "controls:\n"]
        for cid in self.builtin_ids:
            lines.append("  %s: {enabled: false}\n" % cid if cid not in keep else "  %s: {interval: %s}\n" % (cid, interval))
        self.write_config("".join(lines) + extra)

    def start(self):
        d = Daemon(self.tmp, self.config, self.root)
        self.daemons.append(d)
        d.wait_note("READY=1")
        return d

    def hooks(self):
        return [r["json"] for r in self.collector.requests() if r["path"] == "/hook"]

    def state(self):
        try:
            with open(os.path.join(self.tmp, "state", "state.json")) as f:
                return json.load(f)["controls"]
        except (FileNotFoundError, ValueError):
            return {}

    def runs_after(self, cid, t):
        """Waits until control cid has been evaluated after wall-clock time t."""
        wait_for(lambda: self.state().get(cid, {}).get("last_run_usec", 0) > t * 1e6, 20,
                 what="a run of %s" % cid)

    def test_drift_recovery_and_restart(self):
        self.configure()
        d = self.start()
        self.runs_after("ssh-mfa-enforced", time.time())
        self.assertEqual(self.state()["ssh-mfa-enforced"]["status"], "pass")
        self.assertEqual(self.hooks(), [], "a first pass announces nothing")

        with open(self.pam) as f:
            text = f.read()
        with open(self.pam, "w") as f:
            f.write(text.replace(PAM_LINE, ""))
        drift = wait_for(self.hooks, 20, what="the drift alert")
        self.assertEqual(len(drift), 1)
        self.assertEqual((drift[0]["kind"], drift[0]["control"], drift[0]["status"], drift[0]["previous"]),
                         ("drift", "ssh-mfa-enforced", "fail", "pass"))
        self.assertTrue(drift[0]["why"], "the alert says why")
        req = self.collector.requests()[0]
        self.assertEqual(req["headers"].get("Authorization"), "Bearer hook-token")
        self.assertIn("drifted", d.output())  # the journald sink falls back to stderr here

        with open(self.pam, "w") as f:
            f.write(text)
        hooks = wait_for(lambda: self.hooks() if len(self.hooks()) >= 2 else None, 20, what="the recovery alert")
        self.assertEqual((hooks[1]["kind"], hooks[1]["status"], hooks[1]["previous"]), ("recovery", "pass", "fail"))
        self.runs_after("ssh-mfa-enforced", time.time() + 1)
        self.assertEqual(len(self.hooks()), 2, "no alert repeated while nothing changes")
        self.assertEqual(d.stop(), 0)

        d = self.start()
        self.runs_after("ssh-mfa-enforced", time.time() + 1)
        self.assertEqual(len(self.hooks()), 2, "a restart re-announces nothing")
        self.assertEqual(d.stop(), 0)

    def test_notify_protocol_and_metrics(self):
        self.configure()
        d = self.start()
        d.wait_note("WATCHDOG=1")
        self.runs_after("ssh-mfa-enforced", time.time())
        status = d.wait_note("STATUS=1 controls")
        self.assertRegex(status[-1], r"^STATUS=1 controls, 0 failing, \d probes? running, next run in")
        with open(os.path.join(self.tmp, "complyd.prom")) as f:
            metrics = f.read()
        check_exposition_format(self, metrics)
        self.assertIn("# TYPE complyd_control_status gauge", metrics)
        self.assertIn('complyd_control_status{control="ssh-mfa-enforced",severity="high"} 1', metrics)
        self.assertRegex(metrics, r'complyd_probe_duration_seconds\{probe="mfa"\} \d+\.\d+')
        self.assertEqual(d.stop(), 0)
        self.assertIn("STOPPING=1", d.read_notes())

    def test_reload_keeps_a_good_config_over_a_bad_one(self):
        self.configure()
        d = self.start()
        self.runs_after("ssh-mfa-enforced", time.time())
        good = open(self.config).read()
        with open(self.config, "a") as f:
            f.write("probe_timeout: soon\nfrobnicate: true\n")
        n = len(d.read_notes())
        d.proc.send_signal(signal.SIGHUP)
        d.wait_note("RELOADING=1", after=n)
        d.wait_note("READY=1", after=n)
        wait_for(lambda: "running configuration stays in force" in d.output(), 10, what="the reload failure")
        out = d.output()
        bad_lines = len(good.splitlines())
        self.assertIn("%s:%d:16: " % (self.config, bad_lines + 1), out)
        self.assertIn("%s:%d:1: " % (self.config, bad_lines + 2), out)
        self.assertIsNone(d.proc.poll(), "still running")
        self.runs_after("ssh-mfa-enforced", time.time())

        self.configure(keep=("ssh-mfa-enforced", "root-fs-encrypted"))
        n = len(d.read_notes())
        d.proc.send_signal(signal.SIGHUP)
        d.wait_note("READY=1", after=n)
        d.wait_note("STATUS=2 controls", after=n)
        self.assertEqual(d.stop(), 0)

    def test_sigterm_while_a_probe_hangs(self):
        self.add_probe("sleeper")
        self.add_controls("hang.yaml", "- id: hangs\n  title: a probe that hangs\n  probe: sleeper\n"
                                       "  interval: 1s\n  expect: { path: x, exists: true }\n")
        self.configure(keep=("hangs",), extra="probes:\n  sleeper:\n    timeout: 60s\n")
        d = self.start()
        sleeper = wait_for(lambda: subprocess.run(["pgrep", "-f", "^sleep 1000$"], capture_output=True,
                                                  text=True).stdout.split(), 10, what="the hanging probe")
        start = time.monotonic()
        self.assertEqual(d.stop(timeout=5), 0)
        self.assertLess(time.monotonic() - start, 5)
        for pid in sleeper:
            self.assertFalse(process_alive(int(pid)), "the hanging probe was killed")

    @unittest.skipUnless(os.path.exists(os.path.join(BUILD_DIR, "asan", "complyd")), "no ASan build")
    def test_many_cycles_under_asan_leak_nothing(self):
        """The daemon under ASan+LSan, every probe every second for a while:
        no leak, no memory error, a clean exit."""
        ids = [i for i in self.builtin_ids if i in ("ssh-mfa-enforced", "root-fs-encrypted", "data-fs-encrypted")]
        self.configure(keep=ids)
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
                   UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
        p = subprocess.Popen([os.path.join(BUILD_DIR, "asan", "complyd"), "run", "--config", self.config,
                              "--root", self.root], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
        time.sleep(8)
        p.send_signal(signal.SIGTERM)
        out = p.communicate(timeout=30)[0]
        self.assertNotIn("Sanitizer", out, out[-3000:])
        self.assertEqual(p.returncode, 0, out[-3000:])
        runs = self.state()["ssh-mfa-enforced"]["streak"]
        self.assertGreaterEqual(runs, 4, "the probes ran repeatedly")

    def test_a_hanging_webhook_delays_no_probe(self):
        self.collector.set_faults([{"hang": 60}])
        ticks = os.path.join(self.tmp, "ticks")
        with open(os.path.join(self.probe_dir, "ticker"), "w") as f:
            f.write("#!/bin/sh\necho tick >> %s\necho '{\"ok\": false}'\n" % ticks)
        os.chmod(os.path.join(self.probe_dir, "ticker"), 0o755)
        self.add_controls("tick.yaml", "- id: ticks\n  title: fails at once, so its alert hangs\n"
                                       "  probe: ticker\n  interval: 1s\n  expect: { path: ok, equals: true }\n")
        self.configure(keep=("ticks",))
        d = self.start()
        wait_for(lambda: self.collector.requests(), 20, what="the webhook request that hangs")
        hung_at = len(open(ticks).read().split())
        wait_for(lambda: len(open(ticks).read().split()) >= hung_at + 3, 30,
                 what="three more probe runs while the webhook hangs")
        self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main()
