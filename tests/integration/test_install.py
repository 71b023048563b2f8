"""make install honours PREFIX and DESTDIR and lays out what a service
needs: the binary, the unit pointing at it, the sysusers snippet, the
configuration, the probe ABI header and the examples."""
import os
import shutil
import subprocess
import tempfile
import unittest

from helpers import TOP


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


if __name__ == "__main__":
    unittest.main()
