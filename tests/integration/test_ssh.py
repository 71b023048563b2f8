# SPDX-License-Identifier: MIT
"""Oracle for the ssh probe: `sshd -T -f CONFIG -h KEY` (OpenSSH 9.2p1 as
Debian 12 builds it) on every configuration under tests/fixtures/sshd/
must print exactly what `complyd probe ssh --root FIXTURE` reports in
`effective`, keyword by keyword, and the probe must report no keyword that
sshd -T does not print.

sshd is never started as a service: it only parses and prints (-T). It
needs a privilege-separation user `sshd`, the directory /run/sshd and the
configuration at /etc/ssh (so that Include resolves as on a real host), so
each run happens in a private mount namespace (`unshare -m`, root only)
where a copy of /etc/passwd with that user, a tmpfs on /run and the
fixture's etc/ssh are bind-mounted; nothing changes on the host. The host
key is generated per test run with ssh-keygen into a temporary directory.

sshd comes from $SSHD, else build/openssh/usr/sbin/sshd (`make deps`
extracts openssh-server and libwrap0 there with dpkg-deb, never
installing the service), else /usr/sbin/sshd."""
import glob
import json
import os
import shutil
import subprocess
import tempfile
import unittest

COMPLYD = os.environ.get("COMPLYD", "build/complyd")
FIXTURES = "tests/fixtures/sshd"
LOCAL = "build/openssh"


def find_sshd():
    for p in (os.environ.get("SSHD"), LOCAL + "/usr/sbin/sshd", "/usr/sbin/sshd"):
        if p and os.access(p, os.X_OK):
            return os.path.abspath(p)
    return None


SSHD = find_sshd()
UNSHARE = shutil.which("unshare")
KEYGEN = shutil.which("ssh-keygen")
SKIP = (None if SSHD and UNSHARE and KEYGEN and os.geteuid() == 0 else
        "needs root, unshare, ssh-keygen and sshd (make deps extracts openssh-server "
        "into build/openssh)")


def run_probe(root):
    r = subprocess.run([COMPLYD, "probe", "ssh", "--root", root], capture_output=True,
                       text=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError("complyd probe ssh --root %s: %s" % (root, r.stderr))
    return json.loads(r.stdout)


class SshdOracle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if SKIP:
            raise unittest.SkipTest(SKIP)
        cls.tmp = tempfile.mkdtemp(prefix="complyd-sshd-")
        cls.key = os.path.join(cls.tmp, "ssh_host_ed25519_key")
        subprocess.run([KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", cls.key], check=True,
                       stdout=subprocess.DEVNULL)
        cls.passwd = os.path.join(cls.tmp, "passwd")
        with open("/etc/passwd") as src, open(cls.passwd, "w") as dst:
            text = src.read()
            dst.write(text)
            if not any(l.startswith("sshd:") for l in text.splitlines()):
                dst.write("sshd:x:64999:65534::/run/sshd:/usr/sbin/nologin\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def sshd_t(self, root):
        """(exit status, stdout lines, stderr) of sshd -T on the fixture root."""
        env = dict(os.environ)
        libdir = os.path.abspath(LOCAL + "/usr/lib/x86_64-linux-gnu")
        if SSHD.startswith(os.path.abspath(LOCAL)) and os.path.isdir(libdir):
            env["LD_LIBRARY_PATH"] = libdir
        script = ('mount --bind "$1" /etc/passwd && mount -t tmpfs none /run && '
                  'mkdir -m 0755 /run/sshd && mount --bind "$2" /etc/ssh && '
                  'exec "$3" -T -f /etc/ssh/sshd_config -h "$4"')
        r = subprocess.run([UNSHARE, "-m", "sh", "-c", script, "sh", self.passwd,
                            os.path.abspath(root + "/etc/ssh"), SSHD, self.key],
                           capture_output=True, text=True, env=env, timeout=60)
        return r.returncode, r.stdout.splitlines(), r.stderr

    def compare(self, root):
        rc, lines, err = self.sshd_t(root)
        self.assertEqual(rc, 0, "sshd -T refused %s: %s" % (root, err))
        obs = run_probe(root)
        eff = obs["effective"]
        self.assertEqual(obs["config_errors"], [], root)
        printed = {}
        for line in lines:
            key, _, value = line.partition(" ")
            printed.setdefault(key, []).append(value)
        # -h puts the generated key first; config HostKey lines follow it,
        # and without any the probe reports the compiled-in defaults
        hostkeys = printed.pop("hostkey")
        self.assertEqual(hostkeys[0], self.key)
        if hostkeys[1:]:
            self.assertEqual(eff["hostkey"], hostkeys[1:], root)
        compared = 0
        for key, values in printed.items():
            if key not in eff:
                continue
            want = values if isinstance(eff[key], list) else values[0]
            self.assertEqual(len(values) > 1 and not isinstance(eff[key], list), False,
                             "%s: %s printed %d times" % (root, key, len(values)))
            self.assertEqual(eff[key], want, "%s: %s" % (root, key))
            compared += 1
        extra = set(eff) - set(printed) - {"hostkey"}
        self.assertEqual(extra, set(), "%s: reported but not printed by sshd -T" % root)
        return compared

    def test_every_fixture(self):
        roots = sorted(glob.glob(FIXTURES + "/[0-9]*"))
        self.assertGreaterEqual(len(roots), 20)
        for root in roots:
            with self.subTest(root=root):
                self.assertGreaterEqual(self.compare(root), 80)

    def test_mfa_fixtures(self):
        """The mfa probe's fixture roots (Include order, Match blocks, Match
        all) through the same parser: what sshd accepts matches sshd -T, and
        every root the mfa probe says sshd refuses, sshd refuses."""
        roots = sorted(glob.glob(os.path.join(os.path.dirname(FIXTURES), "hosts", "mfa-*")))
        compared = 0
        for root in roots:
            if not os.path.exists(root + "/etc/ssh/sshd_config"):
                continue
            with self.subTest(root=root):
                rc, _, err = self.sshd_t(root)
                mfa = json.loads(subprocess.run([COMPLYD, "probe", "mfa", "--root", root],
                                                capture_output=True, text=True, timeout=60).stdout)
                refused = "refuses to start" in (mfa["ssh"]["enforcement_reason"] or "")
                self.assertEqual(rc != 0, refused, "%s: sshd said %r" % (root, err))
                if rc == 0:
                    self.assertGreaterEqual(self.compare(root), 80)
                    compared += 1
        self.assertGreaterEqual(compared, 10)

    def test_refused_configs_are_errors(self):
        """Every configuration sshd refuses is reported with config_errors."""
        for root in sorted(glob.glob(FIXTURES + "/bad-*")):
            with self.subTest(root=root):
                rc, _, err = self.sshd_t(root)
                self.assertNotEqual(rc, 0, "sshd -T accepted %s" % root)
                obs = run_probe(root)
                self.assertNotEqual(obs["config_errors"], [], "%s: sshd said %s" % (root, err))



def check(root, control):
    """(status, subjects) of one control on a fixture root."""
    r = subprocess.run([COMPLYD, "check", "--root", root, "--control", control, "--format",
                        "json"], capture_output=True, text=True, timeout=60)
    if r.returncode not in (0, 1):
        raise AssertionError("complyd check: %s" % r.stderr)
    res = json.loads(r.stdout)["results"][0]
    return res["status"], [f.get("subject") for f in res.get("failures", [])]


class SshControls(unittest.TestCase):
    """The default ssh controls on the ssh-* fixture roots (no sshd needed)."""
    H = "tests/fixtures/hosts/"

    def test_hardened_passes(self):
        for c in ("ssh-root-login-disabled", "ssh-no-empty-passwords", "ssh-no-weak-algorithms"):
            self.assertEqual(check(self.H + "ssh-hardened", c)[0], "pass", c)

    def test_weak_fails_with_reasons(self):
        self.assertEqual(check(self.H + "ssh-weak", "ssh-root-login-disabled")[0], "fail")
        self.assertEqual(check(self.H + "ssh-weak", "ssh-no-empty-passwords")[0], "fail")
        status, subjects = check(self.H + "ssh-weak", "ssh-no-weak-algorithms")
        self.assertEqual(status, "fail")
        self.assertIn("ciphers allows 3des-cbc: 3DES: 64-bit block cipher (Sweet32), CBC mode",
                      subjects)
        self.assertIn("kexalgorithms allows diffie-hellman-group1-sha1: 1024-bit Oakley group 2 "
                      "with SHA-1 (Logjam)", subjects)
        self.assertTrue(any(s.startswith("hostkeyalgorithms allows ssh-rsa:") for s in subjects))

    def test_match_block_reenabling_root_fails(self):
        status, subjects = check(self.H + "ssh-match-root", "ssh-root-login-disabled")
        self.assertEqual(status, "fail")
        self.assertEqual(subjects, ["Match Address 10.20.0.0/16 (/etc/ssh/sshd_config:10) lets "
                                    "root log in"])
        status, subjects = check(self.H + "ssh-match-root", "ssh-no-empty-passwords")
        self.assertEqual((status, subjects), ("fail", ["Match User kiosk "
                         "(/etc/ssh/sshd_config:12) permits empty passwords"]))
        self.assertEqual(check(self.H + "ssh-match-root", "ssh-no-weak-algorithms")[0], "pass")

    def test_no_sshd_not_applicable(self):
        for c in ("ssh-root-login-disabled", "ssh-no-empty-passwords", "ssh-no-weak-algorithms"):
            self.assertEqual(check(self.H + "ssh-no-sshd", c)[0], "not_applicable", c)


if __name__ == "__main__":
    unittest.main()
