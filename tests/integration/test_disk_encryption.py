"""disk_encryption: `complyd probe` and the three default controls on the
disk-* fixture roots, and on this machine against findmnt/lsblk."""
import json
import os
import shutil
import subprocess
import unittest

COMPLYD = os.path.abspath(os.environ.get("COMPLYD", "build/complyd"))
HOSTS = os.path.abspath("tests/fixtures/hosts")
IDS = ("root-fs-encrypted", "data-fs-encrypted", "swap-encrypted")


def check(scenario):
    """Results of the disk_encryption controls on a fixture root, by id."""
    p = subprocess.run([COMPLYD, "check", "--root", os.path.join(HOSTS, scenario),
                        "--format", "json"], capture_output=True, text=True, timeout=60)
    data = json.loads(p.stdout)
    results = data if isinstance(data, list) else data["results"]
    return {r["id"]: r for r in results if r["id"] in IDS}


class FixtureControls(unittest.TestCase):
    def verdicts(self, scenario):
        return {k: v["status"] for k, v in check(scenario).items()}

    def test_lvm_on_luks_passes_all(self):
        self.assertEqual(self.verdicts("disk-lvm-on-luks"),
                         dict.fromkeys(IDS, "pass"))

    def test_plain_data_disk_named(self):
        r = check("disk-encrypted-root-plain-data")
        self.assertEqual(r["root-fs-encrypted"]["status"], "pass")
        self.assertEqual(r["data-fs-encrypted"]["status"], "fail")
        subjects = {f.get("subject") for f in r["data-fs-encrypted"]["failures"]}
        self.assertIn("/srv/data on /dev/vdb1 (xfs) is not encrypted", subjects)
        self.assertNotIn("/boot on /dev/vda1 (ext4) is not encrypted", subjects)  # excluded by default
        self.assertEqual(r["swap-encrypted"]["status"], "fail")
        self.assertIn("swap /srv/data/swapfile (file) is not encrypted",
                      {f.get("subject") for f in r["swap-encrypted"]["failures"]})

    def test_plain_swap_fails_random_key_swap_passes(self):
        self.assertEqual(self.verdicts("disk-plain-swap")["swap-encrypted"], "fail")
        self.assertEqual(self.verdicts("disk-swap-random-key")["swap-encrypted"], "pass")

    def test_crypttab_alone_is_not_encryption(self):
        v = self.verdicts("disk-crypttab-inactive")
        self.assertEqual(v["root-fs-encrypted"], "fail")

    def test_lvm_over_plain_pv_fails(self):
        self.assertEqual(self.verdicts("disk-lvm-mixed-pv")["root-fs-encrypted"], "fail")


class LiveHost(unittest.TestCase):
    def test_root_matches_lsblk(self):
        if not shutil.which("findmnt") or not shutil.which("lsblk"):
            self.skipTest("findmnt/lsblk not installed")
        src = subprocess.run(["findmnt", "-n", "-o", "SOURCE", "/"], capture_output=True,
                             text=True).stdout.strip()
        if not src.startswith("/dev/"):
            self.skipTest("/ is not on a device here: " + src)
        types = subprocess.run(["lsblk", "-s", "-n", "-r", "-o", "TYPE", src],
                               capture_output=True, text=True).stdout.split()
        out = json.loads(subprocess.run([COMPLYD, "probe", "disk_encryption"],
                                        capture_output=True, text=True, timeout=60).stdout)
        root = [f for f in out["filesystems"] if f["mountpoint"] == "/"]
        self.assertEqual(len(root), 1)
        self.assertEqual(root[0]["source"], src)
        self.assertEqual(out["root_encrypted"], "crypt" in types)


if __name__ == "__main__":
    unittest.main()
