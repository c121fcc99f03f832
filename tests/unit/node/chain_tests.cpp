// In-process chainstate tests on regtest: each contextual rule rejects a block that
// breaks it with Core's reason, reorganisations, invalidate/reconsider, notifications
// and persistence across a restart.
#include "chain_builder.h"
#include "consensus/contextual_check.h"

#include "consensus/block_check.h"
#include "consensus/merkle.h"
#include "node/storage/coins_db.h"
#include "storage/fault_env.h"

#include <catch2/catch.hpp>
#include <leveldb/db.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace consensus;
using testutil::ChainBuilder;

namespace {

std::string Reason(const ValidationResult& r) { return r.GetRejectReason(); }

/** Counts notifications. */
struct CountingListener : node::chain::ChainListener {
    int connected{0}, disconnected{0}, tips{0};
    void BlockConnected(const std::shared_ptr<const Block>&, const node::chain::BlockIndex*) override { ++connected; }
    void BlockDisconnected(const std::shared_ptr<const Block>&, const node::chain::BlockIndex*) override
    {
        ++disconnected;
    }
    void UpdatedBlockTip(const node::chain::BlockIndex*, const node::chain::BlockIndex*, bool) override { ++tips; }
};

} // namespace

TEST_CASE("A new regtest chainstate starts at the genesis block and mines on it", "[node]")
{
    ChainBuilder b;
    REQUIRE(b.Chain().Height() == 0);
    REQUIRE(b.Chain().Tip()->GetBlockHash() == Params(ChainType::REGTEST).consensus.hash_genesis_block);
    b.MineBlocks(10);
    REQUIRE(b.Chain().Height() == 10);
    const auto stats = b.Chain().GetUtxoStats();
    REQUIRE(stats);
    // One spendable output per block: the witness commitment is OP_RETURN and never enters the set.
    CHECK(stats->txouts == 10);
}

TEST_CASE("Blocks that break a contextual rule are rejected with Core's reason", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(101);
    const auto [cb1, v1] = b.CoinbaseAt(1);
    const int height = b.Chain().Height();

    SECTION("wrong height in the coinbase")
    {
        auto r = b.Mine({}, [](Block& blk) {
            MutableTransaction cb(*blk.vtx[0]);
            cb.vin[0].script_sig = Script();
            cb.vin[0].script_sig.PushInt(5).PushInt(99);
            blk.vtx[0] = MakeTransactionRef(std::move(cb));
        });
        CHECK(Reason(r) == "bad-cb-height");
    }
    SECTION("a double spend inside one block")
    {
        auto t1 = b.Spend({{cb1, v1}}, {v1 - Amount{1000}});
        auto t2 = b.Spend({{cb1, v1}}, {v1 - Amount{2000}});
        CHECK(Reason(b.Mine({t1, t2})) == "bad-txns-inputs-missingorspent");
    }
    SECTION("a spend of a missing input")
    {
        auto t = b.Spend({{OutPoint(Uint256::ONE, 0), Amount{5000}}}, {Amount{1000}});
        CHECK(Reason(b.Mine({t})) == "bad-txns-inputs-missingorspent");
    }
    SECTION("a spend of an immature coinbase")
    {
        const auto [cb, v] = b.CoinbaseAt(height - 5);
        auto t = b.Spend({{cb, v}}, {v - Amount{1000}});
        CHECK(Reason(b.Mine({t})) == "bad-txns-premature-spend-of-coinbase");
    }
    SECTION("outputs worth more than the inputs")
    {
        auto t = b.Spend({{cb1, v1}}, {v1 + Amount{1}});
        CHECK(Reason(b.Mine({t})) == "bad-txns-in-belowout");
    }
    SECTION("a coinbase paying more than subsidy plus fees")
    {
        auto r = b.Mine({}, [](Block& blk) {
            MutableTransaction cb(*blk.vtx[0]);
            cb.vout[0].value += Amount{1};
            blk.vtx[0] = MakeTransactionRef(std::move(cb));
        });
        CHECK(Reason(r) == "bad-cb-amount");
    }
    SECTION("too many signature operations")
    {
        MutableTransaction big(*b.Spend({{cb1, v1}}, {v1 - Amount{10000}}));
        big.vout.emplace_back(Amount{0}, Script());
        big.vout.back().script_pubkey.assign(20001, OP_CHECKSIG);
        auto t = MakeTransactionRef(std::move(big));
        CHECK(Reason(b.Mine({t})) == "bad-blk-sigops");
    }
    SECTION("a wrong witness commitment")
    {
        auto r = b.Mine({}, [](Block& blk) {
            MutableTransaction cb(*blk.vtx[0]);
            const int idx = GetWitnessCommitmentIndex(blk);
            REQUIRE(idx >= 0);
            cb.vout[idx].script_pubkey.back() ^= 1;
            blk.vtx[0] = MakeTransactionRef(std::move(cb));
        });
        CHECK(Reason(r) == "bad-witness-merkle-match");
    }
    SECTION("a timestamp not above the median time past")
    {
        const int64_t mtp = b.Chain().Tip()->GetMedianTimePast();
        auto r = b.Mine({}, [mtp](Block& blk) { blk.time = static_cast<uint32_t>(mtp); });
        CHECK(Reason(r) == "time-too-old");
    }
    SECTION("a timestamp more than two hours ahead")
    {
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        const int64_t t = std::chrono::duration_cast<std::chrono::seconds>(now).count() + 3 * 3600;
        auto r = b.Mine({}, [t](Block& blk) { blk.time = static_cast<uint32_t>(t); });
        CHECK(Reason(r) == "time-too-new");
    }
    SECTION("the wrong difficulty")
    {
        auto r = b.Mine({}, [](Block& blk) { blk.bits = 0x207ffffe; });
        CHECK(Reason(r) == "bad-diffbits");
    }
    // No rejected block moved the tip.
    CHECK(b.Chain().Height() == height);
}

TEST_CASE("Valid spends connect, and the spent coins leave the UTXO set", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(101);
    const auto [cb1, v1] = b.CoinbaseAt(1);
    auto t1 = b.Spend({{cb1, v1}}, {Amount{v1.sats / 2}, Amount{v1.sats / 2 - 1000}});
    // A chained spend in the same block.
    auto t2 = b.Spend({{OutPoint(t1->GetTxid(), 0), Amount{v1.sats / 2}}}, {Amount{v1.sats / 2 - 500}});
    const auto r = b.Mine({t1, t2});
    INFO(r.ToString());
    REQUIRE(r.IsValid());
    CHECK(!b.Chain().GetTxOut(cb1));
    CHECK(!b.Chain().GetTxOut(OutPoint(t1->GetTxid(), 0)));
    CHECK(b.Chain().GetTxOut(OutPoint(t1->GetTxid(), 1)));
    REQUIRE(b.Chain().GetTxOut(OutPoint(t2->GetTxid(), 0)));
    // The miner collected both fees.
    auto tip_block = b.Chain().ReadBlock(b.Chain().Tip());
    REQUIRE(tip_block);
    CHECK(tip_block->vtx[0]->vout[0].value ==
          consensus::GetBlockSubsidy(102, Params(ChainType::REGTEST).consensus) + Amount{1500});
}

TEST_CASE("A block rejected after its transactions were applied leaves the UTXO set as it was", "[node]")
{
    // ConnectTip applies a block straight to the coins cache and undoes it on failure:
    // each rejection below comes after some or all transactions spent and created coins.
    ChainBuilder b;
    b.MineBlocks(102);
    const auto [cb1, v1] = b.CoinbaseAt(1);
    const auto [cb2, v2] = b.CoinbaseAt(2);
    auto t1 = b.Spend({{cb1, v1}}, {Amount{v1.sats / 2}, Amount{v1.sats / 2 - 1000}});
    auto t2 = b.Spend({{OutPoint(t1->GetTxid(), 0), Amount{v1.sats / 2}}}, {Amount{v1.sats / 2 - 500}});
    const auto before = b.Chain().GetUtxoStats();
    REQUIRE(before);
    const int height = b.Chain().Height();

    SECTION("a bad signature in the last transaction (found after every transaction was applied)")
    {
        MutableTransaction bad(*b.Spend({{cb2, v2}}, {v2 - Amount{1000}}));
        bad.vin[0].witness.stack[0][10] ^= 1;
        const auto r = b.Mine({t1, t2, MakeTransactionRef(std::move(bad))});
        CHECK(Reason(r).rfind("block-script-verify-flag-failed", 0) == 0);
    }
    SECTION("a missing input in the third transaction (the first two applied)")
    {
        auto t3 = b.Spend({{OutPoint(Uint256::ONE, 0), Amount{5000}}}, {Amount{1000}});
        CHECK(Reason(b.Mine({t1, t2, t3})) == "bad-txns-inputs-missingorspent");
    }
    SECTION("a coinbase paying too much (checked after every transaction was applied)")
    {
        const auto r = b.Mine({t1, t2}, [](Block& blk) {
            MutableTransaction cb(*blk.vtx[0]);
            cb.vout[0].value += Amount{1501};
            blk.vtx[0] = MakeTransactionRef(std::move(cb));
        });
        CHECK(Reason(r) == "bad-cb-amount");
    }
    REQUIRE(b.Chain().Height() == height);
    CHECK(b.Chain().GetTxOut(cb1));
    CHECK(b.Chain().GetTxOut(cb2));
    CHECK(!b.Chain().GetTxOut(OutPoint(t1->GetTxid(), 0)));
    CHECK(!b.Chain().GetTxOut(OutPoint(t1->GetTxid(), 1)));
    CHECK(!b.Chain().GetTxOut(OutPoint(t2->GetTxid(), 0)));
    const auto after = b.Chain().GetUtxoStats();
    REQUIRE(after);
    CHECK(after->txouts == before->txouts);
    CHECK(after->hash_serialized == before->hash_serialized);
    // The coins the failed block spent are still spendable, by the same transactions.
    const auto r = b.Mine({t1, t2});
    INFO(r.ToString());
    REQUIRE(r.IsValid());
    CHECK(!b.Chain().GetTxOut(cb1));
    CHECK(b.Chain().GetTxOut(OutPoint(t1->GetTxid(), 1)));
    CHECK(b.Chain().GetTxOut(OutPoint(t2->GetTxid(), 0)));
    // ...and the state equals one that never saw the failed block: the same chain
    // reopened from disk (-reindex-chainstate) gives the same hash.
    const auto connected = b.Chain().GetUtxoStats();
    REQUIRE(connected);
    node::chain::ChainstateOptions reindex;
    reindex.reindex_chainstate = true;
    b.Reopen(&reindex);
    const std::atomic<bool> interrupt{false};
    b.Chain().ImportBlocks({}, interrupt);
    REQUIRE(b.Chain().Height() == height + 1);
    const auto rebuilt = b.Chain().GetUtxoStats();
    REQUIRE(rebuilt);
    CHECK(rebuilt->hash_serialized == connected->hash_serialized);
}

TEST_CASE("BIP-30: a transaction may not recreate an unspent output; Core's reason wins over later failures", "[node]")
{
    // Regtest with BIP-34 off, so two coinbases can be identical (as before BIP-34 on
    // mainnet) and a spent one can come back with its descendants' txids.
    ChainParams params = Params(ChainType::REGTEST);
    params.consensus.bip34_height = 100000;
    ChainBuilder b(2, &params);
    const Script same_sig = Script().PushInt(424242);
    const auto same_coinbase = [&same_sig](Block& blk) {
        MutableTransaction cb(*blk.vtx[0]);
        cb.vin[0].script_sig = same_sig;
        blk.vtx[0] = MakeTransactionRef(std::move(cb));
    };
    b.MineBlocks(1);
    REQUIRE(b.Mine({}, same_coinbase).IsValid()); // C, at height 2
    const auto [c0, cv] = b.CoinbaseAt(2);

    // C is unspent: an identical coinbase may not replace it.
    CHECK(Reason(b.Mine({}, same_coinbase)) == "bad-txns-BIP30");

    // Spend C with E; then C may come back (C'), and E can be made again from it.
    b.MineBlocks(100);
    auto e = b.Spend({{c0, cv}}, {cv - Amount{1000}});
    REQUIRE(b.Mine({e}).IsValid());
    REQUIRE(b.Mine({}, same_coinbase).IsValid()); // C' = C, its output unspent again
    CHECK(b.CoinbaseAt(b.Chain().Height()).first == c0);
    b.MineBlocks(100); // C' matures
    const OutPoint e0(e->GetTxid(), 0);
    REQUIRE(b.Chain().GetTxOut(e0));
    const int height = b.Chain().Height();
    const auto before = b.Chain().GetUtxoStats();
    REQUIRE(before);

    SECTION("E again while E's output is unspent") { CHECK(Reason(b.Mine({e})) == "bad-txns-BIP30"); }
    SECTION("E again after a transaction of the same block spent E's output: it existed before the block")
    {
        auto spend_e0 = b.Spend({{e0, cv - Amount{1000}}}, {cv - Amount{3000}});
        CHECK(Reason(b.Mine({spend_e0, e})) == "bad-txns-BIP30");
    }
    SECTION("an earlier transaction with a missing input does not hide the BIP-30 failure (Core checks BIP-30 first)")
    {
        auto missing = b.Spend({{OutPoint(Uint256::ONE, 0), Amount{5000}}}, {Amount{1000}});
        CHECK(Reason(b.Mine({missing, e})) == "bad-txns-BIP30");
    }
    SECTION("an earlier bad signature does not hide it either")
    {
        auto spend_e0 = b.Spend({{e0, cv - Amount{1000}}}, {cv - Amount{3000}});
        MutableTransaction bad(*spend_e0);
        bad.vin[0].witness.stack[0][10] ^= 1;
        // The bad signature is only found after the walk; BIP-30 still decides.
        CHECK(Reason(b.Mine({MakeTransactionRef(std::move(bad)), e})) == "bad-txns-BIP30");
    }
    SECTION(
        "a duplicate transaction inside one block is a double spend, not BIP-30 (as Core: its outputs did not exist before)")
    {
        auto spend_e0 = b.Spend({{e0, cv - Amount{1000}}}, {cv - Amount{3000}});
        CHECK(Reason(b.Mine({spend_e0, spend_e0})) == "bad-txns-inputs-missingorspent");
    }
    REQUIRE(b.Chain().Height() == height);
    const auto after = b.Chain().GetUtxoStats();
    REQUIRE(after);
    CHECK(after->hash_serialized == before->hash_serialized);
    // Spending E's output without recreating E is fine.
    auto spend_e0 = b.Spend({{e0, cv - Amount{1000}}}, {cv - Amount{3000}});
    const auto r = b.Mine({spend_e0});
    INFO(r.ToString());
    CHECK(r.IsValid());
}

TEST_CASE("Reorganisations of 1 and 10 blocks switch to the chain with more work and back", "[node]")
{
    ChainBuilder b;
    CountingListener listener; // synchronous: counts are current when each call returns
    b.Chain().AddListener(&listener, node::chain::Delivery::SYNC);
    b.MineBlocks(20);
    for (int depth : {1, 10}) {
        const auto* fork_point = b.Chain().AtHeight(b.Chain().Height() - depth);
        const auto before = b.Chain().GetUtxoStats();
        REQUIRE(before);
        const auto* old_tip = b.Chain().Tip();
        const int disconnected_before = listener.disconnected;
        // A competing branch one block longer than ours since the fork takes over.
        const node::chain::BlockIndex* prev = fork_point;
        const node::chain::BlockIndex* branch_start = nullptr;
        for (int i = 0; i < depth + 1; ++i) {
            const Block blk = b.MakeBlock(prev);
            REQUIRE(b.Submit(blk).IsValid());
            prev = b.Chain().LookupBlockIndex(blk.GetHash());
            if (!branch_start) branch_start = prev;
        }
        REQUIRE(b.Chain().Tip() == prev);
        CHECK(listener.disconnected - disconnected_before == depth);
        // Invalidating the branch brings back the old tip and exactly its UTXO set.
        REQUIRE(b.Chain().InvalidateBlock(branch_start->GetBlockHash()).IsValid());
        REQUIRE(b.Chain().Tip() == old_tip);
        const auto back = b.Chain().GetUtxoStats();
        REQUIRE(back);
        CHECK(back->hash_serialized == before->hash_serialized);
        CHECK(back->txouts == before->txouts);
        REQUIRE(b.Chain().ReconsiderBlock(branch_start->GetBlockHash()).IsValid());
        REQUIRE(b.Chain().Tip() == prev);
        // The old branch grows two more blocks and wins back.
        const node::chain::BlockIndex* old = old_tip;
        for (int i = 0; i < 2; ++i) {
            const Block blk = b.MakeBlock(old);
            REQUIRE(b.Submit(blk).IsValid());
            old = b.Chain().LookupBlockIndex(blk.GetHash());
        }
        REQUIRE(b.Chain().Tip() == old);
        REQUIRE(b.Chain().Height() == fork_point->height + depth + 2);
    }
    CHECK(listener.connected > 0);
    CHECK(listener.tips > 0);
    b.Chain().RemoveListener(&listener);
}

TEST_CASE("invalidateblock moves the tip below the block and reconsiderblock restores it", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(15);
    const auto* tip = b.Chain().Tip();
    const auto* target = b.Chain().AtHeight(10);
    REQUIRE(b.Chain().InvalidateBlock(target->GetBlockHash()).IsValid());
    CHECK(b.Chain().Height() == 9);
    // A block on the invalid branch is refused.
    CHECK(Reason(b.Submit(b.MakeBlock(tip))) == "bad-prevblk");
    // Mining continues on the valid part.
    b.MineBlocks(2);
    CHECK(b.Chain().Height() == 11);
    REQUIRE(b.Chain().ReconsiderBlock(target->GetBlockHash()).IsValid());
    CHECK(b.Chain().Tip() == tip);
    CHECK(b.Chain().Height() == 15);
}

TEST_CASE("A background index flush alone makes the blocks before it durable", "[node]")
{
    // The periodic index flush (at most once a second by the chainstate's clock, here a fake
    // one) runs on the index flusher thread. Once it has finished, and before any synchronous
    // flush, the datadir is copied as a crash would leave it (nothing is writing); a chainstate
    // opened on the copy must find every block the flush covered and connect them again from
    // the block files.
    testutil::TempDir crashed;
    int covered = 0;
    consensus::Uint256 covered_tip;
    std::atomic<int64_t> fake_ms{0};
    const auto fake_clock = [&fake_ms] {
        return std::chrono::steady_clock::time_point(std::chrono::milliseconds(fake_ms.load()));
    };
    {
        ChainBuilder b(2, nullptr, [&](node::chain::ChainstateOptions& o) { o.clock = fake_clock; });
        b.MineBlocks(3);
        const size_t before = b.Chain().BackgroundIndexFlushes();
        b.MineBlocks(2); // no time passed: no background flush
        REQUIRE(b.Chain().WaitForBackgroundIndexFlush());
        REQUIRE(b.Chain().BackgroundIndexFlushes() == before);
        fake_ms += 1100;
        b.MineBlocks(1); // this block's connect hands the flush over
        covered = b.Chain().Height();
        covered_tip = b.Chain().Tip()->GetBlockHash();
        REQUIRE(b.Chain().WaitForBackgroundIndexFlush());
        REQUIRE(b.Chain().BackgroundIndexFlushes() == before + 1);
        std::filesystem::copy(b.Dir(), crashed.Path(), std::filesystem::copy_options::recursive);
        // The original goes on: more blocks, flushed at close; the copy never sees them.
        b.MineBlocks(5);
    }
    auto reopened = testutil::OpenRegtestChainstate(crashed.Path());
    CHECK(reopened->Height() == covered);
    REQUIRE(reopened->Tip());
    CHECK(reopened->Tip()->GetBlockHash() == covered_tip);
    const auto stats = reopened->GetUtxoStats();
    REQUIRE(stats);
    CHECK(stats->txouts == static_cast<uint64_t>(covered)); // one spendable coinbase output per block
}

namespace {

/** Ten outputs to our key from each coinbase at the heights given, one block each. */
void MineFanOuts(ChainBuilder& b, int from, int to)
{
    for (int h = from; h <= to; ++h) {
        const auto [cb, v] = b.CoinbaseAt(h);
        REQUIRE(b.Mine({b.Spend({{cb, v}}, std::vector<Amount>(10, Amount{v.sats / 10 - 1000}))}).IsValid());
    }
}

/** Small coins batches (~30 coins a write), through env (armed by the test with CrashAfterSyncs). */
std::function<void(node::chain::ChainstateOptions&)> SmallBatches(storage_test::FaultEnv& env)
{
    return [&env](node::chain::ChainstateOptions& o) {
        o.coins_batch_bytes = 2000;
        o.leveldb_env = &env;
    };
}

} // namespace

TEST_CASE("A coins flush interrupted between its batches is finished on the next start", "[node]")
{
    // The coins flush writes in batches of -dbbatchsize; the database is made to stop
    // writing after two of them, as a kill -9 there would, and the datadir is copied as
    // that crash leaves it. The copy must reopen at the same tip with the same UTXO set
    // as -reindex-chainstate builds from its blocks: for the first flush ever (no old
    // block), forward from a flushed ancestor, and across a reorganisation (the flushed
    // coins were on the losing branch). A replay that is itself interrupted runs again.
    enum class Case { FIRST_FLUSH, FORWARD, REORG };
    for (const Case c : {Case::FIRST_FLUSH, Case::FORWARD, Case::REORG}) {
        DYNAMIC_SECTION((c == Case::FIRST_FLUSH ? "first flush" : c == Case::FORWARD ? "forward" : "reorganisation"))
        {
            testutil::TempDir crashed;
            consensus::Uint256 tip, old_tip;
            storage_test::FaultEnv env("chainstate"); // outlives the builder's databases
            {
                ChainBuilder b(2, nullptr, SmallBatches(env));
                b.MineBlocks(110);
                MineFanOuts(b, 1, 5);
                if (c != Case::FIRST_FLUSH) {
                    node::chain::ChainstateOptions opts;
                    opts.par = 2;
                    SmallBatches(env)(opts);
                    b.Reopen(&opts); // the close flushes everything so far in full
                    old_tip = b.Chain().Tip()->GetBlockHash();
                }
                if (c == Case::REORG) {
                    // A branch from 4 blocks below the tip, 6 blocks long, spending other coinbases.
                    const node::chain::BlockIndex* prev = b.Chain().AtHeight(b.Chain().Height() - 4);
                    for (int i = 0; i < 6; ++i) {
                        std::vector<consensus::TransactionRef> txs;
                        if (i < 3) {
                            const auto [cb, v] = b.CoinbaseAt(10 + i);
                            txs.push_back(b.Spend({{cb, v}}, std::vector<Amount>(12, Amount{v.sats / 12 - 1000})));
                        }
                        const Block blk = b.MakeBlock(prev, txs);
                        REQUIRE(b.Submit(blk).IsValid());
                        prev = b.Chain().LookupBlockIndex(blk.GetHash());
                    }
                    REQUIRE(b.Chain().Tip() == prev);
                } else {
                    b.MineBlocks(40);
                    MineFanOuts(b, 20, 22);
                }
                tip = b.Chain().Tip()->GetBlockHash();
                env.CrashAfterSyncs(2); // the coins database "dies" after two synced writes
                REQUIRE_FALSE(b.Chain().Flush());
                std::filesystem::copy(b.Dir(), crashed.Path(), std::filesystem::copy_options::recursive);
            }
            const auto marker = [&] {
                std::string error;
                node::CoinsViewDB db(crashed.Path() / "chainstate", 1 << 20, false, error);
                REQUIRE(db.IsOpen());
                consensus::Uint256 best;
                std::vector<consensus::Uint256> heads;
                REQUIRE(db.ReadState(best, heads));
                CHECK(best.IsNull() == !heads.empty()); // one or the other
                return heads;
            };
            // The copy is between two states: no best block, the marker instead.
            CHECK(marker() == std::vector<consensus::Uint256>{tip, old_tip});
            if (c == Case::REORG) {
                // Without the undo data the old branch cannot be rolled back: a clear error.
                testutil::TempDir no_undo;
                std::filesystem::copy(crashed.Path(), no_undo.Path(), std::filesystem::copy_options::recursive);
                std::filesystem::remove(no_undo.Path() / "blocks" / "rev00000.dat");
                std::string error;
                CHECK_FALSE(testutil::TryOpenRegtestChainstate(no_undo.Path(), {}, error));
                CHECK(error.find("cannot roll back block") != std::string::npos);
            }
            {
                // The replay's own flush dies after one partial write: Open fails, the marker stays.
                std::string error;
                storage_test::FaultEnv replay_env("chainstate");
                replay_env.CrashAfterSyncs(1);
                auto cs = testutil::TryOpenRegtestChainstate(crashed.Path(), SmallBatches(replay_env), error);
                CHECK_FALSE(cs);
                CHECK(error.find("Failed to write the replayed coins (coins database, chainstate)") == 0);
            }
            CHECK(marker() == std::vector<consensus::Uint256>{tip, old_tip});
            auto reopened = testutil::OpenRegtestChainstate(crashed.Path());
            REQUIRE(reopened->Tip());
            CHECK(reopened->Tip()->GetBlockHash() == tip);
            const auto replayed = reopened->GetUtxoStats();
            REQUIRE(replayed);
            reopened.reset();
            CHECK(marker().empty());
            reopened = testutil::OpenRegtestChainstate(crashed.Path(), /*reindex_chainstate=*/true);
            const std::atomic<bool> stop{false};
            reopened->ImportBlocks({}, stop);
            REQUIRE(reopened->Tip());
            CHECK(reopened->Tip()->GetBlockHash() == tip);
            const auto rebuilt = reopened->GetUtxoStats();
            REQUIRE(rebuilt);
            CHECK(replayed->hash_serialized == rebuilt->hash_serialized);
            CHECK(replayed->txouts == rebuilt->txouts);
        }
    }
}

TEST_CASE("A chainstate database with coins but no best block is refused, not connected over", "[node]")
{
    testutil::TempDir dir;
    {
        ChainBuilder b;
        b.MineBlocks(3);
        b.Reopen(); // everything flushed
        std::filesystem::copy(b.Dir(), dir.Path(), std::filesystem::copy_options::recursive);
    }
    {
        leveldb::DB* raw = nullptr;
        leveldb::Options options;
        REQUIRE(leveldb::DB::Open(options, (dir.Path() / "chainstate").string(), &raw).ok());
        std::unique_ptr<leveldb::DB> db(raw);
        REQUIRE(db->Delete(leveldb::WriteOptions(), "B").ok());
    }
    std::string error;
    CHECK_FALSE(testutil::TryOpenRegtestChainstate(dir.Path(), {}, error));
    CHECK(error.find("has coins but no best block") != std::string::npos);
}

TEST_CASE("The chainstate reopens at the same tip with the same UTXO set", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(120);
    const auto [cb1, v1] = b.CoinbaseAt(3);
    REQUIRE(b.Mine({b.Spend({{cb1, v1}}, {v1 - Amount{777}})}).IsValid());
    const auto tip = b.Chain().Tip()->GetBlockHash();
    const auto stats = b.Chain().GetUtxoStats();
    REQUIRE(stats);
    b.Reopen();
    CHECK(b.Chain().Tip()->GetBlockHash() == tip);
    const auto again = b.Chain().GetUtxoStats();
    REQUIRE(again);
    CHECK(again->hash_serialized == stats->hash_serialized);
    CHECK(again->txouts == stats->txouts);
    // -reindex-chainstate rebuilds the same set from the stored blocks.
    node::chain::ChainstateOptions opts;
    opts.dbcache_bytes = 1u << 20;
    opts.par = 1;
    opts.reindex_chainstate = true;
    b.Reopen(&opts);
    std::atomic<bool> stop{false};
    b.Chain().ImportBlocks({}, stop);
    CHECK(b.Chain().Tip()->GetBlockHash() == tip);
    const auto rebuilt = b.Chain().GetUtxoStats();
    REQUIRE(rebuilt);
    CHECK(rebuilt->hash_serialized == stats->hash_serialized);
    // -reindex rebuilds the block index too.
    opts.reindex_chainstate = false;
    opts.reindex = true;
    b.Reopen(&opts);
    b.Chain().ImportBlocks({}, stop);
    CHECK(b.Chain().Tip()->GetBlockHash() == tip);
    const auto reindexed = b.Chain().GetUtxoStats();
    REQUIRE(reindexed);
    CHECK(reindexed->hash_serialized == stats->hash_serialized);
}
