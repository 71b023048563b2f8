# SPDX-License-Identifier: MIT
"""Oracle for the accounts probe on this machine: `getent -s files` for
passwd, group and shadow (the local files, the ones the probe reads) must
describe the same accounts, groups, password states and aging fields as
`complyd probe accounts` — and no password hash of this machine may appear
in the probe's output. Then the default accounts controls on the fixture
roots: a clean Debian 12 host passes them all, a neglected one fails each
with the offending account named."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

COMPLYD = os.environ.get("COMPLYD", "build/complyd")
GETENT = shutil.which("getent")
H = "tests/fixtures/hosts/"


def probe(root=None):
    argv = [COMPLYD, "probe", "accounts"] + (["--root", root] if root else [])
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError("%s: %s" % (" ".join(argv), r.stderr))
    return json.loads(r.stdout), r.stdout


def getent(db):
    r = subprocess.run([GETENT, "-s", "files", db], capture_output=True, text=True, timeout=30)
    if r.returncode not in (0, 2):
        raise AssertionError("getent %s: %s" % (db, r.stderr))
    return [l.split(":") for l in r.stdout.splitlines() if l]


def state(field):
    """The password state a shadow field means (see accounts.h)."""
    if field == "":
        return "none"
    h = field.lstrip("!")
    hashed = h.startswith("$") and h.count("$") >= 3 and len(h.split("$")[-1]) > 0
    hashed = hashed or (len(h) == 13 and h.replace(".", "").replace("/", "").isalnum())
    if not hashed:
        return "disabled"
    return "set" if h == field else "locked"


def num(s):
    return int(s) if s != "" else None


@unittest.skipUnless(GETENT, "getent not found")
class LiveHost(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.obs, cls.text = probe()
        cls.users = {u["name"]: u for u in cls.obs["users"]}

    def test_passwd_matches_getent(self):
        want = {f[0]: (int(f[2]), int(f[3]), f[5], f[6]) for f in getent("passwd")}
        got = {n: (u["uid"], u["gid"], u["home"], u["shell"]) for n, u in self.users.items()}
        self.assertEqual(got, want)

    def test_groups_match_getent(self):
        want = {f[0]: (int(f[2]), [m for m in f[3].split(",") if m]) for f in getent("group")}
        got = {g["name"]: (g["gid"], g["members"]) for g in self.obs["groups"]}
        self.assertEqual(got, want)

    def test_shadow_matches_getent_without_hashes(self):
        if os.geteuid() != 0:
            self.skipTest("reading /etc/shadow needs root")
        rows = getent("shadow")
        self.assertTrue(self.obs["shadow_readable"])
        for f in rows:
            with self.subTest(user=f[0]):
                if f[0] not in self.users:
                    continue
                sh = self.users[f[0]]["shadow"]
                self.assertEqual(sh["password"], state(f[1]))
                self.assertEqual((sh["last_change"], sh["min_days"], sh["max_days"],
                                  sh["warn_days"], sh["inactive_days"], sh["expire"]),
                                 tuple(num(x) for x in f[2:8]))
                h = f[1].lstrip("!")
                if len(h) > 8:
                    self.assertNotIn(h, self.text)        # never a hash
                    self.assertNotIn(h.split("$")[-1], self.text)

    def test_uid0_and_login_defs(self):
        self.assertEqual(self.obs["uid0_users"],
                         [f[0] for f in getent("passwd") if f[2] == "0"])
        with open("/etc/login.defs") as f:
            for line in f:
                w = line.split()
                if len(w) == 2 and w[0] == "PASS_MAX_DAYS":
                    self.assertEqual(self.obs["login_defs"]["pass_max_days"], int(w[1]))


def check(root, control, config=None):
    r = subprocess.run([COMPLYD, "check", "--root", root, "--control", control, "--format",
                        "json"] + (["--config", config] if config else []),
                       capture_output=True, text=True, timeout=60)
    if r.returncode not in (0, 1):
        raise AssertionError("complyd check: %s" % r.stderr)
    res = json.loads(r.stdout)["results"][0]
    return res["status"], [f.get("subject") for f in res.get("failures", [])]


CONTROLS = ["only-root-has-uid0", "no-empty-passwords", "password-max-age",
            "no-nopasswd-sudo-for-humans", "passwords-shadowed", "no-duplicate-uids"]


class Controls(unittest.TestCase):
    def test_clean_host_passes_all(self):
        for c in CONTROLS:
            self.assertEqual(check(H + "accounts-clean", c), ("pass", []), c)

    def test_neglected_host_fails_each(self):
        bad = H + "accounts-bad"
        self.assertEqual(check(bad, "only-root-has-uid0"), ("fail", ["user toor has UID 0"]))
        self.assertEqual(check(bad, "no-empty-passwords"),
                         ("fail", ["user guest has an empty password and the login shell "
                                   "/bin/bash"]))
        status, subjects = check(bad, "password-max-age")
        self.assertEqual(status, "fail")
        self.assertIn("user alice may keep the same password for more than 365 days", subjects)
        self.assertIn("user carol may keep the same password for more than 365 days", subjects)
        self.assertNotIn("user erin may keep the same password for more than 365 days", subjects)
        status, subjects = check(bad, "no-nopasswd-sudo-for-humans")
        self.assertEqual(status, "fail")
        self.assertEqual(sorted(subjects), sorted([
            "carol can use sudo without a password (rule for %admins at /etc/sudoers:12)",
            "dave can use sudo without a password (rule for OPS at /etc/sudoers:13)",
            "erin can use sudo without a password (rule for OPS at /etc/sudoers:13)",
            "legacy can use sudo without a password (rule for legacy at "
            "/etc/sudoers.d/90-cloud-init-users:4)"]))
        self.assertEqual(check(bad, "passwords-shadowed"),
                         ("fail", ["user legacy has a password field that is hash in /etc/passwd"]))
        status, subjects = check(bad, "no-duplicate-uids")
        self.assertEqual(status, "fail")
        self.assertIn("UID 1002 is shared by several accounts", subjects)

    def test_max_days_param(self):
        """max_days 90 in complyd.yaml: the clean host's 365 days fail, bob's
        180 too but bob's password is locked so it does not count."""
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            f.write("controls:\n  password-max-age:\n    params:\n      max_days: 90\n")
            f.flush()
            status, subjects = check(H + "accounts-clean", "password-max-age", f.name)
        self.assertEqual(status, "fail")
        # login.defs' PASS_MAX_DAYS 365 (no subject), then alice
        self.assertEqual(subjects, [None, "user alice may keep the same password for more "
                                          "than 90 days"])


if __name__ == "__main__":
    unittest.main()
