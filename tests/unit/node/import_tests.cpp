// Block files in (-loadblock and -reindex, node/chain/import.cpp): the record reader, the
// bookkeeping of blocks that come before their parent, and whole imports of mainnet blocks
// 1-255 (shared vectors) in shuffled orders, with duplicates, garbage, a truncated last
// record and a missing parent, compared by tip and UTXO set hash with the ordered import.
#include "chain_builder.h"
#include "vectors.h"

#include "consensus/params.h"
#include "node/chain/block_file_reader.h"
#include "util/logging.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <ostream>
#include <random>
#include <sstream>

using namespace consensus;
using node::chain::BlockFileReader;
using node::chain::BlockRecordPos;
using node::chain::BlocksWithUnknownParent;
using node::chain::Chainstate;

namespace {

using Bytes = std::vector<uint8_t>;

const std::array<uint8_t, 4>& MainMagic() { return Params(ChainType::MAIN).message_start; }

/** magic, LE32 length, payload. */
Bytes Frame(const Bytes& payload, const std::array<uint8_t, 4>& magic = MainMagic())
{
    Bytes out(magic.begin(), magic.end());
    const auto n = static_cast<uint32_t>(payload.size());
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(n >> (8 * i)));
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

void Append(Bytes& to, const Bytes& what) { to.insert(to.end(), what.begin(), what.end()); }

/** A payload of n bytes, all equal to fill. */
Bytes Payload(size_t n, uint8_t fill) { return Bytes(n, fill); }

std::vector<node::chain::BlockFileRecord> ReadAll(const Bytes& file, bool* truncated = nullptr)
{
    std::istringstream in(std::string(file.begin(), file.end()));
    BlockFileReader reader(in, MainMagic());
    std::vector<node::chain::BlockFileRecord> out;
    while (auto rec = reader.Next()) out.push_back(std::move(*rec));
    if (truncated) *truncated = reader.Truncated();
    return out;
}

/** Blocks 0..255 of mainnet: the genesis block, then the shared vector file's 255 blocks (split without the reader under test). */
std::optional<std::vector<Bytes>> MainnetBlocks()
{
    auto path = testutil::VectorFile("mainnet/blocks1-256.bz2");
    if (!path) return std::nullopt;
    std::vector<Bytes> blocks{SerializeToBytes(Params(ChainType::MAIN).genesis)};
    for (auto& b : testutil::SplitBlkFile(testutil::ReadBz2File(*path), MainMagic())) blocks.push_back(std::move(b));
    testutil::RequireCaseCount("mainnet/blocks1-256.bz2", 255, blocks.size() - 1, blocks.size() - 1);
    return blocks;
}

/** The heights 1..255 (without the genesis block) in order. */
std::vector<size_t> Ordered()
{
    std::vector<size_t> order(255);
    for (size_t i = 0; i < order.size(); ++i) order[i] = i + 1;
    return order;
}

std::vector<size_t> Shuffled(uint32_t seed, bool with_genesis = false)
{
    std::vector<size_t> order = Ordered();
    if (with_genesis) order.insert(order.begin(), 0);
    std::mt19937 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    return order;
}

/** A blk file of the blocks in order. */
Bytes BlkFile(const std::vector<Bytes>& blocks, const std::vector<size_t>& order)
{
    Bytes out;
    for (size_t h : order) Append(out, Frame(blocks[h]));
    return out;
}

void WriteFile(const std::filesystem::path& path, const Bytes& data)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    REQUIRE(out.good());
}

std::unique_ptr<Chainstate> OpenMainnet(const std::filesystem::path& dir, bool reindex = false)
{
    std::string error;
    auto cs = testutil::TryOpenRegtestChainstate(
        dir,
        [&](node::chain::ChainstateOptions& o) {
            o.params = &Params(ChainType::MAIN);
            o.reindex = reindex;
            o.dbcache_bytes = 16u << 20;
        },
        error);
    INFO(error);
    REQUIRE(cs);
    return cs;
}

/** What an import ended with. */
struct Outcome {
    int height{-1};
    Uint256 tip;
    Uint256 utxo_hash;
    bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o)
{
    return os << "height " << o.height << " tip " << o.tip.GetHex() << " utxo " << o.utxo_hash.GetHex();
}

Outcome Describe(Chainstate& cs)
{
    Outcome o;
    o.height = cs.Height();
    REQUIRE(cs.Tip());
    o.tip = cs.Tip()->GetBlockHash();
    const auto stats = cs.GetUtxoStats();
    REQUIRE(stats);
    o.utxo_hash = stats->hash_serialized;
    return o;
}

/** -loadblock of file into a new mainnet chainstate. */
Outcome LoadBlock(const Bytes& file)
{
    testutil::TempDir dir;
    WriteFile(dir.Path() / "import.dat", file);
    auto cs = OpenMainnet(dir.Path() / "data");
    const std::atomic<bool> stop{false};
    cs->ImportBlocks({dir.Path() / "import.dat"}, stop);
    return Describe(*cs);
}

/**
 * -reindex of a datadir whose blocks/ holds files (blk00000.dat, ...): the block index and
 * chainstate are rebuilt from them. Then checks that the result survives a plain restart
 * and that the undo data written on the way disconnects the whole chain and back.
 */
Outcome Reindex(const std::vector<Bytes>& files)
{
    testutil::TempDir dir;
    const auto data = dir.Path() / "data";
    std::filesystem::create_directories(data / "blocks");
    for (size_t i = 0; i < files.size(); ++i) {
        char name[32];
        std::snprintf(name, sizeof(name), "blk%05zu.dat", i);
        WriteFile(data / "blocks" / name, files[i]);
    }
    const std::atomic<bool> stop{false};
    Outcome out;
    {
        auto cs = OpenMainnet(data, /*reindex=*/true);
        cs->ImportBlocks({}, stop);
        out = Describe(*cs);
    }
    auto cs = OpenMainnet(data);
    CHECK(Describe(*cs) == out);
    if (out.height > 0) {
        // Every block's undo data reads back (checksummed): disconnect down to the genesis block.
        const auto* first = cs->AtHeight(1);
        REQUIRE(first);
        const Uint256 first_hash = first->GetBlockHash();
        REQUIRE(cs->InvalidateBlock(first_hash).IsValid());
        CHECK(cs->Height() == 0);
        const auto stats = cs->GetUtxoStats();
        REQUIRE(stats);
        CHECK(stats->txouts == 0);
        REQUIRE(cs->ReconsiderBlock(first_hash).IsValid());
        CHECK(Describe(*cs) == out);
    }
    return out;
}

/** Captures debug.log lines while alive. */
class LogCapture {
public:
    LogCapture()
    {
        std::string error;
        REQUIRE(util::GetLogger().OpenDebugLog(m_dir.Path() / "debug.log", error));
    }
    ~LogCapture() { util::GetLogger().Close(); }
    std::string Text() const { return testutil::ReadFile(m_dir.Path() / "debug.log"); }

private:
    testutil::TempDir m_dir;
};

} // namespace

TEST_CASE("BlockFileReader skips padding and garbage, and a bad length does not hide the next record", "[node]")
{
    const Bytes a = Payload(80, 0x11), b = Payload(300, 0x22), c = Payload(81, 0x33);
    Bytes file(13, 0x00); // padding before the first record
    Append(file, Frame(a));
    Append(file, {0x01, 0xf9, 0xbe, 0xb4, 0x00, 0xf9}); // garbage with partial magics
    Append(file, Frame(b));
    // A magic with a length below a header, and one above the block size limit: not records.
    Append(file, Frame(Payload(79, 0x44)));
    Bytes huge = Frame({});
    huge[7] = 0x7f;
    Append(file, huge);
    Append(file, Frame(c));
    Append(file, Bytes(4096, 0x00)); // zero padding at the end, as Core's preallocated files

    bool truncated = true;
    const auto recs = ReadAll(file, &truncated);
    REQUIRE(recs.size() == 3);
    CHECK(recs[0].bytes == a);
    CHECK(recs[0].pos == 13 + 8);
    CHECK(recs[1].bytes == b);
    CHECK(recs[2].bytes == c);
    CHECK_FALSE(truncated);
    // Each position is where the payload sits in the file.
    for (const auto& r : recs) {
        CHECK(std::equal(r.bytes.begin(), r.bytes.end(), file.begin() + static_cast<std::ptrdiff_t>(r.pos)));
    }
}

TEST_CASE("BlockFileReader stops at a truncated last record and keeps the records before it", "[node]")
{
    const Bytes a = Payload(100, 0x11), b = Payload(200, 0x22);
    Bytes file = Frame(a);
    Append(file, Frame(b));
    SECTION("cut inside the payload") { file.resize(file.size() - 50); }
    SECTION("cut inside the length") { file.resize(file.size() - b.size() - 2); }
    bool truncated = false;
    const auto recs = ReadAll(file, &truncated);
    REQUIRE(recs.size() == 1);
    CHECK(recs[0].bytes == a);
}

TEST_CASE("BlockFileReader finds a record inside a bogus record that runs past the end", "[node]")
{
    // Garbage that looks like a record header promising 100000 bytes, then a real record.
    Bytes file = Frame(Payload(0, 0));
    file[5] = 0x86;
    file[6] = 0x01; // length 0x018600 = 99840
    const Bytes a = Payload(90, 0x5a);
    Append(file, Frame(a));
    bool truncated = false;
    const auto recs = ReadAll(file, &truncated);
    CHECK(truncated);
    REQUIRE(recs.size() == 1);
    CHECK(recs[0].bytes == a);
}

TEST_CASE("BlockFileReader reads a record again, and a rejected record is scanned inside", "[node]")
{
    const Bytes a = Payload(80, 0x11), c = Payload(120, 0x33);
    // b is not a block: inside it hides a whole record (as garbage may).
    Bytes b = Payload(10, 0x22);
    Append(b, Frame(c));
    Append(b, Payload(10, 0x22));
    Bytes file = Frame(a);
    Append(file, Frame(b));
    // Enough records that the reader's buffer refills between them.
    std::vector<Bytes> more;
    for (int i = 0; i < 300; ++i) {
        more.push_back(Payload(1000, static_cast<uint8_t>(i)));
        Append(file, Frame(more.back()));
    }
    std::istringstream in(std::string(file.begin(), file.end()));
    BlockFileReader reader(in, MainMagic());
    const auto r0 = reader.Next();
    REQUIRE(r0);
    const auto r1 = reader.Next();
    REQUIRE(r1);
    REQUIRE(r1->bytes == b);
    reader.Reject();
    const auto r2 = reader.Next();
    REQUIRE(r2);
    CHECK(r2->bytes == c);
    // Reading a record again in the middle of the scan does not move it.
    for (size_t i = 0; i < more.size(); ++i) {
        const auto r = reader.Next();
        REQUIRE(r);
        CHECK(r->bytes == more[i]);
        const auto again = reader.ReadAt(r0->pos);
        REQUIRE(again);
        CHECK(*again == a);
    }
    CHECK_FALSE(reader.Next());
    CHECK(reader.ReadAt(r2->pos) == c);
    CHECK_FALSE(reader.ReadAt(r2->pos + 1)); // not where a record starts
}

TEST_CASE("BlocksWithUnknownParent returns waiting blocks by parent, keeps duplicates once and is bounded", "[node]")
{
    Uint256 p1, p2, h1, h2, h3;
    p1.data()[0] = 1;
    p2.data()[0] = 2;
    h1.data()[0] = 11;
    h2.data()[0] = 12;
    h3.data()[0] = 13;
    BlocksWithUnknownParent waiting(3);
    CHECK(waiting.Add(p1, h1, {0, 100}));
    CHECK(waiting.Add(p2, h3, {1, 5}));
    CHECK(waiting.Add(p1, h2, {0, 200}));
    CHECK(waiting.Add(p1, h1, {0, 300})); // the same block again: kept once
    CHECK(waiting.Size() == 3);
    CHECK_FALSE(waiting.Add(p2, h2, {2, 0})); // full
    const auto children = waiting.TakeChildren(p1);
    REQUIRE(children.size() == 2);
    CHECK(children[0].hash == h1);
    CHECK(children[0].pos == BlockRecordPos{0, 100});
    CHECK(children[1].hash == h2);
    CHECK(waiting.TakeChildren(p1).empty());
    CHECK(waiting.Size() == 1);
    CHECK(waiting.Add(p2, h2, {2, 0}));
}

TEST_CASE("-loadblock of mainnet blocks 1-255 in shuffled orders reaches the same tip and UTXO set as in order",
          "[node][import]")
{
    const auto blocks = MainnetBlocks();
    if (!blocks) return;
    const Outcome ordered = LoadBlock(BlkFile(*blocks, Ordered()));
    REQUIRE(ordered.height == 255);
    for (uint32_t seed : {1u, 2u, 3u}) {
        INFO("seed " << seed);
        CHECK(LoadBlock(BlkFile(*blocks, Shuffled(seed))) == ordered);
    }
    // Fully reversed: every block but the first waits for its parent.
    auto reversed = Ordered();
    std::reverse(reversed.begin(), reversed.end());
    CHECK(LoadBlock(BlkFile(*blocks, reversed)) == ordered);
}

TEST_CASE("-reindex of mainnet blocks 0-255 shuffled over three blk files rebuilds the same tip and UTXO set",
          "[node][import]")
{
    const auto blocks = MainnetBlocks();
    if (!blocks) return;
    const Outcome ordered = LoadBlock(BlkFile(*blocks, Ordered()));
    std::vector<size_t> with_genesis = Ordered();
    with_genesis.insert(with_genesis.begin(), 0);
    SECTION("in order, one file") { CHECK(Reindex({BlkFile(*blocks, with_genesis)}) == ordered); }
    for (uint32_t seed : {1u, 2u, 3u}) {
        SECTION("shuffled with seed " + std::to_string(seed))
        {
            // Three files, so children in one file wait for parents from a later one.
            const auto order = Shuffled(seed, /*with_genesis=*/true);
            const std::vector<size_t> f0(order.begin(), order.begin() + 80),
                f1(order.begin() + 80, order.begin() + 170), f2(order.begin() + 170, order.end());
            Bytes padded = BlkFile(*blocks, f2);
            Append(padded, Bytes(1000, 0)); // Core's files end in zero padding
            CHECK(Reindex({BlkFile(*blocks, f0), BlkFile(*blocks, f1), padded}) == ordered);
        }
    }
}

TEST_CASE("Imports skip garbage between records, duplicates and a truncated last record", "[node][import]")
{
    const auto blocks = MainnetBlocks();
    if (!blocks) return;
    const Outcome ordered = LoadBlock(BlkFile(*blocks, Ordered()));
    const auto order = Shuffled(7, /*with_genesis=*/true);
    std::mt19937 rng(7);

    SECTION("garbage between records")
    {
        Bytes file;
        for (size_t h : order) {
            Bytes garbage(rng() % 40);
            for (auto& g : garbage) g = static_cast<uint8_t>(rng());
            if (h % 5 == 0) Append(garbage, Frame(Payload(81, 0xee))); // framed, but not a block
            // A magic whose length runs into the next record's magic: too long, so not a record.
            if (h % 7 == 0) Append(garbage, {0xf9, 0xbe, 0xb4, 0xd9, 1, 0, 0});
            Append(file, garbage);
            Append(file, Frame((*blocks)[h]));
        }
        CHECK(LoadBlock(file) == ordered);
        CHECK(Reindex({file}) == ordered);
    }
    SECTION("every block twice, the copies shuffled too")
    {
        auto twice = order;
        const auto again = Shuffled(8, /*with_genesis=*/true);
        twice.insert(twice.end(), again.begin(), again.end());
        std::shuffle(twice.begin(), twice.end(), rng);
        const Bytes file = BlkFile(*blocks, twice);
        CHECK(LoadBlock(file) == ordered);
        CHECK(Reindex({file}) == ordered);
    }
    SECTION("a truncated last record")
    {
        // Height 255 last, cut in half: everything below it imports.
        std::vector<size_t> without_last(order);
        without_last.erase(std::find(without_last.begin(), without_last.end(), size_t{255}));
        Bytes file = BlkFile(*blocks, without_last);
        Bytes last = Frame((*blocks)[255]);
        last.resize(last.size() / 2);
        Append(file, last);
        LogCapture log;
        const Outcome loaded = LoadBlock(file);
        CHECK(loaded.height == 254);
        ByteReader r((*blocks)[254]);
        CHECK(loaded.tip == Block::Deserialize(r).GetHash());
        CHECK(Reindex({file}).height == 254);
        CHECK(log.Text().find("ends inside a block record") != std::string::npos);
    }
}

TEST_CASE("A block whose parent never comes is reported, and the chain stops below it", "[node][import]")
{
    const auto blocks = MainnetBlocks();
    if (!blocks) return;
    // Heights 1-255 shuffled, without height 100: 101-255 never connect.
    auto order = Shuffled(11);
    order.erase(std::find(order.begin(), order.end(), size_t{100}));
    const Bytes file = BlkFile(*blocks, order);
    LogCapture log;
    const Outcome loaded = LoadBlock(file);
    CHECK(loaded.height == 99);
    // 101 waits for 100, and each of 102-255 for a block that waits itself.
    CHECK(log.Text().find("155 blocks from ") != std::string::npos);
    CHECK(log.Text().find("were not imported: their parent was not found") != std::string::npos);
}
