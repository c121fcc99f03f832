"""rpc_auth_and_errors: HTTP auth (cookie, rpcuser/rpcpassword, rpcauth), JSON-RPC 1.0/2.0 reply
shapes and error codes, oversized and garbage requests, CLI error output, the datadir lock, the
cookie file's life cycle, and that RPC listens on loopback only."""

import base64
import hashlib
import hmac
import json
import os
import secrets
import socket
import stat
import subprocess
import time

from test_framework import REGTEST_ADDR, assert_equal, assert_raises_rpc, check, log, \
    parse_proc_net_listeners


def basic(user, pw):
    return "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()


def post_json(node, obj, auth=True):
    status, data, headers = node.http_post(json.dumps(obj) if not isinstance(obj, (bytes, str)) else obj, auth=auth)
    try:
        body = json.loads(data) if data else None
    except ValueError:
        body = data
    return status, body


def raw_exchange(port, payload, read_timeout=10):
    """Send bytes on a fresh loopback connection (tolerating a reset while sending), return what comes back."""
    s = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    send_error = None
    try:
        try:
            if isinstance(payload, (list, tuple)):
                for chunk in payload:
                    s.sendall(chunk)
            else:
                s.sendall(payload)
        except OSError as e:
            send_error = e
        got = b""
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got += b
                if b"\r\n\r\n" in got:
                    # read the announced body, if any
                    head, _, rest = got.partition(b"\r\n\r\n")
                    cl = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                    if not cl or len(rest) >= int(cl[0].split(b":")[1]):
                        break
        except OSError:
            pass
        return got, send_error
    finally:
        s.close()


def run(env):
    node = env.add_node()
    node.start()
    node.rpc("generatetoaddress", 3, REGTEST_ADDR)
    port = node.rpc_port

    # ---------------- cookie file
    st = os.stat(node.cookie_path)
    assert_equal(stat.S_IMODE(st.st_mode), 0o600, ".cookie file mode")
    with open(node.cookie_path) as f:
        cookie = f.read().strip()
    check(cookie.startswith("__cookie__:") and len(cookie) > len("__cookie__:") + 16, ".cookie holds __cookie__:<secret>")

    # ---------------- authentication
    status, body = post_json(node, {"method": "getblockcount", "params": [], "id": 1}, auth=False)
    assert_equal(status, 401, "no Authorization header -> HTTP 401")
    user, pw = cookie.split(":", 1)
    status, body = post_json(node, {"method": "getblockcount", "params": [], "id": 1}, auth=basic(user, pw + "x"))
    assert_equal(status, 401, "wrong cookie password -> HTTP 401")
    status, body = post_json(node, {"method": "getblockcount", "params": [], "id": 1}, auth="Bearer abc")
    assert_equal(status, 401, "non-Basic Authorization -> HTTP 401")
    status, body = post_json(node, {"method": "getblockcount", "params": [], "id": 1}, auth=basic(user, pw))
    assert_equal((status, body), (200, {"result": 3, "error": None, "id": 1}), "cookie auth -> HTTP 200 with the result")
    st, data, hdrs = node.http_post(json.dumps({"method": "getblockcount", "id": 1}), path="/")
    assert_equal(st, 200, "request without params member works")
    ctype = {k.lower(): v for k, v in hdrs.items()}.get("content-type", "")
    check(ctype.startswith("application/json"), "reply Content-Type is application/json (%s)" % ctype)

    # ---------------- JSON-RPC 1.0 and 2.0 reply shapes
    status, body = post_json(node, {"method": "getblockcount", "params": [], "id": "a"})
    assert_equal((status, body), (200, {"result": 3, "error": None, "id": "a"}), "1.0 reply has result, error=null, id")
    status, body = post_json(node, {"jsonrpc": "1.0", "method": "getblockcount", "params": [], "id": 7})
    assert_equal((status, body), (200, {"result": 3, "error": None, "id": 7}), "explicit jsonrpc=1.0 reply shape")
    status, body = post_json(node, {"jsonrpc": "2.0", "method": "getblockcount", "params": [], "id": 2})
    assert_equal((status, body), (200, {"jsonrpc": "2.0", "result": 3, "id": 2}), "2.0 reply has jsonrpc, result, id and no error")
    status, body = post_json(node, {"jsonrpc": "2.0", "method": "getblockhash", "params": [99999], "id": 3})
    check(status == 200 and body.get("jsonrpc") == "2.0" and "result" not in body and body["id"] == 3 and
          body["error"]["code"] == -8, "2.0 error reply: HTTP 200, error object, no result (%s %s)" % (status, body))

    # unknown method
    status, body = post_json(node, {"method": "nosuchmethod", "params": [], "id": 1})
    check(status == 404 and body["result"] is None and body["error"]["code"] == -32601 and
          body["error"]["message"] == "Method not found", "unknown method (1.0) -> HTTP 404, -32601 Method not found (%s %s)" % (status, body))
    status, body = post_json(node, {"jsonrpc": "2.0", "method": "nosuchmethod", "params": [], "id": 1})
    check(status == 200 and body["error"]["code"] == -32601 and "result" not in body,
          "unknown method (2.0) -> HTTP 200, -32601 (%s %s)" % (status, body))

    # invalid JSON
    status, body = post_json(node, b'{"method": "getblockcount", "params": [', auth=True)
    check(isinstance(body, dict) and body.get("error", {}).get("code") == -32700,
          "invalid JSON -> error -32700 Parse error (HTTP %s, %s)" % (status, body))
    assert_equal(status, 500, "invalid JSON -> HTTP 500 (as Core)")
    check("id" in body and body["id"] is None, "Parse error reply carries \"id\": null as Core's (%s)" % (body,))
    status, body = post_json(node, b'"just a string"')
    check(isinstance(body, dict) and body.get("error", {}).get("code") == -32700,
          "top-level JSON that is neither object nor array -> -32700 (HTTP %s, %s)" % (status, body))
    status, body = post_json(node, {"params": [], "id": 1})
    check(isinstance(body, dict) and body.get("error", {}).get("code") == -32600,
          "request without method -> -32600 Invalid Request (HTTP %s, %s)" % (status, body))
    status, body = post_json(node, {"method": "getblockhash", "params": 5, "id": 1})
    check(isinstance(body, dict) and body.get("error", {}).get("code") == -32600,
          "params neither array nor object -> -32600 (HTTP %s, %s)" % (status, body))

    # batch
    batch = [
        {"method": "getblockcount", "params": [], "id": 1},
        {"jsonrpc": "2.0", "method": "getblockhash", "params": [0], "id": 2},
        {"method": "nosuchmethod", "params": [], "id": 3},
        {"jsonrpc": "2.0", "method": "getblockcount", "params": []},  # notification: no reply
    ]
    status, body = post_json(node, batch)
    assert_equal(status, 200, "batch -> HTTP 200")
    check(isinstance(body, list) and len(body) == 3, "batch reply has one entry per non-notification request (%s)" % body)
    assert_equal(body[0], {"result": 3, "error": None, "id": 1}, "batch[0] (1.0)")
    assert_equal(body[1], {"jsonrpc": "2.0", "result": node.getblockhash(0), "id": 2}, "batch[1] (2.0)")
    check(body[2]["result"] is None and body[2]["error"]["code"] == -32601 and body[2]["id"] == 3, "batch[2] error entry")
    status, body = post_json(node, [])
    check(status == 200 and body == [], "empty batch -> [] (HTTP %s, %r)" % (status, body))
    status, data, _ = node.http_post(json.dumps({"jsonrpc": "2.0", "method": "getblockcount", "params": []}))
    check(status == 204 and data == b"", "single 2.0 notification -> HTTP 204, empty body (%s %r)" % (status, data))

    # named params
    status, body = post_json(node, {"method": "getblockhash", "params": {"height": 1}, "id": 1})
    assert_equal((status, body.get("result")), (200, node.getblockhash(1)), "named params")

    # parameter errors as Core
    assert_raises_rpc(-3, None, node.getblockhash, "1", what="getblockhash with a string height -> -3 (type error)")
    assert_raises_rpc(-8, "Block height out of range", node.getblockhash, 99999, what="getblockhash 99999")
    assert_raises_rpc(-5, "Block not found", node.getblock, "11" * 32, what="getblock(unknown hash) -> -5")
    assert_raises_rpc(-8, "must be of length 64", node.getblock, "abc", what="getblock(short hash) -> -8")
    assert_raises_rpc(-8, "must be hexadecimal", node.getblock, "zz" * 32, what="getblock(non-hex hash) -> -8")
    assert_raises_rpc(-1, None, node.getblockcount, 1, what="too many params -> -1 (usage)")
    assert_raises_rpc(-1, None, node.getblockhash, what="missing params -> -1 (usage)")
    e = assert_raises_rpc(-8, None, node.getblockhash, 99999, what="error reply is HTTP 500 for 1.0")
    assert_equal(e.http_status, 500, "HTTP status of a 1.0 error reply")

    # ---------------- huge body: 413, node survives
    size = 40 * 1024 * 1024
    head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % (node.auth_header(), size)).encode()
    chunk = b" " * (1024 * 1024)
    t0 = time.time()
    got, send_err = raw_exchange(port, [head] + [chunk] * 40, read_timeout=30)
    status_line = got.split(b"\r\n", 1)[0]
    log("40 MB body: got %r after %.1fs (send error: %s)" % (status_line, time.time() - t0, send_err))
    check(status_line.startswith(b"HTTP/1.1 413") or status_line.startswith(b"HTTP/1.0 413"),
          "40 MB request body -> HTTP 413 (%r)" % status_line)
    check(node.is_running(), "node still running after the huge body")
    assert_equal(node.getblockcount(), 3, "node answers after the huge body")

    # ---------------- garbage on the socket
    for garbage in (secrets.token_bytes(4096), b"GARBAGE\r\n\r\n", b"\x00" * 100 + b"\r\n\r\n",
                    b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"):
        got, _ = raw_exchange(port, garbage, read_timeout=5)
        log("garbage %r... -> %r" % (garbage[:16], got.split(b"\r\n", 1)[0]))
        # half-open connection with partial headers that we just drop
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"POST / HTTP/1.1\r\nContent-Le")
    s.close()
    check(node.is_running(), "node still running after garbage requests")
    assert_equal(node.getblockcount(), 3, "node answers after garbage requests")
    got, _ = raw_exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n\r\n" % node.auth_header().encode())
    check(got.startswith(b"HTTP/1.1 405"), "GET -> HTTP 405 Method Not Allowed (%r)" % got.split(b"\r\n", 1)[0])

    # ---------------- minicash-cli error output and exit code
    rc, out, err = node.cli("getblockhash", 99999)
    assert_equal(rc, 8, "minicash-cli getblockhash 99999 exit code (= -error code)")
    check("error code: -8" in err and "Block height out of range" in err, "cli stderr shows 'error code: -8' and the message (%r)" % err)
    assert_equal(out, "", "cli stdout empty on error")
    rc, out, err = node.cli("nosuchmethod")
    check(rc == 89 and "error code: -32601" in err, "cli unknown method: exit 89, error code -32601 (rc=%s, %r)" % (rc, err))
    rc, out, err = node.cli("getblock", "11" * 32)
    check(rc == 5 and "error code: -5" in err, "cli getblock unknown: exit 5, error code -5 (rc=%s, %r)" % (rc, err))
    rc, out, err = node.cli("-rpcpassword=wrong", "getblockcount")
    check(rc != 0 and "Authorization failed" in err, "cli with a wrong password fails with 'Authorization failed' (rc=%s, %r)" % (rc, err))

    # ---------------- RPC bound to loopback only
    addrs = parse_proc_net_listeners(port)
    check(len(addrs) >= 1, "RPC port %d is listening (%s)" % (port, addrs))
    check(all(a in ("127.0.0.1", "::1") for a in addrs), "RPC listens only on 127.0.0.1/::1 (%s)" % addrs)
    try:
        ss = subprocess.run(["ss", "-ltn", "sport = :%d" % port], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
        lines = [l for l in ss.stdout.decode().splitlines()[1:] if l.strip()]
        locals_ = [l.split()[3] for l in lines]
        check(locals_ and all(a.startswith("127.0.0.1:") or a.startswith("[::1]:") for a in locals_),
              "ss -ltn agrees: %s" % locals_)
    except (OSError, subprocess.SubprocessError):
        log("(ss not available; /proc/net check only)")

    # ---------------- a second daemon on the same datadir fails on the lock
    p = subprocess.run([env.minicashd, "-datadir=" + node.datadir, "-printtoconsole=0", "-rpcport=%d" % (port,)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, stdin=subprocess.DEVNULL)
    err = p.stderr.decode(errors="replace")
    check(p.returncode != 0, "second minicashd on the same datadir exits non-zero (%s)" % p.returncode)
    check("Cannot obtain a lock on data directory" in err, "second minicashd reports the lock error (%r)" % err.strip())
    assert_equal(node.getblockcount(), 3, "first node unaffected by the second")
    check(os.path.exists(node.cookie_path), "first node's cookie still there")

    # ---------------- malformed numeric options stop the daemon with a clear message
    for arg, msg in (("-dbbatchsize=-1", "-dbbatchsize must not be negative"),):
        bad_dir = os.path.join(env.tmpdir, "badargs")
        os.makedirs(bad_dir, exist_ok=True)
        p = subprocess.run([env.minicashd, "-regtest", "-datadir=" + bad_dir, "-printtoconsole=0", arg],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, stdin=subprocess.DEVNULL)
        err = p.stderr.decode(errors="replace")
        check(p.returncode != 0 and msg in err, "minicashd %s exits non-zero with %r (%s: %r)" %
              (arg, msg, p.returncode, err.strip()))

    # ---------------- cookie deleted at stop
    node.stop()
    check(not os.path.exists(node.cookie_path), ".cookie deleted after stop")

    # ---------------- -rpcuser/-rpcpassword
    n2 = env.add_node(extra_args=["-rpcuser=alice", "-rpcpassword=s3cret"])
    n2.auth_override = ("alice", "s3cret")
    n2.start()
    assert_equal(n2.getblockcount(), 0, "rpcuser/rpcpassword credentials work")
    check(not os.path.exists(n2.cookie_path), "no .cookie written when -rpcpassword is set")
    status, _ = post_json(n2, {"method": "getblockcount", "params": [], "id": 1}, auth=basic("alice", "wrong"))
    assert_equal(status, 401, "rpcpassword node: wrong password -> 401")
    status, _ = post_json(n2, {"method": "getblockcount", "params": [], "id": 1}, auth=basic(user, pw))
    assert_equal(status, 401, "rpcpassword node rejects a cookie credential")
    status, _ = post_json(n2, {"method": "getblockcount", "params": [], "id": 1}, auth=basic("__cookie__", ""))
    assert_equal(status, 401, "rpcpassword node rejects __cookie__ with an empty password")
    rc, out, err = n2.cli("getblockcount")
    assert_equal((rc, out.strip()), (0, "0"), "cli with -rpcuser/-rpcpassword")
    n2.stop()

    # ---------------- -rpcauth
    salt = secrets.token_hex(16)
    password = "pa55-" + secrets.token_hex(8)
    digest = hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()
    n3 = env.add_node(extra_args=["-rpcauth=bob:%s$%s" % (salt, digest)])
    n3.start()  # cookie still generated with -rpcauth (as Core)
    status, body = post_json(n3, {"method": "getblockcount", "params": [], "id": 1}, auth=basic("bob", password))
    assert_equal((status, body and body.get("result")), (200, 0), "rpcauth user with the right password -> 200")
    status, _ = post_json(n3, {"method": "getblockcount", "params": [], "id": 1}, auth=basic("bob", password + "!"))
    assert_equal(status, 401, "rpcauth user with a wrong password -> 401")
    status, _ = post_json(n3, {"method": "getblockcount", "params": [], "id": 1}, auth=basic("mallory", password))
    assert_equal(status, 401, "unknown user with the rpcauth password -> 401")
    status, _ = post_json(n3, {"method": "getblockcount", "params": [], "id": 1})
    assert_equal(status, 200, "cookie still accepted alongside -rpcauth")
    n3.auth_override = ("bob", password)
    rc, out, err = n3.cli("getblockcount")
    assert_equal((rc, out.strip()), (0, "0"), "cli with the rpcauth user's password")
    n3.auth_override = None
    n3.stop()
    check(not os.path.exists(n3.cookie_path), ".cookie of the rpcauth node deleted after stop")
