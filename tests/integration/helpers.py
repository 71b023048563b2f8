"""Shared by the integration tests: where the binary is, temporary
configurations, probe directories and control files, and running complyd."""
import json
import os
import shutil
import subprocess
import tempfile
import sys
import time
import unittest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", "build")
COMPLYD = os.path.abspath(os.path.join(TOP, os.environ.get("COMPLYD", os.path.join(BUILD, "complyd"))))
TEST_PROBES = os.path.join(TOP, "tests", "probes")
FIXTURES = os.path.join(TOP, "tests", "fixtures")


def run(*args, timeout=120, env=None, **kw):
    """Runs complyd with args; returns the CompletedProcess (text)."""
    e = dict(os.environ)
    e.pop("NOTIFY_SOCKET", None)
    e["NO_COLOR"] = "1"
    if env:
        e.update(env)
    return subprocess.run([COMPLYD, *args], capture_output=True, text=True, timeout=timeout, env=e, **kw)


class TempHost(unittest.TestCase):
    """A test case with a fresh temporary directory holding a config file,
    a probe directory and a controls directory."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="complyd-test-")
        os.chmod(self.tmp, 0o755)
        self.probe_dir = os.path.join(self.tmp, "probes")
        self.controls_dir = os.path.join(self.tmp, "controls.d")
        os.mkdir(self.probe_dir, 0o755)
        os.mkdir(self.controls_dir, 0o755)
        self.config = os.path.join(self.tmp, "complyd.yaml")
        self.write_config("")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write_config(self, extra):
        """The config: our probe and controls directories, plus extra YAML."""
        with open(self.config, "w") as f:
            f.write("probe_dirs: [%s]\ncontrols_dirs: [%s]\nstate_dir: %s\n%s"
                    % (self.probe_dir, self.controls_dir, os.path.join(self.tmp, "state"), extra))

    def add_probe(self, name, source=None):
        """Copies tests/probes/<name> (or source) into the probe directory."""
        dst = os.path.join(self.probe_dir, name)
        shutil.copy(source or os.path.join(TEST_PROBES, name), dst)
        os.chmod(dst, 0o755)
        return dst

    def add_controls(self, filename, text):
        with open(os.path.join(self.controls_dir, filename), "w") as f:
            f.write(text)

    def complyd(self, *args, **kw):
        return run(*args, "--config", self.config, **kw)

    def check_json(self, *args, **kw):
        """complyd check --format json; returns (exit code, {id: result})."""
        p = self.complyd("check", "--format", "json", *args, **kw)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        doc = json.loads(p.stdout)
        return p.returncode, {r["id"]: r for r in doc["results"]}


def process_alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


class Collector:
    """The HTTPS test collector (tests/collector/collector.py) on 127.0.0.1,
    with certificates made by make_certs.sh."""

    def __init__(self, workdir, token=None, faults=None, cert="server", client_ca=False):
        self.dir = os.path.join(workdir, "collector")
        self.certs = os.path.join(self.dir, "certs")
        self.records = os.path.join(self.dir, "records")
        self.faults = os.path.join(self.dir, "faults.json")
        os.makedirs(self.records)
        subprocess.run([os.path.join(TOP, "tests", "collector", "make_certs.sh"), self.certs], check=True,
                       capture_output=True)
        with open(self.faults, "w") as f:
            json.dump(faults or [], f)
        port_file = os.path.join(self.dir, "port")
        args = [sys.executable, os.path.join(TOP, "tests", "collector", "collector.py"),
                "--cert", os.path.join(self.certs, cert + ".crt"), "--key", os.path.join(self.certs, cert + ".key"),
                "--record-dir", self.records, "--faults", self.faults, "--port-file", port_file]
        if token:
            args += ["--token", token]
        if client_ca:
            args += ["--client-ca", os.path.join(self.certs, "ca.crt")]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while not (os.path.exists(port_file) and os.path.getsize(port_file)):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("collector did not start")
            time.sleep(0.05)
        with open(port_file) as f:
            self.port = int(f.read())
        self.url = "https://127.0.0.1:%d" % self.port
        self.ca = os.path.join(self.certs, "ca.crt")

    def set_faults(self, faults):
        with open(self.faults + ".tmp", "w") as f:
            json.dump(faults, f)
        os.rename(self.faults + ".tmp", self.faults)

    def requests(self):
        """Every request recorded so far, in order."""
        out = []
        for name in sorted(os.listdir(self.records)):
            if name.endswith(".json"):
                with open(os.path.join(self.records, name)) as f:
                    out.append(json.load(f))
        return out

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def wait_for(predicate, timeout=30, interval=0.05, what="condition"):
    """Polls predicate until it returns something true; returns it, or fails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))
