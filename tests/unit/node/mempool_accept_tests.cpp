// Mempool acceptance (node/mempool/accept.*) over a real regtest chainstate: Core's checks and
// reject reasons, replacement, packages, and the pool following the chain (MempoolManager).
#include "chain_builder.h"
#include "mempool_accept_fixture.h"
#include "tx_spend.h"

#include "common/interfaces/chain.h"
#include "consensus/contextual_check.h"
#include "consensus/script/script.h"
#include "node/chain/script_cache.h"
#include "node/mempool/accept.h"
#include "node/mempool/mempool_manager.h"
#include "node/mempool/miner.h"
#include "node/interfaces/chain.h"
#include "util/sync.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <optional>

using namespace consensus;
using node::mempool::AcceptResult;
using node::mempool::MempoolAcceptor;
using node::mempool::TxMemPool;
using testutil::ChainBuilder;

namespace {

using Input = std::pair<OutPoint, Amount>;

constexpr int64_t T0 = 1'700'000'000;

TxMemPool::Options PoolOptions(int64_t* now)
{
    TxMemPool::Options o;
    o.now_seconds = [now] { return *now; };
    return o;
}

/** A regtest chain with 110 blocks (coinbases 1..10 mature), a pool and its acceptor. */
struct Fixture {
    ChainBuilder b;
    int64_t now{T0};
    TxMemPool pool{PoolOptions(&now)};
    MempoolAcceptor acc{b.Chain(), pool, node::mempool::AcceptOptions{}};
    Fixture() { b.MineBlocks(110); }

    AcceptResult Accept(const TransactionRef& tx, bool test = false)
    {
        return acc.Accept(tx, now, /*bypass_limits=*/false, test);
    }
    /** A spend of the coinbase at height to one output, paying fee. */
    TransactionRef SpendCoinbase(int height, Amount fee)
    {
        const auto [out, value] = b.CoinbaseAt(height);
        return b.Spend({{out, value}}, {value - fee});
    }
};

/** A regtest chain with 110 blocks and the node's mempool manager following it (a SYNC listener). */
struct ManagedPool {
    ChainBuilder b;
    int64_t now{T0};
    node::mempool::MempoolManager mm{b.Chain(), nullptr, PoolOptions(&now), node::mempool::AcceptOptions{}};
    ManagedPool() { b.MineBlocks(110); }
};

Input Out(const TransactionRef& tx, uint32_t n) { return {OutPoint{tx->GetTxid(), n}, tx->vout[n].value}; }

void RequireValid(const AcceptResult& r)
{
    INFO(r.state.ToString());
    REQUIRE(r.Valid());
}

void RequireInvalid(const AcceptResult& r, TxValidationResult code, const std::string& reason)
{
    INFO(r.state.ToString());
    REQUIRE(r.kind == AcceptResult::Kind::INVALID);
    CHECK(r.state.GetTxResult() == code);
    CHECK(r.state.GetRejectReason() == reason);
}

} // namespace

TEST_CASE("mempool accepts a standard spend and refuses it twice", "[node][mempool_accept]")
{
    Fixture f;
    const TransactionRef tx = f.SpendCoinbase(1, Amount{1000});
    const AcceptResult r = f.Accept(tx);
    RequireValid(r);
    CHECK(r.base_fee == Amount{1000});
    CHECK(f.pool.Size() == 1);
    CHECK(f.pool.Exists(tx->GetTxid()));
    const AcceptResult again = f.Accept(tx);
    CHECK(again.kind == AcceptResult::Kind::MEMPOOL_ENTRY);
    CHECK(again.state.GetRejectReason() == "txn-already-in-mempool");
    f.pool.Check();
}

TEST_CASE("mempool test_accept judges without adding", "[node][mempool_accept]")
{
    Fixture f;
    const TransactionRef tx = f.SpendCoinbase(2, Amount{1000});
    RequireValid(f.Accept(tx, /*test=*/true));
    CHECK(f.pool.Size() == 0);
}

TEST_CASE("mempool refuses a valid transaction above the caller's max fee before it changes the pool",
          "[node][mempool_accept]")
{
    Fixture f;
    const TransactionRef orig = f.SpendCoinbase(3, Amount{1000});
    RequireInvalid(f.acc.Accept(orig, f.now, false, false, std::nullopt, Amount{999}),
                   TxValidationResult::MEMPOOL_POLICY, "max-fee-exceeded");
    CHECK(f.pool.Size() == 0);
    RequireValid(f.acc.Accept(orig, f.now, false, false, std::nullopt, Amount{1000})); // at the maximum: in
    // A replacement above the maximum leaves the original where it is (nothing evicted).
    const TransactionRef repl = f.SpendCoinbase(3, Amount{5000});
    RequireInvalid(f.acc.Accept(repl, f.now, false, false, std::nullopt, Amount{4999}),
                   TxValidationResult::MEMPOOL_POLICY, "max-fee-exceeded");
    CHECK(f.pool.Exists(orig->GetTxid()));
    CHECK(!f.pool.Exists(repl->GetTxid()));
    // An invalid transaction is refused for what is wrong with it, not for its fee.
    RequireInvalid(f.acc.Accept(f.SpendCoinbase(20, Amount{5000}), f.now, false, false, std::nullopt, Amount{1}),
                   TxValidationResult::PREMATURE_SPEND, "bad-txns-premature-spend-of-coinbase");
    f.pool.Check();
}

TEST_CASE("mempool reports missing inputs with the missing parents", "[node][mempool_accept]")
{
    Fixture f;
    const TransactionRef parent = f.SpendCoinbase(3, Amount{1000});
    const TransactionRef child = f.b.Spend({Out(parent, 0)}, {parent->vout[0].value - Amount{1000}});
    const AcceptResult r = f.Accept(child);
    RequireInvalid(r, TxValidationResult::MISSING_INPUTS, "bad-txns-inputs-missingorspent");
    REQUIRE(r.missing_parents.size() == 1);
    CHECK(r.missing_parents[0] == parent->GetTxid());
    // Once the parent is in, the child is too, and linked to it.
    RequireValid(f.Accept(parent));
    RequireValid(f.Accept(child));
    auto e = f.pool.GetEntry(child->GetTxid());
    REQUIRE(e);
    CHECK(e->count_with_ancestors == 2);
    f.pool.Check();
}

TEST_CASE("mempool refuses immature coinbase spends, coinbases and non-final transactions", "[node][mempool_accept]")
{
    Fixture f;
    // The tip is 110: the coinbase of block 20 matures at 120.
    RequireInvalid(f.Accept(f.SpendCoinbase(20, Amount{1000})), TxValidationResult::PREMATURE_SPEND,
                   "bad-txns-premature-spend-of-coinbase");
    auto cb = f.b.Chain().ReadBlock(f.b.Chain().AtHeight(5));
    REQUIRE(cb);
    RequireInvalid(f.Accept(cb->vtx[0]), TxValidationResult::CONSENSUS, "coinbase");

    const auto [out, value] = f.b.CoinbaseAt(4);
    testutil::TestKey key(7);
    MutableTransaction mtx = testutil::MakeTx({testutil::Utxo{out, TxOut(value, f.b.ScriptPubKey())}},
                                              {TxOut(value - Amount{1000}, f.b.ScriptPubKey())}, 2,
                                              /*locktime=*/200, /*sequence=*/0xfffffffe);
    const TransactionRef late = testutil::SignTx(mtx, {testutil::Utxo{out, TxOut(value, f.b.ScriptPubKey())}}, key);
    RequireInvalid(f.Accept(late), TxValidationResult::PREMATURE_SPEND, "non-final");
    // Height 111 is the next block: a lock-time of 110 is final in it.
    mtx.locktime = 110;
    RequireValid(f.Accept(testutil::SignTx(mtx, {testutil::Utxo{out, TxOut(value, f.b.ScriptPubKey())}}, key)));
}

TEST_CASE("mempool fee floors: min relay fee, then the pool's minimum", "[node][mempool_accept]")
{
    Fixture f;
    // Below -minrelaytxfee a non-TRUC transaction is refused outright (no package can lift it).
    RequireInvalid(f.Accept(f.SpendCoinbase(5, Amount{0})), TxValidationResult::MEMPOOL_POLICY,
                   "min relay fee not met");
    // A P2WPKH spend is ~110 vB: 100 sat/kvB asks 11 sat.
    RequireValid(f.Accept(f.SpendCoinbase(5, Amount{20})));
}

TEST_CASE("mempool refuses a bad signature and names a stripped witness", "[node][mempool_accept]")
{
    Fixture f;
    const TransactionRef good = f.SpendCoinbase(6, Amount{1000});
    MutableTransaction bad(*good);
    bad.vin[0].witness.stack[0][10] ^= 1;
    const AcceptResult r = f.Accept(MakeTransactionRef(bad));
    INFO(r.state.ToString());
    CHECK(r.state.GetTxResult() == TxValidationResult::NOT_STANDARD);
    CHECK(r.state.GetRejectReason().rfind("mempool-script-verify-flag-failed (", 0) == 0);

    MutableTransaction stripped(*good);
    stripped.vin[0].witness.stack.clear();
    const AcceptResult s = f.Accept(MakeTransactionRef(stripped));
    INFO(s.state.ToString());
    CHECK(s.state.GetTxResult() == TxValidationResult::WITNESS_STRIPPED);
    CHECK(f.pool.Size() == 0);
}

TEST_CASE("mempool replacement: fee rules of BIP-125 as Core applies them", "[node][mempool_accept]")
{
    Fixture f;
    const auto [out, value] = f.b.CoinbaseAt(7);
    const TransactionRef original = f.b.Spend({{out, value}}, {value - Amount{1000}});
    RequireValid(f.Accept(original));
    // Same fee: not more than the original's.
    const TransactionRef same = f.b.Spend({{out, value}}, {value - Amount{51'000}, Amount{50'000}});
    RequireInvalid(f.Accept(same), TxValidationResult::RECONSIDERABLE, "insufficient fee");
    // More fee rate but not enough extra to pay for its own relay (100 sat/kvB * ~110 vB).
    const TransactionRef cheap = f.b.Spend({{out, value}}, {value - Amount{1005}});
    RequireInvalid(f.Accept(cheap), TxValidationResult::RECONSIDERABLE, "insufficient fee");
    const TransactionRef better = f.b.Spend({{out, value}}, {value - Amount{2000}});
    const AcceptResult r = f.Accept(better);
    RequireValid(r);
    REQUIRE(r.replaced.size() == 1);
    CHECK(r.replaced[0]->GetTxid() == original->GetTxid());
    CHECK(!f.pool.Exists(original->GetTxid()));
    CHECK(f.pool.Exists(better->GetTxid()));
    f.pool.Check();
}

TEST_CASE("mempool replacement may not spend what it replaces, nor add unconfirmed inputs", "[node][mempool_accept]")
{
    Fixture f;
    const auto [out, value] = f.b.CoinbaseAt(8);
    const TransactionRef parent = f.b.Spend({{out, value}}, {value - Amount{1000}});
    RequireValid(f.Accept(parent));
    const TransactionRef other = f.SpendCoinbase(9, Amount{1000});
    RequireValid(f.Accept(other));
    // Conflicts with parent and spends an output of other (unconfirmed, new).
    const TransactionRef adds = f.b.Spend({{out, value}, Out(other, 0)}, {value - Amount{50'000}});
    RequireInvalid(f.Accept(adds), TxValidationResult::MEMPOOL_POLICY, "replacement-adds-unconfirmed");
}

TEST_CASE("mempool ancestor limit: too-long-mempool-chain", "[node][mempool_accept]")
{
    ChainBuilder b;
    b.MineBlocks(110);
    int64_t now = T0;
    TxMemPool::Options o = PoolOptions(&now);
    o.limits.ancestor_count = 3;
    TxMemPool pool(o);
    MempoolAcceptor acc(b.Chain(), pool, node::mempool::AcceptOptions{});
    const auto [out, value] = b.CoinbaseAt(1);
    TransactionRef tx = b.Spend({{out, value}}, {value - Amount{1000}});
    for (int i = 0; i < 3; ++i) {
        RequireValid(acc.Accept(tx, now, false, false));
        tx = b.Spend({Out(tx, 0)}, {tx->vout[0].value - Amount{1000}});
    }
    // The fourth in a chain has 3 ancestors: with itself 4 > 3. The carve-out allows one
    // more only for a child of a single parent, not here.
    const AcceptResult r = acc.Accept(tx, now, false, false);
    RequireInvalid(r, TxValidationResult::MEMPOOL_POLICY, "too-long-mempool-chain");
    CHECK(pool.Size() == 3);
}

TEST_CASE("mempool package: a zero-fee TRUC parent paid for by its child; a v2 one stays out", "[node][mempool_accept]")
{
    mempool_accept_test::Fixture f;
    // Version 2: below -minrelaytxfee even inside a package (Core v28-v30), MEMPOOL_POLICY.
    const TransactionRef v2_parent = f.Spend(2, f.Coinbase(9), 0);
    const TransactionRef v2_child = f.Spend(2, testutil::CoinOf(v2_parent, 0), 5000);
    RequireInvalid(f.Accept(v2_parent), TxValidationResult::MEMPOOL_POLICY, "min relay fee not met");
    auto pr = f.acc.AcceptPackage({v2_parent, v2_child}, f.now);
    CHECK(!pr.state.IsValid());
    CHECK(f.pool.Size() == 0);

    // TRUC (version 3): alone it is only RECONSIDERABLE, and its child's fee lifts it in.
    const TransactionRef parent = f.Spend(3, f.Coinbase(10), 0);
    const TransactionRef child = f.Spend(3, testutil::CoinOf(parent, 0), 5000);
    RequireInvalid(f.Accept(parent), TxValidationResult::RECONSIDERABLE, "min relay fee not met");
    pr = f.acc.AcceptPackage({parent, child}, f.now);
    INFO(pr.state.ToString());
    REQUIRE(pr.state.IsValid());
    REQUIRE(pr.results.size() == 2);
    for (const auto& [wtxid, r] : pr.results) {
        RequireValid(r);
        REQUIRE(r.effective_feerate);
        CHECK(r.effective_feerate_wtxids.size() == 2);
    }
    CHECK(f.pool.Exists(parent->GetTxid()));
    CHECK(f.pool.Exists(child->GetTxid()));
    f.pool.Check();
    // The miner takes the pair for the child's fee, parent first.
    const auto sel =
        node::mempool::SelectTransactions(f.pool, {}, f.b.Chain().Height() + 1, f.b.Chain().Tip()->GetMedianTimePast());
    REQUIRE(sel.size() == 2);
    CHECK(sel[0].tx->GetTxid() == parent->GetTxid());
    CHECK(sel[1].tx->GetTxid() == child->GetTxid());
}

TEST_CASE("mempool package: malformed packages are refused whole", "[node][mempool_accept]")
{
    Fixture f;
    const TransactionRef parent = f.SpendCoinbase(1, Amount{0});
    const TransactionRef child = f.b.Spend({Out(parent, 0)}, {parent->vout[0].value - Amount{5000}});
    auto pr = f.acc.AcceptPackage({child, parent}, f.now);
    CHECK(pr.state.GetRejectReason() == "package-not-sorted");
    CHECK(pr.results.empty());
    const TransactionRef unrelated = f.SpendCoinbase(2, Amount{1000});
    pr = f.acc.AcceptPackage({unrelated, child}, f.now);
    CHECK(pr.state.GetRejectReason() == "package-not-child-with-parents");
    CHECK(f.pool.Size() == 0);
}

TEST_CASE("mempool follows the chain: mined transactions leave, a reorg brings them back", "[node][mempool_accept]")
{
    ManagedPool f;
    ChainBuilder& b = f.b;
    node::mempool::MempoolManager& mm = f.mm;
    const auto [out, value] = b.CoinbaseAt(1);
    const TransactionRef tx = b.Spend({{out, value}}, {value - Amount{1000}});
    const TransactionRef other = b.Spend({b.CoinbaseAt(2)}, {b.CoinbaseAt(2).second - Amount{1000}});
    RequireValid(mm.Accept(tx, false));
    RequireValid(mm.Accept(other, false));
    REQUIRE(b.Mine({tx}).IsValid());
    CHECK(!mm.Pool().Exists(tx->GetTxid()));
    CHECK(mm.Pool().Exists(other->GetTxid()));
    // Disconnecting the block returns tx to the pool.
    REQUIRE(b.Chain().InvalidateBlock(b.Chain().Tip()->GetBlockHash()).IsValid());
    CHECK(mm.Pool().Exists(tx->GetTxid()));
    CHECK(mm.Pool().Size() == 2);
    mm.Pool().Check();
    // A block spending the same coin differently evicts the pool's spend as a conflict.
    const TransactionRef conflict = b.Spend({{out, value}}, {value - Amount{3000}});
    REQUIRE(b.Mine({conflict}).IsValid());
    CHECK(!mm.Pool().Exists(tx->GetTxid()));
    CHECK(mm.Pool().Size() == 1);
}

namespace {

/**
 * A synchronous listener that, while a block leaves the chain (its coins gone, its
 * transactions not yet back in the pool), asks FindCoin for outpoint from another thread and
 * gives it a moment to answer before the reorganisation goes on.
 */
class FindCoinMidReorg final : public node::chain::ChainListener {
public:
    FindCoinMidReorg(const common::interfaces::Chain& chain, OutPoint outpoint) : m_chain(chain), m_outpoint(outpoint)
    {}
    void BlockDisconnected(const std::shared_ptr<const Block>&, const node::chain::BlockIndex*) override
    {
        if (answer.valid()) return;
        answer = std::async(std::launch::async, [this] { return m_chain.FindCoin(m_outpoint); });
        // Without the wait for the reorganisation's end the answer (nothing) comes now.
        answered_mid_reorg = answer.wait_for(std::chrono::milliseconds(300)) == std::future_status::ready;
    }
    std::future<std::optional<Coin>> answer;
    bool answered_mid_reorg{false};

private:
    const common::interfaces::Chain& m_chain;
    const OutPoint m_outpoint;
};

} // namespace

TEST_CASE("FindCoin during a reorganisation waits until the disconnected transaction is back in the pool",
          "[node][mempool_accept]")
{
    ManagedPool f;
    const auto chain = node::interfaces::MakeChain(f.b.Chain(), &f.mm);
    ChainBuilder& b = f.b;
    const auto [out, value] = b.CoinbaseAt(1);
    const TransactionRef tx = b.Spend({{out, value}}, {value - Amount{1000}});
    REQUIRE(b.Mine({tx}).IsValid());
    const OutPoint created{tx->GetTxid(), 0};
    REQUIRE(chain->FindCoin(created)); // in the UTXO set
    const uint64_t before = b.Chain().ReorgSequence();
    CHECK(before % 2 == 0);

    uint32_t expected_height = node::mempool::MEMPOOL_HEIGHT; // where the reorganisation leaves it
    FindCoinMidReorg reader(*chain, created);
    b.Chain().AddListener(&reader, node::chain::Delivery::SYNC); // after the pool's hook
    // However the test ends (a failed REQUIRE too), the listener goes and a reader still
    // waiting is let go before the future's destructor waits for it.
    struct Release {
        node::chain::Chainstate& chain;
        FindCoinMidReorg& reader;
        ~Release()
        {
            chain.RemoveListener(&reader);
            if (chain.ReorgSequence() % 2 != 0) chain.Interrupt();
        }
    } release{b.Chain(), reader};
    SECTION("invalidateblock") { REQUIRE(b.Chain().InvalidateBlock(b.Chain().Tip()->GetBlockHash()).IsValid()); }
    SECTION("a heavier branch")
    {
        const Block side = b.MakeBlock(b.Chain().AtHeight(110), {}, [](Block& blk) { blk.time += 1; });
        REQUIRE(b.Submit(side).IsValid());
        REQUIRE(b.Submit(b.MakeBlock(b.Chain().LookupBlockIndex(side.GetHash()))).IsValid());
        CHECK(b.Chain().Height() == 112);
    }
    SECTION("a branch that fails to connect: back to the same tip")
    {
        const Uint256 tip = b.Chain().Tip()->GetBlockHash();
        const Block side = b.MakeBlock(b.Chain().AtHeight(110), {}, [](Block& blk) { blk.time += 1; });
        REQUIRE(b.Submit(side).IsValid());
        const TransactionRef unknown_input = b.Spend({{OutPoint(Uint256::ONE, 0), value}}, {value - Amount{1000}});
        const Block bad = b.MakeBlock(b.Chain().LookupBlockIndex(side.GetHash()), {unknown_input});
        CHECK(b.Submit(bad).IsInvalid());
        REQUIRE(b.Chain().Tip()->GetBlockHash() == tip);
        expected_height = 111; // mined again
    }
    const uint64_t after = b.Chain().ReorgSequence();
    CHECK(after == before + 2);                // one reorganisation, ended
    if (after % 2 != 0) b.Chain().Interrupt(); // a mark never ended: let the reader go
    REQUIRE(reader.answer.valid());
    CHECK_FALSE(reader.answered_mid_reorg); // it waited
    const std::optional<Coin> found = reader.answer.get();
    REQUIRE(found);
    CHECK(found->height == expected_height);
    CHECK(found->out == tx->vout[0]);
}

namespace {

/** An asynchronous listener writing down the mempool events it hears, in order. */
class PoolEventLog final : public node::chain::ChainListener {
public:
    void TransactionAddedToMempool(const TransactionRef& tx) override { Add("added", tx); }
    void TransactionRemovedFromMempool(const TransactionRef& tx) override { Add("removed", tx); }
    std::vector<std::pair<std::string, Uint256>> Events() const
    {
        util::LockGuard lock(m_mutex);
        return m_events;
    }

private:
    void Add(const char* what, const TransactionRef& tx)
    {
        util::LockGuard lock(m_mutex);
        m_events.emplace_back(what, tx->GetTxid());
    }
    mutable util::Mutex m_mutex;
    std::vector<std::pair<std::string, Uint256>> m_events GUARDED_BY(m_mutex);
};

} // namespace

TEST_CASE("mempool arrivals and departures reach the chain's listeners in order; a block's are not departures",
          "[node][mempool_accept][notify]")
{
    ManagedPool f;
    ChainBuilder& b = f.b;
    node::mempool::MempoolManager& mm = f.mm;
    PoolEventLog log;
    b.Chain().AddListener(&log, node::chain::Delivery::ASYNC);
    const auto [out, value] = b.CoinbaseAt(1);
    const TransactionRef original = b.Spend({{out, value}}, {value - Amount{1000}});
    const TransactionRef better = b.Spend({{out, value}}, {value - Amount{2000}});
    const TransactionRef other = b.Spend({b.CoinbaseAt(2)}, {b.CoinbaseAt(2).second - Amount{1000}});
    RequireValid(mm.Accept(original, false));
    RequireValid(mm.Accept(better, false)); // replaces original: it leaves first (Core's order)
    RequireValid(mm.Accept(other, false));
    REQUIRE(b.Mine({better}).IsValid()); // confirmed: BlockConnected tells, no departure
    // A block spending other's coin differently: other leaves as a conflict.
    const TransactionRef conflict = b.Spend({b.CoinbaseAt(2)}, {b.CoinbaseAt(2).second - Amount{3000}});
    REQUIRE(b.Mine({conflict}).IsValid());
    b.Chain().SyncWithNotifications();
    b.Chain().RemoveListener(&log);
    const std::vector<std::pair<std::string, Uint256>> expected{{"added", original->GetTxid()},
                                                                {"removed", original->GetTxid()},
                                                                {"added", better->GetTxid()},
                                                                {"added", other->GetTxid()},
                                                                {"removed", other->GetTxid()}};
    CHECK(log.Events() == expected);
}

TEST_CASE("script cache: the pool's verified transactions are not checked again by block connection",
          "[node][mempool_accept]")
{
    Fixture f;
    const TransactionRef tx = f.SpendCoinbase(1, Amount{1000});
    RequireValid(f.Accept(tx));
    const int next = f.b.Chain().Height() + 1;
    const uint32_t flags = consensus::GetBlockScriptFlags(next, Uint256(), f.b.Chain().Params().consensus);
    CHECK(f.b.Chain().GetScriptCache().Contains(tx->GetWtxid(), flags));
    // A refused transaction is not cached.
    MutableTransaction bad(*f.SpendCoinbase(2, Amount{1000}));
    bad.vin[0].witness.stack[0][10] ^= 1;
    const TransactionRef bad_tx = MakeTransactionRef(bad);
    CHECK(!f.Accept(bad_tx).Valid());
    CHECK(!f.b.Chain().GetScriptCache().Contains(bad_tx->GetWtxid(), flags));
    // Connection consults the cache: the bad transaction is refused in a block ...
    const ValidationResult refused = f.b.Mine({bad_tx});
    CHECK(refused.GetRejectReason().rfind("block-script-verify-flag-failed", 0) == 0);
    // ... but once (wrongly, here) cached as verified, its scripts are skipped: what makes a block
    // of pool transactions connect without verifying their signatures a second time.
    f.b.Chain().GetScriptCache().Add(bad_tx->GetWtxid(), flags);
    CHECK(f.b.Mine({bad_tx}).IsValid());
}
