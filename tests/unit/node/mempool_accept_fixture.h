// A regtest chain, a pool with a fake clock and its acceptor, and signed spends of any version,
// lock-time and outputs: the fixture of the mempool policy tests (mempool_policy_tests.cpp,
// mempool_truc_tests.cpp, mempool_package_tests.cpp).
#pragma once

#include "chain_builder.h"
#include "tx_spend.h"

#include "consensus/primitives/transaction.h"
#include "consensus/script/script.h"
#include "node/mempool/accept.h"
#include "node/mempool/txmempool.h"

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

namespace mempool_accept_test {

inline constexpr int64_t T0 = 1'700'000'000;

/** 110 regtest blocks (coinbases 1..10 mature), a pool and its acceptor; options may be changed first. */
struct Fixture {
    testutil::ChainBuilder b;
    int64_t now{T0};
    node::mempool::TxMemPool pool;
    node::mempool::MempoolAcceptor acc;
    testutil::TestKey key{7}; // the key the builder's coinbases and Pay() outputs pay to

    explicit Fixture(node::mempool::AcceptOptions opts = {},
                     const std::function<void(node::mempool::TxMemPool::Options&)>& pool_opts = {})
        : pool(PoolOptions(&now, pool_opts)), acc(b.Chain(), pool, std::move(opts))
    {
        b.MineBlocks(110);
    }

    static node::mempool::TxMemPool::Options
    PoolOptions(int64_t* now, const std::function<void(node::mempool::TxMemPool::Options&)>& tweak)
    {
        node::mempool::TxMemPool::Options o;
        o.now_seconds = [now] { return *now; };
        if (tweak) tweak(o);
        return o;
    }

    node::mempool::AcceptResult Accept(const consensus::TransactionRef& tx, bool test = false)
    {
        return acc.Accept(tx, now, /*bypass_limits=*/false, test);
    }
    /** The coinbase of the active block at height. */
    testutil::Utxo Coinbase(int height) { return testutil::CoinbaseCoin(b, height); }
    /** An output paying value to the builder's key (P2WPKH). */
    consensus::TxOut Pay(int64_t value) const { return consensus::TxOut(consensus::Amount{value}, b.ScriptPubKey()); }
    /** A signed spend of coins (all paying the builder's key) to outs. */
    consensus::TransactionRef Make(uint32_t version, const std::vector<testutil::Utxo>& coins,
                                   const std::vector<consensus::TxOut>& outs, uint32_t locktime = 0,
                                   uint32_t sequence = 0xfffffffe) const
    {
        return testutil::SignTx(testutil::MakeTx(coins, outs, version, locktime, sequence), coins, key);
    }
    /** A version-`version` spend of coin to one output, paying fee. */
    consensus::TransactionRef Spend(uint32_t version, const testutil::Utxo& coin, int64_t fee) const
    {
        return Make(version, {coin}, {Pay(coin.txout.value.sats - fee)});
    }
};

/** OP_RETURN followed by a push of n bytes. */
inline consensus::Script OpReturn(size_t n)
{
    consensus::Script s;
    s << consensus::OP_RETURN << std::vector<uint8_t>(n, 0x42);
    return s;
}

/** A data output: zero value, OP_RETURN and n bytes. */
inline consensus::TxOut DataOut(size_t n) { return consensus::TxOut(consensus::Amount{0}, OpReturn(n)); }

/** Core's "<txid> (wtxid=<wtxid>)" naming of a transaction in its messages. */
inline std::string Id(const consensus::TransactionRef& tx)
{
    return tx->GetTxid().GetHex() + " (wtxid=" + tx->GetWtxid().GetHex() + ")";
}

/** A transaction's virtual size when its sigops do not dominate (weight / 4, rounded up). */
inline int64_t VSize(const consensus::TransactionRef& tx) { return (consensus::GetTransactionWeight(*tx) + 3) / 4; }

inline void RequireValid(const node::mempool::AcceptResult& r)
{
    INFO(r.state.ToString());
    REQUIRE(r.Valid());
}

inline void RequireInvalid(const node::mempool::AcceptResult& r, consensus::TxValidationResult code,
                           const std::string& reason, const std::string& debug = {})
{
    INFO(r.state.ToString());
    REQUIRE(r.kind == node::mempool::AcceptResult::Kind::INVALID);
    CHECK(r.state.GetTxResult() == code);
    CHECK(r.state.GetRejectReason() == reason);
    if (!debug.empty()) CHECK(r.state.GetDebugMessage() == debug);
}

/** The result of tx in a package's results, or null when it was not judged. */
inline const node::mempool::AcceptResult* FindResult(const node::mempool::PackageResult& pr,
                                                     const consensus::TransactionRef& tx)
{
    for (const auto& [wtxid, r] : pr.results) {
        if (wtxid == tx->GetWtxid()) return &r;
    }
    return nullptr;
}

} // namespace mempool_accept_test
