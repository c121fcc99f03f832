"""Shared by the P2P benchmarks: the functional tests' framework on sys.path, and BenchNode."""
import os
import sys

sys.dont_write_bytecode = True
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "functional"))
import test_framework  # noqa: E402


class BenchNode(test_framework.Node):
    """A functional-test node without -rpcdoccheck (its per-call checks are not what we measure)."""

    def base_args(self):
        return [a for a in super().base_args() if a != "-rpcdoccheck=1"]
