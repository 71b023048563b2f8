"""complyd verify on evidence streams made by an independent implementation
of the record format: Python builds the canonical bytes with
json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False),
hashes them with hashlib and signs the hash with `openssl pkeyutl -sign
-rawin` — exactly what README "Evidence" tells an auditor. If complyd's
canonical form differed by one byte, every record here would fail."""
import base64
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import uuid

from helpers import COMPLYD, TempHost, run

ZERO = "0" * 64


def openssl(*args, **kw):
    return subprocess.run(["openssl", *args], check=True, capture_output=True, **kw)


class Signer:
    """An Ed25519 key made with openssl, signing hashes with openssl."""

    def __init__(self, directory, name):
        self.dir = directory
        self.key = os.path.join(directory, name)
        self.pub = self.key + ".pub"
        openssl("genpkey", "-algorithm", "ED25519", "-out", self.key)
        openssl("pkey", "-in", self.key, "-pubout", "-out", self.pub)
        der = openssl("pkey", "-in", self.key, "-pubout", "-outform", "DER").stdout
        self.key_id = hashlib.sha256(der[-32:]).hexdigest()

    def sign(self, digest):
        path = os.path.join(self.dir, "digest.bin")
        with open(path, "wb") as f:
            f.write(digest)
        sig = openssl("pkeyutl", "-sign", "-inkey", self.key, "-rawin", "-in", path).stdout
        return base64.b64encode(sig).decode()


def canonical(record):
    """The bytes a record's hash covers (README "Evidence")."""
    body = {k: v for k, v in record.items() if k not in ("hash", "sig")}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def seal(record, signer):
    record["key_id"] = signer.key_id
    digest = hashlib.sha256(canonical(record)).digest()
    record["hash"] = digest.hex()
    record["sig"] = signer.sign(digest)
    return record


class Host:
    """Writes one host's chain of records."""

    def __init__(self, signer, machine_id, hostname="web-1"):
        self.signer = signer
        self.id = machine_id
        self.hostname = hostname
        self.seq = 0
        self.prev = ZERO

    def record(self, type_="result", status="pass", **extra):
        self.seq += 1
        rec = {
            "schema": "complyd.evidence.v1", "type": type_, "id": str(uuid.uuid4()),
            "seq": self.seq, "time": "2025-03-04T05:06:%02d.%03dZ" % (self.seq % 60, self.seq % 1000),
            "host": {"id": self.id, "hostname": self.hostname, "os": "Debian GNU/Linux 12 (bookworm)",
                     "kernel": "6.1.0-18-amd64", "boot_id": "0b9e3e2f-1c4d-4e5f-9a8b-7c6d5e4f3a2b"},
            "agent": {"name": "complyd", "version": "0.1.0", "config_hash": "c0ffee" * 10 + "c0ff"},
        }
        if type_ == "result":
            rec.update({
                "control": {"id": "ssh-root-login", "title": "No root login over SSH — «strict»",
                            "criteria": ["soc2:CC6.1", "nist-800-53:AC-6(2)"], "severity": "high"},
                "status": status, "previous_status": None, "drift": False,
                "failures": [] if status == "pass" else [
                    {"path": "sshd.permit_root_login", "op": "equals", "expected": "no",
                     "actual": "yes", "subject": "sshd \"main\"\tconfig\n"}],
                "observation": {"sshd": {"permit_root_login": "no", "ciphers": ["aes256-gcm@openssh.com"],
                                         "load": 0.25, "uptime_days": 12.0}},
                "probe": {"name": "ssh", "version": "1.0.0", "duration_ms": 12},
            })
        rec.update(extra)
        rec["prev_hash"] = self.prev
        seal(rec, self.signer)
        self.prev = rec["hash"]
        return rec


def line(rec):
    return json.dumps(rec, separators=(",", ":"), ensure_ascii=False)


class VerifyCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="complyd-verify-")
        self.key_a = Signer(self.tmp, "a")
        self.key_b = Signer(self.tmp, "b")
        self.host = Host(self.key_a, "4f1cb2e0a3d94c1f8e2b7a6d5c4b3a21")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, lines, name="stream.ndjson"):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(l + "\n" for l in lines))
        return path

    def verify(self, lines, *keys):
        path = self.write(lines)
        args = []
        for k in keys or (self.key_a,):
            args += ["--pubkey", k.pub]
        return run("verify", *args, path)

    def chain(self, n, **kw):
        return [line(self.host.record(status="pass" if i % 3 else "fail", **kw)) for i in range(n)]


class TestVerify(VerifyCase):
    def test_intact_stream_made_by_python_and_openssl(self):
        lines = self.chain(6)
        p = self.verify(lines)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        out = p.stdout.strip().splitlines()
        self.assertEqual(len(out), 1, p.stdout)
        self.assertIn(": intact: 6 records from 1 host, 0 duplicates ignored, 0 out of order", out[0])

    def test_edited_field(self):
        lines = self.chain(5)
        lines[2] = lines[2].replace('"status":"pass"', '"status":"fail"', 1)
        self.assertIn('"status":"fail"', lines[2])
        p = self.verify(lines)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("line 3: bad hash: host %s: seq 3: hash does not match" % self.host.id, p.stdout)
        self.assertIn("NOT INTACT: 5 records from 1 host, 1 problem (1 bad hash)", p.stdout)

    def test_removed_record(self):
        lines = self.chain(6)
        del lines[3]
        p = self.verify(lines)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("gap: host %s: seq 4 missing" % self.host.id, p.stdout)

    def test_reordered_pair_alone_is_intact_and_counted(self):
        lines = self.chain(6)
        lines[2], lines[3] = lines[3], lines[2]
        p = self.verify(lines)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("intact: 6 records from 1 host, 0 duplicates ignored, 1 out of order", p.stdout)

    def test_swapped_pair_with_edited_seqs(self):
        recs = [self.host.record() for _ in range(6)]
        recs[2]["seq"], recs[3]["seq"] = 4, 3
        recs[2], recs[3] = recs[3], recs[2]
        p = self.verify([line(r) for r in recs])
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("line 3: bad hash", p.stdout)
        self.assertIn("line 4: bad hash", p.stdout)

    def test_swapped_pair_with_edited_seqs_and_rehashed(self):
        # the forger recomputes the hashes but cannot sign
        recs = [self.host.record() for _ in range(6)]
        recs[2]["seq"], recs[3]["seq"] = 4, 3
        for r in recs[2:4]:
            r["hash"] = hashlib.sha256(canonical(r)).hexdigest()
        p = self.verify([line(r) for r in recs])
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertEqual(p.stdout.count(": bad signature: host"), 2, p.stdout)
        self.assertIn("chain break", p.stdout)

    def test_record_signed_by_another_key(self):
        lines = self.chain(2)
        self.host.signer = self.key_b
        lines += self.chain(1)
        self.host.signer = self.key_a
        lines += self.chain(2)
        p = self.verify(lines)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("line 3: unknown key: host %s: seq 3: signed by key %s" % (self.host.id, self.key_b.key_id),
                      p.stdout)
        # with both keys (a rotation), the stream is intact
        p = self.verify(lines, self.key_a, self.key_b)
        self.assertEqual(p.returncode, 0, p.stdout)

    def test_signature_from_another_key_claiming_ours(self):
        recs = [self.host.record() for _ in range(3)]
        seal(recs[1], self.key_b)
        recs[1]["key_id"] = self.key_a.key_id
        recs[1]["hash"] = hashlib.sha256(canonical(recs[1])).hexdigest()
        recs[1]["sig"] = self.key_b.sign(bytes.fromhex(recs[1]["hash"]))
        p = self.verify([line(r) for r in recs], self.key_a, self.key_b)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("line 2: bad signature", p.stdout)

    def test_duplicates_ignored_and_counted(self):
        lines = self.chain(4)
        p = self.verify(lines[:3] + lines[1:] + lines[3:])
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("intact: 4 records from 1 host, 3 duplicates ignored, 0 out of order", p.stdout)

    def test_dropped_range_reported_not_a_gap(self):
        lines = self.chain(2)
        self.chain(3)  # seq 3..5, evicted before delivery
        lines.append(line(self.host.record(
            "evidence.dropped", details={"first_seq": 3, "last_seq": 5, "count": 3, "reason": "spool_full"})))
        lines += self.chain(1)
        p = self.verify(lines)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("dropped: host %s: seq 3-5 (3 records) declared lost (spool_full) by seq 6" % self.host.id,
                      p.stdout)
        self.assertIn("4 records from 1 host", p.stdout)
        self.assertIn("3 records declared dropped in 1 range", p.stdout)
        self.assertNotIn("gap", p.stdout)

    def test_two_hosts_in_one_file(self):
        other = Host(self.key_b, "9a8b7c6d5e4f30211203f4e5d6c7b8a9", "db-1")
        a = self.chain(3)
        b = [line(other.record()) for _ in range(3)]
        del b[1]
        p = run("verify", "-v", "--pubkey", self.key_a.pub, "--pubkey", self.key_b.pub,
                self.write([x for pair in zip(a, b + [a[-1]]) for x in pair]))
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("gap: host %s: seq 2 missing" % other.id, p.stdout)
        self.assertNotIn("host %s: seq" % self.host.id, p.stdout)
        self.assertIn("5 records from 2 hosts", p.stdout)
        self.assertIn("1 duplicate ignored", p.stdout)
        self.assertIn("host %s (web-1): 3 records, seq 1-3" % self.host.id, p.stdout)
        self.assertIn("host %s (db-1): 2 records, seq 1-3" % other.id, p.stdout)

    def test_garbage_lines(self):
        lines = self.chain(2)
        p = self.verify(["not json"] + lines + ['{"schema":"complyd.evidence.v1"}'])
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("line 1: malformed: not a JSON object", p.stdout)
        self.assertIn('line 4: malformed: not a complyd.evidence.v1 record: "type" missing or invalid', p.stdout)

    def test_stdin(self):
        lines = self.chain(3)
        e = dict(os.environ)
        p = subprocess.run([COMPLYD, "verify", "--pubkey", self.key_a.pub, "-"], input="\n".join(lines) + "\n",
                           capture_output=True, text=True, timeout=60, env=e)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("-: intact: 3 records", p.stdout)

    def test_usage_errors(self):
        path = self.write(self.chain(1))
        self.assertEqual(run("verify").returncode, 2)
        p = run("verify", path)
        self.assertEqual(p.returncode, 2)
        self.assertIn("needs --pubkey", p.stderr)
        p = run("verify", "--pubkey", self.key_a.pub, os.path.join(self.tmp, "nope"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("No such file", p.stderr)
        p = run("verify", "--pubkey", path, path)
        self.assertEqual(p.returncode, 2)
        self.assertIn("Cannot load public key", p.stderr)
        p = run("verify", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("Usage: complyd verify", p.stdout)

    def test_empty_file_is_not_intact(self):
        p = self.verify([])
        self.assertEqual(p.returncode, 1)
        self.assertIn("no records", p.stdout)


class TestVerifySpool(TempHost):
    """The daemon's own spool, verified in place with the key.pub beside it."""

    def test_spool_of_a_daemon_run(self):
        self.add_probe("ok_probe")
        self.add_controls("c.yaml", "- id: ok\n  title: OK\n  probe: ok_probe\n  interval: 1s\n"
                                    "  expect: { path: answer, equals: 42 }\n")
        p = subprocess.Popen([COMPLYD, "run", "--config", self.config], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(3)
        finally:
            p.send_signal(signal.SIGTERM)
            _, err = p.communicate(timeout=30)
        state = os.path.join(self.tmp, "state")
        if not os.path.isdir(os.path.join(state, "spool")) or not os.path.exists(os.path.join(state, "key.pub")):
            self.skipTest("complyd run does not write evidence to a spool yet")
        self.assertEqual(os.stat(os.path.join(state, "key")).st_mode & 0o777, 0o600)
        for path in (state, os.path.join(state, "spool")):
            v = run("verify", path)
            self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
            self.assertRegex(v.stdout, r": intact: \d+ records from 1 host")


if __name__ == "__main__":
    unittest.main()
