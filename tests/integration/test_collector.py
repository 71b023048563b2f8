"""The HTTPS test collector (tests/collector/collector.py) is a test
dependency of the alert and evidence tests: these tests check that it
records what it receives and misbehaves exactly as told. Everything runs on
127.0.0.1 with certificates made by make_certs.sh."""
import glob
import gzip
import http.client
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COLLECTOR = os.path.join(TOP, "tests", "collector", "collector.py")
MAKE_CERTS = os.path.join(TOP, "tests", "collector", "make_certs.sh")
START_TIMEOUT = 15


class CollectorCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp(prefix="complyd-certs-")
        subprocess.run([MAKE_CERTS, cls.certs], check=True, timeout=60)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certs, ignore_errors=True)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="complyd-collector-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.records = os.path.join(self.tmp, "records")
        self.faults = os.path.join(self.tmp, "faults.json")

    def cert(self, name):
        return os.path.join(self.certs, name)

    def start(self, *extra, server="server"):
        """Starts the collector; returns its port."""
        port_file = os.path.join(self.tmp, "port")
        proc = subprocess.Popen(
            [sys.executable, COLLECTOR, "--cert", self.cert(server + ".crt"),
             "--key", self.cert(server + ".key"), "--record-dir", self.records,
             "--faults", self.faults, "--port-file", port_file, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.stop, proc)
        deadline = time.monotonic() + START_TIMEOUT
        while not os.path.exists(port_file):
            if proc.poll() is not None:
                self.fail("collector exited: %s" % proc.stderr.read())
            self.assertLess(time.monotonic(), deadline, "collector did not start")
            time.sleep(0.05)
        with open(port_file) as f:
            port = int(f.read())
        self.assertEqual(proc.stdout.readline().strip(), "listening on https://127.0.0.1:%d" % port)
        self.proc = proc
        return port

    @staticmethod
    def stop(proc):
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()

    def context(self, client_cert=False):
        ctx = ssl.create_default_context(cafile=self.cert("ca.crt"))
        if client_cert:
            ctx.load_cert_chain(self.cert("client.crt"), self.cert("client.key"))
        return ctx

    def post(self, port, body=b'{"a": 1}', headers=None, ctx=None, timeout=10, path="/hook"):
        """POSTs body; returns (status, headers dict, body bytes)."""
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx or self.context(),
                                           timeout=timeout)
        try:
            conn.request("POST", path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def recorded(self):
        out = []
        for p in sorted(glob.glob(os.path.join(self.records, "*.json"))):
            with open(p) as f:
                out.append(json.load(f))
        return out

    def write_faults(self, faults):
        with open(self.faults, "w") as f:
            json.dump(faults, f)


class TestCollector(CollectorCase):
    def test_help(self):
        r = subprocess.run([sys.executable, COLLECTOR, "--help"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 0)
        for word in ("--faults", "--client-ca", "--token", "--record-dir", "retry_after", "hang",
                     "reset", "trickle"):
            self.assertIn(word, r.stdout)

    def test_refuses_non_loopback(self):
        r = subprocess.run([sys.executable, COLLECTOR, "--host", "0.0.0.0", "--cert",
                            self.cert("server.crt"), "--key", self.cert("server.key")],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("loopback", r.stderr)

    def test_records_a_request(self):
        port = self.start("--token", "tok")
        status, _, body = self.post(port, headers={"Authorization": "Bearer tok",
                                                   "Content-Type": "application/json",
                                                   "User-Agent": "complyd/0.1.0"})
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), {"ok": True, "seq": 1})
        [rec] = self.recorded()
        self.assertEqual(rec["seq"], 1)
        self.assertEqual(rec["method"], "POST")
        self.assertEqual(rec["path"], "/hook")
        self.assertEqual(rec["headers"]["Authorization"], "Bearer tok")
        self.assertEqual(rec["headers"]["User-Agent"], "complyd/0.1.0")
        self.assertEqual(rec["json"], {"a": 1})
        self.assertEqual(rec["status"], 200)
        self.assertFalse(rec["gzip"])
        self.assertIsNone(rec["client_cert_subject"])

    def test_token_required(self):
        port = self.start("--token", "tok")
        self.assertEqual(self.post(port)[0], 401)
        self.assertEqual(self.post(port, headers={"Authorization": "Bearer other"})[0], 401)
        self.assertEqual([r["status"] for r in self.recorded()], [401, 401])

    def test_splunk_token(self):
        port = self.start("--token", "tok", "--splunk")
        self.assertEqual(self.post(port, headers={"Authorization": "Bearer tok"})[0], 401)
        self.assertEqual(self.post(port, headers={"Authorization": "Splunk tok"})[0], 200)

    def test_gzip_ndjson_decoded(self):
        port = self.start()
        lines = b'{"seq": 1}\n{"seq": 2}\n'
        status, _, _ = self.post(port, body=gzip.compress(lines),
                                 headers={"Content-Encoding": "gzip"})
        self.assertEqual(status, 200)
        [rec] = self.recorded()
        self.assertTrue(rec["gzip"])
        self.assertEqual(rec["body"], lines.decode())
        self.assertEqual(rec["ndjson"], [{"seq": 1}, {"seq": 2}])
        self.assertIsNone(rec["json"])

    def test_faults_consumed_in_order(self):
        self.write_faults([{"status": 500}, {"status": 429, "retry_after": "3"},
                           {"status": 200, "body": {"partialSuccess": {}}}])
        port = self.start()
        s1, _, _ = self.post(port)
        s2, h2, _ = self.post(port)
        s3, _, b3 = self.post(port)
        s4, _, b4 = self.post(port)
        self.assertEqual((s1, s2, s3, s4), (500, 429, 200, 200))
        self.assertEqual(h2.get("Retry-After"), "3")
        self.assertEqual(json.loads(b3), {"partialSuccess": {}})
        self.assertEqual(json.loads(b4), {"ok": True, "seq": 4})
        with open(self.faults) as f:
            self.assertEqual(json.load(f), [])
        self.assertEqual([r["status"] for r in self.recorded()], [500, 429, 200, 200])

    def test_faults_file_reread(self):
        port = self.start()
        self.assertEqual(self.post(port)[0], 200)
        self.write_faults([{"status": 503}])
        self.assertEqual(self.post(port)[0], 503)
        self.assertEqual(self.post(port)[0], 200)

    def test_hang_does_not_block_others(self):
        self.write_faults([{"hang": 8}])
        port = self.start()
        outcome = {}

        def hung():
            try:
                outcome["hung"] = self.post(port, timeout=6)[0]
            except OSError as e:
                outcome["hung"] = e

        t = threading.Thread(target=hung)
        t.start()
        while not self.recorded():
            self.assertTrue(t.is_alive())
            time.sleep(0.05)
        self.assertEqual(self.post(port)[0], 200)
        self.assertTrue(t.is_alive(), "the hung request should still be waiting")
        t.join(10)
        self.assertIsInstance(outcome["hung"], OSError)  # timed out, never answered
        self.assertEqual([r["status"] for r in self.recorded()], ["hang", 200])

    def test_reset(self):
        self.write_faults([{"reset": True}])
        port = self.start()
        with self.assertRaises((OSError, http.client.HTTPException)):
            self.post(port)
        self.assertEqual(self.recorded()[0]["status"], "reset")
        self.assertEqual(self.post(port)[0], 200)

    def test_trickle(self):
        self.write_faults([{"trickle": 2}])
        port = self.start()
        status, _, body = self.post(port)
        self.assertEqual((status, body), (200, b".."))

    def test_mtls(self):
        port = self.start("--client-ca", self.cert("ca.crt"))
        with self.assertRaises((OSError, http.client.HTTPException)):
            self.post(port)
        self.assertEqual(self.recorded(), [])
        status, _, _ = self.post(port, ctx=self.context(client_cert=True))
        self.assertEqual(status, 200)
        [rec] = self.recorded()
        self.assertEqual(rec["client_cert_subject"], "O=complyd tests,CN=complyd-test-client")

    def test_wrong_server_certificate(self):
        port = self.start(server="wrong-server")
        with self.assertRaises(ssl.SSLCertVerificationError):
            self.post(port)
        self.assertEqual(self.recorded(), [])

    def test_pin_matches_server_key(self):
        with open(self.cert("server.pin")) as f:
            pin = f.read().strip()
        self.assertRegex(pin, r"^sha256//[A-Za-z0-9+/]{43}=$")


if __name__ == "__main__":
    unittest.main()
