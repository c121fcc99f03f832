// BroadcastTransaction and its two halves (node/mempool/broadcast.*): a run of BeginBroadcast
// calls finished in order gives the results, the pool and the announcements of
// BroadcastTransaction called in that order, while the scripts are checked on the
// pre-verifier's workers; a stopped owner answers "shutting down".
#include "chain_builder.h"

#include "node/chain/validation_owner.h"
#include "node/mempool/broadcast.h"
#include "node/mempool/mempool_manager.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace consensus;
using node::mempool::BroadcastError;
using node::mempool::BroadcastResult;
using node::mempool::MempoolManager;
using testutil::ChainBuilder;

namespace {

using Input = std::pair<OutPoint, Amount>;

Input Out(const TransactionRef& tx, uint32_t n) { return {OutPoint{tx->GetTxid(), n}, tx->vout[n].value}; }

/** One call of a run: the transaction and the largest fee it may pay (0: no limit). */
struct Call {
    TransactionRef tx;
    Amount max_fee{0};
};

/** What a run left: each call's result, what was announced (txids, in order), the pool's txids. */
struct Outcome {
    std::vector<BroadcastResult> results;
    std::vector<Uint256> announced;
    std::vector<Uint256> pool;
    uint64_t preverified{0};
};

/** 140 regtest blocks (coinbases 1..40 mature) and the validation owner over them. */
struct Fixture {
    ChainBuilder b;
    std::optional<node::chain::ValidationOwner> owner;
    Fixture()
    {
        b.MineBlocks(140);
        owner.emplace(b.Chain());
    }
    TransactionRef SpendCoinbase(int height, Amount fee)
    {
        const auto [out, value] = b.CoinbaseAt(height);
        return b.Spend({{out, value}}, {value - fee});
    }

    /** Runs calls on a fresh pool with two pre-verifier workers: one by one, or all begun first. */
    Outcome Run(const std::vector<Call>& calls, bool begun_ahead)
    {
        MempoolManager mm(b.Chain(), &*owner, {}, {});
        mm.EnablePreverify(2);
        Outcome o;
        const node::mempool::RelayFn relay = [&o](const TransactionRef& tx) { o.announced.push_back(tx->GetTxid()); };
        if (begun_ahead) {
            std::vector<node::mempool::PendingBroadcast> pending;
            for (const Call& c : calls) pending.push_back(node::mempool::BeginBroadcast(mm, c.tx, c.max_fee));
            for (auto& p : pending) o.results.push_back(node::mempool::FinishBroadcast(mm, std::move(p), relay));
        } else {
            for (const Call& c : calls) o.results.push_back(node::mempool::BroadcastTransaction(mm, c.tx, c.max_fee, relay));
        }
        mm.FlushPreverify();
        for (const auto& e : mm.Pool().GetAllSorted()) o.pool.push_back(e.Txid());
        std::sort(o.pool.begin(), o.pool.end());
        o.preverified = mm.Preverifier()->Verified();
        return o;
    }
};

} // namespace

TEST_CASE("broadcast: calls begun ahead give the results of the same calls one by one, scripts checked on workers",
          "[node][mempool][broadcast]")
{
    Fixture f;
    const TransactionRef a = f.SpendCoinbase(1, Amount{1000});
    const TransactionRef child = f.b.Spend({Out(a, 0)}, {a->vout[0].value - Amount{2000}});
    const TransactionRef conflict = f.SpendCoinbase(1, Amount{1100}); // too little fee to replace a
    const TransactionRef dear = f.SpendCoinbase(2, Amount{50'000});   // above its caller's maximum
    MutableTransaction m(*f.SpendCoinbase(3, Amount{1000}));
    m.vin[0].prevout.n = 5; // an output nobody has
    const TransactionRef orphan = MakeTransactionRef(m);
    const TransactionRef bad = [&] {
        MutableTransaction bm(*f.SpendCoinbase(4, Amount{1000}));
        bm.vin[0].witness.stack[0][10] ^= 1; // a signature that does not verify
        return MakeTransactionRef(bm);
    }();
    const TransactionRef last = f.SpendCoinbase(5, Amount{1000});
    const std::vector<Call> calls{{a},           {a},        {child},     {conflict}, {dear, Amount{49'999}},
                                  {orphan},      {bad},      {last},      {dear}};

    const Outcome one_by_one = f.Run(calls, false);
    const Outcome ahead = f.Run(calls, true);

    REQUIRE(ahead.results.size() == calls.size());
    for (size_t i = 0; i < calls.size(); ++i) {
        INFO("call " << i << ": " << one_by_one.results[i].reason << " / " << ahead.results[i].reason);
        CHECK(ahead.results[i].error == one_by_one.results[i].error);
        CHECK(ahead.results[i].reason == one_by_one.results[i].reason);
    }
    // What the calls give: the second a is announced again; the conflict and the bad signature
    // are refused, the orphan's input is missing, dear is refused at its caller's maximum and
    // accepted without one.
    CHECK(one_by_one.results[0].error == BroadcastError::OK);
    CHECK(one_by_one.results[1].error == BroadcastError::OK);
    CHECK(one_by_one.results[2].error == BroadcastError::OK);
    CHECK(one_by_one.results[3].error == BroadcastError::MEMPOOL_REJECTED);
    CHECK(one_by_one.results[3].reason.find("insufficient fee") != std::string::npos);
    CHECK(one_by_one.results[4].error == BroadcastError::MAX_FEE_EXCEEDED);
    CHECK(one_by_one.results[5].error == BroadcastError::MISSING_INPUTS);
    CHECK(one_by_one.results[6].error == BroadcastError::MEMPOOL_REJECTED);
    CHECK(one_by_one.results[7].error == BroadcastError::OK);
    CHECK(one_by_one.results[8].error == BroadcastError::OK);

    CHECK(ahead.announced == one_by_one.announced);
    CHECK(ahead.announced ==
          std::vector<Uint256>{a->GetTxid(), a->GetTxid(), child->GetTxid(), last->GetTxid(), dear->GetTxid()});
    CHECK(ahead.pool == one_by_one.pool);
    CHECK(ahead.pool.size() == 4);
    // One by one, the scripts are checked on the calling thread (no worker counts them); begun
    // ahead, on the workers: a, dear (twice) and last at least, whose coins are confirmed.
    CHECK(one_by_one.preverified == 0);
    CHECK(ahead.preverified >= 4);
}

TEST_CASE("broadcast: a call begun ahead of a stopped owner finishes as shutting down", "[node][mempool][broadcast]")
{
    Fixture f;
    MempoolManager mm(f.b.Chain(), &*f.owner, {}, {});
    mm.EnablePreverify(1);
    f.owner->Stop();
    int announced = 0;
    const node::mempool::RelayFn relay = [&announced](const TransactionRef&) { ++announced; };
    auto pending = node::mempool::BeginBroadcast(mm, f.SpendCoinbase(6, Amount{1000}), Amount{0});
    CHECK(node::mempool::FinishBroadcast(mm, std::move(pending), relay).error == BroadcastError::SHUTTING_DOWN);
    CHECK(node::mempool::BroadcastTransaction(mm, f.SpendCoinbase(7, Amount{1000}), Amount{0}, relay).error ==
          BroadcastError::SHUTTING_DOWN);
    CHECK(announced == 0);
    CHECK(mm.Pool().Size() == 0);
}
