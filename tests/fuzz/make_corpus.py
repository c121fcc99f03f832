#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets to tests/fuzz/corpus/<target>/ (small, by design).

Every seed is built here from first principles: the mainnet genesis block from its published
fields (its hash is checked), keys and extended keys from small private keys on secp256k1,
addresses and descriptor checksums by their BIPs' algorithms, requests and configuration text
written by hand. Run it from anywhere; it replaces the corpus directories it writes.
Standard library only.
"""
import hashlib
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")


def sha256(b):
    return hashlib.sha256(b).digest()


def hash256(b):
    return sha256(sha256(b))


def hash160(b):
    return hashlib.new("ripemd160", sha256(b)).digest()


def compact(n):
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + struct.pack("<H", n)
    return b"\xfe" + struct.pack("<I", n)


def push(data):
    assert len(data) <= 75
    return bytes([len(data)]) + data


# --- secp256k1 (public keys only) ---
P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


def point_add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0:
        return None
    if a == b:
        lam = 3 * a[0] * a[0] * pow(2 * a[1], P - 2, P) % P
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], P - 2, P) % P
    x = (lam * lam - a[0] - b[0]) % P
    return (x, (lam * (a[0] - x) - a[1]) % P)


def point_mul(k):
    result, addend = None, G
    while k:
        if k & 1:
            result = point_add(result, addend)
        addend = point_add(addend, addend)
        k >>= 1
    return result


def pubkey(k, compressed=True):
    x, y = point_mul(k)
    if compressed:
        return bytes([2 + (y & 1)]) + x.to_bytes(32, "big")
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")


# --- Base58Check, Bech32/Bech32m (BIP-173/350), descriptor checksum (BIP-380) ---
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(payload):
    data = payload + hash256(payload)[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (b >> i) & 1 else 0
    return chk


def segwit_address(hrp, version, program):
    acc, bits, data = 0, 0, [version]
    for b in program:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    const = 1 if version == 0 else 0x2BC830A3
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data
    mod = bech32_polymod(values + [0] * 6) ^ const
    return hrp + "1" + "".join(BECH[d] for d in data + [(mod >> 5 * (5 - i)) & 31 for i in range(6)])


INPUT_CHARSET = ("0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
                 "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ")


def desc_checksum(desc):
    def polymod(c, val):
        c0 = c >> 35
        c = ((c & 0x7FFFFFFFF) << 5) ^ val
        for i, g in enumerate([0xF5DEE51989, 0xA9FDCA3312, 0x1BAB10E32D, 0x3706B1677A, 0x644D626FFD]):
            if (c0 >> i) & 1:
                c ^= g
        return c
    c, cls, clscount = 1, 0, 0
    for ch in desc:
        pos = INPUT_CHARSET.find(ch)
        c = polymod(c, pos & 31)
        cls = cls * 3 + (pos >> 5)
        clscount += 1
        if clscount == 3:
            c = polymod(c, cls)
            cls, clscount = 0, 0
    if clscount:
        c = polymod(c, cls)
    for _ in range(8):
        c = polymod(c, 0)
    c ^= 1
    return desc + "#" + "".join(BECH[(c >> (5 * (7 - i))) & 31] for i in range(8))


def ext_key(version, k, private):
    chain_code = sha256(b"minicash fuzz seed chain code")
    key = b"\0" + k.to_bytes(32, "big") if private else pubkey(k)
    return b58check(bytes.fromhex(version) + b"\0" + b"\0" * 4 + b"\0" * 4 + chain_code + key)


# --- transactions and blocks ---
def tx_bytes(vin, vout, locktime=0, version=1, witness=None):
    out = struct.pack("<i", version)
    if witness:
        out += b"\x00\x01"
    out += compact(len(vin))
    for prev, n, script_sig, seq in vin:
        out += prev + struct.pack("<I", n) + compact(len(script_sig)) + script_sig + struct.pack("<I", seq)
    out += compact(len(vout))
    for value, spk in vout:
        out += struct.pack("<q", value) + compact(len(spk)) + spk
    if witness:
        for stack in witness:
            out += compact(len(stack)) + b"".join(compact(len(item)) + item for item in stack)
    return out + struct.pack("<I", locktime)


GENESIS_PUBKEY = bytes.fromhex(
    "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb6"
    "49f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f")
GENESIS_COINBASE = tx_bytes(
    [(b"\0" * 32, 0xFFFFFFFF, bytes.fromhex("04ffff001d0104") + push(
        b"The Times 03/Jan/2009 Chancellor on brink of second bailout for banks"), 0xFFFFFFFF)],
    [(50 * 10**8, push(GENESIS_PUBKEY) + b"\xac")])
GENESIS_HEADER = (struct.pack("<i", 1) + b"\0" * 32 + hash256(GENESIS_COINBASE) +
                  struct.pack("<III", 1231006505, 0x1D00FFFF, 2083236893))
assert hash256(GENESIS_HEADER)[::-1].hex().startswith("000000000019d6689c085ae165831e93")
GENESIS_BLOCK = GENESIS_HEADER + compact(1) + GENESIS_COINBASE
MAGIC = bytes.fromhex("f9beb4d9")

PKH = hash160(pubkey(1))
P2PKH = b"\x76\xa9" + push(PKH) + b"\x88\xac"
P2WPKH = b"\x00" + push(PKH)
P2TR = b"\x51" + push(pubkey(2)[1:])
P2SH = b"\xa9" + push(hash160(b"\x51")) + b"\x87"


def coin(height, coinbase, value, spk):
    return struct.pack("<I", height * 2 + coinbase) + struct.pack("<q", value) + compact(len(spk)) + spk


def fdp_string(b):
    """FuzzedDataProvider's ConsumeRandomLengthString encoding: '\\' doubled, ended by '\\' + other."""
    return b.replace(b"\\", b"\\\\") + b"\\x"


# --- the corpora ---
def seeds():
    s = {}
    spend = tx_bytes([(hash256(b"prev"), 1, push(b"\x30" * 71) + push(pubkey(1)), 0xFFFFFFFE)],
                     [(12345, P2WPKH), (0, b"\x6a" + push(b"minicash"))], locktime=500000, version=2)
    segwit = tx_bytes([(hash256(b"prev2"), 0, b"", 0xFFFFFFFD)], [(99000, P2TR)], version=2,
                      witness=[[b"\x30" * 72, pubkey(3)]])
    s["fuzz_tx_decode"] = {"genesis_coinbase": GENESIS_COINBASE, "p2pkh_spend": spend, "segwit": segwit}
    block2 = GENESIS_HEADER + compact(2) + GENESIS_COINBASE + segwit
    s["fuzz_block_decode"] = {"genesis": GENESIS_BLOCK, "two_tx": block2, "header_only": GENESIS_HEADER + b"\0"}
    rec = lambda payload: MAGIC + struct.pack("<I", len(payload)) + payload
    linked = [bytes([i, i + 1, 0]) + b"\x11" * 77 for i in range(4)]
    s["fuzz_block_file"] = {
        "genesis": b"\x04" + rec(GENESIS_BLOCK),
        "out_of_order": b"\x02" + b"junk" + b"".join(rec(x) for x in reversed(linked)) + MAGIC + b"\x50\0",
        "rejected": b"\x01" + rec(bytes([0, 1, 1]) + b"\0" * 77) + rec(linked[1]),
    }
    flags = struct.pack("<I", 0x1 | 0x800)  # P2SH | WITNESS
    tail = lambda items: bytes([items]) + struct.pack("<Q", 5000)[:7] + b"\x00"
    wscript = b"\x51"
    s["fuzz_script_eval"] = {
        "op_true": flags + fdp_string(b"\x51") + fdp_string(b"\x51\x51\x87") + tail(0),
        "p2sh": flags + fdp_string(push(b"\x51")) + fdp_string(P2SH) + tail(0),
        "p2wsh": flags + fdp_string(b"") + fdp_string(b"\x00" + push(sha256(wscript))) + fdp_string(wscript) + tail(1),
        "checksig_fails": flags + fdp_string(push(b"\x30" * 9)) + fdp_string(push(pubkey(1)) + b"\xac") + tail(0),
    }
    s["fuzz_json"] = {
        "request": b'{"jsonrpc":"2.0","id":1,"method":"getblock","params":["000000000019d6",2]}',
        "numbers": b'[0,-0,1.5,50.00000000,1e400,-1E-7,18446744073709551616,-9223372036854775809]',
        "strings": b'["\\u00e9\\ud83d\\ude00","\\"\\\\\\/\\b\\f\\n\\r\\t","\xc3\xa9", ""]',
        "nested": b'{"a":{"b":[[],{},[null,true,false]]},"a":2}' + b" \n",
        "deep": b"[" * 40 + b"1" + b"]" * 40,
        "bad_utf8": b'"\xff"',
    }
    body = lambda mode, text: bytes([mode]) + text
    s["fuzz_jsonrpc"] = {
        "legacy": body(0, b'{"method":"echo","params":["s",1,true,{},[],"0.1","00ff",null],"id":1}'),
        "v2_named": body(0, b'{"jsonrpc":"2.0","method":"echo","params":{"num":5,"s":"x","args":["a"]},"id":"q"}'),
        "notification": body(0, b'{"jsonrpc":"2.0","method":"uptime"}'),
        "batch": body(0, b'[{"method":"help","id":1},{"method":"fail","params":[-32601],"id":2},'
                         b'{"jsonrpc":"2.0","method":"throw","id":3},5,{"jsonrpc":"2.0","method":"int"}]'),
        "amount": body(16, b'{"method":"amount","params":["20999999.99999999"],"id":1}'),
        "amount_decimals": body(0, b'{"method":"amount","params":[1e-8,6],"id":1}'),
        "wallet": body(8, b'{"method":"needtwo","params":{"x":1,"why":"y"},"id":null}'),
        "whitelist": body(1, b'[{"method":"echo","id":1},{"method":"getrpcinfo","id":2}]'),
        "deny": body(2, b'{"method":"echo","id":1}'),
        "warmup": body(4, b'{"jsonrpc":"2.0","method":"help","params":["echo"],"id":7}'),
        "parse_error": body(0, b'{"method":'),
    }
    auth = lambda cred: b"Authorization: Basic " + __import__("base64").b64encode(cred) + b"\r\n"
    post = lambda headers, payload: (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
                                     b"Content-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload)
    call = b'{"method":"getblockcount","id":1}'
    s["fuzz_http_request"] = {
        "alice": post(auth(b"alice:s3cr:t"), call),
        "bob_pipelined": post(auth(b"bob:hunter2"), call) + post(auth(b"bob:wrong"), call),
        "chunked": (b"POST /wallet/w1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n" + auth(b"alice:s3cr:t") +
                    b"Expect: 100-continue\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n"),
        "http10": b"GET / HTTP/1.0\r\nAuthorization: Basic  YWxpY2U6czNjcjp0 \t\r\n\r\n",
        "header_value": b"Basic YWxpY2U6czNjcjp0",
    }
    conf = (b"# minicash.conf\nserver=1\nrpcuser=alice\nrpcpassword=secret\nrpcallowip=10.0.0.0/8\n"
            b"dbcache=100\n\n[regtest]\nrpcport=18443\nnetonly=5\n[main]\nnetonly=6\nnoprinttoconsole=1\n")
    s["fuzz_args"] = {
        "daemon": b"\x02" + conf + b"\0-regtest\0-debug=rpc\0-nodebug=0\0--rpcport=8332\0-datadir=/data",
        "cli": b"\x09" + b"rpcconnect=x\ntestnet=1\n" + b"\0-secret=pw\0-elide=1\0getblock\0abc\0-named",
        "chain_clash": b"\x0c" + b"chain=signet\n" + b"\0-testnet\0-noregtest\0-includeconf=x",
        "errors": b"\x00" + b"-server=1\nnofoo\n[x\n" + b"\0-unknown\0-datadir",
        "numbers": b"\x02" + b"dbcache= +42x\n" + b"\0-rpcthreads=99999999999999999999\0-rpcworkqueue=-7",
    }
    txundo = compact(2) + coin(100, 1, 50 * 10**8, P2PKH) + coin(700000, 0, 1, P2TR)
    index_entry = GENESIS_HEADER + struct.pack("<7I", 0, 0x1F, 1, 0, 8, 0xFFFFFFFF, 0)
    s["fuzz_coin_records"] = {
        "coin": coin(100, 1, 50 * 10**8, P2PKH),
        "coin_p2wpkh": coin(840000, 0, 546, P2WPKH),
        "tx_undo": txundo,
        "block_undo": compact(2) + txundo + compact(1) + coin(1, 0, 0, b""),
        "block_index": index_entry,
        "file_info": struct.pack("<5I2Q", 120, 134217000, 17000000, 0, 119, 1231006505, 1231469665),
    }
    addresses = [b58check(b"\x00" + PKH), b58check(b"\x05" + hash160(b"\x51")), b58check(b"\x6f" + PKH),
                 segwit_address("bc", 0, PKH), segwit_address("tb", 0, sha256(b"\x51")).upper(),
                 segwit_address("bcrt", 1, pubkey(2)[1:]), segwit_address("bc", 1, b"\x4e\x73"),
                 segwit_address("bc", 16, b"\x01\x02"), " " + b58check(b"\x00" + PKH) + "\n",
                 segwit_address("bc", 0, PKH)[:-1] + "q"]
    s["fuzz_address"] = {f"address_{i}": a.encode() for i, a in enumerate(addresses)}
    s["fuzz_address"].update({"spk_p2pkh": P2PKH, "spk_p2sh": P2SH, "spk_p2wpkh": P2WPKH, "spk_p2tr": P2TR,
                              "spk_anchor": b"\x51\x02\x4e\x73", "spk_multisig": b"\x51" + push(pubkey(1)) + b"\x51\xae"})
    xpub = ext_key("0488b21e", 7, False)
    xprv = ext_key("0488ade4", 7, True)
    tpub = ext_key("043587cf", 9, False)
    descs = [
        (0, f"addr({segwit_address('bc', 0, PKH)})"), (2, desc_checksum(f"raw({P2PKH.hex()})")),
        (0, f"pk({pubkey(1).hex()})"), (0, f"pkh({pubkey(1, False).hex()})"),
        (2, desc_checksum(f"wpkh([deadbeef/84h/0h/0h]{xpub}/0/*)")), (0, f"sh(wpkh({xprv}/1h/*h))"),
        (1, f"tr({tpub}/0/*,{{pk({pubkey(4).hex()}),{{pk({tpub}/1/*),pk({pubkey(5)[1:].hex()})}}}})"),
        (0, f"tr({pubkey(2)[1:].hex()})#aaaaaaaa"),
    ]
    s["fuzz_descriptor"] = {f"desc_{i}": bytes([flag]) + d.encode() for i, (flag, d) in enumerate(descs)}
    h = hash256(b"block").hex()
    s["fuzz_cli_params"] = {
        "getblock": b"\x00getblock\n" + h.encode() + b"\n2",
        "createrawtransaction": (b"\x00createrawtransaction\n[{\"txid\":\"" + h.encode() + b"\",\"vout\":0}]\n"
                                 b"{\"" + segwit_address("bc", 0, PKH).encode() + b"\":0.1}\n0\ntrue"),
        "getblockstats": b"\x00getblockstats\n" + h.encode() + b"\n[\"minfee\",\"maxfee\"]",
        "named": b"\x01sendtoaddress\naddress=bc1q\namount=0.10000000\nverbose=true\nverbose=false\nextra",
        "bad_json": b"\x00echojson\n1\n{\"a\":[1,2]}\nnot json",
        "stdin_blank": b"\x01help\n\nargs=[1]\n=x",
    }
    # P2P payloads, byte 0 = message type (see fuzz_net_messages.cpp), fields as documented.
    v4 = lambda a, port: b"\0" * 10 + b"\xff\xff" + bytes(a) + struct.pack(">H", port)
    version = (struct.pack("<iQqQ", 70016, 0x409, 1700000000, 0) + v4([127, 0, 0, 1], 8333) +
               struct.pack("<Q", 0x409) + v4([0, 0, 0, 0], 0) + struct.pack("<Q", 42) +
               compact(16) + b"/minicash:0.1.0/" + struct.pack("<i", 100) + b"\x01")
    addrv2 = (compact(2) + struct.pack("<I", 1) + compact(9) + b"\x01\x04" + bytes([1, 2, 3, 4]) +
              struct.pack(">H", 8333) + struct.pack("<I", 2) + compact(0) + b"\x04\x20" + sha256(b"tor") +
              struct.pack(">H", 9050))
    cmpct = (GENESIS_HEADER + struct.pack("<Q", 7) + compact(1) + b"\x01\x02\x03\x04\x05\x06" +
             compact(1) + compact(0) + GENESIS_COINBASE)
    s["fuzz_net_messages"] = {
        "version": b"\x00" + version,
        "ping": b"\x02" + struct.pack("<Q", 0x1122334455667788),
        "inv": b"\x03" + compact(1) + struct.pack("<I", 0x40000002) + hash256(b"block"),
        "getheaders": b"\x04" + struct.pack("<I", 70016) + compact(1) + hash256(GENESIS_HEADER) + b"\0" * 32,
        "headers": b"\x05" + compact(1) + GENESIS_HEADER + compact(0),
        "addr": b"\x06" + compact(1) + struct.pack("<IQ", 0x4D1015E2, 1) + v4([10, 0, 0, 1], 8333),
        "addrv2": b"\x07" + addrv2,
        "sendcmpct": b"\x08\x00" + struct.pack("<Q", 2),
        "feefilter": b"\x09" + struct.pack("<q", 1000),
        "cmpctblock": b"\x0a" + cmpct,
        "getblocktxn": b"\x0b" + hash256(b"block") + compact(3) + b"\x00\x00\x05",
        "blocktxn": b"\x0c" + hash256(b"block") + compact(0),
        "service_v6": b"\x0d[2001:db8::1]:8333",
        "service_v4": b"\x0d1.2.3.4:18444",
    }
    # The message handler: FuzzedDataProvider input (choices from the end, payloads from the
    # front); the target builds well-formed version/headers/getheaders/inv itself, so plain
    # patterns reach every action, and a version payload at the front feeds a raw "version".
    s["fuzz_peer_manager"] = {
        "zeros": b"\0" * 96,
        "counting": bytes(range(256)),
        "version_front": version + bytes(range(255, 160, -1)),
    # A cmpctblock payload, then a blocktxn payload (see fuzz_partial_block.cpp): the genesis
    # block whole (coinbase prefilled), with its coinbase missing and answered, and with a stray id.
    blocktxn = lambda txs: hash256(b"block") + compact(len(txs)) + b"".join(txs)
    nonce = struct.pack("<Q", 7)
    s["fuzz_partial_block"] = {
        "whole": GENESIS_HEADER + nonce + compact(0) + compact(1) + compact(0) + GENESIS_COINBASE + blocktxn([]),
        "answered": GENESIS_HEADER + nonce + compact(1) + b"\x01\x02\x03\x04\x05\x06" + compact(0) +
                    blocktxn([GENESIS_COINBASE]),
        "stray": cmpct + blocktxn([GENESIS_COINBASE]),
    }
    return s


def main():
    for target, files in seeds().items():
        d = os.path.join(OUT, target)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for name, data in files.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print(f"{target}: {len(files)} seeds, {sum(len(v) for v in files.values())} bytes")


if __name__ == "__main__":
    main()
