"""make install honours PREFIX and DESTDIR and lays out what a service
needs: the binary, the unit pointing at it, the sysusers snippet, the
configuration, the probe ABI header and the examples."""
import os
import shutil
import subprocess
import tempfile
import unittest

from helpers import COMPLYD, TOP


class InstallTest(unittest.TestCase):

    def test_install_into_destdir(self):
        dest = tempfile.mkdtemp(prefix="complyd-install-")
        try:
            p = subprocess.run(["make", "-s", "-C", TOP, "install", "PREFIX=/usr", "DESTDIR=" + dest],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            binary = os.path.join(dest, "usr/sbin/complyd")
            self.assertTrue(os.access(binary, os.X_OK))
            self.assertRegex(subprocess.run([binary, "--version"], capture_output=True, text=True).stdout,
                             r"^complyd \d")
            with open(os.path.join(dest, "usr/lib/systemd/system/complyd.service")) as f:
                self.assertIn("ExecStart=/usr/sbin/complyd run\n", f.read())
            for path in ("usr/lib/sysusers.d/complyd.conf", "etc/complyd/complyd.yaml",
                         "usr/include/complyd/probe.h", "usr/share/doc/complyd/README.md",
                         "usr/share/doc/complyd/examples/probes/cron_access",
                         "usr/share/doc/complyd/examples/probes/login_banner.so",
                         "usr/share/man/man8/complyd.8", "usr/share/man/man5/complyd.yaml.5",
                         "usr/share/man/man5/complyd.controls.5", "usr/share/man/man7/complyd-probes.7"):
                self.assertTrue(os.path.exists(os.path.join(dest, path)), path)
            self.assertTrue(os.path.isdir(os.path.join(dest, "etc/complyd/controls.d")))
            # the shipped configuration is valid as installed
            v = subprocess.run([binary, "validate", "--config", os.path.join(dest, "etc/complyd/complyd.yaml")],
                               capture_output=True, text=True)
            self.assertEqual(v.returncode, 0, v.stderr)
        finally:
            shutil.rmtree(dest)


class LibcryptoOnDemandTest(unittest.TestCase):
    """libcrypto costs about 1 ms of relocations at every exec; complyd maps
    it only when it hashes or signs (probes/lib/crypto_dl.c)."""

    def test_binary_does_not_depend_on_libcrypto(self):
        out = subprocess.run(["readelf", "-d", COMPLYD], capture_output=True, text=True, check=True).stdout
        needed = [l for l in out.splitlines() if "(NEEDED)" in l]
        self.assertTrue(any("libc.so" in l for l in needed), out)
        self.assertFalse([l for l in needed if "libcrypto" in l])

    def test_commands_that_sign_nothing_never_load_it(self):
        env = dict(os.environ, LD_DEBUG="files")
        for args in (["validate"], ["probe", "hostinfo"]):
            out = subprocess.run([COMPLYD, *args], capture_output=True, text=True, env=env)
            self.assertEqual(out.returncode, 0, out.stderr[-2000:])
            self.assertIn("file=libc.so.6", out.stderr)  # LD_DEBUG did report the loads
            self.assertNotIn("libcrypto", out.stderr, args)


if __name__ == "__main__":
    unittest.main()
