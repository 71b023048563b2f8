"""Evidence end to end: `complyd run` writes signed, chained records to its
spool and delivers them over HTTPS (mTLS and a bearer token) to the real
test collector in the native and OCSF formats; an outage loses nothing; 200
kill -9 at random moments leave a gap-free chain that `complyd verify`
accepts on what the collector holds."""
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import time
import unittest

from helpers import COMPLYD, FIXTURES, Collector, TempHost, run, wait_for

OCSF_REQUIRED = ["activity_id", "category_uid", "class_uid", "compliance", "finding_info", "metadata",
                 "severity_id", "time", "type_uid"]


def spool_records(spool_dir):
    """The records in a spool directory, read with the documented frame
    format (magic "CSP1", len, crc32c, seq, payload, '\\n', len) — an
    independent reader, as an auditor's tool would be."""
    out = []
    for name in sorted(os.listdir(spool_dir)):
        if not name.endswith(".seg"):
            continue
        with open(os.path.join(spool_dir, name), "rb") as f:
            data = f.read()
        off = 0
        while off + 20 <= len(data):
            magic, length, _crc, seq = struct.unpack_from("<4sIIQ", data, off)
            if magic != b"CSP1" or off + 20 + length + 5 > len(data):
                break
            out.append((seq, json.loads(data[off + 20:off + 20 + length])))
            off += 20 + length + 1 + 4
    return out


class EvidencePipelineTest(TempHost):

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, "root")
        shutil.copytree(os.path.join(FIXTURES, "hosts", "mfa-totp-enforced"), self.root, symlinks=True)
        self.collector = Collector(self.tmp, token="evidence-token", client_ca=True)
        self.token = os.path.join(self.tmp, "token")
        with open(self.token, "w") as f:
            f.write("evidence-token\n")
        self.state = os.path.join(self.tmp, "state")
        ids = [c["id"] for c in json.loads(run("controls", "--format", "json").stdout)]
        certs = self.collector.certs
        out = "  - name: %s\n    url: %s/%s\n    format: %s\n    token_file: %s\n    ca_file: %s\n" \
              "    client_cert: %s/client.crt\n    client_key: %s/client.key\n"
        self.write_config(
            "outputs:\n"
            + out % ("auditor", self.collector.url, "v1/evidence", "native", self.token, self.collector.ca, certs, certs)
            + out % ("siem", self.collector.url, "ocsf", "ocsf", self.token, self.collector.ca, certs, certs)
            + "controls:\n" + "".join("  %s: {%s}\n" % (i, "interval: 1s" if i == "ssh-mfa-enforced"
                                                         else "enabled: false") for i in ids))
        self.env = dict(os.environ, COMPLYD_TEST_BACKOFF_SCALE="0.02")
        self.env.pop("NOTIFY_SOCKET", None)

    def tearDown(self):
        self.collector.stop()
        super().tearDown()

    def start(self):
        return subprocess.Popen([COMPLYD, "run", "--config", self.config, "--root", self.root],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env)

    def stop(self, p):
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(10), 0)

    def delivered(self, path="/v1/evidence"):
        """Native records the collector accepted (2xx), in arrival order."""
        recs = []
        for r in self.collector.requests():
            if r["path"] == path and isinstance(r["status"], int) and 200 <= r["status"] < 300:
                recs.extend(r["ndjson"] or [])
        return recs

    def verify(self, records):
        path = os.path.join(self.tmp, "received.ndjson")
        with open(path, "w") as f:
            for rec in records:
                f.write(json.dumps(rec) + "\n")
        return run("verify", "--pubkey", os.path.join(self.state, "key.pub"), path)

    def test_native_and_ocsf_over_mtls_verify(self):
        p = self.start()
        wait_for(lambda: len(self.delivered()) >= 6, 30, what="six native records")
        self.stop(p)
        reqs = [r for r in self.collector.requests() if r["path"] == "/v1/evidence"]
        h = reqs[0]["headers"]
        self.assertEqual(h.get("Authorization"), "Bearer evidence-token")
        self.assertRegex(h.get("User-Agent", ""), r"^complyd/\d")
        self.assertTrue(h.get("Idempotency-Key"))
        self.assertTrue(reqs[0]["gzip"], "bodies are gzip by default")
        self.assertIn("complyd-test-client", reqs[0]["client_cert_subject"])
        recs = self.delivered()
        types = {r["type"] for r in recs}
        self.assertIn("agent.start", types)
        self.assertIn("result", types)
        self.assertEqual(recs[0]["prev_hash"], "0" * 64)
        v = self.verify(recs)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        self.assertIn("intact", v.stdout)

        ocsf = self.delivered("/ocsf")
        self.assertTrue(ocsf, "OCSF events arrived")
        for ev in ocsf:
            for attr in OCSF_REQUIRED:
                self.assertIn(attr, ev)
            self.assertEqual((ev["class_uid"], ev["metadata"]["version"]), (2003, "1.8.0"))
        results = [r for r in recs if r["type"] == "result"]
        self.assertLessEqual(len(ocsf), len(results) + 2, "OCSF carries result records only")

    def test_outage_loses_nothing(self):
        self.collector.set_faults([{"status": 503}] * 6 + [{"reset": True}] * 2)
        p = self.start()
        time.sleep(4)
        self.stop(p)
        spooled = spool_records(os.path.join(self.state, "spool"))
        p = self.start()
        last = spooled[-1][0]
        wait_for(lambda: {r["seq"] for r in self.delivered()} >= set(range(1, last + 1)), 60,
                 what="every spooled record delivered after the outage")
        self.stop(p)
        seqs = [r["seq"] for r in self.delivered()]
        self.assertEqual(sorted(set(seqs)), list(range(1, max(seqs) + 1)), "in order, no gap")
        by_seq = {}
        for r in self.delivered():
            self.assertEqual(by_seq.setdefault(r["seq"], r["id"]), r["id"], "duplicates carry the same id")
        self.assertEqual(self.verify(self.delivered()).returncode, 0)

    def test_rejected_batch_is_dead_lettered_and_alerted(self):
        """A collector that answers 400: the batch goes to dead-letter/ and
        the alert sinks hear about it (here a webhook on a second collector)."""
        hook = Collector(os.path.join(self.tmp, "hook"))
        try:
            with open(self.config, "a") as f:
                f.write("alerts:\n  webhook:\n    url: %s/hook\n    ca_file: %s\n" % (hook.url, hook.ca))
            self.collector.set_faults([{"status": 400}])
            p = self.start()
            alerts = wait_for(lambda: [r["json"] for r in hook.requests()
                                       if (r["json"] or {}).get("control") == "evidence-pipeline"], 30,
                              what="the evidence alert on the webhook")
            self.stop(p)
            self.assertIn("auditor", alerts[0]["why"])
            dead = os.listdir(os.path.join(self.state, "dead-letter"))
            self.assertTrue(any(n.startswith("auditor-") for n in dead), dead)
        finally:
            hook.stop()

    def test_crash_loop_200_kill9(self):
        rnd = random.Random(20261128)
        for _ in range(200):
            p = self.start()
            time.sleep(rnd.uniform(0.02, 0.5))
            p.kill()
            p.wait()
        p = self.start()
        spooled = wait_for(lambda: spool_records(os.path.join(self.state, "spool")), 10, what="the spool")
        time.sleep(2)
        self.stop(p)
        spooled = spool_records(os.path.join(self.state, "spool"))
        seqs = [s for s, _ in spooled]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)), "the spool's seq has no gap")
        self.assertGreaterEqual(sum(1 for _, r in spooled if r["type"] == "agent.start"), 150)
        p = self.start()
        wait_for(lambda: {r["seq"] for r in self.delivered()} >= set(seqs), 120,
                 what="every captured record delivered")
        self.stop(p)
        v = self.verify(self.delivered())
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        self.assertEqual(run("verify", os.path.join(self.state, "spool")).returncode, 0)


if __name__ == "__main__":
    unittest.main()
