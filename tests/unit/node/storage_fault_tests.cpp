// A storage error is never a verdict on a block: faults injected through a LevelDB Env
// (storage_test::FaultEnv) while a block that spends coins on disk connects, while the
// coins are flushed, and while an interrupted flush is replayed at start. Each must give
// an error (or a failed Open), fire the abort seam (ChainstateOptions::on_fatal_error),
// leave no block index entry marked failed, and a fresh Open after the fault is gone must
// go on along the valid chain and accept the block.
#include "chain_builder.h"
#include "storage/fault_env.h"

#include "node/chain/chainstate.h"

#include <catch2/catch.hpp>
#include <leveldb/db.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using consensus::Amount;
using consensus::Block;
using consensus::Uint256;
using node::chain::BlockIndex;
using node::chain::Chainstate;
using node::chain::ChainstateOptions;
using testutil::ChainBuilder;

namespace {

/** The faults of one test and the abort messages they caused. */
struct Faults {
    storage_test::FaultEnv env{"chainstate"};
    std::vector<std::string> aborts;
    /** Options for an Open through env, recording every abort, with a coins batch per coin or so. */
    std::function<void(ChainstateOptions&)> Configure()
    {
        return [this](ChainstateOptions& o) {
            o.leveldb_env = &env;
            o.coins_batch_bytes = 100;
            o.on_fatal_error = [this](const std::string& message) { aborts.push_back(message); };
        };
    }
};

/** True if no entry of cs's block index carries a FAILED flag. */
bool NoFailedEntries(Chainstate& cs)
{
    for (const auto& tip : cs.GetChainTips()) {
        for (const BlockIndex* b = tip.block; b; b = b->prev) {
            if (b->status & node::chain::BLOCK_FAILED_MASK) return false;
        }
    }
    return true;
}

/** The abort named the coins database and advised -reindex-chainstate. */
bool NamesCoinsDatabase(const std::string& message)
{
    return message.find("coins database, chainstate") != std::string::npos &&
           message.find("-reindex-chainstate") != std::string::npos;
}

/** The LevelDB key of a coin (as node/storage/coins_db.cpp writes it). */
std::string CoinKey(const consensus::OutPoint& op)
{
    std::string key(1, 'C');
    key.append(reinterpret_cast<const char*>(op.hash.data()), 32);
    for (int shift = 24; shift >= 0; shift -= 8) key.push_back(static_cast<char>((op.n >> shift) & 0xff));
    return key;
}

/** Puts value at key in the closed LevelDB database at dir (a record the node cannot decode). */
void PutRaw(const std::filesystem::path& dir, const std::string& key, const std::string& value)
{
    leveldb::DB* raw = nullptr;
    REQUIRE(leveldb::DB::Open(leveldb::Options(), dir.string(), &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    REQUIRE(db->Put(leveldb::WriteOptions(), key, value).ok());
}

std::string GetRaw(const std::filesystem::path& dir, const std::string& key)
{
    leveldb::DB* raw = nullptr;
    REQUIRE(leveldb::DB::Open(leveldb::Options(), dir.string(), &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    std::string value;
    REQUIRE(db->Get(leveldb::ReadOptions(), key, &value).ok());
    return value;
}

/**
 * A closed datadir with 110 blocks whose coins are all in the coins database on disk, and a
 * valid block on its tip (not submitted) that spends the coinbase of height 1 (and with
 * spends > 1 those of heights 2.., one transaction each).
 */
struct SpendFixture {
    testutil::TempDir dir;
    Block block;
    Uint256 tip;
    consensus::OutPoint spent;
    std::vector<consensus::OutPoint> all_spent;
    explicit SpendFixture(int spends = 1)
    {
        ChainBuilder b;
        b.MineBlocks(110);
        std::vector<consensus::TransactionRef> txs;
        for (int h = 1; h <= spends; ++h) {
            const auto [cb, v] = b.CoinbaseAt(h);
            all_spent.push_back(cb);
            txs.push_back(b.Spend({{cb, v}}, {v - Amount{1000}}));
        }
        spent = all_spent[0];
        block = b.MakeBlock(b.Chain().Tip(), txs);
        tip = b.Chain().Tip()->GetBlockHash();
        b.Reopen(); // the close flushes every coin to the database
        std::filesystem::copy(b.Dir(), dir.Path(), std::filesystem::copy_options::recursive);
    }
};

/** A fresh Open without faults continues on the valid chain and connects block. */
void AcceptedAfterRestart(const std::filesystem::path& dir, const Block& block)
{
    auto cs = testutil::OpenRegtestChainstate(dir);
    CHECK(NoFailedEntries(*cs));
    if (cs->Tip()->GetBlockHash() != block.GetHash()) {
        const auto r = cs->ProcessNewBlock(std::make_shared<const Block>(block));
        INFO(r.ToString());
        CHECK(r.IsValid());
    }
    REQUIRE(cs->Tip());
    CHECK(cs->Tip()->GetBlockHash() == block.GetHash());
    CHECK(NoFailedEntries(*cs));
}

} // namespace

TEST_CASE("A coins read that fails while a block connects is an error, not an invalid block", "[chain]")
{
    enum class Fault { READ_ERROR, CHECKSUM_MISMATCH, UNDECODABLE_RECORD };
    for (const Fault fault : {Fault::READ_ERROR, Fault::CHECKSUM_MISMATCH, Fault::UNDECODABLE_RECORD}) {
        DYNAMIC_SECTION((fault == Fault::READ_ERROR          ? "read error"
                         : fault == Fault::CHECKSUM_MISMATCH ? "checksum mismatch"
                                                             : "undecodable coin record"))
        {
            SpendFixture f;
            Faults faults;
            const auto chainstate_dir = f.dir.Path() / "chainstate";
            const std::string key = CoinKey(f.spent);
            const std::string good = GetRaw(chainstate_dir, key);
            if (fault == Fault::UNDECODABLE_RECORD) PutRaw(chainstate_dir, key, "\x01garbage");
            {
                std::string error;
                auto cs = testutil::TryOpenRegtestChainstate(f.dir.Path(), faults.Configure(), error);
                INFO(error);
                REQUIRE(cs);
                // Armed after Open (which reads the coins' state): the next table read is the block's.
                if (fault == Fault::READ_ERROR) faults.env.FailReads(true);
                if (fault == Fault::CHECKSUM_MISMATCH) faults.env.CorruptReads(true);
                const auto r = cs->ProcessNewBlock(std::make_shared<const Block>(f.block));
                INFO(r.ToString());
                CHECK(r.IsError());
                CHECK_FALSE(r.IsInvalid());
                CHECK(NoFailedEntries(*cs));
                if (fault != Fault::UNDECODABLE_RECORD) CHECK(faults.env.Injected() > 0);
                REQUIRE(faults.aborts.size() == 1);
                CHECK(NamesCoinsDatabase(faults.aborts[0]));
                CHECK(cs->Tip()->GetBlockHash() == f.tip);
                const BlockIndex* index = cs->LookupBlockIndex(f.block.GetHash());
                REQUIRE(index); // stored, for the restart to connect
                CHECK((index->status & node::chain::BLOCK_HAVE_DATA));
                CHECK(NoFailedEntries(*cs));
                CHECK(cs->FatalErrorOccurred());
                // Nothing more is judged until the node restarts: offered again, still no verdict.
                CHECK(cs->ProcessNewBlock(std::make_shared<const Block>(f.block)).IsError());
                CHECK(NoFailedEntries(*cs));
            }
            faults.env.Heal();
            if (fault == Fault::UNDECODABLE_RECORD) PutRaw(chainstate_dir, key, good); // the database restored
            AcceptedAfterRestart(f.dir.Path(), f.block);
        }
    }
}

TEST_CASE("A coins flush that cannot write stops the node and loses nothing", "[chain]")
{
    enum class Fault { WRITE_ERROR, CRASH_MID_FLUSH };
    for (const Fault fault : {Fault::WRITE_ERROR, Fault::CRASH_MID_FLUSH}) {
        DYNAMIC_SECTION((fault == Fault::WRITE_ERROR ? "write error" : "writes stop after one batch"))
        {
            SpendFixture f;
            Faults faults;
            Uint256 tip;
            {
                std::string error;
                auto cs = testutil::TryOpenRegtestChainstate(f.dir.Path(), faults.Configure(), error);
                REQUIRE(cs);
                REQUIRE(cs->ProcessNewBlock(std::make_shared<const Block>(f.block)).IsValid());
                tip = cs->Tip()->GetBlockHash();
                REQUIRE(tip == f.block.GetHash());
                if (fault == Fault::WRITE_ERROR) faults.env.FailWrites(true);
                if (fault == Fault::CRASH_MID_FLUSH) faults.env.CrashAfterSyncs(1);
                CHECK_FALSE(cs->Flush());
                CHECK(faults.env.Injected() > 0);
                REQUIRE(faults.aborts.size() == 1);
                CHECK(NamesCoinsDatabase(faults.aborts[0]));
                CHECK(faults.aborts[0].find("Failed to write to the coins database") == 0);
                CHECK(NoFailedEntries(*cs));
            }
            faults.env.Heal();
            // The block index was written before the coins: the restart reconnects (or replays) up to the tip.
            auto cs = testutil::OpenRegtestChainstate(f.dir.Path());
            REQUIRE(cs->Tip());
            CHECK(cs->Tip()->GetBlockHash() == tip);
            CHECK(NoFailedEntries(*cs));
            CHECK_FALSE(cs->GetTxOut(f.spent)); // spent by the block
        }
    }
}

TEST_CASE("A fault while an interrupted coins flush is replayed fails the Open, and a healed restart replays",
          "[chain]")
{
    // A datadir as a crash between two batches of a coins flush leaves it (the head-blocks
    // marker, coins between two states), with the block spending an on-disk coin in it.
    SpendFixture f;
    testutil::TempDir crashed;
    Uint256 tip;
    {
        Faults faults;
        std::string error;
        auto cs = testutil::TryOpenRegtestChainstate(f.dir.Path(), faults.Configure(), error);
        REQUIRE(cs);
        REQUIRE(cs->ProcessNewBlock(std::make_shared<const Block>(f.block)).IsValid());
        tip = cs->Tip()->GetBlockHash();
        REQUIRE(cs->SyncBlockIndex());
        faults.env.CrashAfterSyncs(1);
        REQUIRE_FALSE(cs->Flush());
        std::filesystem::copy(f.dir.Path(), crashed.Path(), std::filesystem::copy_options::recursive);
    }
    {
        // LevelDB moves the log it recovers into a table file when it opens; done here once,
        // so the faulty Opens below fail on the replay's own reads, not on that conversion.
        leveldb::DB* raw = nullptr;
        REQUIRE(leveldb::DB::Open(leveldb::Options(), (crashed.Path() / "chainstate").string(), &raw).ok());
        delete raw;
    }
    enum class Fault { READ_ERROR, CHECKSUM_MISMATCH, WRITE_ERROR };
    for (const Fault fault : {Fault::READ_ERROR, Fault::CHECKSUM_MISMATCH, Fault::WRITE_ERROR}) {
        INFO((fault == Fault::READ_ERROR          ? "read error"
              : fault == Fault::CHECKSUM_MISMATCH ? "checksum mismatch"
                                                  : "write error"));
        Faults faults;
        if (fault == Fault::READ_ERROR) faults.env.FailReads(true);
        if (fault == Fault::CHECKSUM_MISMATCH) faults.env.CorruptReads(true);
        if (fault == Fault::WRITE_ERROR) faults.env.CrashAfterSyncs(1); // the replay's flush: its second batch fails
        std::string error;
        auto cs = testutil::TryOpenRegtestChainstate(crashed.Path(), faults.Configure(), error);
        CHECK_FALSE(cs);
        INFO(error);
        CHECK(faults.env.Injected() > 0);
        REQUIRE(faults.aborts.size() == 1);
        CHECK(faults.aborts[0] == error);
        CHECK(error.find("chainstate") != std::string::npos);
        CHECK(error.find("-reindex-chainstate") != std::string::npos);
    }
    // Healed: the replay completes, at the tip, and nothing was judged.
    auto cs = testutil::OpenRegtestChainstate(crashed.Path());
    REQUIRE(cs->Tip());
    CHECK(cs->Tip()->GetBlockHash() == tip);
    CHECK(NoFailedEntries(*cs));
    CHECK_FALSE(cs->GetTxOut(f.spent));
}

TEST_CASE("A block index write that fails stops the node; the block is accepted after a restart", "[chain]")
{
    SpendFixture f;
    storage_test::FaultEnv env("index");
    std::vector<std::string> aborts;
    {
        std::string error;
        auto cs = testutil::TryOpenRegtestChainstate(
            f.dir.Path(),
            [&](ChainstateOptions& o) {
                o.leveldb_env = &env;
                o.on_fatal_error = [&](const std::string& m) { aborts.push_back(m); };
            },
            error);
        REQUIRE(cs);
        env.FailWrites(true);
        // Connecting writes no database; acknowledging it (submitblock) syncs the index first.
        REQUIRE(cs->ProcessNewBlock(std::make_shared<const Block>(f.block)).IsValid());
        CHECK_FALSE(cs->SyncBlockIndex());
        CHECK(env.Injected() > 0);
        REQUIRE(aborts.size() == 1);
        CHECK(aborts[0].find("block index database, blocks/index") != std::string::npos);
        CHECK(aborts[0].find("-reindex") != std::string::npos);
        CHECK(NoFailedEntries(*cs));
    }
    env.Heal();
    AcceptedAfterRestart(f.dir.Path(), f.block);
}

TEST_CASE("A stored block that cannot be read back at start fails the Open; restored, it connects", "[chain]")
{
    // The block was accepted and the block index synced (as submitblock does), but the coins
    // were not flushed: the next start connects it from the block file, whose record is now
    // garbled. That is a storage error (Open fails, the abort seam fires), not an invalid block.
    SpendFixture f;
    testutil::TempDir crashed;
    node::FlatFilePos pos;
    {
        auto cs = testutil::OpenRegtestChainstate(f.dir.Path());
        REQUIRE(cs->ProcessNewBlock(std::make_shared<const Block>(f.block)).IsValid());
        REQUIRE(cs->SyncBlockIndex());
        pos = cs->LookupBlockIndex(f.block.GetHash())->data_pos;
        std::filesystem::copy(f.dir.Path(), crashed.Path(), std::filesystem::copy_options::recursive);
    }
    char name[32];
    std::snprintf(name, sizeof(name), "blk%05d.dat", pos.file);
    const auto blk = crashed.Path() / "blocks" / name;
    std::string header(80, '\0');
    {
        std::fstream file(blk, std::ios::in | std::ios::out | std::ios::binary);
        REQUIRE(file);
        file.seekg(pos.pos);
        file.read(header.data(), 80);
        file.seekp(pos.pos);
        file.write(std::string(80, '\0').data(), 80); // the block's header zeroed
    }
    std::vector<std::string> aborts;
    std::string error;
    auto broken = testutil::TryOpenRegtestChainstate(
        crashed.Path(),
        [&](ChainstateOptions& o) { o.on_fatal_error = [&](const std::string& m) { aborts.push_back(m); }; }, error);
    CHECK_FALSE(broken);
    INFO(error);
    REQUIRE(aborts.size() == 1);
    CHECK(aborts[0].find("Failed to read block " + f.block.GetHash().GetHex()) == 0);
    CHECK(aborts[0].find("-reindex") != std::string::npos);
    {
        std::fstream file(blk, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(pos.pos);
        file.write(header.data(), 80);
    }
    AcceptedAfterRestart(crashed.Path(), f.block);
}

TEST_CASE("A coins read that fails for gettxout stops the node instead of answering \"not found\"", "[chain]")
{
    SpendFixture f;
    Faults faults;
    std::string error;
    auto cs = testutil::TryOpenRegtestChainstate(f.dir.Path(), faults.Configure(), error);
    REQUIRE(cs);
    faults.env.FailReads(true);
    CHECK_FALSE(cs->GetTxOut(f.spent));
    CHECK(faults.env.Injected() > 0);
    REQUIRE(faults.aborts.size() == 1);
    CHECK(NamesCoinsDatabase(faults.aborts[0]));
    CHECK(cs->FatalErrorOccurred());
    // The block is no longer judged: an error, and nothing marked.
    CHECK(cs->ProcessNewBlock(std::make_shared<const Block>(f.block)).IsError());
    CHECK(NoFailedEntries(*cs));
}

TEST_CASE("A coins read that fails while a template is tested stops the node; the template gets no verdict", "[chain]")
{
    SpendFixture f;
    Faults faults;
    std::string error;
    auto cs = testutil::TryOpenRegtestChainstate(f.dir.Path(), faults.Configure(), error);
    REQUIRE(cs);
    CHECK(cs->TestBlockValidity(f.block, false, true).IsValid());
    CHECK(faults.aborts.empty());
    faults.env.FailReads(true);
    const auto r = cs->TestBlockValidity(f.block, false, true);
    INFO(r.ToString());
    CHECK(r.IsError());
    CHECK_FALSE(r.IsInvalid());
    CHECK(faults.env.Injected() > 0);
    REQUIRE(faults.aborts.size() == 1);
    CHECK(NamesCoinsDatabase(faults.aborts[0]));
    CHECK(cs->FatalErrorOccurred());
    faults.env.Heal();
    // Once stopped, nothing more is judged, templates included.
    CHECK(cs->TestBlockValidity(f.block, false, true).IsError());
    CHECK(NoFailedEntries(*cs));
}

TEST_CASE("Readers see the tip's coins while a block is applied to the main cache", "[chain][concurrency]")
{
    // The block spends two coins on disk, one per transaction. With LevelDB's block cache
    // off (dbcache 0) each of their lookups reads the coins table, and every table read of
    // the validation thread is held while this thread reads the node: by the first the
    // block's coinbase outputs are in the main cache, by the second the first spend too.
    // Each time the tip, its coins (both spent coins unspent) and none of the block's
    // outputs must be what a reader sees; after the block, the reverse. A reader of the
    // main cache without the coins' previous state (Chainstate::Impl::coins_before) sees
    // the half-applied block, and one that waited on a lock held across those reads would
    // hang here (the held read then never returns).
    SpendFixture f(2);
    Faults faults;
    std::string error;
    auto cs = testutil::TryOpenRegtestChainstate(
        f.dir.Path(),
        [&](ChainstateOptions& o) {
            faults.Configure()(o);
            o.dbcache_bytes = 0;
        },
        error);
    INFO(error);
    REQUIRE(cs);
    std::vector<consensus::OutPoint> added;
    for (const auto& tx : f.block.vtx) added.emplace_back(tx->GetTxid(), 0);

    faults.env.HoldReads(true, std::this_thread::get_id());
    consensus::ValidationResult submitted;
    std::thread writer([&] {
        submitted = cs->ProcessNewBlock(std::make_shared<const Block>(f.block));
        faults.env.HoldReads(false);
    });
    // At each held read the reader sees the chain before the block or after it, never between.
    int held_before = 0, inconsistent = 0;
    while (faults.env.WaitForHeldRead()) {
        const BlockIndex* tip = cs->Tip();
        const bool after = tip && tip->GetBlockHash() == f.block.GetHash();
        if (!after) ++held_before;
        if (!tip || (!after && tip->GetBlockHash() != f.tip)) ++inconsistent;
        for (const auto& op : f.all_spent) {
            const auto coin = cs->GetTxOut(op);
            if (after ? coin.has_value() : (!coin || coin->best_block != tip)) ++inconsistent;
        }
        for (const auto& op : added) {
            const auto coin = cs->GetTxOut(op);
            if (after ? (!coin || coin->best_block != tip) : coin.has_value()) ++inconsistent;
        }
        faults.env.ReleaseHeldRead();
    }
    writer.join();
    INFO(submitted.ToString());
    REQUIRE(submitted.IsValid());
    CHECK(held_before >= 2); // both spent coins' reads
    CHECK(inconsistent == 0);
    REQUIRE(cs->Tip());
    CHECK(cs->Tip()->GetBlockHash() == f.block.GetHash());
    for (const auto& op : f.all_spent) CHECK_FALSE(cs->GetTxOut(op));
    for (const auto& op : added) {
        const auto coin = cs->GetTxOut(op);
        CHECK((coin && coin->best_block == cs->Tip()));
    }
}
