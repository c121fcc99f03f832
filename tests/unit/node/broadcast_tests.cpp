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
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <set>
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
    std::set<Uint256> unbroadcast; //!< the pool's unbroadcast set after the run
    uint64_t preverified{0};
};

/** 140 regtest blocks (coinbases 1..40 mature) and the validation owner over them. */
struct Fixture {
    ChainBuilder b;
    std::optional<node::chain::ValidationOwner> owner;
    TransactionRef confirmed; // mined at height 141: its outputs are in the chain
    Fixture()
    {
        b.MineBlocks(140);
        confirmed = SpendCoinbase(30, Amount{1000});
        REQUIRE(b.Mine({confirmed}).IsValid());
        owner.emplace(b.Chain());
    }
    TransactionRef SpendCoinbase(int height, Amount fee)
    {
        const auto [out, value] = b.CoinbaseAt(height);
        return b.Spend({{out, value}}, {value - fee});
    }

    /**
     * Runs calls on a fresh pool with two pre-verifier workers, after setup (one by one, not
     * recorded): one by one, or all begun first and then finished in order.
     */
    Outcome Run(const std::vector<Call>& setup, const std::vector<Call>& calls, bool begun_ahead)
    {
        MempoolManager mm(b.Chain(), &*owner, {}, {});
        mm.EnablePreverify(2);
        for (const Call& c : setup) {
            REQUIRE(node::mempool::BroadcastTransaction(mm, c.tx, c.max_fee, {}).error == BroadcastError::OK);
        }
        Outcome o;
        const node::mempool::RelayFn relay = [&o](const TransactionRef& tx) { o.announced.push_back(tx->GetTxid()); };
        if (begun_ahead) {
            // The owner is held until every call is begun, so no judgement runs before the last
            // begin: whatever a begin read itself would be the pool as it was before the run.
            std::promise<void> gate;
            std::shared_future<void> opened = gate.get_future().share();
            owner->Post([opened] { opened.wait_for(std::chrono::seconds(60)); }, [] {});
            std::vector<node::mempool::PendingBroadcast> pending;
            for (const Call& c : calls) pending.push_back(node::mempool::BeginBroadcast(mm, c.tx, c.max_fee));
            gate.set_value();
            for (auto& p : pending) o.results.push_back(node::mempool::FinishBroadcast(mm, std::move(p), relay));
        } else {
            for (const Call& c : calls)
                o.results.push_back(node::mempool::BroadcastTransaction(mm, c.tx, c.max_fee, relay));
        }
        mm.FlushPreverify();
        for (const auto& e : mm.Pool().GetAllSorted()) o.pool.push_back(e.Txid());
        std::sort(o.pool.begin(), o.pool.end());
        o.unbroadcast = mm.Pool().GetUnbroadcast();
        o.preverified = mm.Preverifier()->Verified();
        return o;
    }

    /**
     * Both ways, begun ahead first (its workers find no script already checked), and checks
     * that they agree: each call's result, the announcements, the pool and what it marks
     * unbroadcast. Returns {one by one, ahead}.
     */
    std::pair<Outcome, Outcome> Compare(const std::vector<Call>& setup, const std::vector<Call>& calls)
    {
        Outcome ahead = Run(setup, calls, true);
        Outcome one_by_one = Run(setup, calls, false);
        REQUIRE(ahead.results.size() == calls.size());
        for (size_t i = 0; i < calls.size(); ++i) {
            INFO("call " << i << ": " << one_by_one.results[i].reason << " / " << ahead.results[i].reason);
            CHECK(ahead.results[i].error == one_by_one.results[i].error);
            CHECK(ahead.results[i].reason == one_by_one.results[i].reason);
        }
        CHECK(ahead.announced == one_by_one.announced);
        CHECK(ahead.pool == one_by_one.pool);
        CHECK(ahead.unbroadcast == one_by_one.unbroadcast);
        return {std::move(one_by_one), std::move(ahead)};
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
    const std::vector<Call> calls{{a},      {a},   {child}, {conflict}, {dear, Amount{49'999}},
                                  {orphan}, {bad}, {last},  {dear},     {f.confirmed}};

    const auto [one_by_one, ahead] = f.Compare({}, calls);
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
    CHECK(one_by_one.results[9].error == BroadcastError::ALREADY_IN_UTXO_SET);

    CHECK(ahead.announced ==
          std::vector<Uint256>{a->GetTxid(), a->GetTxid(), child->GetTxid(), last->GetTxid(), dear->GetTxid()});
    CHECK(ahead.pool.size() == 4);
    // One by one, the scripts are checked on the calling thread (no worker counts them); begun
    // ahead, on the workers: a, dear (twice) and last at least, whose coins are confirmed.
    CHECK(one_by_one.preverified == 0);
    CHECK(ahead.preverified >= 4);
}

TEST_CASE("broadcast: calls begun ahead see what the calls before them took out of the pool",
          "[node][mempool][broadcast]")
{
    Fixture f;
    const TransactionRef a = f.SpendCoinbase(11, Amount{1000});
    const TransactionRef b = f.SpendCoinbase(11, Amount{5000}); // replaces a
    const TransactionRef c = f.SpendCoinbase(12, Amount{1000});
    const TransactionRef d = f.SpendCoinbase(12, Amount{5000}); // replaces c
    const TransactionRef parent = f.SpendCoinbase(13, Amount{1000});
    const TransactionRef child = f.b.Spend({Out(parent, 0)}, {parent->vout[0].value - Amount{1000}});
    const TransactionRef parent2 = f.SpendCoinbase(13, Amount{10'000}); // replaces parent, evicts child
    // a, parent and child are in the pool before the run; c is sent in it, then replaced.
    const auto [one_by_one, ahead] = f.Compare({{a}, {parent}, {child}}, {{b}, {a}, {c}, {d}, {c}, {parent2}, {child}});
    // Begun while the pool still held it, a (and later c, child) would have been answered as
    // "already there"; judged after the replacements, they are refused as one by one.
    const std::vector<BroadcastError> want{BroadcastError::OK,
                                           BroadcastError::MEMPOOL_REJECTED,
                                           BroadcastError::OK,
                                           BroadcastError::OK,
                                           BroadcastError::MEMPOOL_REJECTED,
                                           BroadcastError::OK,
                                           BroadcastError::MISSING_INPUTS};
    for (size_t i = 0; i < want.size(); ++i) {
        INFO("call " << i << ": " << ahead.results[i].reason);
        CHECK(ahead.results[i].error == want[i]);
    }
    CHECK(ahead.results[1].reason.find("insufficient fee") != std::string::npos);
    CHECK(ahead.announced == std::vector<Uint256>{b->GetTxid(), c->GetTxid(), d->GetTxid(), parent2->GetTxid()});
    std::vector<Uint256> pool{b->GetTxid(), d->GetTxid(), parent2->GetTxid()};
    std::sort(pool.begin(), pool.end());
    CHECK(ahead.pool == pool);
}

TEST_CASE("broadcast: what this node accepts is marked unbroadcast; a pool copy sent again is only relayed",
          "[node][mempool][broadcast]")
{
    Fixture f;
    MempoolManager mm(f.b.Chain(), &*f.owner, {}, {});
    std::vector<Uint256> announced;
    const node::mempool::RelayFn relay = [&announced](const TransactionRef& tx) { announced.push_back(tx->GetTxid()); };
    // From a peer (not broadcast): in the pool, not marked.
    const TransactionRef relayed = f.SpendCoinbase(14, Amount{1000});
    REQUIRE(mm.Submit(relayed, false).get().Valid());
    const TransactionRef mine = f.SpendCoinbase(15, Amount{1000});
    CHECK(node::mempool::BroadcastTransaction(mm, mine, Amount{0}, relay).error == BroadcastError::OK);
    CHECK(node::mempool::BroadcastTransaction(mm, relayed, Amount{0}, relay).error == BroadcastError::OK);
    auto pending = node::mempool::BeginBroadcast(mm, relayed, Amount{0});
    CHECK(node::mempool::FinishBroadcast(mm, std::move(pending), relay).error == BroadcastError::OK);
    // Begun ahead: marked by the owner's job itself, before the call is finished.
    const TransactionRef mine_ahead = f.SpendCoinbase(16, Amount{1000});
    auto pending_mine = node::mempool::BeginBroadcast(mm, mine_ahead, Amount{0});
    pending_mine.verdict.wait();
    CHECK(mm.Pool().IsUnbroadcast(mine_ahead->GetTxid()));
    CHECK(node::mempool::FinishBroadcast(mm, std::move(pending_mine), relay).error == BroadcastError::OK);
    // Refused for its fee above max_fee: neither in the pool nor marked.
    const TransactionRef dear = f.SpendCoinbase(17, Amount{50'000});
    auto pending_dear = node::mempool::BeginBroadcast(mm, dear, Amount{1000});
    CHECK(node::mempool::FinishBroadcast(mm, std::move(pending_dear), relay).error == BroadcastError::MAX_FEE_EXCEEDED);
    // Core: AddUnbroadcastTx only for a transaction its BroadcastTransaction accepted.
    CHECK(mm.Pool().GetUnbroadcast() == std::set<Uint256>{mine->GetTxid(), mine_ahead->GetTxid()});
    CHECK(announced ==
          std::vector<Uint256>{mine->GetTxid(), relayed->GetTxid(), relayed->GetTxid(), mine_ahead->GetTxid()});
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
