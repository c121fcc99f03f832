"""rpc_strict_input: request bodies and credentials are read as Bitcoin Core reads them. A key
repeated in the JSON request keeps its first value (UniValue), a named parameter given twice is
-8, and the base64 of HTTP Basic credentials must be strict (length, padding, spare bits)."""

import base64
import hashlib
import hmac
import json

from test_framework import assert_equal, log


def post(node, body, auth=True):
    status, data, _ = node.http_post(body, auth=auth)
    return status, (json.loads(data) if data else None)


def check_repeated_keys(node):
    tip = node.getbestblockhash()
    status, reply = post(node, '{"method":"getblockcount","method":"getbestblockhash","id":1,"id":2}')
    assert_equal(status, 200, "status of a request with repeated keys")
    assert_equal(reply, {"result": 0, "error": None, "id": 1}, "the first method and id are used")
    status, reply = post(node, '{"method":"getbestblockhash","method":"getblockcount","id":"x"}')
    assert_equal(reply["result"], tip, "again the first method")
    status, reply = post(node, '{"method":"getblockhash","params":{"height":0,"height":1},"id":1}')
    assert_equal(status, 500, "status of repeated named parameters")
    assert_equal(reply["error"], {"code": -8, "message": "Parameter height specified multiple times"},
                 "repeated named parameters (Core's transformNamedArguments)")
    status, reply = post(node, '{"method":"getblockhash","params":[0],"params":[1],"id":1}')
    assert_equal(reply["result"], tip, "the first params array is used")
    log("    repeated JSON keys keep the first value; repeated named parameters are -8")


def check_strict_base64(node):
    # "u:pw!" is 5 bytes: "dTpwdyE=", one padding character and 2 spare bits (zero) in "E".
    good = base64.b64encode(b"u:pw!").decode()
    assert_equal(good, "dTpwdyE=", "base64 of the credentials")
    status, _ = post(node, '{"method":"getblockcount","id":1}', auth="Basic " + good)
    assert_equal(status, 200, "status with strict base64 credentials")
    # One more '=', a missing '=', too many '=', and "dTpwdyF=" (non-zero spare bits, same bytes to a lax decoder).
    for bad in [good + "=", good[:-1], good + "====", good[:-2] + chr(ord(good[-2]) + 1) + "="]:
        status, _ = post(node, '{"method":"getblockcount","id":1}', auth="Basic " + bad)
        assert_equal(status, 401, "status with lax base64 %s" % bad[-6:])
    log("    Basic credentials with extra or missing padding or non-zero spare bits are refused")


def rpcauth(user, password):
    salt = "0123456789abcdef0123456789abcdef"
    return "-rpcauth=%s:%s$%s" % (user, salt, hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest())


def run(env):
    node = env.add_node()
    node.start(extra_args=[rpcauth("u", "pw!")])
    check_repeated_keys(node)
    check_strict_base64(node)
    node.stop()
