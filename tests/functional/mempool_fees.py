"""mempool_fees: fee estimation (estimatesmartfee, estimaterawfee) from what the node sees confirm.

A fresh regtest node has no data and says so as Core does. Then a fee market: each round sends
transactions at a high rate (50 sat/vB) and a low one (3 sat/vB); blocks built with generateblock
take every high-fee one at once and a low-fee one only after it waited 6 blocks. The estimates that
follow must name a rate for short targets near the high one, a lower rate for long targets, be no
lower in conservative mode, and survive a restart (fee_estimates.dat), and a kill -9 once the
hourly flush ran (brought forward with mockscheduler)."""

import os
from decimal import Decimal

from optrue_wallet import OpTrueWallet
from test_framework import assert_equal, assert_raises_rpc, check, log


def run(env):
    node = env.add_node()
    node.start()
    w = OpTrueWallet(node)
    w.generate(200)

    r = node.estimatesmartfee(2)
    assert_equal(r.get("errors"), ["Insufficient data or no feerate found"], "no data yet: Core's error")
    check("feerate" not in r, "no feerate without data")
    assert_raises_rpc(-8, "Invalid conf_target, must be between 1 and 1008", node.estimatesmartfee, 0,
                      what="conf_target 0")
    assert_raises_rpc(-8, "Invalid estimate_mode parameter", node.estimatesmartfee, 2, "cheap", what="bad mode")
    raw = node.estimaterawfee(2)
    check(set(raw) == {"short", "medium", "long"}, "estimaterawfee reports the three horizons for target 2")
    check("errors" in raw["short"], "estimaterawfee without data: errors")
    check(set(node.estimaterawfee(100)) == {"long"}, "target 100: only the long horizon tracks it")

    waiting = []  # (txid, height it entered)
    for rnd in range(40):
        height = node.getblockcount()
        high = [w.send_self_transfer(fee_rate=50)["txid"] for _ in range(4)]
        low = [w.send_self_transfer(fee_rate=3)["txid"] for _ in range(4)]
        waiting += [(t, height) for t in low]
        due = [t for t, h in waiting if height - h >= 6]
        waiting = [(t, h) for t, h in waiting if height - h < 6]
        blk = node.generateblock("raw(%s)" % w_spk_hex(), high + due)
        w.scan_block(node.getblock(blk["hash"], 2))
    log("ok: 40 rounds of a fee market mined")

    fast = node.estimatesmartfee(1)
    slow = node.estimatesmartfee(20)
    check("feerate" in fast and "feerate" in slow, "estimates exist after the market (%s, %s)" % (fast, slow))
    fast_rate, slow_rate = Decimal(str(fast["feerate"])), Decimal(str(slow["feerate"]))
    check(fast_rate >= Decimal("0.00030"), "a 1-2 block target asks about the high rate (%s BTC/kvB)" % fast_rate)
    check(slow_rate < fast_rate, "a 20-block target asks less (%s < %s)" % (slow_rate, fast_rate))
    cons = Decimal(str(node.estimatesmartfee(20, "conservative")["feerate"]))
    check(cons >= slow_rate, "conservative >= economical (%s >= %s)" % (cons, slow_rate))
    check(node.estimatesmartfee(1)["blocks"] >= 1, "blocks: the target used")
    raw = node.estimaterawfee(1)
    check("feerate" in raw["short"] and "pass" in raw["short"], "estimaterawfee short horizon passes")

    # The hourly flush (Core's FEE_FLUSH_INTERVAL), brought forward with mockscheduler: once it
    # ran, a kill -9 keeps the estimates.
    fee_file = os.path.join(node.netdir, "fee_estimates.dat")
    check(not os.path.exists(fee_file), "no fee_estimates.dat before the first hour")
    node.mockscheduler(1800)
    check(not os.path.exists(fee_file), "nor after half an hour")
    node.mockscheduler(1800)
    check(os.path.exists(fee_file), "written when the hour is up")
    with open(node.debug_log, errors="replace") as f:
        check("Flushed fee estimates to fee_estimates.dat." in f.read(), "with Core's log line")
    assert_raises_rpc(-1, "delta_time must be between 1 and 3600", node.mockscheduler, 0, what="delta 0")
    assert_raises_rpc(-1, "delta_time must be between 1 and 3600", node.mockscheduler, 3601, what="delta 3601")
    node.kill()
    node.start()
    node.wait_for_rpc()
    assert_equal(Decimal(str(node.estimatesmartfee(20).get("feerate"))), slow_rate,
                 "the hourly file keeps the estimate across a kill -9")

    node.restart()
    node.wait_for_rpc()
    after = node.estimatesmartfee(20)
    assert_equal(Decimal(str(after.get("feerate"))), slow_rate, "fee_estimates.dat keeps the estimate across a restart")


def w_spk_hex():
    from optrue_wallet import SPK
    return SPK.hex()
