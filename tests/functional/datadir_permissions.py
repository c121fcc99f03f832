"""datadir_permissions: what the node creates is private to its user whatever the caller's umask
(Core's umask 077), and the RPC cookie is written only once the RPC port is bound, so a second
node that fails to start leaves a running node's cookie alone."""

import os
import stat

from test_framework import REGTEST_ADDR, assert_equal, check, log, wait_until


def check_private_files(env):
    """Under umask 022 every directory the node makes is 0700 and every file 0600 or stricter."""
    old = os.umask(0o022)
    try:
        node = env.add_node()
        node.start()
    finally:
        os.umask(old)
    node.generatetoaddress(3, REGTEST_ADDR)
    netdir = node.netdir
    cookie_mode = stat.S_IMODE(os.stat(node.cookie_path).st_mode)
    assert_equal(oct(cookie_mode), oct(0o600), "cookie mode")
    expected = ["", "blocks", "chainstate", "debug.log", ".cookie", os.path.join("blocks", "blk00000.dat")]
    for rel in expected:
        check(os.path.exists(os.path.join(netdir, rel)), "%s exists" % (rel or "the chain's data directory"))
    seen = 0
    for root, dirs, files in os.walk(netdir):
        for name in [""] + dirs + files:
            path = os.path.join(root, name)
            mode = stat.S_IMODE(os.lstat(path).st_mode)
            what = os.path.relpath(path, netdir)
            check(mode & 0o077 == 0, "%s is private (mode %s)" % (what, oct(mode)))
            if os.path.isdir(path):
                assert_equal(oct(mode), oct(0o700), "mode of directory %s" % what)
            seen += 1
    check(seen >= len(expected), "walked the data directory")
    node.stop()
    log("    data directory, blocks, chainstate, debug.log, cookie and blk files are private under umask 022")


def check_cookie_survives_failed_second_node(env):
    """Node B shares A's -rpccookiefile and A's RPC port: B fails, A's cookie is untouched."""
    a = env.add_node()
    shared = os.path.join(env.tmpdir, "shared.cookie")
    a.start(extra_args=["-rpccookiefile=" + shared], wait=False)
    wait_until(lambda: os.path.exists(shared), 60, "node A writes its cookie")
    with open(shared) as f:
        before = f.read()
    user, _, pw = before.partition(":")
    a.auth_override = (user, pw)
    a.wait_for_rpc()
    st_before = os.stat(shared)
    b = env.add_node()
    b.start(extra_args=["-rpccookiefile=" + shared, "-rpcport=%d" % a.rpc_port], wait=False)
    rc = b.wait_for_exit(timeout=60)
    check(rc != 0, "the second node fails to start (exit code %s)" % rc)
    check("bind" in b.read_stderr().lower(), "the second node reports the bind failure: %r" % b.read_stderr()[-300:])
    check(os.path.exists(shared), "the running node's cookie file still exists")
    with open(shared) as f:
        after = f.read()
    assert_equal(after, before, "the running node's cookie content")
    assert_equal(os.stat(shared).st_ino, st_before.st_ino, "the cookie file was not replaced")
    assert_equal(a.getblockcount(), 0, "the running node still answers to its cookie")
    a.stop()
    check(not os.path.exists(shared), "the running node deletes its own cookie at shutdown")
    log("    a node that cannot bind leaves the running node's cookie alone")


def run(env):
    check_private_files(env)
    check_cookie_survives_failed_second_node(env)
