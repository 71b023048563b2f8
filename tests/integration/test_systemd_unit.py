"""The shipped unit file: systemd-analyze verify is clean and the offline
security exposure stays at or below 2.5."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from helpers import COMPLYD, TOP

UNIT = os.path.join(TOP, "systemd", "complyd.service")


@unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
class UnitFileTest(unittest.TestCase):

    def setUp(self):
        # the unit names the installed path; point it at the binary just built
        self.tmp = tempfile.mkdtemp(prefix="complyd-unit-")
        self.unit = os.path.join(self.tmp, "complyd.service")
        with open(UNIT) as f:
            text = f.read().replace("/usr/local/sbin/complyd", COMPLYD)
        with open(self.unit, "w") as f:
            f.write(text)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_verify_is_clean(self):
        p = subprocess.run(["systemd-analyze", "verify", self.unit], capture_output=True, text=True)
        problems = [l for l in (p.stdout + p.stderr).splitlines() if "complyd.service" in l]
        self.assertEqual(problems, [])
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_exposure_is_at_most_2_5(self):
        p = subprocess.run(["systemd-analyze", "security", "--offline=true", "--threshold=25", self.unit],
                           capture_output=True, text=True)
        m = re.search(r"Overall exposure level for complyd.service: (\d+\.\d+)", p.stdout + p.stderr)
        self.assertIsNotNone(m, p.stdout + p.stderr)
        self.assertLessEqual(float(m.group(1)), 2.5)
        self.assertEqual(p.returncode, 0)

    def test_unit_asks_for_what_the_daemon_does(self):
        with open(UNIT) as f:
            text = f.read()
        for line in ("Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "WatchdogSec=", "StateDirectory=complyd",
                     "ConfigurationDirectory=complyd", "ProtectSystem=strict", "NoNewPrivileges=yes"):
            self.assertIn(line, text)


if __name__ == "__main__":
    unittest.main()
