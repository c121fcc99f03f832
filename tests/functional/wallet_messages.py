"""Message signing: signmessagewithprivkey reproduces Core's published signature for its test key,
verifymessage accepts it and refuses a changed message, the wallet's signmessage signs with the key of
its own legacy address, and Core's errors for bad addresses, non-P2PKH addresses, malformed base64,
bad keys and addresses the wallet does not own."""

from test_framework import assert_equal, assert_raises_rpc, check

# Core's rpc_signmessagewithprivkey.py key and signature (deterministic: RFC 6979).
CORE_WIF = "cUUuHBXPzhaFnny2gCBzZZzYtFyps9B1sDJbtJMC8ssjUhNMq9xk"
CORE_SIG = "H9Dk+Y13ybD+hH7okYJemWs0N9cIJ23Zn5T+lDFo+ZO3G9QSb6Qla2TATXFji29uip6vKsi8TJRZQHbCTu85/74="
MESSAGE = "This is just a test message"


def run(env):
    n = env.add_node()
    n.start()

    # ---- without a wallet: the util methods
    assert_equal(n.rpc("signmessagewithprivkey", CORE_WIF, MESSAGE), CORE_SIG, "Core's signature reproduced")
    desc = n.rpc("getdescriptorinfo", "pkh(%s)" % CORE_WIF)["descriptor"]
    address = n.rpc("deriveaddresses", desc)[0]
    assert_equal(n.rpc("verifymessage", address, CORE_SIG, MESSAGE), True, "verifymessage accepts it")
    assert_equal(n.rpc("verifymessage", address, CORE_SIG, MESSAGE + "!"), False, "a changed message is refused")
    assert_raises_rpc(-5, "Invalid private key", n.rpc, "signmessagewithprivkey", "notakey", MESSAGE)
    assert_raises_rpc(-5, "Invalid address", n.rpc, "verifymessage", "notanaddress", CORE_SIG, MESSAGE)
    assert_raises_rpc(-3, "Malformed base64 encoding", n.rpc, "verifymessage", address, "$$$", MESSAGE)
    wpkh = n.rpc("deriveaddresses", n.rpc("getdescriptorinfo", "wpkh(%s)" % CORE_WIF)["descriptor"])[0]
    assert_raises_rpc(-3, "Address does not refer to key", n.rpc, "verifymessage", wpkh, CORE_SIG, MESSAGE)

    # ---- the wallet's signmessage
    n.createwallet("w")
    legacy = n.wallet_rpc("w", "getnewaddress", "", "legacy")
    sig = n.wallet_rpc("w", "signmessage", legacy, "hello from the wallet")
    check(n.rpc("verifymessage", legacy, sig, "hello from the wallet"), "the wallet's signature verifies")
    check(not n.rpc("verifymessage", legacy, sig, "hello"), "and only for its message")
    bech32 = n.wallet_rpc("w", "getnewaddress")
    assert_raises_rpc(-3, "Address does not refer to key", n.wallet_rpc, "w", "signmessage", bech32, "x")
    assert_raises_rpc(-3, "Invalid address", n.wallet_rpc, "w", "signmessage", "notanaddress", "x")
    assert_raises_rpc(-4, "Private key not available", n.wallet_rpc, "w", "signmessage", address, "x")
