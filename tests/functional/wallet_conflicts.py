"""Mempool conflicts, as Core's wallet (v27+) tracks them: a wallet transaction that another
transaction in the mempool double-spends (here through an input that is not the wallet's)
lists it in gettransaction's "mempoolconflicts" and no longer counts as spending the wallet's
coin, so the balance has it back; once the double-spend is mined, the wallet transaction is
conflicted by the block instead (negative confirmations) and the mempool conflict is gone."""

from decimal import Decimal

from test_framework import assert_equal, check, log


def run(env):
    n = env.add_node()
    n.start(["-fallbackfee=0.0002"])
    for w in ("miner", "w", "v"):
        n.createwallet(w)
    miner_addr = n.wallet_rpc("miner", "getnewaddress")
    n.generatetoaddress(101, miner_addr)
    w_addr = n.wallet_rpc("w", "getnewaddress")
    v_addr = n.wallet_rpc("v", "getnewaddress")
    fund = n.wallet_rpc("miner", "send", [{w_addr: 1}, {v_addr: 1}])["txid"]
    n.generatetoaddress(1, miner_addr)
    outs = n.decoderawtransaction(n.wallet_rpc("miner", "gettransaction", fund)["hex"])["vout"]
    c1 = [o["n"] for o in outs if o["scriptPubKey"].get("address") == w_addr][0]
    e = [o["n"] for o in outs if o["scriptPubKey"].get("address") == v_addr][0]

    # T1 spends w's coin and v's coin together (both sign), signalling BIP-125.
    raw = n.createrawtransaction([{"txid": fund, "vout": c1}, {"txid": fund, "vout": e}],
                                 [{miner_addr: "1.999"}], 0, True)
    half = n.wallet_rpc("w", "signrawtransactionwithwallet", raw)
    check(half["complete"] is False, "w alone cannot sign T1")
    t1 = n.sendrawtransaction(n.wallet_rpc("v", "signrawtransactionwithwallet", half["hex"])["hex"])
    assert_equal(n.wallet_rpc("w", "getbalance"), Decimal(0), "T1 spends w's coin")
    assert_equal(n.wallet_rpc("w", "gettransaction", t1)["mempoolconflicts"], [], "no conflict yet")

    # T2: v double-spends its own coin alone, with a higher fee: T1 leaves the pool.
    raw2 = n.createrawtransaction([{"txid": fund, "vout": e}], [{v_addr: "0.99"}], 0, True)
    t2 = n.sendrawtransaction(n.wallet_rpc("v", "signrawtransactionwithwallet", raw2)["hex"])
    check(t1 not in n.getrawmempool() and t2 in n.getrawmempool(), "T2 replaced T1")
    tx = n.wallet_rpc("w", "gettransaction", t1)
    assert_equal((tx["mempoolconflicts"], tx["walletconflicts"], tx["confirmations"]), ([t2], [], 0),
                 "w sees T2 as T1's mempool conflict")
    assert_equal(n.wallet_rpc("w", "getbalance"), Decimal(1), "w's coin is its own again")
    coins = n.wallet_rpc("w", "listunspent")
    check([(c["txid"], c["vout"]) for c in coins] == [(fund, c1)], "listunspent has it: %s" % coins)

    # Mined: T1 is conflicted by the block now, no longer by the pool.
    n.generatetoaddress(1, miner_addr)
    tx = n.wallet_rpc("w", "gettransaction", t1)
    assert_equal((tx["mempoolconflicts"], tx["confirmations"]), ([], -1), "block-conflicted once T2 is mined")
    assert_equal(n.wallet_rpc("w", "getbalance"), Decimal(1), "the coin stays w's")
    log("mempool conflicts: listed, the coin given back, then a block conflict")
