"""versionbits: regtest's BIP-9 testdummy deployment (bit 28, 108 of 144) through every state, as
getdeploymentinfo, getblocktemplate (version, vbavailable, rules) and getblockheader's versionHex
report it; buried deployments; getdeploymentinfo's errors."""

import struct

from test_framework import REGTEST_ADDR, assert_equal, assert_raises_rpc, check, dsha256

PERIOD = 144
THRESHOLD = 108
TOP_BITS = 0x20000000
DUMMY = 1 << 28
NO_TIMEOUT = 0x7fffffffffffffff


def mine_version(node, version):
    """Mine one block on the tip with the given header version (generateblock's block, version
    replaced and the proof of work re-solved here), and submit it."""
    hex_block = node.generateblock(REGTEST_ADDR, [], False)["hex"]
    raw = bytearray(bytes.fromhex(hex_block))
    raw[0:4] = struct.pack("<i", version)
    target = 0x7fffff << (8 * (0x20 - 3))  # regtest bits 0x207fffff
    for nonce in range(1 << 20):
        raw[76:80] = struct.pack("<I", nonce)
        if int.from_bytes(dsha256(bytes(raw[:80])), "little") <= target:
            break
    assert node.submitblock(raw.hex()) is None, "submitblock accepted the re-versioned block"
    return dsha256(bytes(raw[:80]))[::-1].hex()


def dummy(node, blockhash=None):
    info = node.getdeploymentinfo(blockhash) if blockhash else node.getdeploymentinfo()
    return info["deployments"]["testdummy"]


def gbt(node):
    return node.getblocktemplate({"rules": ["segwit"]})


def run(env):
    n = env.add_node()
    n.start()

    # ---- genesis: buried deployments and the initial states
    info = n.getdeploymentinfo()
    assert_equal((info["hash"], info["height"]), (n.getbestblockhash(), 0), "getdeploymentinfo hash and height (tip)")
    assert_equal(list(info["deployments"]), ["bip34", "bip66", "bip65", "csv", "segwit", "testdummy", "taproot"],
                 "getdeploymentinfo lists Core's deployments in Core's order")
    assert_equal(info["deployments"]["bip34"], {"type": "buried", "active": True, "height": 1},
                 "bip34 is buried at height 1 and active for the next block")
    assert_equal(info["deployments"]["segwit"], {"type": "buried", "active": True, "height": 0}, "segwit buried at 0")
    assert_equal(info["deployments"]["taproot"],
                 {"type": "bip9", "height": 0, "active": True,
                  "bip9": {"start_time": -1, "timeout": NO_TIMEOUT, "min_activation_height": 0, "status": "active",
                           "since": 0, "status_next": "active"}},
                 "taproot: always active BIP-9 deployment, as Core's regtest")
    assert_equal(dummy(n), {"type": "bip9", "active": False,
                            "bip9": {"start_time": 0, "timeout": NO_TIMEOUT, "min_activation_height": 0,
                                     "status": "defined", "since": 0, "status_next": "defined"}},
                 "testdummy at genesis: defined")
    t = gbt(n)
    assert_equal((t["version"], t["vbavailable"], t["rules"]), (TOP_BITS, {}, ["csv", "!segwit", "taproot"]),
                 "template on genesis: no deployment signalled")

    # ---- first period (DEFINED): blocks 1..143 do not signal
    hashes = n.generatetoaddress(PERIOD - 1, REGTEST_ADDR)
    assert_equal(n.getblockheader(hashes[-1])["versionHex"], "20000000", "block 143 versionHex (DEFINED)")
    d = dummy(n)
    assert_equal((d["bip9"]["status"], d["bip9"]["status_next"]), ("defined", "started"),
                 "at 143: defined, started from the next block (MTP >= start time 0)")
    t = gbt(n)
    assert_equal((t["version"], t["vbavailable"]), (TOP_BITS | DUMMY, {"testdummy": 28}),
                 "template for block 144: version signals bit 28, vbavailable offers testdummy")

    # ---- second period (STARTED): one block short of the threshold
    sig = n.generatetoaddress(THRESHOLD - 1, REGTEST_ADDR)  # 144..250 signal
    assert_equal(n.getblockheader(sig[0])["versionHex"], "30000000", "block 144 versionHex (signalling)")
    assert_equal(n.getblock(sig[0])["versionHex"], "30000000", "getblock versionHex of a signalling block")
    d = dummy(n)
    assert_equal(d["bip9"], {"bit": 28, "start_time": 0, "timeout": NO_TIMEOUT, "min_activation_height": 0,
                             "status": "started", "since": 144, "status_next": "started",
                             "statistics": {"period": 144, "elapsed": 107, "count": 107, "threshold": 108,
                                            "possible": True},
                             "signalling": "#" * 107},
                 "at 250: started since 144, 107 of 107 signalled")
    for _ in range(PERIOD - THRESHOLD + 1):  # 251..287 do not signal: 37 misses
        mine_version(n, TOP_BITS)
    assert_equal(n.getblockcount(), 2 * PERIOD - 1, "height at the end of the second period")
    d = dummy(n)
    assert_equal(d["bip9"]["statistics"], {"period": 144, "elapsed": 144, "count": 107, "threshold": 108,
                                           "possible": False}, "at 287: 107 signals, threshold no longer possible")
    assert_equal(d["bip9"]["signalling"], "#" * 107 + "-" * 37, "signalling string marks each block of the period")
    assert_equal(d["bip9"]["status_next"], "started", "threshold missed by one: still started")

    # ---- third period: exactly the threshold; a block with bit 28 but without the 001 top bits does not count
    mine_version(n, 0x40000000 | DUMMY)  # 288: bit set, wrong top bits: not a signal
    n.generatetoaddress(THRESHOLD - 1, REGTEST_ADDR)  # 289..395 signal: 107 so far
    d = dummy(n)
    assert_equal((d["bip9"]["statistics"]["count"], d["bip9"]["statistics"]["elapsed"]), (107, 108),
                 "a block with bit 28 but top bits 010 is not counted")
    n.generatetoaddress(1, REGTEST_ADDR)  # 396: the 108th signal
    for _ in range(3 * PERIOD - 1 - n.getblockcount()):  # to 431 without signalling
        mine_version(n, TOP_BITS)
    d = dummy(n)
    assert_equal((d["bip9"]["status"], d["bip9"]["status_next"], d["active"]), ("started", "locked_in", False),
                 "at 431: threshold met exactly (108), locked in from the next block")
    t = gbt(n)
    assert_equal((t["version"], t["vbavailable"]), (TOP_BITS | DUMMY, {"testdummy": 28}),
                 "LOCKED_IN: the template still sets bit 28 and offers testdummy")

    # ---- fourth period (LOCKED_IN)
    n.generatetoaddress(1, REGTEST_ADDR)  # 432
    d = dummy(n)
    assert_equal(d["bip9"], {"bit": 28, "start_time": 0, "timeout": NO_TIMEOUT, "min_activation_height": 0,
                             "status": "locked_in", "since": 432, "status_next": "locked_in",
                             "statistics": {"period": 144, "elapsed": 1, "count": 1}, "signalling": "#"},
                 "at 432: locked_in; statistics without threshold and possible")
    n.generatetoaddress(4 * PERIOD - 1 - n.getblockcount(), REGTEST_ADDR)  # to 575
    d = dummy(n)
    assert_equal((d["bip9"]["status_next"], d["active"], d.get("height")), ("active", True, 576),
                 "at 575: active from 576 (the next block)")

    # ---- fifth period (ACTIVE)
    n.generatetoaddress(1, REGTEST_ADDR)  # 576
    d = dummy(n)
    assert_equal(d, {"type": "bip9", "height": 576, "active": True,
                     "bip9": {"start_time": 0, "timeout": NO_TIMEOUT, "min_activation_height": 0, "status": "active",
                              "since": 576, "status_next": "active"}}, "at 576: active since 576")
    t = gbt(n)
    assert_equal((t["version"], t["vbavailable"], t["rules"]), (TOP_BITS, {}, ["csv", "!segwit", "testdummy", "taproot"]),
                 "ACTIVE: no longer signalled, listed in rules")
    tip = n.getbestblockhash()
    assert_equal(n.getblockheader(tip)["versionHex"], "20000000", "block 576 versionHex (no signal after activation)")

    # ---- history and errors
    old = dummy(n, n.getblockhash(300))
    assert_equal((old["bip9"]["status"], old["bip9"]["since"], old["bip9"]["statistics"]["elapsed"]),
                 ("started", 144, 13), "getdeploymentinfo at an older block (300): started since 144")
    check(n.getdeploymentinfo(n.getblockhash(0))["height"] == 0, "getdeploymentinfo(genesis hash)")
    assert_raises_rpc(-5, "Block not found", n.getdeploymentinfo, "00" * 32, what="unknown block -> -5")
    assert_raises_rpc(-8, "must be of length 64", n.getdeploymentinfo, "00", what="short hash -> -8")
    n.stop()

    # ---- -vbparams (regtest): min_activation_height delays ACTIVE after locking in
    m = env.add_node(extra_args=["-vbparams=testdummy:0:%d:720" % NO_TIMEOUT])
    m.start()
    m.generatetoaddress(2 * PERIOD - 1, REGTEST_ADDR)  # to 287, every block from 144 signalling
    assert_equal(dummy(m)["bip9"]["status_next"], "locked_in", "-vbparams: locked in at 288")
    assert_equal(dummy(m)["bip9"]["min_activation_height"], 720, "-vbparams: min_activation_height reported")
    m.generatetoaddress(3 * PERIOD, REGTEST_ADDR)  # to 719
    d = dummy(m, m.getblockhash(431))
    assert_equal((d["bip9"]["status"], d["bip9"]["status_next"]), ("locked_in", "locked_in"),
                 "at 431: still locked_in (432 < min_activation_height 720)")
    d = dummy(m)
    assert_equal((d["bip9"]["status"], d["bip9"]["since"], d["bip9"]["status_next"], d["height"]),
                 ("locked_in", 288, "active", 720), "at 719: active from 720")
    assert_equal(m.getblockheader(m.getbestblockhash())["versionHex"], "30000000",
                 "block 719 (LOCKED_IN) still signals")
    assert_equal((gbt(m)["version"], "testdummy" in gbt(m)["rules"]), (TOP_BITS, True), "the template for 720: active")
    m.stop()
    # NEVER_ACTIVE (-2): the deployment is not reported and never signalled.
    m.start(extra_args=["-vbparams=testdummy:-2:0"])
    check("testdummy" not in m.getdeploymentinfo()["deployments"], "-vbparams start -2: testdummy not reported")
    assert_equal(gbt(m)["vbavailable"], {}, "-vbparams start -2: nothing offered")
    m.stop()
    # Malformed values stop the node with Core's message.
    for bad, message in (("testdummy:0", "Version bits parameters malformed"),
                         ("testdummy:x:0", "Invalid nStartTime (x)"),
                         ("nonsense:0:0", "Invalid deployment (nonsense)")):
        m.start(extra_args=["-vbparams=" + bad], wait=False)
        m.wait_for_exit(expect_code=1)
        check(message in m.read_stderr(), "-vbparams=%s refused: %s" % (bad, message))
