// ScriptPreverifier (node/mempool/preverify.*): relayed transactions' scripts checked on worker
// threads before the validation owner sees them; passes recorded in the script execution cache
// under the standard flags, which acceptance then consults; continuations in submission order,
// exactly once, with a bounded queue.
#include "chain_builder.h"
#include "tx_spend.h"

#include "node/chain/script_cache.h"
#include "node/mempool/accept.h"
#include "node/mempool/policy.h"
#include "node/mempool/preverify.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>

using namespace consensus;
using node::mempool::MempoolAcceptor;
using node::mempool::ScriptPreverifier;
using node::mempool::STANDARD_SCRIPT_VERIFY_FLAGS;
using node::mempool::TxMemPool;
using testutil::ChainBuilder;

namespace {

struct Fixture {
    ChainBuilder b;
    TxMemPool pool{TxMemPool::Options{}};
    Fixture() { b.MineBlocks(140); } // coinbases 1..40 mature

    TransactionRef Good(int height, Amount fee = Amount{1000})
    {
        const auto [out, value] = b.CoinbaseAt(height);
        return b.Spend({{out, value}}, {value - fee});
    }
    TransactionRef BadSig(int height)
    {
        MutableTransaction m(*Good(height));
        m.vin[0].witness.stack[0][10] ^= 1;
        return MakeTransactionRef(m);
    }
    bool Cached(const TransactionRef& tx)
    {
        return b.Chain().GetScriptCache().Contains(tx->GetWtxid(), STANDARD_SCRIPT_VERIFY_FLAGS);
    }
};

} // namespace

TEST_CASE("preverify: a good transaction's pass is recorded, a bad one's is not; each is handed on",
          "[node][mempool][preverify]")
{
    Fixture f;
    ScriptPreverifier pv(f.b.Chain(), f.pool, f.b.Chain().GetScriptCache(), {}, 2);
    const TransactionRef good = f.Good(1), bad = f.BadSig(2);
    // An input nobody has: nothing to verify against.
    MutableTransaction m(*f.Good(3));
    m.vin[0].prevout.n = 7;
    const TransactionRef missing = MakeTransactionRef(m);
    std::atomic<int> handed{0};
    for (const auto& tx : {good, bad, missing}) pv.Submit(tx, [&] { ++handed; });
    pv.Flush();
    CHECK(handed == 3);
    CHECK(f.Cached(good));
    CHECK(!f.Cached(bad));
    CHECK(!f.Cached(missing));
    CHECK(pv.Verified() == 1);
    CHECK(pv.Unverified() == 2);
    CHECK(pv.CheckNow(*f.Good(4)));
    CHECK(!pv.CheckNow(*f.BadSig(5)));
}

TEST_CASE("preverify: a transaction whose pass is already recorded is not verified again", "[node][mempool][preverify]")
{
    Fixture f;
    ScriptPreverifier pv(f.b.Chain(), f.pool, f.b.Chain().GetScriptCache(), {}, 1);
    // The record is what is consulted: a bad signature recorded as passing (which only a cache
    // collision could do) is taken as verified, without running the scripts.
    const TransactionRef bad = f.BadSig(6);
    CHECK(!pv.CheckNow(*bad));
    f.b.Chain().GetScriptCache().Add(bad->GetWtxid(), STANDARD_SCRIPT_VERIFY_FLAGS);
    CHECK(pv.CheckNow(*bad));
    // Missing inputs are still found first: the record does not stand for coins.
    MutableTransaction m(*bad);
    m.vin[0].prevout.n = 9;
    const TransactionRef missing = MakeTransactionRef(m);
    f.b.Chain().GetScriptCache().Add(missing->GetWtxid(), STANDARD_SCRIPT_VERIFY_FLAGS);
    CHECK(!pv.CheckNow(*missing));
}

TEST_CASE("preverify: continuations run in submission order, whatever the workers finish first",
          "[node][mempool][preverify]")
{
    Fixture f;
    ScriptPreverifier pv(f.b.Chain(), f.pool, f.b.Chain().GetScriptCache(), {}, 4);
    std::mutex mu;
    std::vector<int> order;
    for (int i = 0; i < 40; ++i) {
        // Invalid ones fail fast, valid ones verify a signature: finishing order differs.
        const TransactionRef tx = i % 3 == 0 ? f.Good(1 + i) : f.BadSig(1 + i);
        pv.Submit(tx, [&, i] {
            std::lock_guard<std::mutex> lock(mu);
            order.push_back(i);
        });
    }
    pv.Flush();
    REQUIRE(order.size() == 40);
    for (int i = 0; i < 40; ++i) CHECK(order[static_cast<size_t>(i)] == i);
}

TEST_CASE("preverify: a full queue hands on unverified at once; Stop hands on what is left, once each",
          "[node][mempool][preverify]")
{
    Fixture f;
    {
        ScriptPreverifier pv(f.b.Chain(), f.pool, f.b.Chain().GetScriptCache(), {}, 1, /*max_queue=*/0);
        int handed = 0;
        const TransactionRef tx = f.Good(1);
        pv.Submit(tx, [&] { ++handed; });
        CHECK(handed == 1); // before Submit returned
        CHECK(pv.Unverified() == 1);
        CHECK(!f.Cached(tx));
    }
    std::atomic<int> handed{0};
    {
        ScriptPreverifier pv(f.b.Chain(), f.pool, f.b.Chain().GetScriptCache(), {}, 1);
        for (int i = 0; i < 30; ++i) pv.Submit(f.Good(1 + i), [&] { ++handed; });
        pv.Stop();
        CHECK(handed == 30);
        CHECK(pv.Verified() + pv.Unverified() == 30);
        pv.Submit(f.Good(35), [&] { ++handed; }); // after Stop: handed on unverified
        CHECK(handed == 31);
    }
    CHECK(handed == 31); // the destructor ran none twice
}

TEST_CASE("preverify: acceptance takes the recorded pass instead of running the scripts", "[node][mempool][preverify]")
{
    Fixture f;
    MempoolAcceptor acc(f.b.Chain(), f.pool, node::mempool::AcceptOptions{});
    const TransactionRef bad = f.BadSig(1);
    CHECK(!acc.Accept(bad, 1'700'000'000, false, /*test_accept=*/true).Valid());
    // Recorded (wrongly, here) as verified under the standard flags: the owner trusts the record,
    // which is what keeps the scripts off its thread.
    f.b.Chain().GetScriptCache().Add(bad->GetWtxid(), STANDARD_SCRIPT_VERIFY_FLAGS);
    CHECK(acc.Accept(bad, 1'700'000'000, false, /*test_accept=*/true).Valid());
}
