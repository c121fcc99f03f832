"""crash_signal: a daemon killed by a fatal signal leaves a line naming it in debug.log (and
stderr) and still dies of that signal (exit status -signal), so a crash is never silent."""

import os
import signal

from test_framework import REGTEST_ADDR, assert_equal, check, log


def run(env):
    node = env.add_node()
    for sig, name in ((signal.SIGSEGV, "SIGSEGV"), (signal.SIGBUS, "SIGBUS"), (signal.SIGABRT, "SIGABRT")):
        node.start()
        node.generatetoaddress(1, REGTEST_ADDR)
        os.kill(node.process.pid, sig)
        rc = node.wait_for_exit(timeout=60)
        assert_equal(rc, -sig, "exit status after kill -%s is the signal's" % name)
        text = open(node.debug_log, errors="replace").read()
        lines = [l for l in text.splitlines() if "Error: fatal signal %s" % name in l]
        assert_equal(len(lines), 1, "one debug.log line names %s" % name)
        check(lines[0][:4].isdigit() and lines[0][19:21] == "Z ", "the line starts with an ISO-8601 timestamp: %r" % lines[0])
        check(("fatal signal %s" % name) in node.read_stderr(), "stderr names %s too" % name)
        log("ok: %s" % lines[0])
