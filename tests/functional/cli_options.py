"""cli_options: minicash-cli's -rpcwait (started before the node is up: it waits and succeeds),
-stdin (arguments from standard input), -named (named arguments), -getinfo (its fields against the
RPCs they come from) and -rpcconnect (127.0.0.1, an explicit port, -rpcport's precedence, a bad
port), as Bitcoin Core's bitcoin-cli behaves."""

import os
import socket
import subprocess
import tempfile

from test_framework import REGTEST_ADDR, assert_equal, check, log, parse_proc_net_listeners

USER, PASSWORD = "clitest", "clipass"


def cli(env, args, datadir, stdin=None, timeout=120):
    """minicash-cli with user/password auth and a datadir of its own (no minicash.conf: the port is
    whatever the arguments say). Returns (returncode, stdout, stderr)."""
    cmd = [env.minicash_cli, "-datadir=" + datadir, "-regtest", "-rpcuser=" + USER, "-rpcpassword=" + PASSWORD]
    cmd += [str(a) for a in args]
    p = subprocess.run(cmd, input=stdin.encode() if stdin is not None else None,
                       stdin=None if stdin is not None else subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace").strip(), p.stderr.decode(errors="replace").strip()


def test_rpcwait(env, node, clidir):
    """The CLI is started first; a stand-in listener on the node's port accepts its first attempt
    and closes it (so the CLI is known to be waiting), then the real node starts there."""
    stand_in = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    stand_in.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    stand_in.bind(("127.0.0.1", node.rpc_port))
    stand_in.listen(1)
    cmd = [env.minicash_cli, "-datadir=" + clidir, "-regtest", "-rpcuser=" + USER, "-rpcpassword=" + PASSWORD,
           "-rpcport=%d" % node.rpc_port, "-rpcwait", "-rpcwaittimeout=120", "getblockhash", "0"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        stand_in.settimeout(60)
        conn, _ = stand_in.accept()  # the CLI's first try: no server behind it
        conn.close()
    finally:
        stand_in.close()
    node.start()
    out, err = p.communicate(timeout=120)
    assert_equal((p.returncode, out.decode().strip(), err.decode().strip()), (0, node.getblockhash(0), ""),
                 "-rpcwait: the CLI started before the node waited for it and got the answer")
    # Without -rpcwait, a port with nothing behind it fails at once with Core's message.
    dead = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    dead.bind(("127.0.0.1", 0))
    dead_port = dead.getsockname()[1]
    try:
        rc, out, err = cli(env, ["-rpcport=%d" % dead_port, "getblockcount"], clidir)
    finally:
        dead.close()
    # Core words it so with or without -rpcwait.
    check(rc == 1 and err.startswith("error: timeout on transient error: Could not connect to the server "
                                     "127.0.0.1:%d\n\nMake sure the minicashd server is running" % dead_port),
          "without -rpcwait an unreachable server is an error at once, in Core's words (%s %r)" % (rc, err))
    rc, out, err = cli(env, ["-rpcport=%d" % dead_port, "-rpcwait", "-rpcwaittimeout=1", "getblockcount"], clidir)
    check(rc == 1 and "timeout on transient error: Could not connect to the server" in err,
          "-rpcwaittimeout ends the wait with Core's message (%s %r)" % (rc, err))


def test_stdin_named(env, node, clidir):
    port = ["-rpcport=%d" % node.rpc_port]
    genesis = node.getblockhash(0)
    h1 = node.getblockhash(1)
    assert_equal(cli(env, port + ["-stdin", "getblockhash"], clidir, stdin="1\n"), (0, h1, ""),
                 "-stdin: the argument from standard input")
    assert_equal(cli(env, port + ["-stdin"], clidir, stdin="getblockhash\n0\n"), (0, genesis, ""),
                 "-stdin: the method and its argument from standard input")
    assert_equal(cli(env, port + ["-stdin", "getblockhash"], clidir, stdin="1"), (0, h1, ""),
                 "-stdin: a last line without a newline")
    # One line is one argument, spaces and all.
    rc, out, err = cli(env, port + ["-stdin", "decodescript"], clidir, stdin="51 52\n")
    assert_equal((rc, err), (8, "error code: -8\nerror message:\nargument must be hexadecimal string (not '51 52') and "
                                "length of it must be divisible by 2"), "-stdin: a line with a space is one argument")
    assert_equal(cli(env, port + ["-named", "getblockhash", "height=1"], clidir), (0, h1, ""),
                 "-named: getblockhash height=1")
    rc, out, err = cli(env, port + ["-named", "getblock", "blockhash=" + genesis, "verbosity=0"], clidir)
    check(rc == 0 and out == node.getblock(genesis, 0), "-named: getblock blockhash=... verbosity=0 gives the hex")
    rc, out, err = cli(env, port + ["-named", "-stdin", "getblock"], clidir, stdin="verbosity=0\nblockhash=%s\n" % genesis)
    check(rc == 0 and out == node.getblock(genesis, 0), "-named with -stdin: named arguments in any order")
    rc, out, err = cli(env, port + ["-named", "getblockhash", "nosuch=1"], clidir)
    assert_equal((rc, err), (8, "error code: -8\nerror message:\nUnknown named parameter nosuch"),
                 "-named: an unknown name is Core's -8")


def test_getinfo(env, node, clidir):
    port = ["-rpcport=%d" % node.rpc_port]
    rc, out, err = cli(env, port + ["-getinfo"], clidir)
    check(rc == 0, "-getinfo succeeds (%s %r)" % (rc, err))
    fields = {}
    for line in out.splitlines():
        if ": " in line:
            k, v = line.split(": ", 1)
            fields[k] = v
    info = node.getblockchaininfo()
    net = node.getnetworkinfo()
    assert_equal(fields.get("Chain"), info["chain"], "-getinfo Chain is getblockchaininfo's chain")
    assert_equal(fields.get("Blocks"), str(info["blocks"]), "-getinfo Blocks is getblockchaininfo's blocks")
    assert_equal(fields.get("Headers"), str(info["headers"]), "-getinfo Headers is getblockchaininfo's headers")
    check(info["headers"] > info["blocks"], "a headers-only block makes Headers (%s) exceed Blocks (%s)" %
          (info["headers"], info["blocks"]))
    assert_equal(float(fields.get("Difficulty")), float(info["difficulty"]), "-getinfo Difficulty")
    assert_equal(fields.get("Version"), str(net["version"]), "-getinfo Version is getnetworkinfo's version")
    assert_equal(fields.get("Network"), "in 0, out 0, total 0", "-getinfo Network (no P2P connections)")
    check("Warnings" in fields or "Warnings:" in out, "-getinfo has a Warnings line")
    rc, out, err = cli(env, port + ["-getinfo", "getblockcount"], clidir)
    assert_equal((rc, err), (1, "error: -getinfo takes no arguments"), "-getinfo with an argument is refused")


def test_rpcconnect(env, node, clidir):
    tip = str(node.getblockcount())
    assert_equal(cli(env, ["-rpcconnect=127.0.0.1", "-rpcport=%d" % node.rpc_port, "getblockcount"], clidir),
                 (0, tip, ""), "-rpcconnect=127.0.0.1 with -rpcport")
    assert_equal(cli(env, ["-rpcconnect=127.0.0.1:%d" % node.rpc_port, "getblockcount"], clidir), (0, tip, ""),
                 "-rpcconnect=127.0.0.1:<port>: the port from -rpcconnect")
    free = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    free.bind(("127.0.0.1", 0))
    wrong = free.getsockname()[1]
    try:
        assert_equal(cli(env, ["-rpcconnect=127.0.0.1:%d" % wrong, "-rpcport=%d" % node.rpc_port, "getblockcount"],
                         clidir), (0, tip, ""), "-rpcport takes precedence over the port in -rpcconnect")
        rc, out, err = cli(env, ["-rpcconnect=127.0.0.1:%d" % wrong, "getblockcount"], clidir)
        check(rc == 1 and "Could not connect to the server 127.0.0.1:%d" % wrong in err,
              "-rpcconnect's port is the one used (%r)" % err)
    finally:
        free.close()
    if socket.has_ipv6 and "::1" in node_listen_addrs(node):
        assert_equal(cli(env, ["-rpcconnect=[::1]:%d" % node.rpc_port, "getblockcount"], clidir), (0, tip, ""),
                     "-rpcconnect=[::1]:<port>")
    rc, out, err = cli(env, ["-rpcconnect=127.0.0.1:notaport", "getblockcount"], clidir)
    assert_equal((rc, err), (1, "error: Invalid port provided in -rpcconnect: 127.0.0.1:notaport"),
                 "-rpcconnect with a bad port: Core's error")


def node_listen_addrs(node):
    return parse_proc_net_listeners(node.rpc_port)


def run(env):
    node = env.add_node(extra_args=["-rpcuser=" + USER, "-rpcpassword=" + PASSWORD])
    node.auth_override = (USER, PASSWORD)
    clidir = tempfile.mkdtemp(prefix="cli_", dir=env.tmpdir)
    check(not os.path.exists(os.path.join(clidir, "minicash.conf")), "the CLI's datadir has no minicash.conf")
    log("-- -rpcwait")
    test_rpcwait(env, node, clidir)
    node.generatetoaddress(3, REGTEST_ADDR)
    log("-- -stdin and -named")
    test_stdin_named(env, node, clidir)
    # A headers-only block, so -getinfo's Headers and Blocks differ.
    hexblock = node.generateblock(REGTEST_ADDR, [], False)["hex"]
    node.submitheader(hexblock[:160])
    log("-- -getinfo")
    test_getinfo(env, node, clidir)
    log("-- -rpcconnect")
    test_rpcconnect(env, node, clidir)
