"""descriptor_rpcs: getdescriptorinfo and deriveaddresses (Core's "util" methods) on regtest, with
Core's examples from its rpc_getdescriptorinfo.py and rpc_deriveaddresses.py: canonical forms,
checksums, range handling and Core's errors and codes."""

from test_framework import assert_equal, assert_raises_rpc, check

TPRV = "tprv8ZgxMBicQKsPd7Uf69XL1XwhmjHopUGep8GuEiJDZmbQz6o58LninorQAfcKZWARbtRtfnLcJ5MQ2AtHcQJCCRUcMRvmDUjyEmNUWwx8UbK"
TPUB = "tpubD6NzVbkrYhZ4WaWSyoBvQwbpLkojyoTZPRsgXELWz3Popb3qkjcJyJUGLnL4qHHoQvao8ESaAstxYSnhyswJ76uZPStJRJCTKvosUCJZL5B"
ADDR_110 = "bcrt1qjqmxmkpmxt80xz4y3746zgt0q3u3ferr34acd5"
ADDR_111 = "bcrt1qhku5rq7jz8ulufe2y6fkcpnlvpsta7rq4442dy"
ADDR_112 = "bcrt1qpgptk2gvshyl0s9lqshsmx932l9ccsv265tvaq"


def run(env):
    n = env.add_node()
    n.start()

    def descsum(desc):
        return desc + "#" + n.getdescriptorinfo(desc)["checksum"]

    # ---- getdescriptorinfo
    assert_raises_rpc(-5, "is not a valid descriptor function", n.getdescriptorinfo, "")
    assert_raises_rpc(-5, "Can only have wsh() at top level or inside sh()", n.getdescriptorinfo,
                      "wsh(wsh(pk(02e493dbf1c10d80f3581e4904930b1404cc6c13900ee0758474fa94abe8c4cd13)))")
    cases = [
        ("pk(0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)", False, True),
        ("pkh(02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5)", False, True),
        ("wpkh(02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9)", False, True),
        ("sh(wpkh(03fff97bd5755eeea420453a14355235d382f6472f8568a18b2f057a1460297556))", False, True),
        ("combo(0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)", False, True),
        ("sh(wsh(pkh(02e493dbf1c10d80f3581e4904930b1404cc6c13900ee0758474fa94abe8c4cd13)))", False, True),
        ("multi(1,022f8bde4d1a07209355b4a7250a5c5128e88b84bddc619ab7cba8d569b240efe4,"
         "025cbdf0646e5db4eaa398f365f2ea7a0e3d419b7e0330e39ce92bddedcac4f9bc)", False, True),
        ("sh(multi(2,022f01e5e15cca351daff3843fb70f3c2f0a1bdd05e5af888a67784ef3e10a2a01,"
         "03acd484e2f0c7f65309ad178a9f559abde09796974c57e714c35f110dfc27ccbe))", False, True),
        ("wsh(multi(2,03a0434d9e47f3c86235477c7b1ae6ae5d3442d49b1943c2b752a68e2a47e247c7,"
         "03774ae7f858a9411e5ef4246b70c65aac5649980be5c17891bbec17895da008cb,"
         "03d01115d548e7561b15c38f004d734633687cf4419620095bc5b0f47070afe85a))", False, True),
        ("sh(wsh(multi(1,03f28773c2d975288bc7d1d205c3748651b075fbc6610e58cddeeddf8f19405aa8,"
         "03499fdf9e895e719cfd64e67f07d38e3226aa7b63678949e6e49b241a60e823e4,"
         "02d7924d4f7d43ea965a465ae3095ff41131e5946f3c85f79e44adbcf8e27e080e)))", False, True),
        ("pk(%s)" % TPUB, False, True),
        ("pkh(%s/1'/2)" % TPUB, False, True),
        ("pkh([d34db33f/44'/0'/0']%s/1/*)" % TPUB, True, True),
        ("wsh(multi(1,%s/1/0/*,%s/0/0/*))" % (TPUB, TPUB), True, True),
        ("tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,{pk(%s/0/*),"
         "multi_a(1,%s/1/*,%s/2/*)})" % (TPUB, TPUB, TPUB), True, True),
        ("raw(deadbeef)", False, False),
        ("addr(%s)" % ADDR_110, False, False),
    ]
    for desc, isrange, issolvable in cases:
        info = n.getdescriptorinfo(desc)
        with_sum = desc + "#" + info["checksum"]
        assert_equal(info, {"descriptor": with_sum, "checksum": info["checksum"], "isrange": isrange,
                            "issolvable": issolvable, "hasprivatekeys": False}, "getdescriptorinfo %s" % desc)
        assert_equal(n.getdescriptorinfo(with_sum), info, "same info with the checksum given")
    # A private key: the canonical form shows the public key; the checksum is the input's.
    info = n.getdescriptorinfo("wpkh(%s/1/1/0)" % TPRV)
    assert_equal(info["descriptor"], n.getdescriptorinfo("wpkh(%s/1/1/0)" % TPUB)["descriptor"], "public form")
    check(info["hasprivatekeys"], "hasprivatekeys for a tprv")
    assert_equal(info["checksum"], "t6wfjs64", "Core's checksum of the tprv descriptor")

    # ---- deriveaddresses (Core's rpc_deriveaddresses.py)
    assert_raises_rpc(-5, "Missing checksum", n.deriveaddresses, "a")
    desc = "wpkh(%s/1/1/0)#t6wfjs64" % TPRV
    assert_equal(n.deriveaddresses(desc), [ADDR_110], "deriveaddresses of a tprv")
    assert_raises_rpc(-5, "Missing checksum", n.deriveaddresses, desc[:-9])
    assert_equal(n.deriveaddresses("wpkh(%s/1/1/0)#s9ga3alw" % TPUB), [ADDR_110], "deriveaddresses of a tpub")
    ranged = "wpkh(%s/1/1/*)#kft60nuy" % TPRV
    assert_equal(n.deriveaddresses(ranged, [1, 2]), [ADDR_111, ADDR_112], "range [1,2]")
    assert_equal(n.deriveaddresses(ranged, 2), [ADDR_110, ADDR_111, ADDR_112], "range 2")
    assert_raises_rpc(-8, "Range should not be specified for an un-ranged descriptor", n.deriveaddresses,
                      descsum("wpkh(%s/1/1/0)" % TPRV), [0, 2])
    assert_raises_rpc(-8, "Range must be specified for a ranged descriptor", n.deriveaddresses, ranged)
    assert_raises_rpc(-8, "End of range is too high", n.deriveaddresses, ranged, 10000000000)
    assert_raises_rpc(-8, "Range is too large", n.deriveaddresses, ranged, [1000000000, 2000000000])
    assert_raises_rpc(-8, "Range specified as [begin,end] must not have begin after end", n.deriveaddresses,
                      ranged, [2, 0])
    assert_raises_rpc(-8, "Range should be greater or equal than 0", n.deriveaddresses, ranged, [-1, 0])
    # combo(): P2PK has no address and is skipped; then P2PKH, P2WPKH, P2SH-P2WPKH.
    assert_equal(n.deriveaddresses(descsum("combo(%s/1/1/0)" % TPRV)),
                 ["mtfUoUax9L4tzXARpw1oTGxWyoogp52KhJ", ADDR_110, "2NDvEwGfpEqJWfybzpKPHF2XH3jwoQV3D7x"], "combo")
    assert_raises_rpc(-5, "Cannot derive script without private keys", n.deriveaddresses,
                      descsum("wpkh(%s/1'/1/0)" % TPUB))
    assert_raises_rpc(-5, "Descriptor does not have a corresponding address", n.deriveaddresses,
                      descsum("multi(1,%s/1/1/0,%s/1/1/1)" % (TPUB, TPUB)))
    # The new functions give addresses too: wsh(sortedmulti) is the same whatever the key order.
    k1, k2 = TPUB + "/1/1/0", TPUB + "/1/1/1"
    check(n.deriveaddresses(descsum("wsh(sortedmulti(1,%s,%s))" % (k1, k2))) ==
          n.deriveaddresses(descsum("wsh(sortedmulti(1,%s,%s))" % (k2, k1))), "sortedmulti ignores key order")
    check(n.deriveaddresses(descsum("tr(%s/0/*)" % TPUB), [0, 1])[0].startswith("bcrt1p"), "tr() gives bech32m")
