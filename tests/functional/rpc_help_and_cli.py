"""rpc_help_and_cli: help generated from the method table (Core's text), results checked against
their declarations (-rpcdoccheck, on for every node of every test), integer parameters that are
not integers (code -1 as Core), the CLI's missing-credentials message, "Specified data directory",
-dbcache below the minimum, and minicash-cli -getinfo with -color."""

import os
import re
import pty
import subprocess

from test_framework import REGTEST_ADDR, assert_equal, assert_raises_rpc, check, log

CURL = ("> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": \"curltest\", \"method\": \"%s\", "
        "\"params\": [%s]}' -H 'content-type: application/json' http://127.0.0.1:8332/\n")

# Core's `help getblockhash` and `help getblockcount`, with bitcoin-cli spelled minicash-cli.
CORE_HELP_GETBLOCKHASH = (
    "getblockhash height\n"
    "\n"
    "Returns hash of block in best-block-chain at height provided.\n"
    "\n"
    "Arguments:\n"
    "1. height    (numeric, required) The height index\n"
    "\n"
    "Result:\n"
    "\"hex\"    (string) The block hash\n"
    "\n"
    "Examples:\n"
    "> minicash-cli getblockhash 1000\n" + CURL % ("getblockhash", "1000"))
CORE_HELP_GETBLOCKCOUNT = (
    "getblockcount\n"
    "\n"
    "Returns the height of the most-work fully-validated chain.\n"
    "The genesis block has height 0.\n"
    "\n"
    "Result:\n"
    "n    (numeric) The current block count\n"
    "\n"
    "Examples:\n"
    "> minicash-cli getblockcount \n" + CURL % ("getblockcount", ""))

# Core's (v31.1) `help getblockheader` and `help decoderawtransaction`.
CORE_HELP_GETBLOCKHEADER = (
    'getblockheader "blockhash" ( verbose )\n'
    "\n"
    "If verbose is false, returns a string that is serialized, hex-encoded data for blockheader 'hash'.\n"
    "If verbose is true, returns an Object with information about blockheader <hash>.\n"
    "\n"
    "Arguments:\n"
    "1. blockhash    (string, required) The block hash\n"
    "2. verbose      (boolean, optional, default=true) true for a json object, false for the hex-encoded data\n"
    "\n"
    "Result (for verbose = true):\n"
    "{                                 (json object)\n"
    '  "hash" : "hex",                 (string) the block hash (same as provided)\n'
    '  "confirmations" : n,            (numeric) The number of confirmations, or -1 if the block is not on the main chain\n'
    '  "height" : n,                   (numeric) The block height or index\n'
    '  "version" : n,                  (numeric) The block version\n'
    '  "versionHex" : "hex",           (string) The block version formatted in hexadecimal\n'
    '  "merkleroot" : "hex",           (string) The merkle root\n'
    '  "time" : xxx,                   (numeric) The block time expressed in UNIX epoch time\n'
    '  "mediantime" : xxx,             (numeric) The median block time expressed in UNIX epoch time\n'
    '  "nonce" : n,                    (numeric) The nonce\n'
    '  "bits" : "hex",                 (string) nBits: compact representation of the block difficulty target\n'
    '  "target" : "hex",               (string) The difficulty target\n'
    '  "difficulty" : n,               (numeric) The difficulty\n'
    '  "chainwork" : "hex",            (string) Expected number of hashes required to produce the current chain\n'
    '  "nTx" : n,                      (numeric) The number of transactions in the block\n'
    '  "previousblockhash" : "hex",    (string, optional) The hash of the previous block (if available)\n'
    '  "nextblockhash" : "hex"         (string, optional) The hash of the next block (if available)\n'
    "}\n"
    "\n"
    "Result (for verbose=false):\n"
    "\"hex\"    (string) A string that is serialized, hex-encoded data for block 'hash'\n"
    "\n"
    "Examples:\n"
    '> minicash-cli getblockheader "00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"\n' +
    CURL % ("getblockheader", '"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"'))
CORE_HELP_DECODERAWTRANSACTION = (
    'decoderawtransaction "hexstring" ( iswitness )\n'
    "\n"
    "Return a JSON object representing the serialized, hex-encoded transaction.\n"
    "\n"
    "Arguments:\n"
    "1. hexstring    (string, required) The transaction hex string\n"
    "2. iswitness    (boolean, optional, default=depends on heuristic tests) Whether the transaction hex is a serialized witness transaction.\n"
    "                If iswitness is not present, heuristic tests will be used in decoding.\n"
    "                If true, only witness deserialization will be tried.\n"
    "                If false, only non-witness deserialization will be tried.\n"
    "                This boolean should reflect whether the transaction has inputs\n"
    "                (e.g. fully valid, or on-chain transactions), if known by the caller.\n"
    "\n"
    "Result:\n"
    "{                             (json object)\n"
    '  "txid" : "hex",             (string) The transaction id\n'
    '  "hash" : "hex",             (string) The transaction hash (differs from txid for witness transactions)\n'
    '  "size" : n,                 (numeric) The serialized transaction size\n'
    '  "vsize" : n,                (numeric) The virtual transaction size (differs from size for witness transactions)\n'
    '  "weight" : n,               (numeric) The transaction\'s weight (between vsize*4-3 and vsize*4)\n'
    '  "version" : n,              (numeric) The version\n'
    '  "locktime" : xxx,           (numeric) The lock time\n'
    '  "vin" : [                   (json array)\n'
    "    {                         (json object)\n"
    '      "coinbase" : "hex",     (string, optional) The coinbase value (only if coinbase transaction)\n'
    '      "txid" : "hex",         (string, optional) The transaction id (if not coinbase transaction)\n'
    '      "vout" : n,             (numeric, optional) The output number (if not coinbase transaction)\n'
    '      "scriptSig" : {         (json object, optional) The script (if not coinbase transaction)\n'
    '        "asm" : "str",        (string) Disassembly of the signature script\n'
    '        "hex" : "hex"         (string) The raw signature script bytes, hex-encoded\n'
    "      },\n"
    '      "txinwitness" : [       (json array, optional)\n'
    '        "hex",                (string) hex-encoded witness data (if any)\n'
    "        ...\n"
    "      ],\n"
    '      "sequence" : n          (numeric) The script sequence number\n'
    "    },\n"
    "    ...\n"
    "  ],\n"
    '  "vout" : [                  (json array)\n'
    "    {                         (json object)\n"
    '      "value" : n,            (numeric) The value in BTC\n'
    '      "n" : n,                (numeric) index\n'
    '      "scriptPubKey" : {      (json object)\n'
    '        "asm" : "str",        (string) Disassembly of the output script\n'
    '        "desc" : "str",       (string) Inferred descriptor for the output\n'
    '        "hex" : "hex",        (string) The raw output script bytes, hex-encoded\n'
    '        "address" : "str",    (string, optional) The Bitcoin address (only if a well-defined address exists)\n'
    '        "type" : "str"        (string) The type (one of: nonstandard, anchor, pubkey, pubkeyhash, scripthash, multisig, nulldata, witness_v0_scripthash, witness_v0_keyhash, witness_v1_taproot, witness_unknown)\n'
    "      }\n"
    "    },\n"
    "    ...\n"
    "  ]\n"
    "}\n"
    "\n"
    "Examples:\n"
    '> minicash-cli decoderawtransaction "hexstring"\n' + CURL % ("decoderawtransaction", '"hexstring"'))

ANSI_BLUE, ANSI_RESET = "\x1b[34m", "\x1b[0m"


def run_pty(cmd):
    """Run cmd with its standard output on a pseudo-terminal; returns (exit code, output)."""
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    rc = p.wait(timeout=60)
    return rc, out.decode(errors="replace").replace("\r\n", "\n")


def run(env):
    node = env.add_node()
    node.start()
    node.generatetoaddress(3, REGTEST_ADDR)

    # ---------------- help is generated from the table, in Core's layout
    assert_equal(node.help("getblockhash"), CORE_HELP_GETBLOCKHASH, "help getblockhash is Core's text")
    assert_equal(node.help("getblockcount"), CORE_HELP_GETBLOCKCOUNT, "help getblockcount is Core's text")
    assert_equal(node.help("getblockheader"), CORE_HELP_GETBLOCKHEADER, "help getblockheader is Core's text")
    assert_equal(node.help("decoderawtransaction"), CORE_HELP_DECODERAWTRANSACTION,
                 "help decoderawtransaction is Core's text (nested result objects and arrays)")
    rc, out, err = node.cli("help", "getblockhash")
    assert_equal((rc, out), (0, CORE_HELP_GETBLOCKHASH + "\n"), "minicash-cli help getblockhash")
    getblock = node.help("getblock")
    check(getblock.startswith("getblock \"blockhash\" ( verbosity )\n"), "getblock signature (%r)" % getblock[:60])
    check("\n2. verbosity    (numeric, optional, default=1) 0 for hex-encoded data" in getblock,
          "getblock's verbosity is numeric with Core's default")
    for cond in ("for verbosity = 0", "for verbosity = 1", "for verbosity = 2", "for verbosity = 3"):
        check("\nResult (%s):\n" % cond in getblock, "getblock help has a Result (%s) section" % cond)
    check("  \"tx\" : [" in getblock and "(json array) The transaction ids\n" in getblock,
          "getblock's verbosity 1 result lists tx")
    gbt = node.help("getblocktemplate")
    check("\n       \"rules\": [              (json array, required) A list of strings\n" in gbt and "\"segwit\"," in gbt,
          "getblocktemplate's object argument shows its members indented as Core")
    # Every method declares its results: each help has a Result section.
    overview = node.help()
    names = [l.split()[0] for l in overview.splitlines() if l and not l.startswith("==")]
    check(len(names) >= 30, "help lists the methods (%d)" % len(names))
    for name in names:
        text = node.help(name)
        check("\nResult" in text, "help %s has a Result section" % name)

    # ---------------- -rpcdoccheck: every result of this test (and every other test) was checked;
    # a sample of methods with alternatives answers without an "Internal bug detected" error.
    tip = node.getbestblockhash()
    for verbosity in (0, 1, 2, 3):
        node.getblock(tip, verbosity)
    node.getblockheader(tip, False)
    node.getblockheader(tip, True)
    coinbase = node.getblock(tip, 1)["tx"][0]
    node.getrawtransaction(coinbase, 0, tip)
    node.getrawtransaction(coinbase, 1, tip)
    node.getrawtransaction(coinbase, 2, tip)
    assert_equal(node.gettxout("00" * 32, 0), None, "gettxout of an unknown output is null (declared NONE)")
    node.gettxout(coinbase, 0)
    node.gettxoutsetinfo()
    node.gettxoutsetinfo("muhash")
    node.getblocktemplate({"rules": ["segwit"]})
    node.getmininginfo()
    node.getchaintips()
    node.getrpcinfo()
    node.waitforblockheight(1, 1)
    node.generateblock(REGTEST_ADDR, [], False)
    node.decodescript("51")
    node.createrawtransaction([], [{"data": "00"}])

    # ---------------- integer parameters that are not integers: code -1 as Core's getInt
    for params in ([1.5], [1e3], [2.0]):
        assert_raises_rpc(-1, "JSON integer out of range", node.getblockhash, *params)
    assert_raises_rpc(-1, "JSON integer out of range", node.waitforblockheight, 1.5)
    assert_raises_rpc(-1, "JSON integer out of range", node.gettxout, coinbase, 0.5)
    assert_raises_rpc(-1, "JSON integer out of range", node.getblockhash, 2 ** 63)
    assert_raises_rpc(-3, None, node.getblockhash, "1")  # a string is still a type error (-3)
    rc, out, err = node.cli("getblockhash", "1.5")
    assert_equal((rc, err.strip()), (1, "error code: -1\nerror message:\nJSON integer out of range"),
                 "minicash-cli getblockhash 1.5")

    # ---------------- minicash-cli -getinfo and -color
    rc, out, err = node.cli("-getinfo")
    check(rc == 0, "-getinfo succeeds (%s %r)" % (rc, err))
    lines = out.splitlines()
    assert_equal(lines[:3], ["Chain: regtest", "Blocks: 3", "Headers: 3"], "-getinfo's first lines")
    assert_equal(lines[3], "Verification progress: 100.0000%", "-getinfo's progress line (no bar at 100%)")
    check(lines[4].startswith("Difficulty: 4.65654237390692"), "-getinfo's difficulty line (%r)" % lines[4])
    check("\x1b[" not in out, "-getinfo into a pipe has no colour codes by default (auto)")
    # The Network and Version lines, from getnetworkinfo (no P2P layer yet: no connections).
    ver = subprocess.run([env.minicashd, "-version"], stdout=subprocess.PIPE, timeout=30).stdout.decode()
    major, minor, build = (int(x) for x in re.search(r"version v(\d+)\.(\d+)\.(\d+)", ver).groups())
    netinfo = node.getnetworkinfo()
    assert_equal((netinfo["version"], netinfo["subversion"], netinfo["protocolversion"], netinfo["connections"]),
                 (10000 * major + 100 * minor + build, "/minicash:%d.%d.%d/" % (major, minor, build), 70016, 0),
                 "getnetworkinfo: Core's version number, the BIP-14 user agent, protocol 70016, no connections")
    assert_equal(lines[6:11], ["Network: in 0, out 0, total 0", "Version: %d" % netinfo["version"], "Time offset (s): 0",
                               "Proxies: n/a", "Min tx relay fee rate (BTC/kvB): 0.00001000"],
                 "-getinfo's Network, Version, time offset, proxies and relay fee lines, as Core prints them")
    rc, out, err = node.cli("-getinfo", "-color=never")
    check(rc == 0 and "\x1b[" not in out, "-color=never: no colour codes")
    rc, out, err = node.cli("-getinfo", "-color=always")
    check(rc == 0 and out.startswith(ANSI_BLUE + "Chain: regtest" + ANSI_RESET + "\n"),
          "-color=always: the Chain line in blue (%r)" % out[:40])
    check("\x1b[33mWarnings:\x1b[0m" in out, "-color=always: Warnings in yellow")
    rc, out, err = node.cli("-getinfo", "-color=sometimes")
    assert_equal((rc, err.strip()), (1, "error: Invalid value for -color option. Valid values: always, auto, never."),
                 "-color with a bad value is refused with Core's message")
    cli_base = [env.minicash_cli, "-datadir=" + node.datadir, "-rpcport=%d" % node.rpc_port, "-regtest", "-getinfo"]
    rc, out = run_pty(cli_base)
    check(rc == 0 and out.startswith(ANSI_BLUE + "Chain: regtest"), "-getinfo on a terminal: colours by default (%r)" % out[:40])
    rc, out = run_pty(cli_base + ["-color=never"])
    check(rc == 0 and "\x1b[" not in out, "-color=never on a terminal: no colours")

    # ---------------- CLI without credentials names the absolute conf path
    n2 = env.add_node(extra_args=["-rpcuser=alice", "-rpcpassword=s3cret"])
    n2.auth_override = ("alice", "s3cret")
    n2.start()
    rel = os.path.basename(n2.datadir)
    p = subprocess.run([env.minicash_cli, "-datadir=" + rel, "-regtest", "-rpcport=%d" % n2.rpc_port, "getblockcount"],
                       cwd=os.path.dirname(n2.datadir), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, timeout=60)
    conf = os.path.join(os.path.dirname(n2.datadir), rel, "minicash.conf")
    assert_equal((p.returncode, p.stderr.decode().strip()),
                 (1, "error: Could not locate RPC credentials. No authentication cookie could be found, and RPC "
                     "password is not set.  See -rpcpassword and -stdinrpcpass.  Configuration file: (%s)" % conf),
                 "no credentials: Core's message with the absolute configuration file path")
    n2.stop()

    # ---------------- "Specified data directory ... does not exist." (daemon and CLI)
    missing = os.path.join(env.tmpdir, "no-such-dir")
    p = subprocess.run([env.minicashd, "-datadir=" + missing, "-printtoconsole=0"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=60)
    check(p.returncode != 0 and
          "Error: Specified data directory \"%s\" does not exist." % missing in p.stderr.decode(),
          "minicashd: Specified data directory (%r)" % p.stderr.decode().strip())
    p = subprocess.run([env.minicash_cli, "-datadir=" + missing, "getblockcount"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=60)
    assert_equal((p.returncode, p.stderr.decode().strip()),
                 (1, "Error: Specified data directory \"%s\" does not exist." % missing), "minicash-cli: Specified data directory")

    # ---------------- -dbcache below the minimum is raised to 4 MiB, not refused
    node.stop()
    node.start(extra_args=["-dbcache=2"])
    assert_equal(node.getblockcount(), 3, "node starts with -dbcache=2")
    with open(node.debug_log, errors="replace") as f:
        text = f.read()
    check("-dbcache=2 is below the minimum of 4 MiB; using 4 MiB" in text, "the clamp is logged")
    check("Opening the chainstate (dbcache 4 MiB" in text, "the chainstate opens with 4 MiB")
    node.stop()
    log("help, doc check, integer params, CLI messages, -dbcache and -getinfo behave as Core")
