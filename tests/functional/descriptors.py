"""descriptors: generatetodescriptor / generateblock with tr(), WIF keys, extended keys with
derivation steps and key origins (BIP-380/382/386). The expected scripts are the BIPs' own test
vectors; the BIPs' mainnet keys are re-encoded with the test network's version bytes (regtest,
like Core, reads tpub/tprv and testnet WIF), which does not change the keys."""

from p2p_client.base58 import b58check_decode, b58check_encode
from test_framework import assert_equal, assert_raises_rpc


def to_test_network(key):
    """The same key with the test network's version bytes (xpub->tpub, xprv->tprv, WIF 0x80->0xef)."""
    data = b58check_decode(key)
    versions = {bytes.fromhex("0488b21e"): bytes.fromhex("043587cf"), bytes.fromhex("0488ade4"): bytes.fromhex("04358394")}
    if data[:4] in versions:
        return b58check_encode(versions[data[:4]] + data[4:])
    assert data[0] == 0x80
    return b58check_encode(b"\xef" + data[1:])


# BIP-386 test vectors (tr)
TR_XONLY = "a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
TR_WIF = "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1"
TR_SCRIPT = "512077aab6e066f8a7419c5ab714c12c67d25007ed55a43cadcacb4d7a970a093f11"
TR_TREE_DESC = "tr(%s,pk(669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))" % TR_XONLY
TR_TREE_SCRIPT = "512017cf18db381d836d8923b1bdb246cfcd818da1a9f0e6e7907f187f0b2f937754"
# BIP-382 test vectors (wpkh / sh(wpkh)) with key origins and derivation steps
XPRV_13 = "xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt"
XPUB_13 = "xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH"
WPKH_SCRIPTS = ["0014326b2249e3a25d5dc60935f044ee835d090ba859", "0014af0bd98abc2f2cae66e36896a39ffe2d32984fb7"]
XPRV_M = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"
SH_WPKH_SCRIPTS = ["a9149a4d9901d6af519b2a23d4a2f51650fcba87ce7b87", "a914bed59fc0024fae941d6e20a3b44a109ae740129287"]


def coinbase_script(node, blockhash):
    return node.getblock(blockhash, 2)["tx"][0]["vout"][0]["scriptPubKey"]["hex"]


def run(env):
    n = env.add_node()
    n.start()
    tprv13, tpub13, tprvm = to_test_network(XPRV_13), to_test_network(XPUB_13), to_test_network(XPRV_M)

    # tr(KEY): an x-only key and a WIF key give the BIP-386 output script.
    h = n.generatetodescriptor(1, "tr(%s)" % TR_XONLY)[0]
    assert_equal(coinbase_script(n, h), TR_SCRIPT, "generatetodescriptor tr(x-only key) pays BIP-386's script")
    h = n.generatetodescriptor(1, "tr(%s)" % to_test_network(TR_WIF))[0]
    assert_equal(coinbase_script(n, h), TR_SCRIPT, "generatetodescriptor tr(WIF) pays BIP-386's script")
    h = n.generateblock("tr(%s)" % TR_XONLY, [])["hash"]
    assert_equal(coinbase_script(n, h), TR_SCRIPT, "generateblock tr(x-only key)")
    h = n.generatetodescriptor(1, TR_TREE_DESC)[0]
    assert_equal(coinbase_script(n, h), TR_TREE_SCRIPT, "tr(KEY,pk(KEY)) with a script tree pays BIP-386's script")

    # Key origin + extended private key + derivation steps; the same through the extended public key.
    h = n.generatetodescriptor(1, "wpkh([ffffffff/13']%s/1/2/0)" % tprv13)[0]
    assert_equal(coinbase_script(n, h), WPKH_SCRIPTS[0], "wpkh([origin]tprv/1/2/0) pays BIP-382's script")
    h = n.generatetodescriptor(1, "wpkh([ffffffff/13h]%s/1/2/1)" % tpub13)[0]
    assert_equal(coinbase_script(n, h), WPKH_SCRIPTS[1], "wpkh([origin]tpub/1/2/1) pays BIP-382's second script")
    h = n.generateblock("wpkh(%s/1/2/0)" % tpub13, [])["hash"]
    assert_equal(coinbase_script(n, h), WPKH_SCRIPTS[0], "generateblock wpkh(tpub/1/2/0)")
    # Hardened steps from a private key.
    h = n.generatetodescriptor(1, "sh(wpkh(%s/10/20/30/40/1'))" % tprvm)[0]
    assert_equal(coinbase_script(n, h), SH_WPKH_SCRIPTS[1], "sh(wpkh(tprv/10/20/30/40/1')) pays BIP-382's script")

    # A descriptor checksum (BIP-380's example) is checked.
    h = n.generatetodescriptor(1, "raw(deadbeef)#89f8spxm")[0]
    assert_equal(coinbase_script(n, h), "deadbeef", "raw(deadbeef)#89f8spxm")
    assert_raises_rpc(-5, "does not match computed checksum", n.generatetodescriptor, 1, "raw(deedbeef)#89f8spxm",
                      what="a wrong descriptor checksum")

    # Ranged descriptors are refused with Core's error, by both calls.
    ranged = "wpkh([ffffffff/13']%s/1/2/*)" % tpub13
    for name, fn, args in (("generatetodescriptor", n.generatetodescriptor, (1, ranged)),
                           ("generateblock", n.generateblock, (ranged, []))):
        assert_raises_rpc(-8, "Ranged descriptor not accepted. Maybe pass through deriveaddresses first?", fn, *args,
                          what="%s with a ranged descriptor" % name)
    assert_raises_rpc(-8, "Ranged descriptor not accepted", n.generatetodescriptor, 1,
                      "tr(%s/0/*')" % tprvm, what="a hardened range")
    # A hardened step from a public key cannot be derived.
    assert_raises_rpc(-5, "Cannot derive script without private keys", n.generatetodescriptor, 1,
                      "wpkh(%s/1h)" % tpub13, what="hardened derivation from a tpub")
    # Bad keys get Core's messages.
    assert_raises_rpc(-5, "key '%s' is not valid" % XPUB_13, n.generatetodescriptor, 1, "wpkh(%s)" % XPUB_13,
                      what="a mainnet xpub on regtest")
    assert_raises_rpc(-5, "Fingerprint is not 4 bytes (7 characters instead of 8 characters)", n.generatetodescriptor, 1,
                      "wpkh([deadbef/0h]%s)" % tpub13, what="a short origin fingerprint")
    assert_raises_rpc(-5, "Key path value 2147483648 is out of range", n.generatetodescriptor, 1,
                      "wpkh(%s/2147483648)" % tpub13, what="a derivation step out of range")
    assert_raises_rpc(-5, "Uncompressed keys are not allowed", n.generatetodescriptor, 1,
                      "tr(04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235)",
                      what="tr() with an uncompressed key (BIP-386 invalid vector)")
    assert_raises_rpc(-5, "Error: Invalid address or descriptor", n.generateblock, "wsh(tr(%s))" % TR_XONLY, [],
                      what="generateblock with tr() nested in wsh (BIP-386 invalid vector)")
