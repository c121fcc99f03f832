// TxIndexer (node/index/): the background sync from the stored blocks, driven step by
// step through a block source that lets a given number of block reads through, then
// following the chain through notifications, reorgs and a restart.
#include "chain_builder.h"

#include "consensus/hash.h"
#include "node/index/tx_indexer.h"
#include "common/rpc/protocol.h"
#include "node/rpc/register.h"

#include <catch2/catch.hpp>
#include <leveldb/db.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace consensus;
using node::index::TxIndexer;
using testutil::ChainBuilder;

namespace {

/** The chainstate's block source, where each block read waits for a permit from the test. */
class PacedSource : public node::index::ChainstateBlockSource {
public:
    using ChainstateBlockSource::ChainstateBlockSource;
    ~PacedSource() override { Allow(1 << 30); }

    std::optional<Block> ReadBlock(const node::FlatFilePos& pos) override
    {
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return m_permits > 0; });
            --m_permits;
            ++m_reads;
        }
        return ChainstateBlockSource::ReadBlock(pos);
    }
    /** Lets n more block reads through. */
    void Allow(int n)
    {
        {
            std::lock_guard lock(m_mutex);
            m_permits += n;
        }
        m_cv.notify_all();
    }
    int Reads()
    {
        std::lock_guard lock(m_mutex);
        return m_reads;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    int m_permits{0};
    int m_reads{0};
};

/** Waits (up to 10 s) until pred holds. */
template <typename Pred>
bool WaitFor(Pred pred)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

} // namespace

TEST_CASE("TxIndexer builds the index from stored blocks in the background, then follows the chain", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(20);
    testutil::TempDir dir;
    PacedSource source(b.Chain());
    std::string error;
    {
        TxIndexer indexer(source);
        REQUIRE(indexer.Open(dir.Path() / "txindex", false, error));
        indexer.Start();

        // Nothing is read yet: not synced, and no transaction is found.
        CHECK_FALSE(indexer.IsSynced());
        CHECK(indexer.FindTransaction(b.CoinbaseAt(1).first.hash).status == node::ReadStatus::ABSENT);

        // Five blocks (heights 0..4) through: the index is part way, still not synced.
        source.Allow(5);
        REQUIRE(WaitFor([&] { return indexer.GetSummary().best_block_height == 4; }));
        CHECK(source.Reads() == 5);
        CHECK_FALSE(indexer.IsSynced());
        const auto hit = indexer.FindTransaction(b.CoinbaseAt(3).first.hash);
        REQUIRE(hit.status == node::ReadStatus::FOUND);
        CHECK(hit.tx->GetTxid() == b.CoinbaseAt(3).first.hash);
        CHECK(hit.block == b.Chain().AtHeight(3));
        CHECK(indexer.FindTransaction(b.CoinbaseAt(5).first.hash).status == node::ReadStatus::ABSENT);

        // The rest: synced at the tip, every coinbase found.
        source.Allow(1000);
        REQUIRE(WaitFor([&] { return indexer.IsSynced(); }));
        CHECK(indexer.GetSummary().best_block_height == 20);
        for (int h = 1; h <= 20; ++h)
            CHECK(indexer.FindTransaction(b.CoinbaseAt(h).first.hash).status == node::ReadStatus::FOUND);

        // New blocks are indexed from their notifications (no reads), all of them once the
        // notification queue is delivered.
        const int reads = source.Reads();
        b.MineBlocks(2);
        REQUIRE(indexer.BlockUntilSyncedToCurrentChain());
        CHECK(indexer.GetSummary().best_block_height == 22);
        CHECK(indexer.FindTransaction(b.CoinbaseAt(22).first.hash).status == node::ReadStatus::FOUND);
        CHECK(source.Reads() == reads);

        // A disconnected block rewinds the best block (its entries may stay, as Core's).
        const Uint256 tip = b.Chain().Tip()->GetBlockHash();
        REQUIRE(b.Chain().InvalidateBlock(tip).IsValid());
        REQUIRE(indexer.BlockUntilSyncedToCurrentChain());
        CHECK(indexer.GetSummary().best_block_height == 21);
        b.MineBlocks(1);
        REQUIRE(indexer.BlockUntilSyncedToCurrentChain());
        CHECK(indexer.GetSummary().best_block_height == 22);
        CHECK(indexer.FindTransaction(b.CoinbaseAt(22).first.hash).status == node::ReadStatus::FOUND);
        indexer.Stop();
    }
    // A restart resumes from the recorded best block: two more blocks, two reads.
    b.MineBlocks(2);
    TxIndexer indexer(source);
    REQUIRE(indexer.Open(dir.Path() / "txindex", false, error));
    const int reads = source.Reads();
    indexer.Start();
    REQUIRE(WaitFor([&] { return indexer.IsSynced(); }));
    CHECK(source.Reads() == reads + 2);
    CHECK(indexer.GetSummary().best_block_height == 24);
    CHECK(indexer.FindTransaction(b.CoinbaseAt(24).first.hash).status == node::ReadStatus::FOUND);
}

TEST_CASE("TxIndexer stops in the middle of a sync and resumes there", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(10);
    testutil::TempDir dir;
    PacedSource source(b.Chain());
    std::string error;
    {
        TxIndexer indexer(source);
        REQUIRE(indexer.Open(dir.Path() / "txindex", false, error));
        indexer.Start();
        source.Allow(4);
        REQUIRE(WaitFor([&] { return indexer.GetSummary().best_block_height == 3; }));
        // Stop while the thread waits for its next read: it stops after that read,
        // short of the tip (one permit at a time until Stop returns).
        std::atomic<bool> stopped{false};
        std::thread stopper([&] {
            indexer.Stop();
            stopped = true;
        });
        while (!stopped) {
            source.Allow(1);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        stopper.join();
        CHECK_FALSE(indexer.IsSynced());
    }
    TxIndexer indexer(source);
    REQUIRE(indexer.Open(dir.Path() / "txindex", false, error));
    const int best = indexer.GetSummary().best_block_height;
    CHECK(best >= 4);
    CHECK(best < 10);
    const int reads = source.Reads();
    source.Allow(1000);
    indexer.Start();
    REQUIRE(WaitFor([&] { return indexer.IsSynced(); }));
    CHECK(source.Reads() - reads == 10 - best);
    CHECK(indexer.FindTransaction(b.CoinbaseAt(10).first.hash).status == node::ReadStatus::FOUND);
}

TEST_CASE("getrawtransaction and getindexinfo tell a txindex still syncing from a synced one", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(5);
    testutil::TempDir dir;
    PacedSource source(b.Chain());
    TxIndexer indexer(source);
    std::string error;
    REQUIRE(indexer.Open(dir.Path() / "txindex", false, error));
    common::rpc::RpcTable table;
    node::rpc::RegisterRawTransactionRpc(table, b.Chain(), &indexer);
    node::rpc::RegisterIndexRpc(table, &indexer);
    auto call = [&](const std::string& method, common::rpc::Json params) {
        common::rpc::RpcRequest req;
        req.method = method;
        req.params = std::move(params);
        return table.Execute(req);
    };
    const std::string txid = b.CoinbaseAt(3).first.hash.GetHex();
    auto error_of = [&](const std::string& id) -> std::pair<int, std::string> {
        try {
            call("getrawtransaction", common::rpc::Json::array({id}));
        } catch (const common::rpc::RpcError& e) {
            return {e.code, e.what()};
        }
        return {0, ""};
    };
    indexer.Start();
    source.Allow(2); // heights 0 and 1
    REQUIRE(WaitFor([&] { return indexer.GetSummary().best_block_height == 1; }));
    CHECK(call("getindexinfo", common::rpc::Json::array()) ==
          common::rpc::Json::parse(R"({"txindex": {"synced": false, "best_block_height": 1}})"));
    CHECK(
        error_of(txid) ==
        std::make_pair(-5, std::string("No such mempool transaction. Blockchain transactions are still in the process "
                                       "of being indexed. Use gettransaction for wallet transactions.")));
    source.Allow(1000);
    REQUIRE(WaitFor([&] { return indexer.IsSynced(); }));
    CHECK(call("getindexinfo", common::rpc::Json::array({"txindex"})) ==
          common::rpc::Json::parse(R"({"txindex": {"synced": true, "best_block_height": 5}})"));
    CHECK(call("getindexinfo", common::rpc::Json::array({"basic block filter index"})) == common::rpc::Json::object());
    CHECK(call("getrawtransaction", common::rpc::Json::array({txid})).is_string());
    CHECK(error_of(std::string(64, '3')) ==
          std::make_pair(-5, std::string("No such mempool or blockchain transaction. Use gettransaction for wallet "
                                         "transactions.")));
}

TEST_CASE("TxIndexer resumes from the newest block of its locator that the block index knows", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(30);
    const node::chain::BlockIndex* tip = b.Chain().AtHeight(30);
    REQUIRE(tip);

    // Core's CBlockLocator walk: the step doubles once more than ten hashes are taken; genesis last.
    const node::BlockLocator loc = node::index::LocatorFor(tip);
    std::vector<int> heights;
    for (const auto& h : loc) heights.push_back(b.Chain().LookupBlockIndex(h)->height);
    CHECK(heights == std::vector<int>{30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 17, 13, 5, 0});
    CHECK(node::index::LocatorFor(nullptr).empty());

    testutil::TempDir dir;
    PacedSource source(b.Chain());
    source.Allow(1000);
    std::string error;
    {
        // As after a crash: the index wrote its newest blocks, the block index never saved them.
        node::TxIndex db;
        REQUIRE(db.Open(dir.Path() / "txindex", false, error));
        const std::vector<uint8_t> x{1}, y{2};
        node::BlockLocator crashed{Hash256(x), Hash256(y)};
        const node::BlockLocator known = node::index::LocatorFor(b.Chain().AtHeight(24));
        crashed.insert(crashed.end(), known.begin(), known.end());
        REQUIRE(db.SetBestLocator(crashed));
    }
    TxIndexer indexer(source);
    REQUIRE(indexer.Open(dir.Path() / "txindex", false, error));
    CHECK(indexer.GetSummary().best_block_height == 24); // not genesis
    const int reads = source.Reads();
    indexer.Start();
    REQUIRE(WaitFor([&] { return indexer.IsSynced(); }));
    CHECK(source.Reads() - reads == 6); // blocks 25..30 only
    CHECK(indexer.FindTransaction(b.CoinbaseAt(30).first.hash).status == node::ReadStatus::FOUND);
}

TEST_CASE("A txindex read that fails is a storage error, not \"no such transaction\"", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(3);
    testutil::TempDir dir;
    /** The chainstate's block source whose transaction reads fail on demand (a block file fault). */
    class FaultySource : public node::index::ChainstateBlockSource {
    public:
        using ChainstateBlockSource::ChainstateBlockSource;
        std::optional<std::pair<Transaction, Uint256>> ReadTransaction(const node::FlatFilePos& pos,
                                                                       uint32_t tx_offset) override
        {
            if (fail) return std::nullopt;
            return ChainstateBlockSource::ReadTransaction(pos, tx_offset);
        }
        std::atomic<bool> fail{false};
    } source(b.Chain());
    std::string error;
    const Uint256 txid = b.CoinbaseAt(2).first.hash;
    {
        TxIndexer indexer(source);
        REQUIRE(indexer.Open(dir.Path() / "txindex", false, error));
        indexer.Start();
        REQUIRE(WaitFor([&] { return indexer.IsSynced(); }));
        common::rpc::RpcTable table;
        node::rpc::RegisterRawTransactionRpc(table, b.Chain(), &indexer);
        common::rpc::RpcRequest req;
        req.method = "getrawtransaction";
        req.params = common::rpc::Json::array({txid.GetHex()});
        CHECK(table.Execute(req).is_string());

        source.fail = true;
        CHECK(indexer.FindTransaction(txid).status == node::ReadStatus::FAILED);
        try {
            table.Execute(req);
            FAIL("getrawtransaction answered despite the failed read");
        } catch (const common::rpc::RpcError& e) {
            CHECK(e.code == -1); // RPC_MISC_ERROR, not -5 "No such ... transaction"
            CHECK(std::string(e.what()).find("storage error") != std::string::npos);
        }
        indexer.Stop();
    }
    // A corrupt record (not 12 bytes) fails too; an unknown txid is still absent.
    {
        node::TxIndex db;
        REQUIRE(db.Open(dir.Path() / "txindex", false, error));
        node::TxIndexEntry entry;
        CHECK(db.Find(txid, entry) == node::ReadStatus::FOUND);
        CHECK(db.Find(Uint256(), entry) == node::ReadStatus::ABSENT);
    }
    {
        std::unique_ptr<leveldb::DB> raw;
        leveldb::DB* ptr = nullptr;
        REQUIRE(leveldb::DB::Open(leveldb::Options(), (dir.Path() / "txindex").string(), &ptr).ok());
        raw.reset(ptr);
        std::string key(1, 't');
        key.append(reinterpret_cast<const char*>(txid.data()), 32);
        REQUIRE(raw->Put(leveldb::WriteOptions(), key, "short").ok());
    }
    node::TxIndex db;
    REQUIRE(db.Open(dir.Path() / "txindex", false, error));
    node::TxIndexEntry entry;
    CHECK(db.Find(txid, entry) == node::ReadStatus::FAILED);
}
