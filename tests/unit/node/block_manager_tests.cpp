// BlockManager on its own, without a Chainstate: the index it keeps, the changed entries its
// flusher writes back (found again, with their status and positions, by a manager reopened
// on the same directory), and a failed index write, which fails that flush and every later one.
#include "node/chain/block_manager.h"
#include "storage/fault_env.h"
#include "storage/storage_test_util.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

using consensus::Block;
using consensus::Uint256;
using node::FlatFilePos;
using node::chain::BlockIndex;
using node::chain::BlockManager;
using storage_test::TempDir;
using storage_test::TestBlock;

namespace {

constexpr std::array<uint8_t, 4> MAGIC = {0xfa, 0xbf, 0xb5, 0xda};

/** A BlockManager opened on dir/blocks (through env if given), counting its index write failures. */
struct Manager {
    util::SharedMutex view_mutex;
    std::atomic<int> write_failures{0};
    BlockManager blockman{view_mutex, [this] { ++write_failures; }};

    explicit Manager(const std::filesystem::path& dir, leveldb::Env* env = nullptr)
    {
        std::filesystem::create_directories(dir / "blocks");
        std::string error;
        REQUIRE(blockman.Open(dir / "blocks", MAGIC, 1 << 20, false, env, error));
    }
    /** Loads the index; the entries in height order. */
    std::vector<BlockIndex*> Load()
    {
        std::vector<BlockIndex*> loaded;
        std::string error;
        const auto result = blockman.LoadBlockIndex(loaded, error);
        INFO(error);
        REQUIRE(result == BlockManager::LoadResult::OK);
        return loaded;
    }
    /** One flush through the flusher thread, waited for; false if it failed. */
    bool FlushInBackground()
    {
        bool busy = true;
        if (!blockman.StartIndexFlushLocked(busy)) return false;
        CHECK_FALSE(busy);
        return blockman.WaitForIndexFlush();
    }
};

/** Three blocks in a row from a null parent. */
std::vector<Block> ThreeBlocks()
{
    std::vector<Block> blocks;
    Uint256 prev;
    for (uint32_t h = 0; h < 3; ++h) {
        blocks.push_back(TestBlock(prev, h, 1));
        prev = blocks.back().GetHash();
    }
    return blocks;
}

} // namespace

TEST_CASE("BlockManager's flusher writes the changed entries, and a reopened manager finds their status and positions",
          "[chain]")
{
    TempDir dir;
    const std::vector<Block> blocks = ThreeBlocks();
    FlatFilePos pos;
    {
        Manager m(dir.Path());
        REQUIRE(m.Load().empty());
        BlockIndex* best_header = nullptr;
        std::vector<BlockIndex*> added;
        for (const Block& b : blocks) added.push_back(m.blockman.AddToIndex(b, best_header));
        CHECK(added[2]->height == 2);
        CHECK(added[2]->prev == added[1]);
        CHECK(best_header == added[2]);
        CHECK(m.blockman.Lookup(blocks[1].GetHash()) == added[1]);
        CHECK(m.blockman.AddToIndex(blocks[1], best_header) == added[1]); // known: the same entry
        CHECK(m.blockman.Index().size() == 3);
        // The new entries are written...
        REQUIRE(m.FlushInBackground());
        // ...and a change after that is written because it was marked dirty.
        auto written = m.blockman.WriteBlock(blocks[1], 1);
        REQUIRE(written);
        pos = *written;
        added[1]->data_pos = pos;
        added[1]->n_tx = static_cast<uint32_t>(blocks[1].vtx.size());
        added[1]->status |= node::chain::BLOCK_HAVE_DATA;
        m.blockman.MarkDirty(added[1]);
        added[2]->status |= node::chain::BLOCK_FAILED_VALID;
        m.blockman.MarkDirty(added[2]);
        REQUIRE(m.FlushInBackground());
        CHECK(m.blockman.BackgroundIndexFlushes() == 2);
        CHECK(m.write_failures == 0);
    }
    Manager m(dir.Path());
    const std::vector<BlockIndex*> loaded = m.Load();
    REQUIRE(loaded.size() == 3);
    for (int h = 0; h < 3; ++h) {
        CHECK(loaded[h]->height == h);
        CHECK(loaded[h]->GetBlockHash() == blocks[h].GetHash());
    }
    const BlockIndex* one = m.blockman.Lookup(blocks[1].GetHash());
    REQUIRE(one);
    CHECK((one->status & node::chain::BLOCK_HAVE_DATA) != 0);
    CHECK(one->data_pos == pos);
    CHECK(one->n_tx == blocks[1].vtx.size());
    const auto read = m.blockman.ReadBlock(one);
    REQUIRE(read);
    CHECK(read->GetHash() == blocks[1].GetHash());
    CHECK((m.blockman.Lookup(blocks[2].GetHash())->status & node::chain::BLOCK_FAILED_VALID) != 0);
    CHECK((m.blockman.Lookup(blocks[0].GetHash())->status & node::chain::BLOCK_HAVE_DATA) == 0);
    CHECK(m.blockman.BlockFilesSize() > 0); // the file bookkeeping came back too
}

TEST_CASE("A failed block index write fails BlockManager's flush, and every later flush fails too", "[chain]")
{
    TempDir dir;
    storage_test::FaultEnv env("index");
    const std::vector<Block> blocks = ThreeBlocks();
    {
        Manager m(dir.Path(), &env);
        BlockIndex* best_header = nullptr;
        m.blockman.AddToIndex(blocks[0], best_header);
        REQUIRE(m.blockman.WriteBlock(blocks[0], 0)); // a blk file, as a datadir has (genesis)
        REQUIRE(m.FlushInBackground());

        env.FailWrites(true);
        m.blockman.AddToIndex(blocks[1], best_header);
        CHECK_FALSE(m.FlushInBackground());
        CHECK(env.Injected() > 0);
        CHECK(m.write_failures == 1);

        // Sticky: with the disk healed, neither a synchronous nor a background flush goes on.
        env.Heal();
        m.blockman.AddToIndex(blocks[2], best_header);
        CHECK_FALSE(m.blockman.FlushIndexLocked());
        bool busy = false;
        CHECK_FALSE(m.blockman.StartIndexFlushLocked(busy));
        CHECK_FALSE(m.blockman.WaitForIndexFlush());
        CHECK(m.write_failures == 1); // reported once, when it failed
        CHECK(m.blockman.BackgroundIndexFlushes() == 1);
    }
    // What was written before the failure is there; nothing after it.
    Manager m(dir.Path(), &env);
    const std::vector<BlockIndex*> loaded = m.Load();
    REQUIRE(loaded.size() == 1);
    CHECK(loaded[0]->GetBlockHash() == blocks[0].GetHash());
}
