"""reindex_chainstate_rpc: as Core, a node rebuilding its chainstate (-reindex-chainstate) answers RPC
while it does: warm-up ends before the rebuild, which runs in steps on the validation owner.
getblockchaininfo reports "initialblockdownload": true and a growing height meanwhile, and the
tip at the end is the tip before."""

import http.client
import time

from test_framework import REGTEST_ADDR, RPCError, TestFailure, assert_equal, check, log, scaled

# Enough blocks that the rebuild lasts a while (it is observed from outside, polling).
TARGET = 4000


def run(env):
    node = env.add_node()
    node.start()
    for _ in range(TARGET // 250):
        node.generatetoaddress(250, REGTEST_ADDR)
    tip = node.getbestblockhash()
    assert_equal(node.getblockcount(), TARGET, "height after mining")
    utxo = node.gettxoutsetinfo()["hash_serialized_3"]
    node.stop()

    node.start(extra_args=["-reindex-chainstate"], wait=False)
    seen = []  # (blocks, initialblockdownload) of every answer
    warmup_after_answer = 0
    deadline = time.time() + scaled(120)
    t0 = None
    while time.time() < deadline:
        if node.process.poll() is not None:
            raise TestFailure("FAILED: minicashd exited with code %s" % node.process.returncode)
        try:
            info = node.rpc("getblockchaininfo", timeout=10)
        except RPCError as e:
            if e.code != -28:
                raise
            if seen:
                warmup_after_answer += 1
            time.sleep(0.001)
            continue
        except (OSError, http.client.HTTPException):
            time.sleep(0.001)  # not listening yet / no cookie yet
            continue
        if t0 is None:
            t0 = time.time()
        seen.append((info["blocks"], info["initialblockdownload"]))
        if info["blocks"] == TARGET and not info["initialblockdownload"]:
            break
        time.sleep(0.002)
    check(seen, "RPC answered during the -reindex-chainstate start")
    during = [s for s in seen if s[0] < TARGET]
    heights = sorted(set(h for h, _ in during))
    log("%d answers while the chainstate was rebuilt (heights %s..%s, %d distinct), %.2fs from the first answer" %
        (len(during), heights[0] if heights else "-", heights[-1] if heights else "-", len(heights),
         time.time() - t0))
    check(during, "an RPC answer came while the rebuild ran (height below %d), not only -28 until it ended" % TARGET)
    assert_equal(warmup_after_answer, 0, "no -28 (warm-up) once RPC answered")
    check(all(ibd for _, ibd in during), "initialblockdownload is true during the rebuild")
    check([h for h, _ in seen] == sorted(h for h, _ in seen), "the height only grows during the rebuild")
    assert_equal(seen[-1], (TARGET, False), "the rebuild finished (height %d, out of IBD)" % TARGET)
    assert_equal(node.getbestblockhash(), tip, "tip after -reindex-chainstate")
    assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], utxo, "UTXO set hash after -reindex-chainstate")
    node.stop()
