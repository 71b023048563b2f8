# SPDX-License-Identifier: MIT
"""The firewall probe and its two default controls on fixture roots (each
scenario's verdict and the reason a human reads), and on this host: where
nft / iptables-save are installed, the probe's input chains must equal what
those tools list (nft -j list ruleset is the oracle); where they are not,
the probe says so and the control still gives a verdict."""
import json
import os
import shutil
import subprocess
import unittest

from helpers import FIXTURES, run

NFT = next((p for p in ("/usr/sbin/nft", "/sbin/nft") if os.access(p, os.X_OK)), None)


def check(root, control):
    r = run("check", "--root", root, "--control", control, "--format", "json")
    if r.returncode not in (0, 1):
        raise AssertionError("complyd check: exit %d: %s" % (r.returncode, r.stderr))
    d = json.loads(r.stdout)
    return (d["results"] if isinstance(d, dict) else d)[0]


def host(name):
    return os.path.join(FIXTURES, "hosts", name)


class FixtureVerdicts(unittest.TestCase):
    CASES = {
        "fw-nftables-hardened": ("pass", []),
        "fw-nftables-include": ("pass", []),
        "fw-ufw-enabled": ("pass", []),
        "fw-firewalld-public": ("pass", []),
        "fw-debian-nftables-default": ("fail", ["ipv4", "ipv6"]),
        "fw-nftables-v4only": ("fail", ["ipv6"]),
        "fw-iptables-persistent": ("fail", ["ipv6"]),
        "fw-firewalld-trusted": ("fail", ["ipv4", "ipv6"]),
        "fw-nftables-not-enabled": ("fail", ["ipv4", "ipv6"]),
        "fw-ufw-disabled": ("fail", ["ipv4", "ipv6"]),
        "fw-none": ("fail", ["ipv4", "ipv6"]),
    }

    def test_inbound_default_deny(self):
        for name, (status, families) in self.CASES.items():
            res = check(host(name), "firewall-inbound-default-deny")
            self.assertEqual(res["status"], status, "%s: %s" % (name, res["summary"]))
            subjects = [f["subject"] for f in res["failures"]]
            self.assertEqual(sorted({s.split()[0] for s in subjects}), families, name)
            for s in subjects:
                self.assertIn("inbound traffic is accepted by default", s)

    def test_reason_names_the_basis(self):
        res = check(host("fw-none"), "firewall-inbound-default-deny")
        self.assertIn("ipv4 inbound traffic is accepted by default (no firewall configured",
                      res["summary"])
        res = check(host("fw-iptables-persistent"), "firewall-inbound-default-deny")
        self.assertIn("ipv6 inbound traffic is accepted by default (saved configuration",
                      res["summary"])

    def test_single_manager(self):
        self.assertEqual(check(host("fw-ufw-enabled"), "firewall-single-manager")["status"], "pass")
        res = check(host("fw-ufw-and-nftables"), "firewall-single-manager")
        self.assertEqual(res["status"], "fail")
        self.assertEqual(res["failures"][0]["actual"], 2)
        r = run("probe", "firewall", "--root", host("fw-ufw-and-nftables"))
        self.assertEqual(json.loads(r.stdout)["managers_enabled"], ["nftables", "ufw"])


class LiveHost(unittest.TestCase):
    def probe(self):
        r = run("probe", "firewall")
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_live_verdict(self):
        res = check("/", "firewall-inbound-default-deny")
        self.assertIn(res["status"], ("pass", "fail"), res)
        self.assertTrue(res["summary"])

    @unittest.skipIf(NFT, "nft is installed here: the oracle test covers it")
    def test_without_nft(self):
        o = self.probe()
        self.assertFalse(o["nftables"]["installed"])
        self.assertFalse(o["nftables"]["loaded"])

    @unittest.skipUnless(NFT, "nft is not installed (apt-get install nftables)")
    def test_chains_equal_nft(self):
        r = subprocess.run([NFT, "-j", "list", "ruleset"], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            self.skipTest("nft cannot list the ruleset here: %s" % r.stderr.strip())
        want = []
        for item in json.loads(r.stdout)["nftables"]:
            c = item.get("chain")
            if c and c.get("hook") == "input" and c.get("type") == "filter":
                want.append((c["family"], c["table"], c["name"], c.get("policy", "accept")))
        o = self.probe()
        self.assertTrue(o["nftables"]["loaded"])
        got = [(c["family"], c["table"], c["chain"], c["policy"]) for c in o["nftables"]["input_chains"]]
        self.assertEqual(got, want)


if __name__ == "__main__":
    unittest.main()
