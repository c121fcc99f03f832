"""mining_rpcs: getblocktemplate (fields, a block built from it in Python and submitted, proposal
mode), submitheader (headers-only tips, Core's errors), waitfornewblock / waitforblock /
waitforblockheight (a waiter on one connection returns when another connection mines; a timeout
returns the current tip) and getnetworkhashps against a computation from the block headers.

No sleeps: a waiter is known to wait when getrpcinfo lists its command, and returns when the
block it waits for is connected."""

import hashlib
import struct
import threading

from test_framework import REGTEST_ADDR, assert_equal, assert_raises_rpc, check, dsha256, log

# P2WSH(OP_TRUE): the coinbase output of the blocks built here.
OP_TRUE_P2WSH = bytes([0x00, 0x20]) + hashlib.sha256(b"\x51").digest()
REGTEST_HALVING = 150
COIN = 100000000


def ser_varint(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    return b"\xfe" + struct.pack("<I", n)


def ser_script_num_push(n):
    """Core's CScript() << n for a block height (BIP-34): OP_1..OP_16 or a minimal push."""
    if n == 0:
        return b"\x00"
    if 1 <= n <= 16:
        return bytes([0x50 + n])
    data = bytearray()
    while n:
        data.append(n & 0xff)
        n >>= 8
    if data[-1] & 0x80:
        data.append(0)
    return bytes([len(data)]) + bytes(data)


def coinbase_tx(height, value, commitment_hex):
    """A segwit coinbase: BIP-34 height, the value to OP_TRUE P2WSH, the template's witness
    commitment, and the 32-byte zero witness reserved value. Returns (txid bytes, serialization)."""
    script_sig = ser_script_num_push(height) + b"\x01\x00"  # padding: scriptSig must be 2..100 bytes
    vin = ser_varint(1) + b"\x00" * 32 + b"\xff\xff\xff\xff" + ser_varint(len(script_sig)) + script_sig + \
        b"\xff\xff\xff\xff"
    outs = [(value, OP_TRUE_P2WSH)]
    if commitment_hex:
        outs.append((0, bytes.fromhex(commitment_hex)))
    vout = ser_varint(len(outs)) + b"".join(struct.pack("<q", v) + ser_varint(len(s)) + s for v, s in outs)
    version, locktime = struct.pack("<i", 2), struct.pack("<I", 0)
    legacy = version + vin + vout + locktime
    witness = (ser_varint(1) + ser_varint(32) + b"\x00" * 32) if commitment_hex else b""
    full = (version + b"\x00\x01" + vin + vout + witness + locktime) if commitment_hex else legacy
    return dsha256(legacy), full


def header_bytes(version, prev_hex, merkle, ntime, bits_hex, nonce):
    return struct.pack("<i", version) + bytes.fromhex(prev_hex)[::-1] + merkle + struct.pack("<I", ntime) + \
        struct.pack("<I", int(bits_hex, 16)) + struct.pack("<I", nonce)


def hash_int(header):
    return int.from_bytes(dsha256(header), "little")


def build_from_template(tmpl, ntime=None, solve=True, bad_pow=False):
    """A block from a template (coinbase only). solve: a nonce meeting the target; bad_pow: one
    missing it. Returns (block hex, block hash hex, header hex)."""
    txid, cb = coinbase_tx(tmpl["height"], tmpl["coinbasevalue"], tmpl.get("default_witness_commitment"))
    ntime = tmpl["curtime"] if ntime is None else ntime
    target = int(tmpl["target"], 16)
    nonce = 0
    while True:
        header = header_bytes(tmpl["version"], tmpl["previousblockhash"], txid, ntime, tmpl["bits"], nonce)
        if not solve:
            break
        ok = hash_int(header) <= target
        if ok != bad_pow:
            break
        nonce += 1
    block = header + ser_varint(1) + cb
    return block.hex(), dsha256(header)[::-1].hex(), header.hex()


def template(node):
    return node.getblocktemplate({"rules": ["segwit"]})


def test_getblocktemplate(node):
    assert_raises_rpc(-8, "getblocktemplate must be called with the segwit rule set (call with {\"rules\": [\"segwit\"]})",
                      node.getblocktemplate, {}, what="getblocktemplate without the segwit rule")
    assert_raises_rpc(-8, "Invalid mode", node.getblocktemplate, {"mode": "nosuchmode", "rules": ["segwit"]},
                      what="getblocktemplate with an unknown mode")
    tip = node.getbestblockhash()
    tip_header = node.getblockheader(tip)
    height = tip_header["height"] + 1
    t = template(node)
    assert_equal(t["previousblockhash"], tip, "gbt previousblockhash is the tip")
    assert_equal(t["height"], height, "gbt height is the tip's + 1")
    assert_equal(t["coinbasevalue"], (50 * COIN) >> (height // REGTEST_HALVING), "gbt coinbasevalue is the subsidy")
    assert_equal(t["bits"], tip_header["bits"], "gbt bits (regtest: no retargeting)")
    bits = int(t["bits"], 16)
    assert_equal(int(t["target"], 16), (bits & 0xffffff) << (8 * ((bits >> 24) - 3)), "gbt target expands bits")
    assert_equal(t["mintime"], tip_header["mediantime"] + 1, "gbt mintime is the tip's median time + 1")
    check(t["curtime"] >= t["mintime"], "gbt curtime %d >= mintime %d" % (t["curtime"], t["mintime"]))
    assert_equal(t["capabilities"], ["proposal"], "gbt capabilities")
    assert_equal(t["mutable"], ["time", "transactions", "prevblock"], "gbt mutable")
    assert_equal(t["noncerange"], "00000000ffffffff", "gbt noncerange")
    assert_equal((t["sigoplimit"], t["sizelimit"], t["weightlimit"]), (80000, 4000000, 4000000), "gbt limits")
    assert_equal(t["transactions"], [], "gbt transactions (no mempool)")
    assert_equal(t["coinbaseaux"], {}, "gbt coinbaseaux")
    assert_equal(t["vbrequired"], 0, "gbt vbrequired")
    check("csv" in t["rules"] and "!segwit" in t["rules"], "gbt rules list csv and !segwit (%s)" % t["rules"])
    check(t["longpollid"].startswith(tip), "gbt longpollid starts with the tip hash")
    check(t["default_witness_commitment"].startswith("6a24aa21a9ed"), "gbt default_witness_commitment is a commitment")
    check("signet_challenge" not in t, "gbt has no signet_challenge on regtest")

    # Proposal mode (BIP-23): proof of work is not checked, everything else is.
    unsolved, _, _ = build_from_template(t, solve=False)
    assert_equal(node.getblocktemplate({"mode": "proposal", "data": unsolved}), None, "proposal of the template's block")
    bad_merkle = bytearray.fromhex(unsolved)
    bad_merkle[36] ^= 1
    assert_equal(node.getblocktemplate({"mode": "proposal", "data": bad_merkle.hex()}), "bad-txnmrklroot",
                 "proposal with a wrong merkle root")
    too_old, _, _ = build_from_template(t, ntime=tip_header["mediantime"], solve=False)
    assert_equal(node.getblocktemplate({"mode": "proposal", "data": too_old}), "time-too-old",
                 "proposal with the median time as its time")
    assert_raises_rpc(-22, "Block decode failed", node.getblocktemplate, {"mode": "proposal", "data": "00"},
                      what="proposal of garbage")
    assert_raises_rpc(-3, "Missing data String key for proposal", node.getblocktemplate, {"mode": "proposal"},
                      what="proposal without data")

    # A block built from the template, solved here, is accepted by submitblock.
    bad, _, _ = build_from_template(t, bad_pow=True)
    assert_equal(node.submitblock(bad), "high-hash", "submitblock of the template block with a failing nonce")
    block_hex, block_hash, _ = build_from_template(t)
    assert_equal(node.submitblock(block_hex), None, "submitblock of the block built from the template")
    assert_equal(node.getbestblockhash(), block_hash, "the template block is the new tip")
    assert_equal(node.getblock(block_hash)["height"], height, "at the template's height")
    assert_equal(node.submitblock(block_hex), "duplicate", "submitting it again")
    assert_equal(node.getblocktemplate({"mode": "proposal", "data": block_hex}), "duplicate", "proposing it again")
    stale, _, _ = build_from_template(t, ntime=t["curtime"] + 1, solve=False)  # another block on the old tip
    assert_equal(node.getblocktemplate({"mode": "proposal", "data": stale}), "inconclusive-not-best-prevblk",
                 "a proposal on the old tip")
    assert_equal(template(node)["previousblockhash"], block_hash, "the next template builds on it")
    u = node.gettxout(coinbase_txid_of(node, block_hash), 0)
    check(u is not None and u["scriptPubKey"]["hex"] == OP_TRUE_P2WSH.hex(),
          "the template block's coinbase output is in the UTXO set")


def coinbase_txid_of(node, block_hash):
    return node.getblock(block_hash)["tx"][0]


def test_submitheader(node):
    assert_raises_rpc(-22, "Block header decode failed", node.submitheader, "xx" * 80, what="submitheader of non-hex")
    assert_raises_rpc(-22, "Block header decode failed", node.submitheader, "ff" * 78, what="submitheader of 78 bytes")
    tip = node.getbestblockhash()
    t = template(node)
    block_hex, block_hash, header_hex = build_from_template(t)
    # A header whose parent is unknown.
    orphan = bytearray.fromhex(header_hex)
    orphan[4:36] = b"\x42" * 32
    assert_raises_rpc(-25, "Must submit previous header (%s) first" % ("42" * 32), node.submitheader, orphan.hex(),
                      what="submitheader of an orphan header")
    _, _, bad_pow = build_from_template(t, bad_pow=True)
    assert_raises_rpc(-25, "high-hash", node.submitheader, bad_pow, what="submitheader of a header missing its target")
    mtp = node.getblockheader(tip)["mediantime"]
    _, _, too_old = build_from_template(t, ntime=mtp)
    assert_raises_rpc(-25, "time-too-old", node.submitheader, too_old, what="submitheader of a header at the median time")

    check(not any(c["hash"] == block_hash for c in node.getchaintips()), "the new header is not a tip yet")
    assert_equal(node.submitheader(header_hex), None, "submitheader of a valid header")
    assert_equal(node.getbestblockhash(), tip, "a header alone does not move the tip")
    h = node.getblockheader(block_hash)
    assert_equal((h["height"], h["confirmations"], h["previousblockhash"]), (t["height"], -1, tip),
                 "getblockheader knows the header (not in the active chain)")
    tips = [c for c in node.getchaintips() if c["hash"] == block_hash]
    assert_equal(tips, [{"height": t["height"], "hash": block_hash, "branchlen": 1, "status": "headers-only"}],
                 "getchaintips lists it as headers-only")
    assert_equal(node.submitheader(block_hex[:160]), None, "submitting the same header again is a no-op")
    assert_equal(node.submitblock(block_hex), None, "then its block is accepted")
    assert_equal(node.getbestblockhash(), block_hash, "and becomes the tip")
    tips = [c for c in node.getchaintips() if c["hash"] == block_hash]
    assert_equal([c["status"] for c in tips], ["active"], "getchaintips: the header's tip is now active")


class Waiter:
    """Runs one RPC call on its own connection in a thread."""

    def __init__(self, node, method, *args):
        self.method = method
        self.result = None
        self.error = None
        self.thread = threading.Thread(target=self._run, args=(node, method, args), daemon=True)
        self.thread.start()

    def _run(self, node, method, args):
        try:
            self.result = node.rpc(method, *args, timeout=300)
        except Exception as e:  # reported by the main thread
            self.error = e

    def join(self, what):
        self.thread.join(timeout=120)  # a deadlock guard only; nothing is asserted on time
        check(not self.thread.is_alive() and self.error is None,
              "%s returned (%s)" % (what, self.error or self.result))
        return self.result


def wait_until_active(node, waiter):
    """Until getrpcinfo lists the waiter's call (each poll is an RPC round trip, no sleep)."""
    for _ in range(100000):
        if any(c["method"] == waiter.method for c in node.getrpcinfo()["active_commands"]):
            return
        check(waiter.thread.is_alive(), "%s is still waiting (%s)" % (waiter.method, waiter.error or waiter.result))
    check(False, "%s never showed in getrpcinfo" % waiter.method)


def test_waits(node):
    tip = node.getbestblockhash()
    height = node.getblockcount()
    current = {"hash": tip, "height": height}
    # Timeouts return the current tip.
    assert_equal(node.waitfornewblock(100), current, "waitfornewblock with a timeout returns the current tip")
    assert_equal(node.waitforblock("11" * 32, 100), current, "waitforblock of an unknown hash times out at the tip")
    assert_equal(node.waitforblockheight(height + 100, 100), current,
                 "waitforblockheight above the tip times out at the tip")
    assert_equal(node.waitforblockheight(height), current, "waitforblockheight of a reached height returns at once")
    assert_equal(node.waitforblock(tip), current, "waitforblock of the tip returns at once")

    # waitfornewblock (no timeout) on one connection; another connection mines.
    w = Waiter(node, "waitfornewblock")
    wait_until_active(node, w)
    mined = node.generatetoaddress(1, REGTEST_ADDR)[0]
    assert_equal(w.join("waitfornewblock"), {"hash": mined, "height": height + 1},
                 "waitfornewblock returns the block another connection mined")
    # With current_tip: returns once the tip differs from it (here at once: it already does).
    assert_equal(node.waitfornewblock(0, tip), {"hash": mined, "height": height + 1},
                 "waitfornewblock with an old current_tip returns the new tip")

    # waitforblock of a block not yet submitted.
    t = template(node)
    block_hex, block_hash, _ = build_from_template(t)
    w = Waiter(node, "waitforblock", block_hash)
    wait_until_active(node, w)
    assert_equal(node.submitblock(block_hex), None, "submitblock of the awaited block")
    assert_equal(w.join("waitforblock"), {"hash": block_hash, "height": height + 2},
                 "waitforblock returns when the awaited block is connected")

    # waitforblockheight two above the tip: one block is not enough.
    w = Waiter(node, "waitforblockheight", height + 4)
    wait_until_active(node, w)
    node.generatetoaddress(1, REGTEST_ADDR)
    wait_until_active(node, w)  # still waiting at height + 3
    last = node.generatetoaddress(1, REGTEST_ADDR)[0]
    assert_equal(w.join("waitforblockheight"), {"hash": last, "height": height + 4},
                 "waitforblockheight returns at the height")


def expected_hashps(node, nblocks, height):
    """Core's GetNetworkHashPS from the headers: chain work between the block and the one nblocks
    below it, over the spread of their times (max - min); -1 = since the last retarget."""
    tip = node.getblockcount()
    h = tip if height == -1 else height
    if h == 0:
        return 0
    if nblocks == -1:
        nblocks = h % 2016 + 1
    nblocks = min(nblocks, h)
    headers = [node.getblockheader(node.getblockhash(x)) for x in range(h - nblocks, h + 1)]
    times = [x["time"] for x in headers]
    if max(times) == min(times):
        return 0
    work = int(headers[-1]["chainwork"], 16) - int(headers[0]["chainwork"], 16)
    return work / (max(times) - min(times))


def test_getnetworkhashps(node):
    # Blocks at chosen times (built from templates): 17 blocks 150 s to 450 s apart.
    for i in range(17):
        t = template(node)
        ntime = max(t["mintime"], node.getblockheader(node.getbestblockhash())["time"]) + 150 * (1 + i % 3)
        block_hex, _, _ = build_from_template(t, ntime=ntime)
        assert_equal(node.submitblock(block_hex), None, "block %d at a chosen time accepted" % i)
    tip = node.getblockcount()
    cases = [(), (120,), (5,), (1,), (-1,), (10, tip - 3), (3, tip - 12), (100000,), (120, tip), (5, 0)]
    for args in cases:
        nblocks = args[0] if args else 120
        height = args[1] if len(args) > 1 else -1
        got = node.getnetworkhashps(*args)
        want = expected_hashps(node, nblocks, height)
        check(abs(float(got) - want) <= 1e-9 * max(1.0, want),
              "getnetworkhashps%s = %s, computed %r" % (tuple(args), got, want))
    check(float(node.getnetworkhashps(5)) > 0, "the estimate over blocks with distinct times is positive")
    assert_raises_rpc(-8, "Invalid nblocks. Must be a positive number or -1.", node.getnetworkhashps, 0,
                      what="getnetworkhashps 0")
    assert_raises_rpc(-8, "Invalid nblocks. Must be a positive number or -1.", node.getnetworkhashps, -2,
                      what="getnetworkhashps -2")
    assert_raises_rpc(-8, "Block does not exist at specified height", node.getnetworkhashps, 120, tip + 1,
                      what="getnetworkhashps above the tip")
    assert_raises_rpc(-8, "Block does not exist at specified height", node.getnetworkhashps, 120, -2,
                      what="getnetworkhashps at height -2")


def run(env):
    node = env.add_node()
    node.start()
    node.generatetoaddress(10, REGTEST_ADDR)
    log("-- getblocktemplate")
    test_getblocktemplate(node)
    log("-- submitheader")
    test_submitheader(node)
    log("-- waitfornewblock / waitforblock / waitforblockheight")
    test_waits(node)
    log("-- getnetworkhashps")
    test_getnetworkhashps(node)
