"""Shared by the P2P benchmarks: the functional tests' framework on sys.path, and BenchNode."""
import os
import sys
import time

sys.dont_write_bytecode = True
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "functional"))
import test_framework  # noqa: E402


class BenchNode(test_framework.Node):
    """A functional-test node without -rpcdoccheck (its per-call checks are not what we measure)."""

    def base_args(self):
        return [a for a in super().base_args() if a != "-rpcdoccheck=1"]


def node_cpu_seconds(pid):
    """The process's CPU time so far (utime + stime from /proc/<pid>/stat), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_height(node, height, timeout, poll=0.02):
    """Waits until node has height blocks (RPC errors while it warms up are retried); returns
    time.monotonic() then. Raises if the node exits or the timeout passes."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if node.process.poll() is not None:
            raise RuntimeError("node %d exited: %s" % (node.index, node.log_tail()))
        try:
            if node.rpc("getblockcount", timeout=5) >= height:
                return time.monotonic()
        except Exception:  # warm-up, or RPC not up yet
            pass
        time.sleep(poll)
    raise RuntimeError("node %d did not reach height %d in %ss" % (node.index, height, timeout))


def start_node(env, index, setup_blocks, extra_args=()):
    """A BenchNode started in env and given the setup blocks with submitblock, in order."""
    node = BenchNode(env, index, extra_args=list(extra_args))
    env.nodes.append(node)
    node.start()
    for raw in setup_blocks:
        node.rpc("submitblock", raw.hex())
    return node
