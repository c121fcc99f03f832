// BlockTreeDB (block index entries, file bookkeeping, flags) and TxIndex (txid ->
// position, with the block store reading the transaction back).
#include "node/storage/block_tree_db.h"
#include "node/storage/tx_index.h"
#include "storage_test_util.h"

#include <catch2/catch.hpp>

#include <map>

using namespace consensus;
using node::BlockFileInfo;
using node::BlockStore;
using node::BlockTreeDB;
using node::DiskBlockIndex;
using node::FlatFilePos;
using node::TxIndex;
using storage_test::TempDir;
using storage_test::TestBlock;
using storage_test::TestHash;

namespace {

constexpr size_t CACHE = 1 << 20;
constexpr std::array<uint8_t, 4> MAGIC = {0x0b, 0x11, 0x09, 0x07};

DiskBlockIndex TestEntry(int height, bool stored)
{
    DiskBlockIndex e;
    e.header.version = 0x20000000 + height;
    e.header.prev_block = TestHash(uint8_t(height));
    e.header.merkle_root = TestHash(uint8_t(height), 1);
    e.header.time = 1600000000u + uint32_t(height);
    e.header.bits = 0x207fffff;
    e.header.nonce = uint32_t(height) * 7;
    e.height = height;
    e.status = 0x1d;
    e.n_tx = uint32_t(height + 1);
    if (stored) {
        e.data_pos = FlatFilePos{height / 2, uint32_t(8 + height * 100)};
        e.undo_pos = FlatFilePos{height / 2, uint32_t(8 + height * 10)};
    }
    return e;
}

void CheckSame(const DiskBlockIndex& a, const DiskBlockIndex& b)
{
    CHECK(a.header == b.header);
    CHECK(a.height == b.height);
    CHECK(a.status == b.status);
    CHECK(a.n_tx == b.n_tx);
    CHECK(a.data_pos == b.data_pos);
    CHECK(a.undo_pos == b.undo_pos);
}

} // namespace

namespace {
/** TxIndex::Find as an optional; a failed read fails the test. */
std::optional<node::TxIndexEntry> FindEntry(const node::TxIndex& index, const consensus::Uint256& txid)
{
    node::TxIndexEntry entry;
    const node::ReadStatus status = index.Find(txid, entry);
    REQUIRE(status != node::ReadStatus::FAILED);
    if (status == node::ReadStatus::ABSENT) return std::nullopt;
    return entry;
}
} // namespace

TEST_CASE("DiskBlockIndex serializes to a fixed layout with signed file numbers", "[storage]")
{
    const DiskBlockIndex e = TestEntry(3, false);
    const auto bytes = SerializeToBytes(e);
    REQUIRE(bytes.size() == 80 + 7 * 4);
    // A null position keeps file -1.
    CHECK(std::vector<uint8_t>(bytes.begin() + 92, bytes.begin() + 96) == std::vector<uint8_t>{0xff, 0xff, 0xff, 0xff});
    ByteReader r(bytes);
    const auto back = DiskBlockIndex::Deserialize(r);
    CHECK(r.Empty());
    CheckSame(back, e);
    CHECK(back.data_pos.IsNull());
}

TEST_CASE("BlockTreeDB round-trips index entries, file info and the last file across a reopen", "[storage]")
{
    TempDir tmp;
    const auto dir = tmp.Path() / "blocks" / "index";
    std::vector<DiskBlockIndex> entries;
    for (int h = 0; h < 10; ++h) entries.push_back(TestEntry(h, h % 3 != 0));
    BlockFileInfo f0, f1;
    f0.AddBlock(0, 100);
    f0.size = 1000;
    f1.AddBlock(5, 200);
    f1.undo_size = 77;
    {
        std::string error;
        BlockTreeDB db(dir, CACHE, false, error);
        REQUIRE(db.IsOpen());
        std::vector<BlockFileInfo> infos;
        int last = 99;
        REQUIRE(db.ReadFileInfo(infos, last));
        CHECK(infos.empty());
        CHECK(last == -1);
        REQUIRE(db.WriteBatch({{0, f0}}, 0, {entries.begin(), entries.begin() + 4}));
        REQUIRE(db.WriteBatch({{1, f1}}, 1, {entries.begin() + 4, entries.end()}));
        // Rewriting an entry replaces it.
        entries[2].status = 0xff;
        REQUIRE(db.WriteBatch({}, 1, {entries[2]}));
    }
    std::string error;
    BlockTreeDB db(dir, CACHE, false, error);
    REQUIRE(db.IsOpen());
    std::map<Uint256, DiskBlockIndex> loaded;
    REQUIRE(db.LoadBlockIndex([&](const DiskBlockIndex& e) { loaded[e.header.GetHash()] = e; }));
    REQUIRE(loaded.size() == entries.size());
    for (const auto& e : entries) CheckSame(loaded.at(e.header.GetHash()), e);

    std::vector<BlockFileInfo> infos;
    int last = -5;
    REQUIRE(db.ReadFileInfo(infos, last));
    CHECK(last == 1);
    REQUIRE(infos.size() == 2);
    CHECK(SerializeToBytes(infos[0]) == SerializeToBytes(f0));
    CHECK(SerializeToBytes(infos[1]) == SerializeToBytes(f1));
}

TEST_CASE("BlockTreeDB reports missing file info up to the last file as corruption", "[storage]")
{
    TempDir tmp;
    std::string error;
    BlockTreeDB db(tmp.Path() / "index", CACHE, false, error);
    REQUIRE(db.IsOpen());
    REQUIRE(db.WriteBatch({{0, BlockFileInfo{}}}, 2, {}));
    std::vector<BlockFileInfo> infos;
    int last = 0;
    CHECK_FALSE(db.ReadFileInfo(infos, last));
}

TEST_CASE("BlockTreeDB stores the reindexing flag and named flags", "[storage]")
{
    TempDir tmp;
    const auto dir = tmp.Path() / "index";
    bool flag = false;
    {
        std::string error;
        BlockTreeDB db(dir, CACHE, false, error);
        REQUIRE(db.IsOpen());
        CHECK(db.ReadReindexing() == node::ReadStatus::ABSENT);
        CHECK(db.ReadFlag("txindex", flag) == node::ReadStatus::ABSENT);
        REQUIRE(db.WriteReindexing(true));
        REQUIRE(db.WriteFlag("txindex", true));
        REQUIRE(db.WriteFlag("prunedblockfiles", false));
    }
    {
        std::string error;
        BlockTreeDB db(dir, CACHE, false, error);
        CHECK(db.ReadReindexing() == node::ReadStatus::FOUND);
        CHECK((db.ReadFlag("txindex", flag) == node::ReadStatus::FOUND && flag));
        CHECK((db.ReadFlag("prunedblockfiles", flag) == node::ReadStatus::FOUND && !flag));
        REQUIRE(db.WriteReindexing(false));
        CHECK(db.ReadReindexing() == node::ReadStatus::ABSENT);
    }
    std::string error;
    BlockTreeDB db(dir, CACHE, true, error); // wiped
    REQUIRE(db.IsOpen());
    CHECK(db.ReadFlag("txindex", flag) == node::ReadStatus::ABSENT);
}

TEST_CASE("TxIndex finds a block's transactions after WriteBlock and forgets them after EraseBlock", "[storage]")
{
    TempDir tmp;
    BlockStore store(tmp.Path() / "blocks", MAGIC);
    TxIndex index;
    std::string error;
    REQUIRE(index.Open(tmp.Path() / "indexes" / "txindex", false, error));
    CHECK(index.GetBestLocator().empty());

    const Block a = TestBlock(TestHash(1), 1, 3);
    const Block b = TestBlock(a.GetHash(), 2, 5);
    const auto pa = *store.WriteBlock(a, 1);
    const auto pb = *store.WriteBlock(b, 2);
    REQUIRE(index.WriteBlock(a, pa, {a.GetHash()}));
    REQUIRE(index.WriteBlock(b, pb, {b.GetHash(), a.GetHash()}));
    CHECK(index.GetBestLocator() == node::BlockLocator{b.GetHash(), a.GetHash()});

    for (const auto* block : {&a, &b}) {
        for (const auto& tx : block->vtx) {
            const auto entry = FindEntry(index, tx->GetTxid());
            REQUIRE(entry);
            CHECK(entry->block_pos == (block == &a ? pa : pb));
            const auto read = store.ReadTransaction(entry->block_pos, entry->tx_offset);
            REQUIRE(read);
            CHECK(read->GetWtxid() == tx->GetWtxid());
        }
    }
    CHECK_FALSE(FindEntry(index, TestHash(77)));

    REQUIRE(index.EraseBlock(b));
    CHECK(index.GetBestLocator() == node::BlockLocator{a.GetHash()});
    for (const auto& tx : b.vtx) CHECK_FALSE(FindEntry(index, tx->GetTxid()));
    CHECK(FindEntry(index, a.vtx[1]->GetTxid()));

    REQUIRE(index.SetBestLocator({TestHash(5), TestHash(4), TestHash(3)}));
    CHECK(index.GetBestLocator() == node::BlockLocator{TestHash(5), TestHash(4), TestHash(3)});
}

TEST_CASE("TxIndex keeps its entries across a reopen and empties on wipe", "[storage]")
{
    TempDir tmp;
    const auto dir = tmp.Path() / "indexes" / "txindex";
    const Block a = TestBlock(TestHash(1), 1, 2);
    {
        TxIndex index;
        std::string error;
        REQUIRE(index.Open(dir, false, error));
        REQUIRE(index.WriteBlock(a, FlatFilePos{3, 1000}, {a.GetHash()}));
    }
    {
        TxIndex index;
        std::string error;
        REQUIRE(index.Open(dir, false, error));
        const auto entry = FindEntry(index, a.vtx[2]->GetTxid());
        REQUIRE(entry);
        CHECK(entry->block_pos == FlatFilePos{3, 1000});
        CHECK(entry->tx_offset == 80 + 1 + a.vtx[0]->GetTotalSize() + a.vtx[1]->GetTotalSize());
        CHECK(index.GetBestLocator() == node::BlockLocator{a.GetHash()});
    }
    TxIndex index;
    std::string error;
    REQUIRE(index.Open(dir, true, error));
    CHECK_FALSE(FindEntry(index, a.vtx[0]->GetTxid()));
    CHECK(index.GetBestLocator().empty());
}
