# SPDX-License-Identifier: MIT
"""Oracle for the time_sync probe's clock facts: adjtimex(2) called from
Python (ctypes, modes 0: read-only) on this host must give the same status
bits and synchronisation verdict as the probe (maxerror grows by 500 ppm a
second while unsynchronised, so it is compared with a tolerance; the
adjtimex command, where installed, is used the same way). The fixture
roots give each default control its verdict and reason."""
import ctypes
import ctypes.util
import json
import os
import shutil
import subprocess
import unittest

from helpers import FIXTURES, run

STA_UNSYNC = 0x40
TIME_ERROR = 5


class Timex(ctypes.Structure):
    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long),
                ("maxerror", ctypes.c_long), ("esterror", ctypes.c_long), ("status", ctypes.c_int),
                ("constant", ctypes.c_long), ("precision", ctypes.c_long),
                ("tolerance", ctypes.c_long), ("time_sec", ctypes.c_long), ("time_usec", ctypes.c_long),
                ("tick", ctypes.c_long), ("pad", ctypes.c_int * 44)]


def adjtimex():
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    t = Timex()
    state = libc.adjtimex(ctypes.byref(t))
    if state < 0:
        raise OSError(ctypes.get_errno(), "adjtimex")
    return state, t


def probe(root=None):
    r = run("probe", "time_sync", *(["--root", root] if root else []))
    if r.returncode != 0:
        raise AssertionError("complyd probe time_sync: %s" % r.stderr)
    return json.loads(r.stdout)


def check(root):
    r = run("check", "--root", root, "--format", "json")
    d = json.loads(r.stdout)
    return {x["id"]: x for x in (d["results"] if isinstance(d, dict) else d) if x["probe"] == "time_sync"}


class LiveClockOracle(unittest.TestCase):
    def test_clock_equals_adjtimex(self):
        before_state, before = adjtimex()
        clock = probe()["clock"]
        after_state, after = adjtimex()
        self.assertIn(clock["status"], (before.status, after.status))
        self.assertEqual(clock["unsync_flag"], bool(clock["status"] & STA_UNSYNC))
        want_sync = not (clock["status"] & STA_UNSYNC) and after_state != TIME_ERROR
        self.assertEqual(clock["synchronized"], want_sync)
        self.assertEqual(clock["state"] == "TIME_ERROR", after_state == TIME_ERROR)
        self.assertGreaterEqual(clock["maxerror_us"], min(before.maxerror, after.maxerror))
        self.assertLessEqual(clock["maxerror_us"], max(before.maxerror, after.maxerror))
        self.assertEqual(clock["esterror_us"], after.esterror)

    @unittest.skipUnless(shutil.which("adjtimex"), "the adjtimex command is not installed")
    def test_clock_equals_adjtimex_command(self):
        out = subprocess.run(["adjtimex", "--print"], capture_output=True, text=True, timeout=30).stdout
        fields = {k.strip(): v.strip() for k, v in (l.split(":", 1) for l in out.splitlines() if ":" in l)}
        ret = [l for l in out.splitlines() if l.strip().startswith("return value")]
        clock = probe()["clock"]
        self.assertEqual(clock["status"], int(fields["status"]))
        self.assertEqual(clock["esterror_us"], int(fields["esterror"]))
        if ret:
            self.assertEqual(clock["state"] == "TIME_ERROR", int(ret[0].split("=")[1]) == TIME_ERROR)

    def test_live_controls_have_verdicts(self):
        res = check("/")
        self.assertIn(res["clock-synchronized"]["status"], ("pass", "fail"))
        if res["clock-synchronized"]["status"] == "fail":
            self.assertIn("clock.", res["clock-synchronized"]["summary"])


class FixtureVerdicts(unittest.TestCase):
    def test_fixtures(self):
        cases = {
            "time-chrony": ("not_applicable", "pass", "pass"),
            "time-ntpsec": ("not_applicable", "pass", "pass"),
            "time-timesyncd-configured": ("not_applicable", "pass", "pass"),
            "time-chrony-timesyncd-masked": ("not_applicable", "pass", "pass"),
            "time-debian-timesyncd": ("not_applicable", "pass", "fail"),
            "time-two-daemons": ("not_applicable", "fail", "fail"),
            "time-none": ("not_applicable", "fail", "pass"),
        }
        for name, want in cases.items():
            res = check(os.path.join(FIXTURES, "hosts", name))
            got = tuple(res[c]["status"] for c in ("clock-synchronized", "time-sync-single-daemon",
                                                   "time-source-configured"))
            self.assertEqual(got, want, name)
        res = check(os.path.join(FIXTURES, "hosts", "time-debian-timesyncd"))
        self.assertEqual(res["time-source-configured"]["summary"],
                         "systemd-timesyncd is enabled but names no time server in its configuration")
        self.assertEqual(res["time-sync-single-daemon"]["status"], "pass")
        res = check(os.path.join(FIXTURES, "hosts", "time-two-daemons"))
        self.assertEqual(res["time-sync-single-daemon"]["failures"][0]["actual"], 2)


if __name__ == "__main__":
    unittest.main()
