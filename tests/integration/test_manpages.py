"""The manual pages in man/: each renders with man(1) and groff without a
warning and lints clean under mandoc, and each says what the program and
the shipped files say: every key of etc/complyd.yaml (with the default the
file gives), every command and option of `complyd --help`, every probe and
parameter of `complyd probe --list`. The examples in the pages are run:
control files load, the configuration validates, the example probes build
and print their observation."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from helpers import COMPLYD, TOP, run

MAN = os.path.join(TOP, "man")
PAGES = {
    "complyd.8": "COMPLYD",
    "complyd.yaml.5": "COMPLYD.YAML",
    "complyd.controls.5": "COMPLYD.CONTROLS",
    "complyd-probes.7": "COMPLYD-PROBES",
}
HAVE_MAN = shutil.which("man") is not None
HAVE_GROFF = shutil.which("groff") is not None
HAVE_MANDOC = shutil.which("mandoc") is not None
NO_TOOLS = "neither man (Debian: man-db) nor groff (Debian: groff-base) is installed"


def page_path(name):
    return os.path.join(MAN, name)


def render(name, width=80):
    """The page as plain text, the way a reader sees it: man -l when
    man-db is installed, else groff's ASCII output without overstrikes."""
    env = dict(os.environ, MANWIDTH=str(width), LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
    env.pop("MANPAGER", None)
    env.pop("PAGER", None)
    if HAVE_MAN:
        cmd = ["man", "-l", page_path(name)]
    else:
        cmd = ["groff", "-man", "-Tutf8", "-rLL=%dn" % width, "-P-cbou", page_path(name)]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    if p.returncode != 0:
        raise AssertionError("%s: %s exited %d: %s" % (name, cmd[0], p.returncode, p.stderr))
    # grotty spells \- and hyphens as Unicode in some set-ups
    return p.stdout.replace("\u2212", "-").replace("\u2010", "-")


def roff_unescape(text):
    """The literal text of an .EX/.EE block: the few escapes the pages use."""
    for esc, ch in (("\\-", "-"), ("\\(aq", "'"), ("\\(dq", '"'), ("\\e", "\\"), ("\\&", "")):
        text = text.replace(esc, ch)
    return text


def examples(name):
    """Every .EX ... .EE block of a page, unescaped."""
    with open(page_path(name), encoding="utf-8") as f:
        src = f.read()
    return [roff_unescape(b) for b in re.findall(r"^\.EX\n(.*?)^\.EE\n", src, re.S | re.M)]


def config_keys():
    """The keys of etc/complyd.yaml (every one is commented out there) as
    dotted paths, with NAME and ID standing for probe names and control
    ids and [] for a list element; the parameters under a `params` key are
    examples, not keys. Returns {path: value written in the file (or None
    for a mapping)} in file order."""
    keys, stack = {}, []  # stack of (indent, component)
    pat = re.compile(r"^#( *)(- )?([a-z][a-z0-9_-]*):(?: (.*))?$")
    with open(os.path.join(TOP, "etc", "complyd.yaml"), encoding="utf-8") as f:
        for line in f:
            m = pat.match(line.rstrip("\n"))
            if not m:
                continue
            indent, item, key, value = len(m.group(1)), m.group(2), m.group(3), m.group(4)
            if item:
                while stack and stack[-1][0] >= indent:
                    stack.pop()
                if stack and not stack[-1][1].endswith("[]"):
                    stack[-1] = (stack[-1][0], stack[-1][1] + "[]")
                indent += 2
            while stack and stack[-1][0] >= indent:
                stack.pop()
            parents = [c for _, c in stack]
            if "params" in parents:
                continue
            if parents in (["probes"], ["controls"]):
                key = "NAME" if parents == ["probes"] else "ID"
                stack.append((indent, key))
                continue
            path = ".".join(parents + [key])
            keys[path] = value.strip() if value and value.strip() else None
            stack.append((indent, key))
    return keys


@unittest.skipUnless(HAVE_MAN or HAVE_GROFF, NO_TOOLS)
class RenderTest(unittest.TestCase):
    """man -l, groff -ww and mandoc -T lint have nothing to say."""

    def test_every_page_renders_without_warnings(self):
        for name, title in PAGES.items():
            with self.subTest(page=name):
                text = render(name)
                self.assertRegex(text, r"^%s\(\d\)" % re.escape(title), "the header line names the page")
                for section in ("NAME", "DESCRIPTION", "SEE ALSO"):
                    self.assertRegex(text, r"(?m)^%s$" % section)
                self.assertNotRegex(text, r"\\[f(&*-]", "a roff escape is printed as text")

    @unittest.skipUnless(HAVE_MAN, "man (Debian: man-db) is not installed")
    def test_man_warnings(self):
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
        for name in PAGES:
            with self.subTest(page=name):
                p = subprocess.run(["man", "--warnings=w", "-l", page_path(name)], capture_output=True,
                                   text=True, env=env, timeout=60)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stderr, "", "man --warnings says something about %s" % name)
                self.assertGreater(len(p.stdout), 1000)

    @unittest.skipUnless(HAVE_GROFF, "groff (Debian: groff-base) is not installed")
    def test_groff_all_warnings(self):
        for name in PAGES:
            with self.subTest(page=name):
                p = subprocess.run(["groff", "-man", "-ww", "-z", page_path(name)], capture_output=True,
                                   text=True, timeout=60)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stderr, "", "groff -ww says something about %s" % name)

    @unittest.skipUnless(HAVE_MANDOC, "mandoc (Debian: mandoc) is not installed: lint skipped")
    def test_mandoc_lint(self):
        for name in PAGES:
            with self.subTest(page=name):
                p = subprocess.run(["mandoc", "-T", "lint", page_path(name)], capture_output=True, text=True,
                                   timeout=60)
                self.assertEqual(p.stdout + p.stderr, "", "mandoc -T lint on %s" % name)
                self.assertEqual(p.returncode, 0)

    def test_pages_refer_to_pages_that_exist(self):
        refs = set()
        for name in PAGES:
            with open(page_path(name), encoding="utf-8") as f:
                refs |= set(re.findall(r"^\.BR (complyd[\\\-.a-z]*) \((\d)\)", f.read(), re.M))
        self.assertTrue(refs)
        for page, section in refs:
            self.assertIn("%s.%s" % (page.replace("\\-", "-"), section), PAGES)


@unittest.skipUnless(HAVE_MAN or HAVE_GROFF, NO_TOOLS)
class ConfigurationPageTest(unittest.TestCase):
    """complyd.yaml(5) documents every key of the shipped configuration,
    each with a default (or as required), and the defaults agree."""

    @classmethod
    def setUpClass(cls):
        cls.keys = config_keys()
        cls.text = render("complyd.yaml.5", width=200)

    def test_the_shipped_file_is_understood(self):
        # a broken parse of etc/complyd.yaml must not make the test vacuous
        for key in ("probe_dirs", "host.hostname", "probes.NAME.params", "controls.ID.waiver.expires",
                    "alerts.webhook.token_file", "outputs[].batch_max_bytes", "evidence.sync",
                    "metrics.textfile"):
            self.assertIn(key, self.keys)
        self.assertGreaterEqual(len(self.keys), 50)

    def heading(self, key):
        """The parenthesis of key's entry, "(duration, 1s to 1d; default
        30s)", "" for an entry without one (a mapping), None when absent."""
        name = r"[\w.\[\]]+"
        m = re.search(r"(?m)^ +(?:%s, )*%s(?:, %s)*(?: (\(.*\))$|\s)" % (name, re.escape(key), name), self.text)
        if not m:
            return None
        return m.group(1) or ""

    def test_every_key_is_documented_with_a_default(self):
        mappings = {k.rsplit(".", 1)[0] for k in self.keys if "." in k}
        for key in self.keys:
            with self.subTest(key=key):
                h = self.heading(key)
                self.assertIsNotNone(h, "%s has no entry in complyd.yaml(5)" % key)
                if key not in mappings:
                    self.assertRegex(h, r"default|required", "%s: no default given" % key)

    def test_defaults_agree_with_the_shipped_file(self):
        checked = 0
        for key, value in self.keys.items():
            m = re.search(r"; default ([^:;]+)\)$", self.heading(key) or "")
            if not m or value is None:
                continue
            default = m.group(1).strip()
            if default in self.keys or " " in default:
                continue  # another key's value, or words
            with self.subTest(key=key):
                self.assertEqual(default, value, "%s: the page says default %s, etc/complyd.yaml %s"
                                 % (key, default, value))
                checked += 1
        self.assertGreaterEqual(checked, 20)

    def test_example_configuration_validates(self):
        blocks = [b for b in examples("complyd.yaml.5") if b.startswith("controls:")]
        self.assertEqual(len(blocks), 1)
        tmp = tempfile.mkdtemp(prefix="complyd-man-")
        try:
            path = os.path.join(tmp, "complyd.yaml")
            with open(path, "w") as f:
                f.write(blocks[0] + "state_dir: %s\n" % os.path.join(tmp, "state"))
            p = run("validate", "--config", path)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertIn("configuration OK", p.stdout)
        finally:
            shutil.rmtree(tmp)


@unittest.skipUnless(HAVE_MAN or HAVE_GROFF, NO_TOOLS)
class CommandsPageTest(unittest.TestCase):
    """complyd(8) has a section for every command `complyd --help` lists
    and names every long option of every command's --help."""

    def commands(self):
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        block = p.stdout.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
        names = re.findall(r"(?m)^  ([a-z]+)\b", block)
        self.assertGreaterEqual(len(names), 6, block)
        return names

    def test_every_command_has_a_section(self):
        text = render("complyd.8", width=300)
        for name in self.commands():
            with self.subTest(command=name):
                self.assertRegex(text, r"(?m)^   complyd %s\b" % name, "no subsection for %s" % name)
                self.assertRegex(text, r"(?m)^       complyd %s\b" % name, "%s not in the SYNOPSIS" % name)

    def test_every_option_is_documented(self):
        text = render("complyd.8", width=300)
        for name in self.commands():
            p = run(name, "--help")
            self.assertEqual(p.returncode, 0, name)
            options = set(re.findall(r"(?<![\w-])--([a-z][a-z-]+)", p.stdout)) - {"help"}
            for opt in options:
                with self.subTest(command=name, option=opt):
                    self.assertIn("--" + opt, text)

    def test_files_and_signals(self):
        text = render("complyd.8", width=300)
        for word in ("/etc/complyd/complyd.yaml", "/etc/complyd/controls.d/", "/var/lib/complyd/state.json",
                     "/var/lib/complyd/key", "/var/lib/complyd/key.pub", "/var/lib/complyd/spool/",
                     "/var/lib/complyd/dead-letter/", "complyd.service", "SIGHUP", "SIGTERM", "SIGINT",
                     "NO_COLOR", "COMPLYD_LOG_LEVEL", "NOTIFY_SOCKET", "WATCHDOG_USEC", "JOURNAL_STREAM",
                     "EXIT STATUS"):
            self.assertIn(word, text)


@unittest.skipUnless(HAVE_MAN or HAVE_GROFF, NO_TOOLS)
class ProbesPageTest(unittest.TestCase):
    """complyd-probes(7) has a section for every built-in probe of
    `complyd probe --list`, naming each of its parameters, and its
    examples build and run."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="complyd-man-")
        os.chmod(self.tmp, 0o755)
        self.config = os.path.join(self.tmp, "complyd.yaml")
        with open(self.config, "w") as f:  # built-in probes only, whatever /etc holds
            f.write("state_dir: %s\n" % os.path.join(self.tmp, "state"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def sections(self):
        """{probe name: its subsection's text} of BUILT-IN PROBES."""
        text = render("complyd-probes.7", width=200)
        text = re.split(r"(?m)^\S.*\n", text.split("\nBUILT-IN PROBES\n", 1)[1], 1)[0]
        parts = re.split(r"(?m)^   (\S+)\n", text)
        return dict(zip(parts[1::2], parts[2::2]))

    def test_every_probe_and_parameter_is_documented(self):
        p = run("probe", "--list", "--config", self.config)
        self.assertEqual(p.returncode, 0, p.stderr)
        probes, current = {}, None
        for line in p.stdout.splitlines():
            m = re.match(r"^(\S+)\s", line)
            if m:
                current = m.group(1)
                probes[current] = []
            elif current and line.strip().startswith("param "):
                probes[current].append(line.split()[1])
        self.assertGreaterEqual(len(probes), 14)
        sections = self.sections()
        for name, params in probes.items():
            with self.subTest(probe=name):
                self.assertTrue(name in sections, "no subsection for probe %s" % name)
                for param in params:
                    self.assertTrue(re.search(r"\b%s\b" % param, sections[name]),
                                    "%s: parameter %s is not in its subsection" % (name, param))

    def probe_dir_with(self, files):
        d = os.path.join(self.tmp, "probes")
        os.mkdir(d, 0o755)
        for fname, (text, mode) in files.items():
            path = os.path.join(d, fname)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, mode)
        with open(self.config, "a") as f:
            f.write("probe_dirs: [%s]\n" % d)
        return d

    def test_the_executable_example_runs(self):
        script = [b for b in examples("complyd-probes.7") if b.startswith("#!/bin/sh")]
        self.assertEqual(len(script), 1)
        self.probe_dir_with({"cron_access": (script[0], 0o755)})
        p = run("probe", "cron_access", "--config", self.config, "--root", os.path.join(self.tmp))
        self.assertEqual(p.returncode, 0, p.stderr)
        o = json.loads(p.stdout)
        self.assertEqual(o["schema"], "example.cron_access.v1")
        self.assertIn("/etc/cron.allow", [f["path"] for f in o["files"]])

    @unittest.skipUnless(shutil.which("cc"), "no C compiler: the shared-object example is not built")
    def test_the_shared_object_example_builds_and_runs(self):
        src = [b for b in examples("complyd-probes.7") if b.startswith("#include <complyd/probe.h>")]
        self.assertEqual(len(src), 1)
        c = os.path.join(self.tmp, "banner.c")
        with open(c, "w") as f:
            f.write(src[0])
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "jansson"], capture_output=True,
                               text=True).stdout.split()
        d = self.probe_dir_with({})
        so = os.path.join(d, "banner.so")
        b = subprocess.run(["cc", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-I",
                            os.path.join(TOP, "include"), "-o", so, c, *flags], capture_output=True, text=True)
        self.assertEqual(b.returncode, 0, b.stderr)
        os.chmod(so, 0o644)
        p = run("probe", "banner", "--config", self.config)
        self.assertEqual(p.returncode, 0, p.stderr)
        o = json.loads(p.stdout)
        self.assertEqual(o["schema"], "example.banner.v1")
        self.assertIn("/etc/issue", [f["path"] for f in o["files"]])


class ControlsPageTest(unittest.TestCase):
    """Every control in complyd.controls(5) loads, and the operators it
    lists are the ones the rule compiler knows."""

    def test_example_controls_load(self):
        blocks = [b for b in examples("complyd.controls.5") if b.startswith("- id:")]
        self.assertGreaterEqual(len(blocks), 4)
        tmp = tempfile.mkdtemp(prefix="complyd-man-")
        try:
            os.chmod(tmp, 0o755)
            controls, probes = os.path.join(tmp, "controls.d"), os.path.join(tmp, "probes")
            os.mkdir(controls)
            os.mkdir(probes, 0o755)
            shutil.copy(os.path.join(TOP, "examples", "probes", "cron_access", "cron_access"), probes)
            os.chmod(os.path.join(probes, "cron_access"), 0o755)
            for i, b in enumerate(blocks):
                with open(os.path.join(controls, "example%d.yaml" % i), "w") as f:
                    f.write(b)
            config = os.path.join(tmp, "complyd.yaml")
            with open(config, "w") as f:
                f.write("probe_dirs: [%s]\ncontrols_dirs: [%s]\nstate_dir: %s\n"
                        % (probes, controls, os.path.join(tmp, "state")))
            p = run("validate", "--config", config)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            ids = re.findall(r"(?m)^- id: (\S+)", "".join(blocks))
            c = run("controls", "--config", config, "--format", "json")
            self.assertEqual(c.returncode, 0, c.stderr)
            for cid in ids:
                self.assertIn('"%s"' % cid, c.stdout)
        finally:
            shutil.rmtree(tmp)

    def test_operators_are_the_compilers(self):
        with open(os.path.join(TOP, "src", "rules.c"), encoding="utf-8") as f:
            ops = re.findall(r'\[OP_[A-Z_]+\] = "([a-z_]+)"', f.read())
        self.assertGreaterEqual(len(ops), 12)
        with open(page_path("complyd.controls.5"), encoding="utf-8") as f:
            src = f.read()
        section = src.split(".SH OPERATORS", 1)[1].split(".SH ", 1)[0]
        for op in ops:
            self.assertRegex(section, r"(?m)^\.BR? %s\b|^\.BR .*\" %s\b" % (op, op), op)


if __name__ == "__main__":
    unittest.main()
