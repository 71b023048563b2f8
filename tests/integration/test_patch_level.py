"""patch_level against its oracles on this machine and on the fixture roots.

- pending updates vs `apt list --upgradable` (names and candidate versions),
  on the live host and, with apt pointed at each fixture root (-o Dir=ROOT),
  on every tests/fixtures/hosts/patch-debian-* root;
- installed_count vs dpkg-query;
- an RPM root under --root is unsupported, never "up to date";
- the list cache (probes.patch_level.params.cache_dir) changes nothing in
  what is reported, is really read on a hit, and a cache that does not match
  its list (another mtime, cut short, a directory others can write) is not
  used.
The Debian version order itself is checked against `dpkg --compare-versions`
in tests/unit/test_debversion.c (1000 pairs)."""
import glob
import json
import os
import shutil
import subprocess
import tempfile
import unittest

COMPLYD = os.environ.get("COMPLYD", "build/complyd")
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "hosts")


def probe(root=None, config=None):
    cmd = [COMPLYD, "probe", "patch_level"] + (["--root", root] if root else [])
    cmd += ["--config", config] if config else []
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError(f"{cmd} exited {out.returncode}: {out.stderr}")
    return json.loads(out.stdout)


def apt_upgradable(extra=()):
    """{(name, candidate): [suites]} from `apt list --upgradable`."""
    env = dict(os.environ, LC_ALL="C")
    out = subprocess.run(["apt", *extra, "list", "--upgradable"], capture_output=True,
                         text=True, env=env, timeout=120)
    if out.returncode != 0:
        raise AssertionError(f"apt list failed: {out.stderr}")
    res = {}
    for line in out.stdout.splitlines():
        if "[upgradable from:" not in line:
            continue
        head, version = line.split()[:2]
        name, suites = head.split("/", 1)
        res[(name, version)] = suites.split(",")
    return res


def ours(d):
    return {(p["name"], p["candidate"]): p["security"] for p in d["pending_updates"]}


@unittest.skipUnless(shutil.which("apt") and os.path.exists("/var/lib/dpkg/status"),
                     "apt/dpkg not installed on this machine")
class LiveDebian(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.obs = probe()
        cls.apt = apt_upgradable()

    def test_pending_equals_apt_list_upgradable(self):
        mine = set(ours(self.obs))
        self.assertEqual(sorted(mine - set(self.apt)), [], "pending here but not in apt")
        self.assertEqual(sorted(set(self.apt) - mine), [], "in apt but not pending here")
        self.assertEqual(self.obs["pending_updates_count"], len(self.apt))

    def test_security_covers_apt_security_suites(self):
        # apt names the suites holding the candidate; a candidate from a
        # -security suite is a security update (ours may flag more: a point
        # release candidate with a newer version also in -security)
        mine = ours(self.obs)
        for key, suites in self.apt.items():
            if any(s.endswith("-security") for s in suites):
                self.assertTrue(mine[key], f"{key} comes from {suites} but security is false")
        self.assertEqual(self.obs["pending_security_count"], sum(mine.values()))

    def test_installed_count_equals_dpkg_query(self):
        out = subprocess.run(["dpkg-query", "-W", "-f", "${db:Status-Status}\n"],
                             capture_output=True, text=True, check=True).stdout
        self.assertEqual(self.obs["installed_count"], out.split().count("installed"))

    def test_lists_read_without_error(self):
        idx = self.obs["package_indexes"]
        self.assertGreater(len(idx), 0)
        for i in idx:
            self.assertIsNone(i["error"], i["path"])
            self.assertGreater(i["packages"], 0, i["path"])
        self.assertEqual(self.obs["package_manager"], "dpkg")
        self.assertTrue(self.obs["supported"])
        self.assertIsInstance(self.obs["last_index_update_age_seconds"], int)

    def test_running_kernel_is_this_kernel(self):
        self.assertEqual(self.obs["running_kernel"], os.uname().release)


def timeless(d):
    """The observation without the index age, which moves with the clock."""
    return {k: v for k, v in d.items() if not k.startswith("last_index_update_age")}


def cache_config(tmp, cache_dir):
    path = os.path.join(tmp, "complyd.yaml")
    with open(path, "w") as f:
        f.write(f'probes:\n  patch_level:\n    params:\n      cache_dir: "{cache_dir}"\n')
    return path


@unittest.skipUnless(os.path.exists("/var/lib/dpkg/status") and glob.glob("/var/lib/apt/lists/*_Packages*"),
                     "no dpkg status or apt lists on this machine")
class ListCacheOnThisHost(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="complyd-listcache-")
        self.cache = os.path.join(self.tmp, "cache")
        self.uncached = timeless(probe(config=cache_config(self.tmp, "")))
        self.config = cache_config(self.tmp, self.cache)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def cache_files(self):
        d = os.path.join(self.cache, "patch_level")
        return {os.path.join(d, n) for n in os.listdir(d)} if os.path.isdir(d) else set()

    def header(self, path):
        with open(path, "rb") as f:
            return f.readline().decode().split()

    def test_cache_changes_nothing_and_names_its_list(self):
        self.assertEqual(timeless(probe(config=self.config)), self.uncached)  # written
        self.assertEqual(timeless(probe(config=self.config)), self.uncached)  # read
        lists = [i["path"] for i in self.uncached["package_indexes"] if i["compression"] != "unsupported"]
        self.assertEqual(sorted(os.path.basename(p) for p in self.cache_files()),
                         sorted(os.path.basename(p) for p in lists))
        for lst in lists:
            st = os.stat(lst)
            cache = os.path.join(self.cache, "patch_level", os.path.basename(lst))
            h = self.header(cache)
            self.assertEqual(h[:6], ["complyd-apt-list-cache", "1", str(st.st_dev), str(st.st_ino),
                                     str(st.st_size), "%d.%09d" % divmod(st.st_mtime_ns, 10**9)])
            entries = [i["packages"] for i in self.uncached["package_indexes"] if i["path"] == lst]
            self.assertEqual(int(h[6]), entries[0])
            self.assertEqual(int(h[7]) + len(" ".join(h)) + 1, os.path.getsize(cache))

    def test_a_hit_is_what_is_read(self):
        # a candidate made to start with 9 is still newer than what is installed
        pending = [p for p in self.uncached["pending_updates"] if not p["candidate"].startswith("9")]
        if not pending:
            self.skipTest("no pending update on this machine to recognise in the cache")
        probe(config=self.config)
        p = pending[0]
        old = f"Package: {p['name']}\nVersion: {p['candidate']}\n".encode()
        new = f"Package: {p['name']}\nVersion: 9{p['candidate'][1:]}\n".encode()
        edited = 0
        for path in self.cache_files():
            with open(path, "rb") as f:
                data = f.read()
            if old in data:
                with open(path, "wb") as f:
                    f.write(data.replace(old, new))
                edited += 1
        self.assertGreater(edited, 0, f"{p['name']} {p['candidate']} is in no cache file")
        got = {(u["name"], u["arch"]): u["candidate"] for u in probe(config=self.config)["pending_updates"]}
        self.assertEqual(got[(p["name"], p["arch"])], "9" + p["candidate"][1:])

    def test_cache_of_another_file_or_cut_short_is_rewritten(self):
        probe(config=self.config)
        files = sorted(self.cache_files(), key=os.path.getsize)
        good = {}
        for path in files:
            with open(path, "rb") as f:
                good[path] = f.read()
        stale, cut = files[-1], files[0]
        h = good[stale].split(b"\n", 1)[0].split(b" ")
        h[5] = b"1.000000000"  # another mtime
        with open(stale, "wb") as f:
            f.write(b" ".join(h) + b"\n" + good[stale].split(b"\n", 1)[1])
        with open(cut, "r+b") as f:
            f.truncate(len(good[cut]) - 10)
        self.assertEqual(timeless(probe(config=self.config)), self.uncached)
        for path in (stale, cut):
            with open(path, "rb") as f:
                self.assertEqual(f.read(), good[path], path)

    def test_directory_others_can_write_is_not_used(self):
        os.makedirs(os.path.join(self.cache, "patch_level"))
        os.chmod(self.cache, 0o777)
        self.assertEqual(timeless(probe(config=self.config)), self.uncached)
        self.assertEqual(self.cache_files(), set())


@unittest.skipUnless(shutil.which("apt"), "apt not installed on this machine")
class FixtureRootsVsApt(unittest.TestCase):
    """apt itself, pointed at each fixture root, must agree with the probe."""

    def test_every_debian_fixture(self):
        roots = sorted(glob.glob(os.path.join(FIXTURES, "patch-debian-*")))
        self.assertGreaterEqual(len(roots), 5)
        with tempfile.TemporaryDirectory() as tmp:
            for root in roots:
                with self.subTest(root=os.path.basename(root)):
                    root = os.path.abspath(root)
                    os.makedirs(os.path.join(tmp, "etc-parts"), exist_ok=True)
                    extra = ["-o", f"Dir={root}", "-o", f"Dir::Cache={tmp}",
                             "-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache=",
                             "-o", f"Dir::Etc::preferencesparts={tmp}/etc-parts",
                             "-o", f"Dir::Log={tmp}", "-o", "APT::Architecture=amd64",
                             "-o", "APT::Architectures::=amd64", "-o", "APT::Architectures::=i386"]
                    self.assertEqual(set(ours(probe(root))), set(apt_upgradable(extra)))


class NonDebianRoots(unittest.TestCase):
    def test_rpm_root_is_unsupported(self):
        d = probe(os.path.join(FIXTURES, "patch-rhel9"))
        self.assertEqual(d["package_manager"], "rpm")
        self.assertFalse(d["supported"])
        self.assertIsNone(d["pending_updates"])
        self.assertIsNone(d["pending_security_count"])

    def test_unknown_root(self):
        d = probe(os.path.join(FIXTURES, "patch-unknown"))
        self.assertEqual(d["package_manager"], "unknown")
        self.assertFalse(d["supported"])
        self.assertIsNone(d["last_index_update_age_seconds"])


if __name__ == "__main__":
    unittest.main()
