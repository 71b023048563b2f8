"""The probe runner, through the real binary: timeouts that kill the whole
process tree, output caps, crashes and garbage, what a probe inherits, and
that one broken probe never stops the other controls."""
import json
import os
import time
import unittest

from helpers import TempHost, process_alive

CONTROL = """
- id: {id}
  title: test control on {probe}
  probe: {probe}
  interval: 1m
  expect: {{ path: schema, exists: true }}
"""


class ProbeRunnerTest(TempHost):

    def controls_for(self, *probes):
        self.add_controls("test.yaml", "".join(CONTROL.format(id="t-" + p.replace("_", "-"), probe=p)
                                               for p in probes))

    def test_script_probe_output_is_printed(self):
        self.add_probe("ok_probe")
        p = self.complyd("probe", "ok_probe")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), {"schema": "test.ok.v1", "answer": 42, "root": "/"})

    def test_root_is_passed_to_scripts(self):
        self.add_probe("ok_probe")
        p = self.complyd("probe", "ok_probe", "--root", self.tmp)
        self.assertEqual(json.loads(p.stdout)["root"], os.path.realpath(self.tmp))

    def test_hang_is_killed_at_timeout_and_others_still_evaluated(self):
        for name in ("sleeper", "ok_probe"):
            self.add_probe(name)
        self.write_config("probes:\n  sleeper:\n    timeout: 2s\n")
        self.controls_for("sleeper", "ok_probe")
        start = time.monotonic()
        code, results = self.check_json("--control", "t-sleeper", "--control", "t-ok-probe")
        self.assertLess(time.monotonic() - start, 30)
        self.assertEqual(code, 1)
        self.assertEqual(results["t-sleeper"]["status"], "error")
        self.assertIn("timed out after 2s", results["t-sleeper"]["error"])
        self.assertEqual(results["t-ok-probe"]["status"], "pass")

    def test_setsid_escapees_are_killed_at_timeout(self):
        self.add_probe("escapee")
        marker = os.path.join(self.tmp, "pids")
        self.write_config("probes:\n  escapee:\n    timeout: 2s\n    params: { marker: %s }\n" % marker)
        p = self.complyd("probe", "escapee")
        self.assertEqual(p.returncode, 1)
        self.assertIn("timed out", p.stderr)
        pids = [int(x) for x in open(marker).read().split()]
        self.assertEqual(len(pids), 2, "both escapees started")
        time.sleep(0.2)
        for pid in pids:
            self.assertFalse(process_alive(pid), "escaped process %d survived the timeout" % pid)

    def test_processes_left_behind_by_a_finished_probe_are_killed(self):
        self.add_probe("leaver")
        marker = os.path.join(self.tmp, "pid")
        self.write_config("probes:\n  leaver:\n    params: { marker: %s }\n" % marker)
        p = self.complyd("probe", "leaver")
        self.assertEqual(p.returncode, 0, p.stderr)
        pid = int(open(marker).read())
        time.sleep(0.2)
        self.assertFalse(process_alive(pid), "daemon left behind by the probe survived")

    def test_10mb_output_is_cut_and_reported(self):
        self.add_probe("bigout")
        p = self.complyd("probe", "bigout")
        self.assertEqual(p.returncode, 1)
        self.assertIn("output too large (more than 1048576 bytes)", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_output_cap_is_configurable(self):
        self.add_probe("bigout")
        self.write_config("probes:\n  bigout:\n    max_output: 2KiB\n")
        p = self.complyd("probe", "bigout")
        self.assertEqual(p.returncode, 1)
        self.assertIn("output too large (more than 2048 bytes)", p.stderr)

    def test_crash_garbage_and_exit_status_are_errors_with_reasons(self):
        for name in ("crasher", "garbage", "array_out", "failing", "ok_probe"):
            self.add_probe(name)
        self.controls_for("crasher", "garbage", "array_out", "failing", "ok_probe")
        code, r = self.check_json(*sum((["--control", i] for i in
                                        ("t-crasher", "t-garbage", "t-array-out", "t-failing", "t-ok-probe")), []))
        self.assertEqual(code, 1)
        self.assertEqual(r["t-crasher"]["error"], "killed by signal SEGV: about to crash")
        self.assertRegex(r["t-garbage"]["error"], r"^output is not JSON: .*line 1")
        self.assertEqual(r["t-array-out"]["error"], "output is a JSON array, not an object")
        self.assertEqual(r["t-failing"]["error"], "exited with status 3: cannot read /etc/frobnicator.conf")
        self.assertEqual(r["t-ok-probe"]["status"], "pass")

    def cat_probe(self, name, output):
        """A script probe that prints the bytes output exactly."""
        data = os.path.join(self.tmp, name + ".out")
        with open(data, "wb") as f:
            f.write(output)
        src = os.path.join(self.tmp, name + ".sh")
        with open(src, "w") as f:
            f.write("#!/bin/sh\nexec cat %s\n" % data)
        self.add_probe(name, source=src)

    def test_output_is_refused_with_the_same_reason_by_probe_and_check(self):
        cases = {
            "trailing": (b'{"a": 1} x', "output is not JSON: end of input expected after the value (line 1, column 10)"),
            "dupkeys": (b'{"a": 1, "b": {"a": 2}, "a": 3}', "output is not JSON: duplicate object key (line 1, column 28)"),
            "badutf8": (b'{"a": "\xff"}', "output is not JSON: invalid UTF-8 byte 0xff (line 1, column 8)"),
            "twolines": (b'{"a": 1,\n "b": }', "output is not JSON: invalid token, a value expected (line 2, column 7)"),
            "anarray": (b'[{"a": 1}]', "output is a JSON array, not an object"),
            "astring": (b'"text"', "output is a JSON string, not an object"),
            "nothing": (b'', "no output (a probe prints one JSON object)"),
        }
        for name, (output, _) in cases.items():
            self.cat_probe(name, output)
        self.controls_for(*cases)
        code, results = self.check_json(*sum((["--control", "t-" + n] for n in cases), []))
        self.assertEqual(code, 1)
        for name, (_, reason) in cases.items():
            with self.subTest(name):
                self.assertEqual(results["t-" + name]["status"], "error")
                self.assertEqual(results["t-" + name]["error"], reason)
                p = self.complyd("probe", name)
                self.assertEqual(p.returncode, 1)
                self.assertEqual(p.stdout, "")
                self.assertIn("probe %s: %s" % (name, reason), p.stderr)

    def test_valid_output_is_printed_as_the_probe_wrote_it(self):
        text = r'{"b": [1, 2.5, "\u00e9\n"], "a": {"nested": true}, "z": null, "w": "\u20ac"}'
        self.cat_probe("valid", text.encode())
        p = self.complyd("probe", "valid")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, text + "\n")
        self.assertEqual(list(json.loads(p.stdout)), ["b", "a", "z", "w"])

    def test_probe_inherits_nothing(self):
        self.add_probe("introspect")
        # a descriptor the parent leaks on purpose, and variables that must not pass
        leaked = os.open("/dev/null", os.O_RDONLY)
        os.set_inheritable(leaked, True)
        try:
            p = self.complyd("probe", "introspect", pass_fds=(leaked,),
                             env={"WATCHDOG_USEC": "1000000", "LD_PRELOAD": "", "SECRET_TOKEN": "x",
                                  "http_proxy": "http://127.0.0.1:9"})
        finally:
            os.close(leaked)
        self.assertEqual(p.returncode, 0, p.stderr)
        o = json.loads(p.stdout)
        self.assertEqual(o["fds"][:3], [0, 1, 2])
        self.assertLessEqual(len(o["fds"]), 4, "only stdio (and the fd listing itself) may be open: %s" % o["fds"])
        for var in ("WATCHDOG_USEC", "LD_PRELOAD", "SECRET_TOKEN", "http_proxy"):
            self.assertNotIn(var, o["env"])
        self.assertEqual(o["env"]["PATH"], "/usr/sbin:/usr/bin:/sbin:/bin")
        self.assertEqual(o["env"]["COMPLYD_PROBE"], "introspect")
        self.assertEqual(o["cap_amb"], "0000000000000000")
        self.assertEqual(o["rlimit_core"], 0)
        self.assertEqual(o["rlimit_cpu"], 32)
        self.assertEqual(o["rlimit_nofile"], 1024)
        self.assertEqual(o["pgid"], o["pid"], "own process group")
        self.assertEqual(o["sid"], o["pid"], "own session")
        self.assertEqual(o["cwd"], "/")
        self.assertEqual(o["umask"], 0o077)
        self.assertEqual(o["nice"], 10)

    @unittest.skipUnless(os.getuid() == 0, "switching users needs root")
    def test_scripts_run_as_the_configured_user(self):
        self.add_probe("introspect")
        self.write_config("script_user: nobody\n")
        p = self.complyd("probe", "introspect")
        self.assertEqual(p.returncode, 0, p.stderr)
        o = json.loads(p.stdout)
        self.assertEqual(o["uid"], 65534)
        self.assertEqual(o["cap_eff"], "0000000000000000")


if __name__ == "__main__":
    unittest.main()
