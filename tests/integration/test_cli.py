"""The command line as a user meets it: exit codes, help, validation errors
with their positions, check output in both formats."""
import json
import os
import re
import unittest

from helpers import TOP, TempHost, run

THREE_MISTAKES = """\
- id: first-control
  title: uses a probe that does not exist
  probe: no_such_probe
  expect: { path: answer, equals: 42 }
- id: second-control
  title: uses an operator that does not exist
  probe: ok_probe
  expect: { path: answer, roughly: 42 }
- id: third-control
  title: has a malformed path
  probe: ok_probe
  expect: { path: "answer[", equals: 42 }
"""


class UsageTest(unittest.TestCase):

    def test_no_arguments_is_a_usage_error(self):
        p = run()
        self.assertEqual(p.returncode, 2)
        self.assertIn("Usage: complyd COMMAND", p.stderr)

    def test_help_and_version(self):
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        for cmd in ("check", "probe", "validate", "controls"):
            self.assertIn(cmd, p.stdout)
        p = run("--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^complyd \d+\.\d+\.\d+\n$")

    def test_every_command_has_help(self):
        for cmd in ("check", "probe", "validate", "controls"):
            p = run(cmd, "--help")
            self.assertEqual(p.returncode, 0, cmd)
            self.assertIn("Usage: complyd " + cmd, p.stdout)

    def test_unknown_command_option_and_values(self):
        for args in (["frobnicate"], ["--frobnicate"], ["check", "--frobnicate"], ["check", "--format", "xml"],
                     ["check", "--control", "no-such-control"], ["probe"], ["probe", "no_such_probe"],
                     ["check", "--config", "/nonexistent/complyd.yaml"], ["check", "--root", "/nonexistent"]):
            p = run(*args)
            self.assertEqual(p.returncode, 2, "%s: %s" % (args, p.stderr))
            self.assertTrue(p.stderr.strip(), "%s says why" % args)


class ValidateAndCheckTest(TempHost):

    def test_validate_reports_all_three_mistakes_with_positions(self):
        self.add_probe("ok_probe")
        self.add_controls("mistakes.yaml", THREE_MISTAKES)
        p = self.complyd("validate")
        self.assertEqual(p.returncode, 1)
        f = os.path.join(self.controls_dir, "mistakes.yaml")
        lines = [l for l in p.stderr.splitlines() if l.startswith(f + ":")]
        self.assertEqual(len(lines), 3, p.stderr)
        self.assertTrue(lines[0].startswith(f + ":3:10: "), lines[0])
        self.assertIn("no_such_probe", lines[0])
        self.assertTrue(lines[1].startswith(f + ":8:27: "), lines[1])
        self.assertIn("roughly", lines[1])
        self.assertTrue(lines[2].startswith(f + ":12:19: "), lines[2])

    def test_validate_ok(self):
        p = self.complyd("validate")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("configuration OK", p.stdout)

    def test_broken_config_is_a_configuration_error(self):
        self.write_config("probe_timeout: soon\n")
        p = self.complyd("validate")
        self.assertEqual(p.returncode, 1)
        self.assertIn(self.config + ":4:16: ", p.stderr)
        p = self.complyd("check")
        self.assertEqual(p.returncode, 2)

    def test_check_exit_status_follows_the_results(self):
        self.add_probe("ok_probe")
        self.add_controls("mine.yaml", """
- id: answer-is-42
  title: the answer
  probe: ok_probe
  expect: { path: answer, equals: 42 }
- id: answer-is-41
  title: a wrong answer
  probe: ok_probe
  expect: { path: answer, equals: 41 }
""")
        code, r = self.check_json("--control", "answer-is-42")
        self.assertEqual((code, r["answer-is-42"]["status"]), (0, "pass"))
        code, r = self.check_json("--control", "answer-is-41", "--control", "answer-is-42")
        self.assertEqual(code, 1)
        self.assertEqual(r["answer-is-41"]["status"], "fail")
        self.assertEqual(r["answer-is-41"]["failures"],
                         [{"path": "answer", "op": "equals", "expected": 41, "actual": 42}])

    def test_check_table_on_builtin_defaults(self):
        p = run("check")
        self.assertIn(p.returncode, (0, 1), p.stderr)
        lines = p.stdout.splitlines()
        self.assertTrue(lines[0].startswith("STATUS"), p.stdout)
        self.assertRegex(lines[-1], r"^\d+ controls: \d+ pass, \d+ fail, \d+ error, \d+ not applicable, \d+ waived$")
        self.assertNotIn("\033[", p.stdout, "no colour when not on a terminal")

    def test_readme_control_table_is_generated_from_the_control_files(self):
        with open(os.path.join(TOP, "README.md")) as f:
            readme = f.read()
        m = re.search(r"<!-- controls-table:begin[^>]*-->\n(.*?)<!-- controls-table:end -->", readme, re.S)
        self.assertIsNotNone(m, "README has the table markers")
        self.assertEqual(m.group(1), run("controls", "--format", "markdown").stdout,
                         "README's control table is stale: run `make readme`")

    def test_controls_lists_the_default_set(self):
        p = run("controls", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        controls = json.loads(p.stdout)
        self.assertTrue(controls)
        for c in controls:
            for key in ("id", "title", "criteria", "probe", "interval", "severity"):
                self.assertIn(key, c)


if __name__ == "__main__":
    unittest.main()
