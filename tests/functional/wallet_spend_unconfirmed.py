"""Spending unconfirmed coins pays for their low-fee ancestors (Core's MiniMiner bump fees, as in
Core's wallet_spend_unconfirmed.py): a transaction spending the outputs of a 1 sat/vB parent at
20 sat/vB pays what raises the parent and itself together to 20 sat/vB, the parent's shortfall
counted once although two of its outputs are spent; a parent paying more needs nothing; a chain
of two low parents is paid for; bumpfee of a child of a low parent, with a fee rate given and
without; a preset input (send's inputs); sendall; and the ancestry limit of
-walletrejectlongchains sees the mempool's chain."""

from decimal import Decimal

from test_framework import assert_equal, assert_raises_rpc, check, log

TARGET = 20  # sat/vB


def entry(node, txid):
    e = node.getmempoolentry(txid)
    return {
        "fee": int(e["fees"]["base"] * 100_000_000),
        "vsize": e["vsize"],
        "ancestor_fee": int(e["fees"]["ancestor"] * 100_000_000),
        "ancestor_vsize": e["ancestorsize"],
    }


def check_package_rate(node, txid, what):
    """txid with its unconfirmed ancestors pays the target rate, and not 1% more."""
    e = entry(node, txid)
    rate = e["ancestor_fee"] / e["ancestor_vsize"]
    log("%s: %d sat for %d vB with its ancestors (%.3f sat/vB); itself %d sat for %d vB" %
        (what, e["ancestor_fee"], e["ancestor_vsize"], rate, e["fee"], e["vsize"]))
    check(rate >= TARGET, "%s: the package pays %s sat/vB (%.3f)" % (what, TARGET, rate))
    check(rate <= TARGET * 1.01, "%s: the package pays no more than 1%% over %s sat/vB (%.3f)" % (what, TARGET, rate))
    return e


class Wallets:
    def __init__(self, node):
        self.node = node
        self.count = 0
        node.createwallet("def")
        self.def_addr = node.wallet_rpc("def", "getnewaddress")
        node.generatetoaddress(110, self.def_addr)

    def funded(self, amounts):
        """A new wallet holding one confirmed coin per amount."""
        self.count += 1
        name = "w%d" % self.count
        self.node.createwallet(name)
        for amount in amounts:
            self.node.wallet_rpc("def", "sendtoaddress", self.node.wallet_rpc(name, "getnewaddress"), amount)
        self.node.generatetoaddress(1, self.def_addr)
        return name

    def low_parent(self, name, amount, fee_rate=1):
        """name pays itself amount at fee_rate: two unconfirmed outputs of its own."""
        node = self.node
        return node.wallet_rpc(name, "sendtoaddress", node.wallet_rpc(name, "getnewaddress"), amount,
                               "", "", False, True, None, "unset", None, fee_rate)

    def send(self, name, amount, fee_rate=TARGET):
        return self.node.wallet_rpc(name, "sendtoaddress", self.def_addr, amount, "", "", False, True, None, "unset",
                                    None, fee_rate)


def run(env):
    node = env.add_node(extra_args=["-fallbackfee=0.0002", "-listen=0", "-connect=0"])
    node.start()
    ws = Wallets(node)

    # ---- Both outputs of a 1 sat/vB parent: the parent's shortfall is paid, once.
    w = ws.funded(["1"])
    parent = ws.low_parent(w, "0.5")
    assert_equal(len(node.wallet_rpc(w, "listunspent", 0)), 2, "the parent's two outputs")
    child = ws.send(w, "0.9")
    e = check_package_rate(node, child, "child of a low parent")
    check(e["ancestor_vsize"] == e["vsize"] + entry(node, parent)["vsize"], "the child spends the parent only")
    assert_equal(node.wallet_rpc(w, "gettransaction", child)["fee"], -Decimal(e["fee"]) / 100_000_000,
                 "the wallet's fee is what the child pays")

    # ---- A parent that pays more than the target: nothing more.
    w = ws.funded(["1"])
    ws.low_parent(w, "0.5", fee_rate=40)
    child = ws.send(w, "0.9")
    e = entry(node, child)
    rate = e["fee"] / e["vsize"]
    check(TARGET <= rate <= TARGET * 1.01, "child of a high parent pays the target itself (%.3f)" % rate)

    # ---- A chain of two low parents: both are paid for.
    w = ws.funded(["1"])
    ws.low_parent(w, "0.6")
    ws.low_parent(w, "0.99", fee_rate=2)  # spends both outputs of the first
    child = ws.send(w, "0.95")
    e = check_package_rate(node, child, "child of a chain of two low parents")
    check(e["ancestor_vsize"] > e["vsize"] * 2, "the child's package holds both parents")

    # ---- bumpfee of a child of a low parent: the replacement pays for the parent too.
    for given_rate in (True, False):
        w = ws.funded(["1"])
        ws.low_parent(w, "0.5")
        child = ws.send(w, "0.9", fee_rate=2)
        if given_rate:
            bumped = node.wallet_rpc(w, "bumpfee", child, {"fee_rate": TARGET})["txid"]
            check_package_rate(node, bumped, "bumpfee with fee_rate of a child of a low parent")
        else:
            # Without a rate: the wallet's estimate (the fallback, 20 sat/vB) for the package.
            bumped = node.wallet_rpc(w, "bumpfee", child)["txid"]
            check_package_rate(node, bumped, "bumpfee without a rate of a child of a low parent")
        check(child not in node.getrawmempool(), "the original child is replaced")

    # ---- send with a preset input of a low parent (Core's FetchSelectedInputs charges it too).
    w = ws.funded(["1"])
    parent = ws.low_parent(w, "0.5")
    res = node.wallet_rpc(w, "send", [{ws.def_addr: "0.3"}], None, "unset", TARGET,
                          {"add_inputs": True, "inputs": [{"txid": parent, "vout": 0}]})
    e = check_package_rate(node, res["txid"], "send with a preset input of a low parent")
    check(e["ancestor_vsize"] == e["vsize"] + entry(node, parent)["vsize"], "the send spends the parent only")

    # ---- sendall of a low parent's outputs.
    w = ws.funded(["1"])
    ws.low_parent(w, "0.5")
    res = node.wallet_rpc(w, "sendall", [ws.def_addr], None, "unset", TARGET)
    check_package_rate(node, res["txid"], "sendall of a low parent's outputs")

    # ---- -walletrejectlongchains: the coins' ancestry is the mempool's. A chain of 25 sendalls to
    # itself leaves one coin 25 transactions deep, the mempool's limit: it cannot be spent.
    w = ws.funded(["1"])
    for _ in range(25):
        node.wallet_rpc(w, "sendall", [node.wallet_rpc(w, "getnewaddress")], None, "unset", TARGET)
    unspent = node.wallet_rpc(w, "listunspent", 0)
    assert_equal([u["ancestorcount"] for u in unspent], [25], "one coin, 25 deep in the mempool")
    assert_raises_rpc(-6, "Unconfirmed UTXOs are available, but spending them creates a chain of transactions "
                          "that will be rejected by the mempool", ws.send, w, "0.5")
    log("every unconfirmed spend pays for its ancestors")
