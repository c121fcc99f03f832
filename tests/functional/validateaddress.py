"""validateaddress: Core's key_io vectors (valid regtest addresses and their scripts; invalid strings),
the address description fields, and Core's errors and error locations for common mistakes (bad
checksum, invalid Bech32 character, mixed case, wrong network), on regtest and mainnet."""

import json

from test_framework import REGTEST_ADDR, REGTEST_ADDR2, assert_equal, check, load_vector_file


def flip(addr, i, c):
    return addr[:i] + c + addr[i + 1:]


def expect_invalid(node, addr, error, locations, what):
    r = node.validateaddress(addr)
    assert_equal(r, {"isvalid": False, "error_locations": locations, "error": error}, what)


def run(env):
    valid = json.load(open(load_vector_file(env, "bitcoin-core/key_io_valid.json")))
    invalid = json.load(open(load_vector_file(env, "bitcoin-core/key_io_invalid.json")))
    n = env.add_node()
    n.start()

    # ---- Core's key_io vectors
    count = 0
    for addr, script, meta in valid:
        if meta.get("isPrivkey") or meta.get("chain") != "regtest":
            continue
        r = n.validateaddress(addr)
        check(r["isvalid"] and r["scriptPubKey"] == script and r["address"] == addr and "error" not in r,
              "valid vector %s -> script %s" % (addr, script))
        if meta.get("tryCaseFlip"):
            check(n.validateaddress(addr.upper())["address"] == addr, "upper-case %s is valid, re-encoded lower" % addr)
        count += 1
    check(count >= 5, "ran %d regtest key_io_valid vectors" % count)
    for addr, script, meta in valid:
        if not meta.get("isPrivkey") and meta.get("chain") == "main":
            r = n.validateaddress(addr)
            check(not r["isvalid"] and r["error"], "mainnet vector %s is invalid on regtest (%s)" % (addr, r["error"]))
    for (s,) in invalid:
        r = n.validateaddress(s)
        check(r["isvalid"] is False and r["error"] and "address" not in r and isinstance(r["error_locations"], list),
              "invalid vector %r: %s" % (s[:40], r["error"]))

    # ---- descriptions
    r = n.validateaddress(REGTEST_ADDR)
    assert_equal(r, {"isvalid": True, "address": REGTEST_ADDR, "scriptPubKey": "0014751e76e8199196d454941c45d1b3a323f1433bd6",
                     "isscript": False, "iswitness": True, "witness_version": 0,
                     "witness_program": "751e76e8199196d454941c45d1b3a323f1433bd6"}, "P2WPKH description")
    r = n.validateaddress(REGTEST_ADDR2)
    assert_equal((r["isscript"], r["iswitness"], r["witness_version"], len(r["witness_program"])), (True, True, 0, 64),
                 "P2WSH description")
    p2sh = n.decodescript("51")["p2sh"]
    assert_equal(sorted(n.validateaddress(p2sh)), ["address", "isscript", "isvalid", "iswitness", "scriptPubKey"],
                 "P2SH description has no witness fields")
    check(n.validateaddress(p2sh)["isscript"] is True, "P2SH isscript")
    taproot = [a for a, s, m in valid if m.get("chain") == "regtest" and s.startswith("5120") and not m.get("isPrivkey")]
    if taproot:
        r = n.validateaddress(taproot[0])
        assert_equal((r["isscript"], r["iswitness"], r["witness_version"]), (True, True, 1), "P2TR description")

    # ---- common mistakes on regtest
    last = len(REGTEST_ADDR) - 1
    expect_invalid(n, flip(REGTEST_ADDR, last, "q" if REGTEST_ADDR[last] != "q" else "p"), "Invalid Bech32 checksum",
                   [last], "one wrong character: Bech32 checksum error located")
    two = flip(flip(REGTEST_ADDR, 10, "z" if REGTEST_ADDR[10] != "z" else "y"), 20, "x" if REGTEST_ADDR[20] != "x" else "w")
    expect_invalid(n, two, "Invalid Bech32 checksum", [10, 20], "two wrong characters: both located")
    expect_invalid(n, flip(REGTEST_ADDR, 12, "b"), "Invalid Base 32 character", [12], "'b' is not a Bech32 character")
    expect_invalid(n, REGTEST_ADDR[:30] + REGTEST_ADDR[30:].upper(), "Invalid character or mixed case",
                   [i for i in range(30, len(REGTEST_ADDR)) if REGTEST_ADDR[i].isalpha()],
                   "mixed case: every upper-case letter located")
    expect_invalid(n, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                   "Invalid or unsupported Segwit (Bech32) or Base58 encoding.", [], "a mainnet Bech32 address on regtest")
    expect_invalid(n, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "Invalid or unsupported Base58-encoded address.", [],
                   "a mainnet P2PKH address on regtest")
    expect_invalid(n, "n4fajahJrAuKbN7uNsKjLjQkz9Qn5ewJXR", "Invalid checksum or length of Base58 address (P2PKH or P2SH)",
                   [], "Base58 with a bad checksum")
    n.stop()

    # ---- mainnet (no peers are needed)
    m = env.add_node(chain="main")
    m.start()
    addr = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    check(m.validateaddress(addr.upper())["isvalid"], "upper-case mainnet P2WPKH is valid")
    expect_invalid(m, flip(addr, 41, "5"), "Invalid Bech32 checksum", [41], "mainnet: checksum error at 41")
    expect_invalid(m, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
                   "Invalid or unsupported Segwit (Bech32) or Base58 encoding.", [], "mainnet: a testnet address")
    expect_invalid(m, "bc1gmk9yu", "Empty Bech32 data section", [], "mainnet: empty data section")
    expect_invalid(m, "bc1qr508d6qejxtdg4y5r3zarvaryv98gj9p".upper(),
                   "Invalid Bech32 v0 address program size (16 bytes), per BIP141", [], "mainnet: v0 program of 16 bytes")
    m.stop()
