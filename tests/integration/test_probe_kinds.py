"""The three ways to add a probe: built-in, a shared object in a probe
directory (ABI checked), an executable in a probe directory."""
import json
import os
import shutil
import subprocess
import unittest

from helpers import BUILD, TOP, TempHost

BAD_ABI_SO = r"""
#include <complyd/probe.h>
static int observe(const struct complyd_probe_ctx *c, json_t **o) { *o = json_object(); return 0; }
COMPLYD_PROBE_EXPORT = { .abi_version = 99, .name = "from_the_future", .version = "9",
                         .description = "built against a newer ABI", .observe = observe };
"""


class ProbeKindsTest(TempHost):

    def so_path(self):
        return os.path.join(TOP, BUILD, "probes", "login_banner.so")

    def test_builtin_probe_runs_supervised(self):
        p = self.complyd("probe", "hostinfo")
        self.assertEqual(p.returncode, 0, p.stderr)
        o = json.loads(p.stdout)
        self.assertEqual(o["schema"], "complyd.hostinfo.v1")
        with open("/proc/sys/kernel/osrelease") as f:
            self.assertEqual(o["kernel"], f.read().strip())

    def test_shared_object_probe_is_loaded_from_probe_dirs(self):
        shutil.copy(self.so_path(), self.probe_dir)
        os.makedirs(os.path.join(self.tmp, "root", "etc"))
        with open(os.path.join(self.tmp, "root", "etc", "issue"), "w") as f:
            f.write("Debian GNU/Linux 12 \\n \\l\n")
        p = self.complyd("probe", "login_banner", "--root", os.path.join(self.tmp, "root"))
        self.assertEqual(p.returncode, 0, p.stderr)
        o = json.loads(p.stdout)
        issue = o["banners"][0]
        self.assertEqual((issue["path"], issue["exists"], issue["names_os"], issue["os_escapes"]),
                         ("/etc/issue", True, True, False))
        self.assertFalse(o["banners"][1]["exists"])

    def test_shared_object_parameters_are_validated(self):
        shutil.copy(self.so_path(), self.probe_dir)
        self.write_config("probes:\n  login_banner:\n    params: { colour: blue }\n")
        p = self.complyd("validate")
        self.assertEqual(p.returncode, 1)
        self.assertIn("colour", p.stderr)
        self.assertIn("files", p.stderr, "the error lists the valid parameters")

    def test_abi_mismatch_names_the_file(self):
        src = os.path.join(self.tmp, "bad.c")
        with open(src, "w") as f:
            f.write(BAD_ABI_SO)
        so = os.path.join(self.probe_dir, "from_the_future.so")
        cflags = subprocess.run(["pkg-config", "--cflags", "jansson"], capture_output=True, text=True).stdout.split()
        subprocess.run(["cc", "-shared", "-fPIC", "-I", os.path.join(TOP, "include"), *cflags, "-o", so, src],
                       check=True)
        p = self.complyd("validate")
        self.assertEqual(p.returncode, 1)
        self.assertIn(so + ": probe ABI version 99, but this complyd supports version 1", p.stderr)

    def test_executable_probe_is_named_by_its_file(self):
        shutil.copy(os.path.join(TOP, "examples", "probes", "cron_access", "cron_access"), self.probe_dir)
        root = os.path.join(self.tmp, "root")
        os.makedirs(os.path.join(root, "etc"))
        open(os.path.join(root, "etc", "cron.allow"), "w").close()
        os.chmod(os.path.join(root, "etc", "cron.allow"), 0o600)
        p = self.complyd("probe", "cron_access", "--root", root)
        self.assertEqual(p.returncode, 0, p.stderr)
        files = {f["path"]: f for f in json.loads(p.stdout)["files"]}
        self.assertEqual(files["/etc/cron.allow"]["mode"], "600")
        self.assertFalse(files["/etc/at.allow"]["exists"])

    def test_world_writable_probe_is_refused(self):
        path = self.add_probe("ok_probe")
        os.chmod(path, 0o757)
        p = self.complyd("validate")
        self.assertEqual(p.returncode, 1)
        self.assertIn(path + ": refusing probe: writable by group or others", p.stderr)

    def test_probe_list_shows_all_three_kinds(self):
        shutil.copy(self.so_path(), self.probe_dir)
        self.add_probe("ok_probe")
        p = self.complyd("probe", "--list")
        self.assertEqual(p.returncode, 0, p.stderr)
        kinds = {line.split()[0]: line.split()[1] for line in p.stdout.splitlines() if not line.startswith(" ")}
        self.assertEqual(kinds["hostinfo"], "built-in")
        self.assertEqual(kinds["login_banner"], "shared")
        self.assertEqual(kinds["ok_probe"], "script")


if __name__ == "__main__":
    unittest.main()
