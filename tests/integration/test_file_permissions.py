# SPDX-License-Identifier: MIT
"""Oracle for the file_permissions probe: for every file it reports on this
machine, os.lstat() (what `stat` prints) gives the same existence, type,
owner and group names (pwd/grp on the local files) and mode. Then the
default controls on a temporary root built with a stock Debian 12 layout
(all pass) and with loosened permissions (each fails, naming the file)."""
import grp
import json
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import unittest

COMPLYD = os.environ.get("COMPLYD", "build/complyd")
FIX = "tests/fixtures/hosts/perms-debian"


def probe(root=None):
    argv = [COMPLYD, "probe", "file_permissions"] + (["--root", root] if root else [])
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError("%s: %s" % (" ".join(argv), r.stderr))
    return json.loads(r.stdout)


def check(root, control):
    r = subprocess.run([COMPLYD, "check", "--root", root, "--control", control, "--format",
                        "json"], capture_output=True, text=True, timeout=60)
    if r.returncode not in (0, 1):
        raise AssertionError("complyd check: %s" % r.stderr)
    res = json.loads(r.stdout)["results"][0]
    return res["status"], [f.get("subject") for f in res.get("failures", [])]


class LiveHost(unittest.TestCase):
    def test_matches_lstat(self):
        obs = probe()
        self.assertGreaterEqual(len(obs["files"]), 18)
        for f in obs["files"]:
            with self.subTest(path=f["path"]):
                try:
                    st = os.lstat(f["path"])
                except FileNotFoundError:
                    self.assertFalse(f["exists"])
                    continue
                self.assertTrue(f["exists"])
                self.assertEqual(f["uid"], st.st_uid)
                self.assertEqual(f["gid"], st.st_gid)
                self.assertEqual(f["owner"], pwd.getpwuid(st.st_uid).pw_name)
                self.assertEqual(f["group"], grp.getgrgid(st.st_gid).gr_name)
                self.assertEqual(f["mode"], "%04o" % stat.S_IMODE(st.st_mode))
                self.assertEqual(f["mode_int"], stat.S_IMODE(st.st_mode))
                kind = ("directory" if stat.S_ISDIR(st.st_mode) else "file"
                        if stat.S_ISREG(st.st_mode) else "symlink"
                        if stat.S_ISLNK(st.st_mode) else "other")
                self.assertEqual(f["type"], kind)


@unittest.skipUnless(os.geteuid() == 0, "creating root:shadow files needs root")
class Controls(unittest.TestCase):
    LAYOUT = {  # path: (mode, group, is_dir) of a stock Debian 12 host, CIS-tightened cron
        "/etc/passwd": (0o644, "root", False), "/etc/group": (0o644, "root", False),
        "/etc/shadow": (0o640, "shadow", False), "/etc/gshadow": (0o640, "shadow", False),
        "/etc/sudoers": (0o440, "root", False), "/etc/crontab": (0o600, "root", False),
        "/etc/cron.d": (0o700, "root", True), "/etc/cron.daily": (0o700, "root", True),
        "/etc/ssh/sshd_config": (0o600, "root", False),
        "/etc/ssh/ssh_host_ed25519_key": (0o600, "root", False),
        "/var/lib/complyd": (0o700, "root", True), "/var/lib/complyd/key": (0o600, "root", False),
    }

    def make(self, changes):
        root = tempfile.mkdtemp(prefix="complyd-perms-")
        self.addCleanup(shutil.rmtree, root)
        os.makedirs(root + "/etc/ssh")
        os.makedirs(root + "/var/lib")
        shutil.copy(FIX + "/etc/passwd", root + "/etc/passwd")
        shutil.copy(FIX + "/etc/group", root + "/etc/group")
        layout = dict(self.LAYOUT, **changes)
        for path in sorted(layout):
            mode, group, is_dir = layout[path]
            p = root + path
            if is_dir:
                os.makedirs(p, exist_ok=True)
            elif not os.path.exists(p):
                open(p, "w").close()
            os.chown(p, 0, 42 if group == "shadow" else 0)   # gid 42 = shadow in the fixture
            os.chmod(p, mode)
        return root

    def test_stock_layout_passes(self):
        root = self.make({})
        for c in ("account-files-permissions", "ssh-keys-permissions", "cron-permissions",
                  "sudoers-permissions", "complyd-key-permissions"):
            self.assertEqual(check(root, c), ("pass", []), c)

    def test_loosened_layout_fails(self):
        root = self.make({"/etc/shadow": (0o644, "shadow", False),
                          "/etc/passwd": (0o664, "root", False),
                          "/etc/ssh/ssh_host_ed25519_key": (0o640, "root", False),
                          "/etc/cron.d": (0o755, "root", True),
                          "/etc/sudoers": (0o640, "root", False),
                          "/var/lib/complyd/key": (0o644, "root", False)})
        self.assertEqual(check(root, "account-files-permissions"), ("fail", [
            "/etc/passwd is root:root mode 0664, expected root:root and at most 0644",
            "/etc/shadow is root:shadow mode 0644, expected root:shadow (or root:root) and at "
            "most 0640"]))
        self.assertEqual(check(root, "ssh-keys-permissions"), ("fail", [
            "/etc/ssh/ssh_host_ed25519_key is root:root mode 0640, expected root:root and at "
            "most 0600"]))
        self.assertEqual(check(root, "cron-permissions")[1], [
            "/etc/cron.d is root:root mode 0755, expected root:root and at most 0600 (file) or "
            "0700 (directory)"])
        self.assertEqual(check(root, "sudoers-permissions")[0], "fail")
        self.assertEqual(check(root, "complyd-key-permissions"), ("fail", [
            "/var/lib/complyd/key is owned by root with mode 0644, expected root and at most "
            "0700 (directory) or 0600 (key)"]))

    def test_absent_families_not_applicable(self):
        root = self.make({})
        for p in ("/etc/sudoers", "/var/lib/complyd/key"):
            os.unlink(root + p)
        os.rmdir(root + "/var/lib/complyd")
        shutil.rmtree(root + "/etc/ssh")
        for c in ("ssh-keys-permissions", "sudoers-permissions", "complyd-key-permissions"):
            self.assertEqual(check(root, c)[0], "not_applicable", c)


if __name__ == "__main__":
    unittest.main()
