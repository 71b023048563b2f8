"""complyd report on archives written by tests/tools/gen_archive.c (built
here against libcomplyd.a: every record goes through evidence_record_new(),
signed and chained; see its header for the scenario and its known truth):
the formats, --since/--until/--control/--output, a spool found through the
configuration with the rotated key beside it, a tampered archive named at
the top, two hosts' NDJSON concatenated, and the HTML page rendered by
headless Chromium (dump-dom and a screenshot)."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from helpers import BUILD, TOP, run

PKGS = "libsystemd jansson yaml-0.1 libcrypto zlib liblzma liblz4"
UNTIL = "2025-06-29"            # the generated archive ends 2025-06-30T00:00Z
TAMPERED_LINE = 5000
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def build_generator(out):
    lib = os.path.join(TOP, BUILD, "libcomplyd.a")
    san = "-fsanitize=address,undefined" if "asan" in BUILD else ""
    cmd = ("cc -std=gnu11 -O1 -D_GNU_SOURCE %s -I%s/include -I%s/src -I%s/probes/lib "
           "$(pkg-config --cflags jansson libcrypto) -o %s %s/tests/tools/gen_archive.c %s "
           "$(pkg-config --libs %s) -ldl -lm" % (san, TOP, TOP, TOP, out, TOP, lib, PKGS))
    subprocess.run(cmd, shell=True, check=True)


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Report(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="complyd-report-")
        gen = os.path.join(cls.tmp, "gen_archive")
        build_generator(gen)
        cls.a = os.path.join(cls.tmp, "web-1.ndjson")
        cls.b = os.path.join(cls.tmp, "db-1.ndjson")
        out = subprocess.run([gen, "--ndjson", cls.a, "--keys", os.path.join(cls.tmp, "ka")],
                             check=True, capture_output=True, text=True).stdout
        cls.truth = json.loads(out)
        subprocess.run([gen, "--ndjson", cls.b, "--keys", os.path.join(cls.tmp, "kb"), "--hostname", "db-1",
                        "--host-id", "9a8b7c6d5e4f30211203f4e5d6c7b8a9"], check=True, capture_output=True)
        cls.state = os.path.join(cls.tmp, "state")
        subprocess.run([gen, "--spool", cls.state], check=True, capture_output=True)
        cls.keys_a = ["--pubkey", os.path.join(cls.tmp, "ka/old/key.pub"),
                      "--pubkey", os.path.join(cls.tmp, "ka/new/key.pub")]
        cls.keys_b = ["--pubkey", os.path.join(cls.tmp, "kb/old/key.pub"),
                      "--pubkey", os.path.join(cls.tmp, "kb/new/key.pub")]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def report(self, *args, path=None, keys=None, rc=0):
        p = run("report", "--until", UNTIL, *(self.keys_a if keys is None else keys), *args,
                *([path or self.a] if path != "" else []), timeout=600)
        self.assertEqual(p.returncode, rc, p.stderr)
        return p

    def report_json(self, *args, **kw):
        return json.loads(self.report("--format", "json", *args, **kw).stdout)

    @staticmethod
    def control(doc, hostname, cid):
        host = next(h for h in doc["hosts"] if h["hostname"] == hostname)
        return next(c for c in host["controls"] if c["id"] == cid)

    def test_markdown(self):
        md = self.report("--since", "90d").stdout
        top = md.split("## Summary by SOC 2 criterion")[0]
        self.assertIn("**Period:** 2025-04-01 00:00:00 to 2025-06-30 00:00:00 UTC (90d)", top)
        self.assertIn("**Verification:** intact", top)
        self.assertIn("seq %d-%d (22 records, spool\\_full)" % (self.truth["dropped_first"], self.truth["dropped_last"]), top)
        for row in ("| CC6.1 | root-fs-encrypted, ssh-root-login-disabled | 99.4 % |",
                    "| CC6.6 | firewall-inbound-default-deny, ssh-root-login-disabled | 99.2 % |",
                    "| CC6.7 | root-fs-encrypted | 100.0 % |",
                    "| CC6.8 | malware-agent-running | 96.6 % |"):
            self.assertIn(row, md)
        self.assertIn("| 2025-05-01 00:00:00 | 2025-05-04 00:00:00 | 3d | agent_stopped |", md)
        self.assertIn("| 2025-06-25 01:45:00 | 2025-06-25 08:00:00 | 6h 15m | no_records |", md)
        self.assertIn("| 2025-04-11 12:00:00 | fail | PermitRootLogin is yes (expected no) | 2025-04-11 14:00:00 | 2h |", md)
        self.assertIn("Waiver in force: CHG-1234: EDR agent migration, expires 2025-07-31", md)
        # every table row has as many cells as its header
        for table in re.findall(r"((?:^\|.*\|\n)+)", md, re.M):
            rows = table.strip("\n").split("\n")
            widths = {len(re.split(r"(?<!\\)\|", r)) for r in rows}
            self.assertEqual(len(widths), 1, table)

    def test_json_output_file(self):
        out = os.path.join(self.tmp, "r.json")
        p = self.report("--format", "json", "--output", out)
        self.assertEqual(p.stdout, "")
        with open(out) as f:
            doc = json.load(f)
        self.assertEqual(doc["schema"], "complyd.report.v1")
        self.assertEqual(doc["period"], {"since": "2025-04-01T00:00:00.000Z", "until": "2025-06-30T00:00:00.000Z",
                                         "duration_s": 7776000.0})
        ssh = self.control(doc, "web-1", "ssh-root-login-disabled")
        unmon = (72 * 60 + 1 + 135 + 375) * 60
        self.assertEqual(ssh["time_s"]["unmonitored"], unmon)
        self.assertEqual(ssh["time_s"]["fail"], 26 * 3600)
        self.assertAlmostEqual(ssh["share"], (7776000 - unmon - 26 * 3600) / (7776000 - unmon), places=9)
        self.assertEqual([d["time_to_recover_s"] for d in ssh["drifts"]], [7200, 86400])
        host = doc["hosts"][0]
        self.assertEqual([k["key_id"] for k in host["keys"]], [self.truth["old_key_id"], self.truth["new_key_id"]])
        self.assertEqual(host["clock_jumps"][0]["seq"], self.truth["clock_jump_seq"])

    def test_one_day_and_control(self):
        doc = self.report_json("--since", "2025-04-11", "--until", "2025-04-11",
                               "--control", "ssh-root-login-disabled", keys=self.keys_a)
        self.assertEqual(doc["period"]["duration_s"], 86400)
        host = doc["hosts"][0]
        self.assertEqual([c["id"] for c in host["controls"]], ["ssh-root-login-disabled"])
        self.assertAlmostEqual(host["controls"][0]["share"], 22 / 24, places=9)
        self.assertEqual([c["criterion"] for c in doc["criteria"]], ["CC6.1", "CC6.6"])

    def test_tampered(self):
        bad = os.path.join(self.tmp, "tampered.ndjson")
        with open(self.a) as f:
            lines = f.readlines()
        self.assertIn('"status":"pass"', lines[TAMPERED_LINE - 1])
        lines[TAMPERED_LINE - 1] = lines[TAMPERED_LINE - 1].replace('"status":"pass"', '"status":"fail"', 1)
        seq = json.loads(lines[TAMPERED_LINE - 1])["seq"]
        with open(bad, "w") as f:
            f.writelines(lines)
        md = self.report(path=bad, rc=1).stdout
        top = md.split("## Summary by SOC 2 criterion")[0]
        self.assertIn("**Verification:** NOT INTACT: 1 problem (1 bad hash)", top)
        self.assertIn("**First bad record:** line %d: bad hash: host 5f0c6e1a2b3d4c5e6f708192a3b4c5d6: seq %d:"
                      % (TAMPERED_LINE, seq), top)
        self.assertIn("**Left out of the figures:** 1 record", top)
        html = self.report("--format", "html", path=bad, rc=1).stdout
        self.assertLess(html.index("NOT INTACT"), html.index("Summary by SOC 2 criterion"))

    def test_two_hosts_concatenated(self):
        both = os.path.join(self.tmp, "both.ndjson")
        with open(both, "w") as out:
            for p in (self.a, self.b):
                with open(p) as f:
                    shutil.copyfileobj(f, out)
        doc = self.report_json(path=both, keys=self.keys_a + self.keys_b)
        self.assertTrue(doc["verification"]["intact"])
        self.assertEqual([h["hostname"] for h in doc["hosts"]], ["db-1", "web-1"])
        self.assertEqual(self.control(doc, "db-1", "malware-agent-running")["time_s"],
                         self.control(doc, "web-1", "malware-agent-running")["time_s"])
        md = self.report(path=both, keys=self.keys_a + self.keys_b).stdout
        self.assertLess(md.index("## Host db-1"), md.index("## Host web-1"))
        # only one host's keys: the other host's records are named, not counted
        doc = self.report_json(path=both, rc=1)
        self.assertEqual(doc["verification"]["by_kind"]["unknown key"], self.truth["records"])

    def test_spool_through_config(self):
        """No PATH: the spool under state_dir; the keys beside it (key.pub
        and the rotated key-old.pub) are found without --pubkey."""
        config = os.path.join(self.tmp, "complyd.yaml")
        with open(config, "w") as f:
            f.write("state_dir: %s\n" % self.state)
        doc = self.report_json("--config", config, path="", keys=[])
        self.assertTrue(doc["verification"]["intact"], doc["verification"])
        self.assertEqual(len(doc["hosts"][0]["keys"]), 2)
        self.assertEqual(sorted(os.path.basename(k["path"]) for k in doc["verification"]["keys"]),
                         ["key-old.pub", "key.pub"])
        # a spool never skips a seq: no dropped range, so one period fewer
        self.assertEqual([g["kind"] for g in doc["hosts"][0]["no_monitoring"]],
                         ["agent_stopped", "agent_stopped", "no_records"])
        self.assertIn("| CC6.8 | malware-agent-running | 96.6 % |",
                      self.report(path=os.path.join(self.state, "spool"), keys=[]).stdout)

    def test_usage_errors(self):
        p = run("report", self.a)
        self.assertEqual(p.returncode, 2)
        self.assertIn("needs --pubkey", p.stderr)
        for args in (["--format", "pdf"], ["--since", "yesterday"], ["--until", "2025-13-01"],
                     ["--since", "2025-07-01", "--until", UNTIL]):
            p = run("report", *self.keys_a, *args, self.a)
            self.assertEqual(p.returncode, 2, args)
        p = run("report", *self.keys_a, os.path.join(self.tmp, "missing.ndjson"))
        self.assertEqual(p.returncode, 2)
        empty = tempfile.mkdtemp(dir=self.tmp)
        p = run("report", empty)
        self.assertEqual(p.returncode, 2)
        self.assertIn("No public key", p.stderr)

    def test_html_in_chromium(self):
        out = os.path.join(self.tmp, "report.html")
        self.report("--format", "html", "--output", out)
        with open(out) as f:
            html = f.read()
        self.assertNotRegex(html, r"<script|<link|src=|url\(|@import")
        browser = chromium()
        if not browser:
            self.skipTest("chromium is not installed (Debian: apt-get install chromium; `make deps` installs it)")
        dom = subprocess.run([browser, *CHROMIUM_FLAGS, "--dump-dom", "file://" + out],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(dom.returncode, 0, dom.stderr[-2000:])
        timelines = re.findall(r'<svg class="timeline" data-control="([^"]+)"', dom.stdout)
        self.assertEqual(sorted(timelines), ["firewall-inbound-default-deny", "malware-agent-running",
                                             "root-fs-encrypted", "ssh-root-login-disabled"])
        self.assertIn("config.changed 2025-04-16 09:00:00", dom.stdout)
        png = os.path.join(self.tmp, "report.png")
        shot = subprocess.run([browser, *CHROMIUM_FLAGS, "--hide-scrollbars", "--window-size=1280,2400",
                               "--screenshot=" + png, "file://" + out],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(shot.returncode, 0, shot.stderr[-2000:])
        with open(png, "rb") as f:
            head = f.read(24)
        self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        self.assertEqual((width, height), (1280, 2400))
        keep = os.environ.get("COMPLYD_REPORT_SCREENSHOT")
        if keep:
            shutil.copy(png, keep)
            shutil.copy(out, os.path.splitext(keep)[0] + ".html")


if __name__ == "__main__":
    unittest.main()
