"""The Python P2P client against btcd, an independent Go node (../shared/tools/btcd/), on regtest.

Checks the client's own serialization against an implementation nobody here wrote: the handshake
(what btcd sends between version and verack), getheaders from genesis (headers connect, carry
regtest proof of work, equal btcctl getblockhash), getdata of a block with and without the witness
flag (hash, merkle root, bytes), a block made by the client's block maker accepted after an inv ->
getdata exchange, a block with a bad merkle root refused (btcd still sends BIP-61 `reject`; Core
sends none), a witness spend in a block with a witness commitment (txid/wtxid/hex equal btcd's),
notfound, getblocks -> inv, sendheaders -> a headers announcement, an inbound connection from btcd,
and a frame with a wrong checksum (btcd, on regtest from loopback, logs "Allowed test error" and
drops the message; the connection stays up, as with Core, which drops such a message too).
Skips loudly when btcd is missing, fails when CI=true.
"""

import json
import os
import subprocess
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from p2p_client import (MSG_BLOCK, MSG_WITNESS_BLOCK, NODE_NETWORK, NODE_WITNESS, Inv, MsgBlock,  # noqa: E402
                        MsgGetBlocks, MsgGetData, MsgGetHeaders, MsgInv, MsgSendHeaders, OutPoint, P2PConnection,
                        Tx, TxIn, TxOut, bad_frame,
                        block_subsidy, hash_hex, hex_hash, make_block, p2wsh_script, script_num)
from test_framework import (REGTEST_ADDR2, SkipTest, TestFailure, assert_equal, check, free_port, log,  # noqa: E402
                            scaled, wait_until)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# btcd and btcctl, relative to the repository root (see the folder's README).
BTCD_DIR = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "tools", "btcd"))
REGTEST_GENESIS = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
OP_TRUE = b"\x51"


class Btcd:
    """One btcd regtest process on free loopback ports with its own datadir (and HOME, so nothing
    is written outside the test's directory)."""

    def __init__(self, tmpdir, mining_addr=REGTEST_ADDR2):
        self.mining_addr = mining_addr  # what `generate` pays (btcd has no generatetoaddress)
        self.dir = os.path.join(tmpdir, "btcd")
        os.makedirs(self.dir)
        self.conf = os.path.join(self.dir, "btcd.conf")
        open(self.conf, "w").close()
        self.rpc_port, self.p2p_port = free_port(), free_port()
        self.env = dict(os.environ, HOME=self.dir)
        self.proc = None
        self.out = None

    def start(self):
        self.out = open(os.path.join(self.dir, "stdout.txt"), "w")
        self.proc = subprocess.Popen(
            [os.path.join(BTCD_DIR, "btcd"), "-C", self.conf, "--regtest", "--datadir=" + self.dir,
             "--logdir=" + os.path.join(self.dir, "logs"), "--rpcuser=u", "--rpcpass=p", "--notls",
             "--rpclisten=127.0.0.1:%d" % self.rpc_port, "--listen=127.0.0.1:%d" % self.p2p_port,
             "--miningaddr=" + self.mining_addr, "--nodnsseed", "--utxocachemaxsize=16"],
            stdout=self.out, stderr=subprocess.STDOUT, env=self.env)

        def up():
            if self.proc.poll() is not None:
                raise TestFailure("FAILED: btcd exited with %s" % self.proc.returncode)
            return self.ctl("getblockcount", check_rc=False) == "0"
        wait_until(up, 30, "btcd's RPC")

    def ctl(self, *args, check_rc=True):
        r = subprocess.run([os.path.join(BTCD_DIR, "btcctl"), "-C", self.conf, "--regtest", "--notls",
                            "-s", "127.0.0.1:%d" % self.rpc_port, "-u", "u", "-P", "p"] + list(args),
                           capture_output=True, text=True, env=self.env, timeout=scaled(30))
        if check_rc and r.returncode != 0:
            raise TestFailure("FAILED: btcctl %s: %s" % (" ".join(args), r.stdout + r.stderr))
        return r.stdout.strip() if r.returncode == 0 else None

    def log_has(self, text):
        with open(os.path.join(self.dir, "logs", "regtest", "btcd.log")) as f:
            return text in f.read()

    def log_tail(self, n=20):
        try:
            with open(os.path.join(self.dir, "logs", "regtest", "btcd.log")) as f:
                return "".join(f.readlines()[-n:])
        except OSError as e:
            return str(e)

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            self.ctl("stop", check_rc=False)
            self.proc.wait(scaled(20))
        except (subprocess.TimeoutExpired, OSError):
            self.proc.kill()
            self.proc.wait(10)
        finally:
            self.out.close()


def find_btcd():
    if all(os.access(os.path.join(BTCD_DIR, b), os.X_OK) for b in ("btcd", "btcctl")):
        return
    msg = "btcd not found in ../shared/tools/btcd (%s)" % BTCD_DIR
    if os.environ.get("CI", "").lower() == "true":
        raise TestFailure("FAILED: " + msg + " and CI=true")
    raise SkipTest(msg)


def send_announced(conn, btcd, blk):
    """Announce blk with inv, serve btcd's getdata (witness flag), wait until it is the tip."""
    conn.send_message(MsgInv([Inv(MSG_BLOCK, blk.hash())]))
    req = conn.wait_for("getdata", lambda m: any(i.hash == blk.hash() for i in m.inv))
    assert_equal([i.type for i in req.inv], [MSG_WITNESS_BLOCK], "btcd asks for our block with the witness flag")
    conn.send_message(MsgBlock(blk))

    def accepted():
        for m in conn.received:
            if m.command == "reject" and m.data == blk.hash():
                raise TestFailure("FAILED: btcd rejected %s: %s" % (blk.hash_hex(), m.reason))
        return btcd.ctl("getbestblockhash") == blk.hash_hex()
    wait_until(accepted, 20, "btcd to accept %s" % blk.hash_hex())


def get_block(conn, h, witness=True):
    conn.send_message(MsgGetData([Inv(MSG_WITNESS_BLOCK if witness else MSG_BLOCK, h)]))
    return conn.wait_for("block", lambda m: m.block.hash() == h).block


def run(env):
    find_btcd()
    btcd = Btcd(env.tmpdir)
    conn = None
    try:
        btcd.start()
        btcd.ctl("generate", "20")
        conn = P2PConnection("regtest", log=log).connect(btcd.p2p_port)
        ver = conn.handshake()
        conn.sync_with_ping()
        check(ver.version >= 70016 and ver.services & (NODE_NETWORK | NODE_WITNESS) == NODE_NETWORK | NODE_WITNESS
              and ver.start_height == 20 and "btcd" in ver.user_agent,
              "btcd's version: %d, services %#x, height %d, %s" % (ver.version, ver.services, ver.start_height,
                                                                 ver.user_agent))
        assert_equal(conn.peer_before_verack, ["sendaddrv2"],
                     "btcd sends sendaddrv2 between version and verack (and no wtxidrelay)")
        check(conn.is_connected(), "btcd keeps the connection after our wtxidrelay/sendaddrv2 before verack")

        # getheaders from genesis
        conn.send_message(MsgGetHeaders([hex_hash(REGTEST_GENESIS)]))
        headers = conn.wait_for("headers").headers
        assert_equal(len(headers), 20, "headers after genesis")
        prev, ok = hex_hash(REGTEST_GENESIS), True
        for h in headers:
            ok &= h.prev == prev and h.bits == 0x207fffff and h.check_pow()
            prev = h.hash()
        check(ok, "headers connect from genesis and meet regtest's 207fffff target")
        assert_equal([h.hash_hex() for h in headers], [btcd.ctl("getblockhash", str(i)) for i in range(1, 21)],
                     "header hashes equal btcctl getblockhash 1..20")

        # a locator in the middle and a stop hash: btcd answers from an unknown locator with the
        # headers after genesis, so only these show that both hashes are encoded right
        h10, h15 = headers[9].hash(), headers[14].hash()
        conn.send_message(MsgGetHeaders([h10, hex_hash(REGTEST_GENESIS)], h15))
        assert_equal([h.hash_hex() for h in conn.wait_for("headers").headers], [h.hash_hex() for h in headers[10:15]],
                     "getheaders(locator [10, genesis], stop 15) gives headers 11..15")

        # getdata, with and without the witness flag
        tip = headers[-1]
        blk = get_block(conn, tip.hash())
        check(blk.hash() == tip.hash() and blk.calc_merkle_root() == blk.merkle_root,
              "block 20 from getdata(MSG_WITNESS_BLOCK): hash and merkle root")
        hdr_json = json.loads(btcd.ctl("getblockheader", tip.hash_hex()))
        assert_equal(hash_hex(blk.merkle_root), hdr_json["merkleroot"], "merkle root equals btcctl getblockheader's")
        # (btcd's regtest does not enforce BIP-34, so our coinbase heights are checked in the selftest)
        assert_equal(blk.txs[0].vin[0].script_sig[:2], script_num(20), "btcd's coinbase starts with BIP-34 height 20")
        assert_equal(blk.serialize().hex(), btcd.ctl("getblock", tip.hash_hex(), "0"), "block bytes equal btcctl's")

        # a block from the block maker, announced with inv
        mine = make_block(tip.hash(), 21, max(tip.time + 1, int(time.time())))
        send_announced(conn, btcd, mine)
        assert_equal(btcd.ctl("getblockcount"), "21", "btcd's height after our block")

        # a block with a bad merkle root (PoW re-solved): refused; btcd says so with `reject`
        bad = make_block(mine.hash(), 22, mine.time + 1, solve=False)
        bad.merkle_root = bytes(32)
        bad.solve()
        conn.send_message(MsgBlock(bad))
        rej = conn.wait_for("reject", lambda m: m.message == "block")
        check(rej.data == bad.hash() and "merkle root" in rej.reason,
              "btcd rejects the bad-merkle block: reject(block, %d, %r)" % (rej.code, rej.reason[:40]))
        good = make_block(mine.hash(), 22, mine.time + 1)
        send_announced(conn, btcd, good)
        assert_equal(btcd.ctl("getblockhash", "22"), good.hash_hex(), "the valid sibling is block 22")
        check(btcd.ctl("getblockheader", bad.hash_hex(), check_rc=False) is None, "btcd does not store the bad block")
        check(conn.is_connected(), "btcd keeps the connection after an invalid block (regtest)")

        # a witness spend (btcd's regtest activates segwit at 432): coinbase of block 1 pays
        # P2WSH(OP_TRUE); spent with the witness [OP_TRUE] in a block with a witness commitment
        btcd.ctl("generate", "428")
        best = hex_hash(btcd.ctl("getbestblockhash"))
        cb1 = get_block(conn, hex_hash(btcd.ctl("getblockhash", "1"))).txs[0]
        n = [o.script_pubkey for o in cb1.vout].index(p2wsh_script(OP_TRUE))
        fee = 10_000
        spend = Tx(2, [TxIn(OutPoint(cb1.txid(), n), b"", 0xfffffffe, [OP_TRUE])],
                   [TxOut(cb1.vout[n].value - fee, p2wsh_script(OP_TRUE))])
        besthdr = get_block(conn, best)
        wblk = make_block(best, 451, besthdr.time + 1, [spend], fees=fee)
        check(wblk.txs[0].vout[0].value == block_subsidy(451) + fee, "coinbase pays subsidy + fee")
        send_announced(conn, btcd, wblk)
        seen = json.loads(btcd.ctl("getblock", wblk.hash_hex(), "2"))["rawtx"][1]
        assert_equal((seen["txid"], seen["hash"], seen["hex"]),
                     (hash_hex(spend.txid()), hash_hex(spend.wtxid()), spend.serialize().hex()),
                     "btcd's txid, wtxid (hash) and hex of our witness spend")
        check(spend.txid() != spend.wtxid(), "the spend's txid and wtxid differ")
        back_w = get_block(conn, wblk.hash(), witness=True)
        back_s = get_block(conn, wblk.hash(), witness=False)
        check(back_w.serialize() == wblk.serialize() and back_s.serialize(True) == wblk.serialize(False)
              and not back_s.txs[1].has_witness(),
              "btcd serves the block back: with witness as sent, MSG_BLOCK stripped")

        # notfound for a block btcd lacks; getblocks answered with an inv of the blocks after the
        # locator; after sendheaders, a new block is announced with headers
        missing = bytes(range(32))
        conn.send_message(MsgGetData([Inv(MSG_WITNESS_BLOCK, missing)]))
        nf = conn.wait_for("notfound")
        assert_equal([(i.type, i.hash) for i in nf.inv], [(MSG_WITNESS_BLOCK, missing)],
                     "notfound for an unknown block")
        hashes = {i: btcd.ctl("getblockhash", str(i)) for i in range(445, 451)}
        conn.send_message(MsgGetBlocks([hex_hash(hashes[445])], hex_hash(hashes[450])))
        # (btcd also announced each block it mined with a one-entry inv: skip those)
        inv = conn.wait_for("inv", lambda m: len(m.inv) > 1 and m.inv[0].hash == hex_hash(hashes[446]))
        assert_equal([(i.type, hash_hex(i.hash)) for i in inv.inv], [(MSG_BLOCK, hashes[i]) for i in range(446, 451)],
                     "getblocks(locator 445, stop 450) gives an inv of blocks 446..450")
        conn.send_message(MsgSendHeaders())
        conn.sync_with_ping()
        new_hash = hex_hash(json.loads(btcd.ctl("generate", "1"))[0])
        ann = conn.wait_for("headers", lambda m: any(h.hash() == new_hash for h in m.headers))
        check(ann.headers[-1].prev == wblk.hash() and ann.headers[-1].check_pow(),
              "after sendheaders btcd announces its new block 452 with a headers message")

        # a frame with a wrong checksum: btcd drops it ("Allowed test error" on regtest from
        # loopback), never answers that ping, and keeps serving the connection
        conn.send_raw(bad_frame(conn.magic, "ping", struct.pack("<Q", 77), bad_checksum=True))
        conn.sync_with_ping()
        check(not any(m.command == "pong" and m.nonce == 77 for m in conn.received),
              "the ping with a bad checksum got no pong; the next ping did")
        check(btcd.log_has("payload checksum failed"), "btcd logged the checksum failure")
        check(conn.is_connected() and not conn.errors, "connection up, and btcd never sent us a bad frame")

        # listener mode: btcd connects to us (btcctl node connect), we answer its version
        inbound = P2PConnection("regtest", log=log)
        port = inbound.listen()
        btcd.ctl("node", "connect", "127.0.0.1:%d" % port, "temp")
        inbound.accept(timeout=20)
        try:
            ver = inbound.handshake(inbound=True)
            inbound.sync_with_ping()
            check(ver.start_height == 452 and inbound.peer_before_verack == ["sendaddrv2"],
                  "inbound from btcd: its version (height %d), sendaddrv2 before verack" % ver.start_height)
            ev = inbound.events
            check(ev.index(("recv", "version")) < ev.index(("send", "version")),
                  "inbound handshake: btcd's version first, ours in answer (%s)" % ev[:4])
            assert_equal(ver.addr_recv.port, port, "btcd's version names our listening port")
        finally:
            inbound.close()
    except Exception:
        print("    --- btcd log tail:\n" + btcd.log_tail())
        raise
    finally:
        if conn is not None:
            conn.close()
        btcd.stop()
