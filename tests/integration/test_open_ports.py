# SPDX-License-Identifier: MIT
"""Oracle for the open_ports probe: `complyd probe open_ports` must list
exactly what `ss -tulnp` lists on this host, as a multiset of
(proto, family, address, port, pid) — one entry per socket and holding
process, a socket no process can be found for counting once with pid None.

The test opens its own sockets (TCP/UDP, IPv4/IPv6, loopback/wildcard, a
v4-mapped address, a socket shared with a child process) on ports the kernel
picks, plus sockets that must NOT be listed (an established TCP pair, a
connected UDP socket, a bound TCP socket that does not listen), and checks
how the probe describes its own sockets. Only loopback traffic is sent.

Other programs on the host may open and close sockets while the test runs,
so ss is run before and after the probe until both agree; when they never
agree the probe's list must lie between their intersection and union."""
import collections
import ipaddress
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

COMPLYD = os.environ.get("COMPLYD", "build/complyd")
SS = shutil.which("ss") or next((p for p in ("/usr/bin/ss", "/bin/ss", "/usr/sbin/ss", "/sbin/ss")
                                 if os.access(p, os.X_OK)), None)
USERS_RE = re.compile(r'\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=\d+\)')


def ipv6_works():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def packed(family, text):
    """Address text (ss or complyd form) -> bytes, so both sides compare exactly."""
    text = text.split("%", 1)[0]            # ss: 127.0.0.53%lo, [fe80::1]%eth0
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if text == "*":                         # ss: wildcard (v6 dual-stack, or ss's v4 "*")
        text = "0.0.0.0" if family == "ipv4" else "::"
    return ipaddress.ip_address(text).packed


def ss_entries():
    """Multiset of (proto, family, address bytes, port, pid) from ss -tulnpH,
    one query per family so that '*' is unambiguous."""
    out = collections.Counter()
    for flag, family in (("-4", "ipv4"), ("-6", "ipv6")):
        r = subprocess.run([SS, "-tulnpH", flag], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise AssertionError("ss %s failed: %s" % (flag, r.stderr))
        for line in r.stdout.splitlines():
            f = line.split()
            if len(f) < 6:
                continue
            host, port = f[4].rsplit(":", 1)
            key = (f[0], family, packed(family, host), int(port))
            pids = sorted({int(m.group(2)) for m in USERS_RE.finditer(line)}) or [None]
            for pid in pids:
                out[key + (pid,)] += 1
    return out


def run_probe(config=None):
    """`complyd probe open_ports`; config: a complyd.yaml path (probe params)."""
    argv = [COMPLYD, "probe", "open_ports"] + (["--config", config] if config else [])
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError("%s exited %d: %s" % (" ".join(argv), r.returncode, r.stderr))
    return json.loads(r.stdout)


def probe_entries(obs):
    out = collections.Counter()
    for l in obs["listeners"]:
        key = (l["proto"], l["family"], packed(l["family"], l["address"]), l["port"])
        for pid in [o["pid"] for o in l["owners"]] or [None]:
            out[key + (pid,)] += 1
    return out


def own_unit():
    """The unit of this process by the probe's documented rule (last
    .service/.socket/.scope component of the cgroup v2 path), or None."""
    with open("/proc/self/cgroup") as f:
        lines = f.read().splitlines()
    path = next((l[3:] for l in lines if l.startswith("0::")), None)
    if path is None:
        path = next((l.split(":", 2)[2] for l in lines if l.split(":")[1:2] == ["name=systemd"]), "")
    for comp in reversed(path.split("/")):
        if len(comp) > 6 and comp.endswith((".service", ".socket", ".scope")) and \
                comp not in (".service", ".socket", ".scope"):
            return comp
    return None


@unittest.skipIf(SS is None, "ss (iproute2) is not installed: no oracle to compare with")
@unittest.skipUnless(os.path.exists("/proc/net/tcp"), "no /proc/net/tcp on this host")
class OpenPortsOracle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.socks, cls.expected, cls.hidden, cls.child = [], [], [], None
        cls.v6 = ipv6_works()
        try:
            cls._open_sockets()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def _bind(cls, family, kind, addr, v6only=None, listen=True, expect=None):
        s = socket.socket(family, kind)
        cls.socks.append(s)
        if v6only is not None:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
        s.bind((addr, 0))
        if listen and kind == socket.SOCK_STREAM:
            s.listen(8)
        port = s.getsockname()[1]
        if expect:
            proto = "tcp" if kind == socket.SOCK_STREAM else "udp"
            fam = "ipv4" if family == socket.AF_INET else "ipv6"
            cls.expected.append((proto, fam, addr, port, expect))
        return s, port

    @classmethod
    def _open_sockets(cls):
        A4, A6, T, U = socket.AF_INET, socket.AF_INET6, socket.SOCK_STREAM, socket.SOCK_DGRAM
        cls._bind(A4, T, "127.0.0.1", expect="loopback")
        cls._bind(A4, T, "0.0.0.0", expect="any")
        cls._bind(A4, U, "127.0.0.1", expect="loopback")
        cls._bind(A4, U, "0.0.0.0", expect="any")
        if cls.v6:
            cls._bind(A6, T, "::1", expect="loopback")
            cls._bind(A6, T, "::", v6only=0, expect="any")
            cls._bind(A6, T, "::", v6only=1, expect="any")
            cls._bind(A6, T, "::ffff:127.0.0.1", v6only=0, expect="loopback")
            cls._bind(A6, U, "::1", expect="loopback")
            cls._bind(A6, U, "::", v6only=0, expect="any")
        # Not listeners: a bound TCP socket that never listens, an established
        # TCP pair, a connected UDP socket.
        _, p = cls._bind(A4, T, "127.0.0.1", listen=False)
        cls.hidden.append(("tcp", p))
        srv, sport = cls._bind(A4, T, "127.0.0.1")
        cls.expected.append(("tcp", "ipv4", "127.0.0.1", sport, "loopback"))
        cli = socket.create_connection(("127.0.0.1", sport), timeout=5)
        cls.socks.append(cli)
        acc, _ = srv.accept()
        cls.socks.append(acc)
        cls.hidden.append(("tcp", cli.getsockname()[1]))
        udp, uport = cls._bind(A4, U, "127.0.0.1", listen=False)
        udp.connect(("127.0.0.1", sport))
        cls.hidden.append(("udp", uport))
        # A listening socket shared with a child process (fork after bind):
        # ss lists both holders, so must the probe.
        shared, cls.shared_port = cls._bind(A4, T, "127.0.0.1", expect="loopback")
        cls.child = subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.stdin.read()"],
            stdin=subprocess.PIPE, pass_fds=[shared.fileno()])

    @classmethod
    def tearDownClass(cls):
        if cls.child:
            cls.child.stdin.close()
            cls.child.wait(timeout=30)
        for s in cls.socks:
            s.close()

    def observe_with_oracle(self, config=None):
        """Probe output and ss's multiset taken right before and after it."""
        for _ in range(5):
            before = ss_entries()
            obs = run_probe(config)
            after = ss_entries()
            if before == after:
                return obs, before, after
        return obs, before, after

    def test_same_sockets_as_ss(self):
        """Default source: netlink sock_diag on the live host."""
        self.check_against_ss(None)

    def test_same_sockets_as_ss_from_proc_net(self):
        """source: proc_net, the path --root fixtures use, on the live host."""
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as cfg:
            cfg.write("probes:\n  open_ports:\n    params:\n      source: proc_net\n")
            cfg.flush()
            obs = self.check_against_ss(cfg.name)
        self.assertEqual(set(obs["sources"].values()) - {"missing"}, {"proc_net"})
        self.assertEqual(obs["sources"]["tcp"], "proc_net")

    def check_against_ss(self, config):
        obs, before, after = self.observe_with_oracle(config)
        ours = probe_entries(obs)
        if before == after:
            self.assertEqual(ours, before,
                             "\nonly complyd: %s\nonly ss: %s" % (ours - before, before - ours))
        else:
            self.assertEqual(ours & (before & after), before & after, "missing from complyd")
            self.assertEqual(ours | (before | after), before | after, "complyd lists extra")
        self.assertEqual(obs["listener_count"], len(obs["listeners"]))
        self.assertFalse(obs["truncated"])
        return obs

    def own(self, obs, proto, family, addr, port):
        want = packed(family, addr)
        found = [l for l in obs["listeners"] if l["proto"] == proto and l["port"] == port and
                 l["family"] == family and packed(family, l["address"]) == want]
        self.assertEqual(len(found), 1, "%s %s port %d: %r" % (proto, addr, port, found))
        return found[0]

    def test_own_sockets_described(self):
        obs = run_probe()
        with open("/proc/self/comm") as f:
            comm = f.read().strip()
        exe = os.readlink("/proc/self/exe")
        user = pwd.getpwuid(os.getuid()).pw_name
        unit = own_unit()
        for proto, family, addr, port, scope in self.expected:
            with self.subTest(proto=proto, addr=addr):
                l = self.own(obs, proto, family, addr, port)
                self.assertEqual(l["pid"], os.getpid())
                self.assertEqual(l["process"], comm)
                self.assertEqual(l["exe"], exe)
                self.assertEqual(l["user"], user)
                self.assertEqual(l["uid"], os.getuid())
                self.assertEqual(l["unit"], unit)
                self.assertEqual(l["scope"], scope)
                self.assertEqual(l["address"], addr)  # inet_ntop form, as opened

    def test_shared_socket_lists_every_holder(self):
        obs = run_probe()
        l = self.own(obs, "tcp", "ipv4", "127.0.0.1", self.shared_port)
        self.assertEqual([o["pid"] for o in l["owners"]], sorted([os.getpid(), self.child.pid]))
        self.assertEqual(l["pid"], min(os.getpid(), self.child.pid))
        with open("/proc/%d/comm" % self.child.pid) as f:
            child_comm = f.read().strip()
        self.assertIn(child_comm, [o["process"] for o in l["owners"]])

    def test_non_listeners_left_out(self):
        obs = run_probe()
        listed = {(l["proto"], l["port"]) for l in obs["listeners"]}
        for proto, port in self.hidden:
            self.assertNotIn((proto, port), listed)


if __name__ == "__main__":
    unittest.main()
