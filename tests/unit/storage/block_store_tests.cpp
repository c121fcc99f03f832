// BlockStore: blk/rev flat files, rolling over to new files, undo checksums, and
// robustness against torn and corrupt records.
#include "consensus/hash.h"
#include "node/storage/block_store.h"
#include "storage_test_util.h"

#include <catch2/catch.hpp>

#include <fstream>

using namespace consensus;
using node::BlockFileInfo;
using node::BlockStore;
using node::BlockUndo;
using node::FlatFilePos;
using node::TxUndo;
using storage_test::BlockBytes;
using storage_test::TempDir;
using storage_test::TestBlock;
using storage_test::TestCoin;
using storage_test::TestHash;

namespace {

constexpr std::array<uint8_t, 4> MAGIC = {0xfa, 0xbf, 0xb5, 0xda};

/** Overwrites bytes of path at offset. */
void Patch(const std::filesystem::path& path, uint64_t offset, const std::vector<uint8_t>& bytes)
{
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(f);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void Append(const std::filesystem::path& path, const std::vector<uint8_t>& bytes)
{
    std::ofstream f(path, std::ios::app | std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> LE32(uint32_t v) { return {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)}; }

BlockUndo TestUndo(int n_tx)
{
    BlockUndo undo;
    for (int i = 0; i < n_tx; ++i) {
        TxUndo tu;
        for (int j = 0; j <= i; ++j) tu.prevouts.push_back(TestCoin(100 * (i + 1) + j, 10 + j, j == 0, uint8_t(i)));
        undo.txundo.push_back(tu);
    }
    return undo;
}

} // namespace

TEST_CASE("BlockStore writes and reads back many blocks across file rollovers", "[storage]")
{
    TempDir tmp;
    BlockStore store(tmp.Path() / "blocks", MAGIC, /*max_file_size=*/4000);
    std::vector<Block> blocks;
    std::vector<FlatFilePos> positions;
    Uint256 prev;
    for (uint32_t h = 0; h < 40; ++h) {
        blocks.push_back(TestBlock(prev, h, int(h % 5)));
        prev = blocks.back().GetHash();
        const auto pos = store.WriteBlock(blocks.back(), h);
        REQUIRE(pos);
        positions.push_back(*pos);
    }
    REQUIRE(store.Flush());
    CHECK(store.LastFile() > 1);
    CHECK(std::filesystem::exists(store.BlockFilePath(1)));
    CHECK(positions.front() == FlatFilePos{0, 8});

    const auto infos = store.GetFileInfo();
    REQUIRE(infos.size() == size_t(store.LastFile() + 1));
    uint32_t total_blocks = 0;
    for (size_t f = 0; f < infos.size(); ++f) {
        total_blocks += infos[f].blocks;
        CHECK(infos[f].size < 4000);
        CHECK(infos[f].size == std::filesystem::file_size(store.BlockFilePath(int(f))));
    }
    CHECK(total_blocks == 40);
    CHECK(infos[0].height_first == 0);
    CHECK(infos.back().height_last == 39);
    CHECK(infos.back().time_last == blocks.back().time);

    for (size_t i = 0; i < blocks.size(); ++i) {
        const auto raw = store.ReadRawBlock(positions[i]);
        REQUIRE(raw);
        CHECK(*raw == BlockBytes(blocks[i]));
        const auto block = store.ReadBlock(positions[i]);
        REQUIRE(block);
        CHECK(block->GetHash() == blocks[i].GetHash());
        CHECK(BlockBytes(*block) == BlockBytes(blocks[i]));
    }
    CHECK_FALSE(store.ReadBlock(FlatFilePos{}));
    CHECK_FALSE(store.ReadBlock(FlatFilePos{store.LastFile() + 5, 8}));

    // Every file touched is reported dirty once.
    const auto dirty = store.TakeDirtyFiles();
    CHECK(dirty.size() == infos.size());
    CHECK(store.TakeDirtyFiles().empty());
}

TEST_CASE("BlockStore continues after its bookkeeping is restored", "[storage]")
{
    TempDir tmp;
    std::vector<BlockFileInfo> infos;
    int last = 0;
    FlatFilePos first;
    const Block a = TestBlock(Uint256(), 1, 2);
    const Block b = TestBlock(a.GetHash(), 2, 3);
    {
        BlockStore store(tmp.Path() / "blocks", MAGIC);
        first = *store.WriteBlock(a, 1);
        REQUIRE(store.Flush());
        infos = store.GetFileInfo();
        last = store.LastFile();
    }
    BlockStore store(tmp.Path() / "blocks", MAGIC);
    store.LoadFileInfo(infos, last);
    const auto second = store.WriteBlock(b, 2);
    REQUIRE(second);
    CHECK(second->pos == infos[0].size + 8);
    CHECK(store.ReadBlock(first)->GetHash() == a.GetHash());
    CHECK(store.ReadBlock(*second)->GetHash() == b.GetHash());
    CHECK(store.GetFileInfo()[0].blocks == 2);
}

TEST_CASE("BlockStore round-trips undo data and detects a checksum mismatch", "[storage]")
{
    TempDir tmp;
    BlockStore store(tmp.Path() / "blocks", MAGIC);
    const Block block = TestBlock(TestHash(1), 5, 3);
    const auto bpos = store.WriteBlock(block, 5);
    REQUIRE(bpos);
    const BlockUndo undo = TestUndo(3);
    const auto upos = store.WriteUndo(undo, bpos->file, block.prev_block);
    REQUIRE(upos);
    const auto upos2 = store.WriteUndo(TestUndo(1), bpos->file, TestHash(2));
    REQUIRE(upos2);
    REQUIRE(store.Flush());
    CHECK(store.GetFileInfo()[0].undo_size == std::filesystem::file_size(store.UndoFilePath(0)));

    const auto back = store.ReadUndo(*upos, block.prev_block);
    REQUIRE(back);
    CHECK(SerializeToBytes(*back) == SerializeToBytes(undo));
    REQUIRE(back->txundo.size() == 3);
    CHECK(back->txundo[2].prevouts[1] == undo.txundo[2].prevouts[1]);
    CHECK(store.ReadUndo(*upos2, TestHash(2)));

    // Wrong previous block hash, then a flipped byte inside the data.
    CHECK_FALSE(store.ReadUndo(*upos, TestHash(3)));
    Patch(store.UndoFilePath(0), upos->pos + 5, {0xee});
    CHECK_FALSE(store.ReadUndo(*upos, block.prev_block));
    CHECK(store.ReadUndo(*upos2, TestHash(2)));
    CHECK_FALSE(store.WriteUndo(undo, 7, block.prev_block));
}

TEST_CASE("A torn record at the end of a block file does not affect earlier records", "[storage]")
{
    TempDir tmp;
    std::vector<BlockFileInfo> infos;
    std::vector<FlatFilePos> pos;
    std::vector<Block> blocks;
    {
        BlockStore store(tmp.Path() / "blocks", MAGIC);
        for (uint32_t h = 0; h < 3; ++h) {
            blocks.push_back(TestBlock(TestHash(uint8_t(h)), h, 2));
            pos.push_back(*store.WriteBlock(blocks.back(), h));
        }
        REQUIRE(store.Flush());
        infos = store.GetFileInfo();
        // A crash mid-write: the header of a big record and a few of its bytes.
        std::vector<uint8_t> torn(MAGIC.begin(), MAGIC.end());
        const auto len = LE32(5000);
        torn.insert(torn.end(), len.begin(), len.end());
        torn.insert(torn.end(), 40, 0xab);
        Append(store.BlockFilePath(0), torn);
        // The torn record itself is rejected.
        CHECK_FALSE(store.ReadBlock(FlatFilePos{0, infos[0].size + 8}));
        for (size_t i = 0; i < blocks.size(); ++i) CHECK(store.ReadBlock(pos[i])->GetHash() == blocks[i].GetHash());
    }
    // After a restart from the committed bookkeeping, the next block overwrites the torn bytes.
    BlockStore store(tmp.Path() / "blocks", MAGIC);
    store.LoadFileInfo(infos, 0);
    const Block next = TestBlock(TestHash(9), 3, 1);
    const auto npos = store.WriteBlock(next, 3);
    REQUIRE(npos);
    CHECK(npos->pos == infos[0].size + 8);
    CHECK(store.ReadBlock(*npos)->GetHash() == next.GetHash());
    for (size_t i = 0; i < blocks.size(); ++i) CHECK(store.ReadBlock(pos[i])->GetHash() == blocks[i].GetHash());
}

TEST_CASE("BlockStore rejects garbage lengths, a wrong magic and undecodable blocks", "[storage]")
{
    TempDir tmp;
    BlockStore store(tmp.Path() / "blocks", MAGIC);
    const Block a = TestBlock(TestHash(1), 1, 1);
    const Block b = TestBlock(TestHash(2), 2, 1);
    const auto pa = *store.WriteBlock(a, 1);
    const auto pb = *store.WriteBlock(b, 2);
    REQUIRE(store.Flush());
    const auto path = store.BlockFilePath(0);

    SECTION("a huge length is refused before any allocation")
    {
        Patch(path, pb.pos - 4, LE32(0xfffffff0));
        CHECK_FALSE(store.ReadRawBlock(pb));
        CHECK_FALSE(store.ReadBlock(pb));
    }
    SECTION("a plausible length past the end of the file is refused")
    {
        Patch(path, pb.pos - 4, LE32(3000000));
        CHECK_FALSE(store.ReadRawBlock(pb));
    }
    SECTION("a wrong magic is refused")
    {
        Patch(path, pb.pos - 8, {0, 0, 0, 0});
        CHECK_FALSE(store.ReadBlock(pb));
    }
    SECTION("a block that does not decode is refused")
    {
        // Claim a huge transaction count right after the header.
        Patch(path, pb.pos + 80, {0xfe, 0xff, 0xff, 0xff, 0x00});
        CHECK(store.ReadRawBlock(pb));
        CHECK_FALSE(store.ReadBlock(pb));
    }
    SECTION("a position inside a record is refused")
    {
        CHECK_FALSE(store.ReadBlock(FlatFilePos{0, pa.pos + 3}));
        CHECK_FALSE(store.ReadBlock(FlatFilePos{0, 4}));
    }
    // The untouched first block still reads.
    CHECK(store.ReadBlock(pa)->GetHash() == a.GetHash());
}

TEST_CASE("BlockStore reads a single transaction at its offset in the block", "[storage]")
{
    TempDir tmp;
    BlockStore store(tmp.Path() / "blocks", MAGIC);
    const Block block = TestBlock(TestHash(1), 1, 4);
    const auto pos = *store.WriteBlock(block, 1);
    uint32_t offset = 80 + 1;
    for (const auto& tx : block.vtx) {
        const auto read = store.ReadTransaction(pos, offset);
        REQUIRE(read);
        CHECK(read->GetWtxid() == tx->GetWtxid());
        offset += uint32_t(tx->GetTotalSize());
    }
    CHECK_FALSE(store.ReadTransaction(pos, offset));
    CHECK_FALSE(store.ReadTransaction(pos, 10));
}

TEST_CASE("BlockFileInfo serializes its fields and tracks height and time ranges", "[storage]")
{
    BlockFileInfo info;
    info.AddBlock(10, 5000);
    info.AddBlock(8, 6000);
    info.AddBlock(12, 4000);
    info.size = 1234;
    info.undo_size = 567;
    CHECK(info.blocks == 3);
    CHECK(info.height_first == 8);
    CHECK(info.height_last == 12);
    CHECK(info.time_first == 4000);
    CHECK(info.time_last == 6000);
    const auto bytes = SerializeToBytes(info);
    CHECK(bytes.size() == 5 * 4 + 2 * 8);
    ByteReader r(bytes);
    const auto back = BlockFileInfo::Deserialize(r);
    CHECK(r.Empty());
    CHECK(SerializeToBytes(back) == bytes);
    CHECK(back.size == 1234);
    CHECK(back.time_first == 4000);
}
