# SPDX-License-Identifier: MIT
"""Oracle for the kernel_hardening probe: on this host every sysctl the
probe reports equals what `sysctl -n NAME` prints (integers compared as
numbers, multi-field values as text), and a sysctl it reports as null is
one sysctl cannot read either. The sysctl.d files it applies, in order,
are those `systemd-analyze cat-config sysctl.d` shows (on this host and on
a fixture root), less the ones masked by a link to /dev/null. The fixture
roots give each default control its passing and failing verdict, with a
reason that names the setting."""
import json
import os
import shutil
import subprocess
import unittest

from helpers import FIXTURES, run

SYSCTL = shutil.which("sysctl") or next((p for p in ("/usr/sbin/sysctl", "/sbin/sysctl")
                                         if os.access(p, os.X_OK)), None)
CONTROLS = ["kernel-aslr-full", "kernel-pointers-restricted", "mac-enforcing",
            "ip-forwarding-disabled", "icmp-redirects-disabled", "tcp-syncookies-enabled",
            "rare-kernel-modules-not-loaded"]


def probe(root=None):
    r = run("probe", "kernel_hardening", *(["--root", root] if root else []))
    if r.returncode != 0:
        raise AssertionError("complyd probe kernel_hardening: exit %d: %s" % (r.returncode, r.stderr))
    return json.loads(r.stdout)


def check(root):
    r = run("check", "--root", root, "--format", "json")
    if r.returncode not in (0, 1):
        raise AssertionError("complyd check: exit %d: %s" % (r.returncode, r.stderr))
    d = json.loads(r.stdout)
    results = d["results"] if isinstance(d, dict) else d
    return {x["id"]: x for x in results if x["probe"] == "kernel_hardening"}


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def cat_config_files(root=None):
    """The files systemd-sysctl applies, in order, as host paths (the
    headers "# /path" of systemd-analyze cat-config), masked ones left out."""
    cmd = [SYSTEMD_ANALYZE] + (["--root=" + root] if root else []) + ["cat-config", "sysctl.d"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise AssertionError("%s: %s" % (cmd, out.stderr))
    files = []
    for line in out.stdout.splitlines():
        if line.startswith("# /") and " " not in line[2:]:
            path = line[2:]
            if os.path.realpath(path) != "/dev/null":
                files.append(path[len(root):] if root else path)
    return files


@unittest.skipUnless(SYSTEMD_ANALYZE, "systemd-analyze is not installed")
class SysctlConfigOracle(unittest.TestCase):
    def test_files_as_systemd_on_this_host(self):
        self.assertEqual(probe()["sysctl_config"]["files"], cat_config_files())

    def test_files_as_systemd_on_the_hardened_fixture(self):
        root = os.path.realpath(os.path.join(FIXTURES, "hosts", "kernel-debian-hardened"))
        self.assertEqual(probe(root)["sysctl_config"]["files"], cat_config_files(root))


class LiveSysctlOracle(unittest.TestCase):
    @unittest.skipUnless(SYSCTL, "sysctl (procps) is not installed")
    def test_every_sysctl_equals_sysctl_n(self):
        facts = probe()["sysctl"]
        self.assertIn("kernel.randomize_va_space", facts)
        compared = 0
        for name, value in facts.items():
            r = subprocess.run([SYSCTL, "-n", name], capture_output=True, text=True, timeout=30)
            if value is None:
                self.assertNotEqual(r.returncode, 0, "%s: probe says null, sysctl printed %r"
                                    % (name, r.stdout))
                continue
            self.assertEqual(r.returncode, 0, "%s: sysctl failed: %s" % (name, r.stderr))
            text = r.stdout.rstrip("\n")
            if isinstance(value, int):
                self.assertEqual(value, int(text), name)
            else:
                self.assertEqual(value, text, name)
            compared += 1
        self.assertGreater(compared, 20, "too few sysctls readable to be a test")

    @unittest.skipUnless(SYSCTL, "sysctl (procps) is not installed")
    def test_extra_sysctl_from_config(self):
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write("probes:\n  kernel_hardening:\n    params:\n"
                    "      extra_sysctls: [net.ipv4.ip_local_port_range, kernel.pid_max]\n")
            cfg = f.name
        try:
            r = run("probe", "kernel_hardening", "--config", cfg)
            self.assertEqual(r.returncode, 0, r.stderr)
            facts = json.loads(r.stdout)["sysctl"]
        finally:
            os.unlink(cfg)
        for name in ("net.ipv4.ip_local_port_range", "kernel.pid_max"):
            want = subprocess.run([SYSCTL, "-n", name], capture_output=True, text=True).stdout
            self.assertEqual(str(facts[name]), want.rstrip("\n"), name)

    def test_live_check_gives_every_control_a_verdict(self):
        r = run("check", "--format", "json")
        self.assertIn(r.returncode, (0, 1), r.stderr)
        d = json.loads(r.stdout)
        results = {x["id"]: x for x in (d["results"] if isinstance(d, dict) else d)}
        for cid in CONTROLS:
            self.assertIn(results[cid]["status"], ("pass", "fail", "not_applicable"), cid)
            self.assertTrue(results[cid]["summary"], cid)


class FixtureVerdicts(unittest.TestCase):
    def test_hardened_host_passes_all(self):
        res = check(os.path.join(FIXTURES, "hosts", "kernel-debian-hardened"))
        for cid in CONTROLS:
            self.assertEqual(res[cid]["status"], "pass", "%s: %s" % (cid, res[cid]["summary"]))

    def test_docker_host_fails_with_reasons(self):
        res = check(os.path.join(FIXTURES, "hosts", "kernel-docker-host"))
        for cid in CONTROLS:
            self.assertEqual(res[cid]["status"], "fail", cid)
        self.assertIn('sysctl["kernel.randomize_va_space"] is 1', res["kernel-aslr-full"]["summary"])
        self.assertIn("net.ipv4.ip_forward", res["ip-forwarding-disabled"]["summary"])
        subjects = [f.get("subject") for f in res["rare-kernel-modules-not-loaded"]["failures"]]
        self.assertEqual(subjects, ["kernel module usb-storage is loaded",
                                    "kernel module squashfs is loaded",
                                    "kernel module sctp is loaded"])
        paths = {f["path"] for f in res["icmp-redirects-disabled"]["failures"]}
        self.assertIn('sysctl["net.ipv4.conf.all.send_redirects"]', paths)
        self.assertNotIn('sysctl["net.ipv4.conf.all.accept_source_route"]', paths)

    def test_rhel_selinux(self):
        res = check(os.path.join(FIXTURES, "hosts", "kernel-rhel9-selinux"))
        self.assertEqual(res["mac-enforcing"]["status"], "pass")
        self.assertEqual(res["kernel-pointers-restricted"]["status"], "fail")
        self.assertIn("kernel.dmesg_restrict", res["kernel-pointers-restricted"]["summary"])
        res = check(os.path.join(FIXTURES, "hosts", "kernel-selinux-permissive"))
        self.assertEqual(res["mac-enforcing"]["status"], "fail")


if __name__ == "__main__":
    unittest.main()
