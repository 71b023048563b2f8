# SPDX-License-Identifier: MIT
"""Oracle for the tls_certificates probe: certificates made here with the
openssl command (expired, expiring in 10 days, a 1024-bit RSA key, a SHA-1
signature, EC P-256, a bundle of two) are read by `complyd probe
tls_certificates --root`, and every field is compared with what `openssl
x509 -noout -subject -issuer -startdate -enddate -serial -fingerprint
-sha256 -ext subjectAltName -text` prints for the same certificate. Then
`complyd check` must fail the three default controls naming the right
files, and pass them on a root holding only good certificates."""
import calendar
import ipaddress
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from helpers import run

OPENSSL = shutil.which("openssl")

CA_CNF = """[ ca ]
default_ca = fx
[ fx ]
database = {w}/index
serial = {w}/serial
new_certs_dir = {w}
policy = anything
unique_subject = no
copy_extensions = copy
[ anything ]
commonName = supplied
organizationName = optional
[ leaf ]
basicConstraints = critical,CA:FALSE
"""


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


class Certs:
    """Makes certificates in work dir w with the openssl command."""

    def __init__(self, w):
        self.w = w
        open(os.path.join(w, "index"), "w").close()
        with open(os.path.join(w, "serial"), "w") as f:
            f.write("2000\n")
        with open(os.path.join(w, "ca.cnf"), "w") as f:
            f.write(CA_CNF.format(w=w))

    def key(self, name, kind):
        k = os.path.join(self.w, name + ".key")
        if kind.startswith("rsa"):
            sh(OPENSSL, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:" + kind[3:], "-out", k)
        else:
            sh(OPENSSL, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", k)
        return k

    def selfsigned(self, name, kind, cn, days, md="sha256", san=None):
        """openssl req -x509: valid from now for days."""
        k, c = self.key(name, kind), os.path.join(self.w, name + ".pem")
        args = [OPENSSL, "req", "-x509", "-new", "-key", k, "-subj", "/O=Oracle Test/CN=" + cn,
                "-days", str(days), "-" + md, "-out", c]
        if san:
            args += ["-addext", "subjectAltName=" + san]
        sh(*args)
        return c

    def dated(self, name, kind, cn, start, end, san=None, issuer=None):
        """openssl ca with explicit dates (YYYYMMDDHHMMSSZ); self-signed
        unless issuer names an earlier certificate."""
        k = self.key(name, kind)
        csr, c = os.path.join(self.w, name + ".csr"), os.path.join(self.w, name + ".pem")
        args = [OPENSSL, "req", "-new", "-key", k, "-subj", "/CN=" + cn, "-out", csr]
        if san:
            args += ["-addext", "subjectAltName=" + san]
        sh(*args)
        sign = ["-selfsign", "-keyfile", k] if not issuer else \
            ["-cert", os.path.join(self.w, issuer + ".pem"), "-keyfile", os.path.join(self.w, issuer + ".key")]
        sh(OPENSSL, "ca", "-batch", "-config", os.path.join(self.w, "ca.cnf"), *sign, "-md", "sha256",
           "-extensions", "leaf", "-notext", "-startdate", start, "-enddate", end, "-in", csr, "-out", c)
        return c


def openssl_fields(pem_text):
    """What openssl x509 prints for one PEM certificate, as a dict."""
    out = subprocess.run([OPENSSL, "x509", "-noout", "-subject", "-issuer", "-startdate", "-enddate",
                          "-serial", "-fingerprint", "-sha256", "-ext", "subjectAltName", "-text"],
                         input=pem_text, capture_output=True, text=True, check=True).stdout
    f = {}
    for line in out.splitlines():
        for key, prefix in (("subject", "subject="), ("issuer", "issuer="), ("not_before", "notBefore="),
                            ("not_after", "notAfter="), ("serial", "serial="),
                            ("fingerprint", "sha256 Fingerprint="), ("fingerprint", "SHA256 Fingerprint=")):
            if line.startswith(prefix) and key not in f:
                f[key] = line[len(prefix):]
    for t in ("not_before", "not_after"):
        f[t] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.strptime(f[t], "%b %d %H:%M:%S %Y GMT"))
    san = re.search(r"X509v3 Subject Alternative Name: *\n\s+(.*)", out)
    f["dns"] = re.findall(r"DNS:([^,\s]+)", san.group(1)) if san else []
    f["ip"] = [str(ipaddress.ip_address(a)) for a in re.findall(r"IP Address:([0-9A-Fa-f:.]+)", san.group(1))] if san else []
    f["bits"] = int(re.search(r"Public-Key: \((\d+) bit\)", out).group(1))
    f["sigalg"] = re.search(r"Signature Algorithm: (\S+)", out).group(1)
    f["nist"] = (re.search(r"NIST CURVE: (\S+)", out) or [None, None])[1]
    return f


def read(path):
    with open(path) as f:
        return f.read()


def pem_blocks(path):
    text = read(path)
    return re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n", text, re.S)


@unittest.skipUnless(OPENSSL, "openssl command not installed")
class TlsOracle(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="complyd-tls-")
        self.work = os.path.join(self.tmp, "work")
        self.root = os.path.join(self.tmp, "root")
        self.ssl = os.path.join(self.root, "etc", "nginx", "ssl")
        os.makedirs(self.work)
        os.makedirs(self.ssl)
        self.c = Certs(self.work)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def install(self, src, name):
        shutil.copy(src, os.path.join(self.ssl, name))

    def make_bad_set(self):
        self.install(self.c.dated("expired", "rsa2048", "expired.example.com", "20200101000000Z",
                                  "20210101000000Z", san="DNS:expired.example.com,IP:192.0.2.7"), "expired.crt")
        self.install(self.c.selfsigned("soon", "rsa2048", "soon.example.com", 10,
                                       san="DNS:soon.example.com,DNS:www.soon.example.com,IP:::1"), "soon.pem")
        self.install(self.c.selfsigned("weak", "rsa1024", "weak.example.com", 400), "weak.pem")
        self.install(self.c.selfsigned("sha1", "rsa2048", "sha1.example.com", 400, md="sha1"), "sha1.pem")
        ca = self.c.dated("ca", "ec", "Oracle CA", "20240101000000Z", "20991231235959Z")
        leaf = self.c.dated("ecleaf", "ec", "ec.example.com", "20240101000000Z", "20991231235959Z",
                            san="DNS:ec.example.com", issuer="ca")
        with open(os.path.join(self.ssl, "bundle.pem"), "w") as f:
            f.write(read(leaf) + read(ca))

    def probe(self):
        p = run("probe", "tls_certificates", "--root", self.root)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_fields_equal_openssl(self):
        self.make_bad_set()
        before = int(time.time())
        obs = self.probe()
        after = time.time()
        certs = {(c["file"], c["index"]): c for c in obs["certificates"]}
        self.assertEqual(obs["certificate_count"], 6)
        seen = 0
        for name in sorted(os.listdir(self.ssl)):
            for i, block in enumerate(pem_blocks(os.path.join(self.ssl, name))):
                want = openssl_fields(block)
                got = certs[("/etc/nginx/ssl/" + name, i)]
                with self.subTest(file=name, index=i):
                    self.assertEqual(got["subject"], want["subject"])
                    self.assertEqual(got["issuer"], want["issuer"])
                    self.assertEqual(got["not_before"], want["not_before"])
                    self.assertEqual(got["not_after"], want["not_after"])
                    self.assertEqual(got["serial"], want["serial"])
                    self.assertEqual(got["sha256_fingerprint"], want["fingerprint"])
                    self.assertEqual(got["san"]["dns"], want["dns"])
                    self.assertEqual(got["san"]["ip"], want["ip"])
                    self.assertEqual(got["key_bits"], want["bits"])
                    self.assertEqual(got["signature_algorithm"], want["sigalg"])
                    self.assertEqual(got["key_curve_nist"], want["nist"])
                    end = calendar.timegm(time.strptime(want["not_after"], "%Y-%m-%dT%H:%M:%SZ"))
                    # days_left is whole days from the probe's clock, read between before and after
                    self.assertGreaterEqual(got["days_left"], (end - after) // 86400)
                    self.assertLessEqual(got["days_left"], (end - before) // 86400)
                    self.assertEqual(got["expired"], end < before)
                    seen += 1
        self.assertEqual(seen, 6)
        soon = certs[("/etc/nginx/ssl/soon.pem", 0)]
        self.assertIn(soon["days_left"], (9, 10))
        self.assertEqual(certs[("/etc/nginx/ssl/sha1.pem", 0)]["signature_hash"], "sha1")
        self.assertEqual(certs[("/etc/nginx/ssl/bundle.pem", 0)]["key_type"], "EC")
        self.assertFalse(certs[("/etc/nginx/ssl/bundle.pem", 0)]["self_signed"])
        self.assertTrue(certs[("/etc/nginx/ssl/bundle.pem", 1)]["self_signed"])

    def check(self):
        p = run("check", "--root", self.root, "--format", "json")
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return {r["id"]: r for r in json.loads(p.stdout)["results"] if r["probe"] == "tls_certificates"}

    def test_controls_fail_on_bad_certificates(self):
        self.make_bad_set()
        res = self.check()
        exp = res["tls-certificates-not-expiring"]
        self.assertEqual(exp["status"], "fail")
        subjects = sorted(f["subject"] for f in exp["failures"])
        self.assertEqual(len(subjects), 2)
        self.assertTrue(subjects[0].startswith("/etc/nginx/ssl/expired.crt (expired.example.com) expires 2021-01-01T00:00:00Z"))
        self.assertTrue(subjects[1].startswith("/etc/nginx/ssl/soon.pem (soon.example.com) expires"))
        keys = res["tls-certificate-keys-strong"]
        self.assertEqual(keys["status"], "fail")
        self.assertEqual({f["subject"] for f in keys["failures"]},
                         {"/etc/nginx/ssl/weak.pem (weak.example.com) has a 1024-bit RSA key"})
        sig = res["tls-certificate-signatures-strong"]
        self.assertEqual(sig["status"], "fail")
        self.assertEqual([f["subject"] for f in sig["failures"]],
                         ["/etc/nginx/ssl/sha1.pem (sha1.example.com) is signed with sha1WithRSAEncryption"])
        self.assertIn("sha1.pem", sig["summary"])

    def test_controls_pass_on_good_certificates(self):
        self.install(self.c.selfsigned("good", "rsa2048", "good.example.com", 365), "good.pem")
        self.install(self.c.selfsigned("goodec", "ec", "ec.example.com", 90), "ec.crt")
        res = self.check()
        for cid in ("tls-certificates-not-expiring", "tls-certificate-keys-strong",
                    "tls-certificate-signatures-strong"):
            self.assertEqual(res[cid]["status"], "pass", res[cid])

    def test_no_certificates_not_applicable(self):
        res = self.check()
        self.assertEqual(res["tls-certificates-not-expiring"]["status"], "not_applicable")


if __name__ == "__main__":
    unittest.main()
