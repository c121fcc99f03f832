// BIP-152 reconstruction (node/p2p/partial_block.h) and the compact relay state
// (node/p2p/compact_relay.h): all transactions at hand, missing ones filled from a blocktxn,
// short id collisions, a reconstruction that does not match the merkle root, hostile
// cmpctblocks, the high-bandwidth choice, several partial blocks per peer; real mainnet blocks
// where they have transactions.
#include "node/p2p/compact_relay.h"
#include "node/p2p/partial_block.h"

#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/serialize.h"
#include "vectors.h"

#include <catch2/catch.hpp>

#include <array>
#include <iostream>

using namespace node::p2p;

namespace {

/** A transaction without witness, distinct per tag. */
consensus::TransactionRef MakeTx(uint32_t tag)
{
    consensus::MutableTransaction mtx;
    consensus::TxIn in;
    in.prevout = consensus::OutPoint(consensus::Uint256::ONE, tag);
    in.script_sig = consensus::Script(std::vector<uint8_t>{0x51});
    mtx.vin.push_back(in);
    mtx.vout.emplace_back(consensus::Amount(1000 + tag), consensus::Script(std::vector<uint8_t>{0x51}));
    return consensus::MakeTransactionRef(mtx);
}

/** A block of a coinbase and n other transactions, its merkle root right (no proof of work needed here). */
consensus::Block MakeBlock(uint32_t n)
{
    consensus::Block block;
    consensus::MutableTransaction cb;
    consensus::TxIn in;
    in.script_sig = consensus::Script(std::vector<uint8_t>{0x01, 0x02});
    cb.vin.push_back(in);
    cb.vout.emplace_back(consensus::Amount(50), consensus::Script(std::vector<uint8_t>{0x51}));
    block.vtx.push_back(consensus::MakeTransactionRef(cb));
    for (uint32_t i = 1; i <= n; ++i) block.vtx.push_back(MakeTx(i));
    block.version = 4;
    block.time = 1'700'000'000;
    block.bits = 0x207fffff;
    block.merkle_root = consensus::BlockMerkleRoot(block);
    return block;
}

/** A TxSource over a list (what a mempool would offer). */
struct ListSource final : TxSource {
    std::vector<consensus::TransactionRef> txs;
    void ForEachTx(const std::function<void(const consensus::TransactionRef&)>& visit) const override
    {
        for (const auto& tx : txs) visit(tx);
    }
};

ReadStatus Init(PartialBlock& p, const net::HeaderAndShortIDs& cmpct, const TxSource& source)
{
    const std::array<const TxSource*, 1> sources{&source};
    return p.Init(cmpct, sources);
}

/** The block re-encoded from a decoded copy of its cmpctblock (the wire round trip). */
net::HeaderAndShortIDs OverTheWire(const net::HeaderAndShortIDs& c)
{
    const auto bytes = consensus::SerializeToBytes(c);
    consensus::ByteReader r(bytes);
    return net::HeaderAndShortIDs::Deserialize(r);
}

} // namespace

TEST_CASE("A compact block whose transactions are all at hand is rebuilt whole", "[node]")
{
    const consensus::Block block = MakeBlock(20);
    const auto cmpct = OverTheWire(BuildCompactBlock(block, 42));
    REQUIRE(cmpct.prefilled.size() == 1);
    REQUIRE(cmpct.short_ids.size() == 20);
    ListSource pool;
    // The source holds them in another order, with strangers.
    for (size_t i = block.vtx.size() - 1; i >= 1; --i) pool.txs.push_back(block.vtx[i]);
    for (uint32_t i = 100; i < 110; ++i) pool.txs.push_back(MakeTx(i));
    PartialBlock p;
    REQUIRE(Init(p, cmpct, pool) == ReadStatus::OK);
    CHECK(p.FromSources() == 20);
    CHECK(p.MissingIndexes().empty());
    consensus::Block out;
    REQUIRE(p.Fill(out, {}, false) == ReadStatus::OK);
    CHECK(out.GetHash() == block.GetHash());
    CHECK(consensus::SerializeToBytes(out) == consensus::SerializeToBytes(block));
}

TEST_CASE("Missing transactions are asked for by index and filled from blocktxn", "[node]")
{
    const consensus::Block block = MakeBlock(10);
    const auto cmpct = BuildCompactBlock(block, 7);
    ExtraTxns extra(100);
    for (size_t i = 1; i < block.vtx.size(); i += 2) extra.Add(block.vtx[i]); // 1, 3, 5, 7, 9
    extra.Add(block.vtx[0]);                                                  // coinbases are not kept
    CHECK(extra.Size() == 5);
    PartialBlock p;
    REQUIRE(Init(p, cmpct, extra) == ReadStatus::OK);
    const std::vector<uint16_t> want{2, 4, 6, 8, 10};
    REQUIRE(p.MissingIndexes() == want);
    std::vector<consensus::TransactionRef> answer;
    for (uint16_t i : want) answer.push_back(block.vtx[i]);
    consensus::Block out;
    REQUIRE(p.Fill(out, answer, false) == ReadStatus::OK);
    CHECK(out.GetHash() == block.GetHash());
    CHECK(out.vtx.size() == block.vtx.size());
    for (size_t i = 0; i < out.vtx.size(); ++i) CHECK(out.vtx[i]->GetWtxid() == block.vtx[i]->GetWtxid());

    // Too few or too many transactions in the answer: the peer's fault.
    auto fewer = answer;
    fewer.pop_back();
    CHECK(p.Fill(out, fewer, false) == ReadStatus::INVALID);
    auto more = answer;
    more.push_back(MakeTx(99));
    CHECK(p.Fill(out, more, false) == ReadStatus::INVALID);
}

TEST_CASE("A reconstruction that misses the merkle root asks for the full block, not a punishment", "[node]")
{
    const consensus::Block block = MakeBlock(6);
    const auto cmpct = BuildCompactBlock(block, 9);
    ListSource none;
    PartialBlock p;
    REQUIRE(Init(p, cmpct, none) == ReadStatus::OK);
    REQUIRE(p.MissingIndexes().size() == 6);
    std::vector<consensus::TransactionRef> answer(block.vtx.begin() + 1, block.vtx.end());
    answer[3] = MakeTx(77); // the wrong transaction in one slot
    consensus::Block out;
    CHECK(p.Fill(out, answer, false) == ReadStatus::FAILED);
    // The CVE-2012-2459 shape: the last transaction twice keeps the root but is malleated.
    const consensus::Block odd = MakeBlock(2); // 3 transactions: the tree duplicates the last
    auto dup = BuildCompactBlock(odd, 3);
    dup.short_ids.push_back(dup.short_ids.back()); // 4 slots: coinbase, a, b, b
    PartialBlock q;
    const std::array<const TxSource*, 1> sources{&none};
    // Equal short ids are themselves a collision: the full block.
    CHECK(q.Init(dup, sources) == ReadStatus::FAILED);
    // Filled by hand instead (ids differ), the duplicated tail is caught after reconstruction.
    auto dup2 = BuildCompactBlock(odd, 3);
    dup2.short_ids.push_back(dup2.short_ids.back() ^ 1);
    PartialBlock r;
    REQUIRE(r.Init(dup2, sources) == ReadStatus::OK);
    CHECK(r.Fill(out, {odd.vtx[1], odd.vtx[2], odd.vtx[2]}, false) == ReadStatus::FAILED);
    CHECK(r.Fill(out, {odd.vtx[1], odd.vtx[2]}, false) == ReadStatus::INVALID);
}

TEST_CASE("Short id collisions fall back to the full block or to a request", "[node]")
{
    const consensus::Block block = MakeBlock(4);
    auto cmpct = BuildCompactBlock(block, 5);
    ListSource pool;
    pool.txs.assign(block.vtx.begin() + 1, block.vtx.end());
    SECTION("two equal ids in the cmpctblock: FAILED")
    {
        cmpct.short_ids[2] = cmpct.short_ids[0];
        PartialBlock p;
        CHECK(Init(p, cmpct, pool) == ReadStatus::FAILED);
    }
    SECTION("a source transaction with a colliding id matches the wrong one: FAILED after Fill")
    {
        // Slot 2's id now names transaction 9 of the pool: a short id collision in effect.
        const auto keys = net::ShortIdKeys(cmpct.header, cmpct.nonce);
        const auto stranger = MakeTx(9);
        cmpct.short_ids[1] = net::ShortTxId(keys, stranger->GetWtxid());
        pool.txs.push_back(stranger);
        PartialBlock p;
        REQUIRE(Init(p, cmpct, pool) == ReadStatus::OK);
        CHECK(p.MissingIndexes().empty());
        consensus::Block out;
        CHECK(p.Fill(out, {}, false) == ReadStatus::FAILED);
    }
    SECTION("the same transaction offered twice (two sources) is no collision")
    {
        ListSource twice;
        twice.txs = {block.vtx[2]};
        const std::array<const TxSource*, 2> sources{&twice, &twice};
        PartialBlock p;
        REQUIRE(p.Init(cmpct, sources) == ReadStatus::OK);
        CHECK(p.IsTxAvailable(2));
        CHECK(p.FromSources() == 1);
        CHECK(p.MissingIndexes() == std::vector<uint16_t>{1, 3, 4});
    }
}

TEST_CASE("Hostile cmpctblocks are invalid", "[node]")
{
    const consensus::Block block = MakeBlock(3);
    ListSource none;
    SECTION("no transactions at all")
    {
        net::HeaderAndShortIDs empty;
        empty.header = block.Header();
        PartialBlock p;
        CHECK(Init(p, empty, none) == ReadStatus::INVALID);
    }
    SECTION("a prefilled index past the short ids")
    {
        auto c = BuildCompactBlock(block, 1);
        c.prefilled.push_back({10, block.vtx[1]});
        PartialBlock p;
        CHECK(Init(p, c, none) == ReadStatus::INVALID);
    }
    SECTION("a prefilled index at the very end is fine")
    {
        auto c = BuildCompactBlock(block, 1);
        c.short_ids.pop_back();
        c.prefilled.push_back({3, block.vtx[3]});
        PartialBlock p;
        REQUIRE(Init(p, c, none) == ReadStatus::OK);
        CHECK(p.MissingIndexes() == std::vector<uint16_t>{1, 2});
        consensus::Block out;
        CHECK(p.Fill(out, {block.vtx[1], block.vtx[2]}, false) == ReadStatus::OK);
        CHECK(out.GetHash() == block.GetHash());
    }
    SECTION("a partial block is used once")
    {
        PartialBlock p;
        REQUIRE(Init(p, BuildCompactBlock(block, 1), none) == ReadStatus::OK);
        CHECK(Init(p, BuildCompactBlock(block, 1), none) == ReadStatus::INVALID);
    }
}

TEST_CASE("The extra transactions ring keeps the newest", "[node]")
{
    ExtraTxns extra(3);
    for (uint32_t i = 1; i <= 5; ++i) extra.Add(MakeTx(i));
    std::vector<consensus::Uint256> seen;
    extra.ForEachTx([&](const consensus::TransactionRef& tx) { seen.push_back(tx->GetWtxid()); });
    REQUIRE(seen.size() == 3);
    CHECK(seen[0] == MakeTx(3)->GetWtxid());
    CHECK(seen[2] == MakeTx(5)->GetWtxid());
}

TEST_CASE("High-bandwidth peers: three at most, the oldest demoted, the last outbound kept", "[node]")
{
    CompactRelay relay;
    for (net::NodeId id = 1; id <= 6; ++id) relay.AddPeer(id, id >= 3); // 1, 2 outbound
    // Only version 2 counts.
    relay.OnSendCmpct(1, true, 1);
    CHECK(!relay.ProvidesCompact(1));
    CHECK(relay.SelectHighBandwidth(1).empty());
    for (net::NodeId id = 1; id <= 6; ++id) relay.OnSendCmpct(id, id == 4, 2);
    CHECK(relay.HighBandwidthFrom(4));
    CHECK(!relay.HighBandwidthFrom(3));
    using Sends = std::vector<std::pair<net::NodeId, bool>>;
    CHECK(relay.SelectHighBandwidth(1) == Sends{{1, true}});
    CHECK(relay.SelectHighBandwidth(3) == Sends{{3, true}});
    CHECK(relay.SelectHighBandwidth(4) == Sends{{4, true}});
    CHECK(relay.SelectHighBandwidth(3).empty()); // already chosen: now the newest
    // An inbound newcomer: the oldest (1) is our only outbound one, so 4 goes instead.
    CHECK(relay.SelectHighBandwidth(5) == Sends{{4, false}, {5, true}});
    CHECK(relay.HighBandwidthTo(1));
    CHECK(!relay.HighBandwidthTo(4));
    // An outbound newcomer demotes the oldest, outbound or not.
    CHECK(relay.SelectHighBandwidth(2) == Sends{{1, false}, {2, true}});
    relay.RemovePeer(3);
    CHECK(!relay.HighBandwidthTo(3));
    CHECK(relay.SelectHighBandwidth(6) == Sends{{6, true}});
}

TEST_CASE("A peer's partial blocks: several at once, the oldest dropped past the bound, forgotten on arrival", "[node]")
{
    CompactRelay relay;
    relay.AddPeer(1, false);
    relay.AddPeer(2, false);
    std::vector<consensus::Block> blocks;
    for (uint32_t i = 0; i <= MAX_PARTIALS_PER_PEER + 1; ++i) {
        consensus::Block b = MakeBlock(2);
        b.time += i; // a block of its own
        blocks.push_back(b);
    }
    const auto hash = [&](size_t i) { return blocks[i].GetHash(); };
    // A block and its child from one peer: both wait for their blocktxn (Core keeps a partial
    // block with each block in flight; one per peer lost the first's answer).
    REQUIRE(relay.StartPartial(1, hash(0), BuildCompactBlock(blocks[0], 1)) == ReadStatus::OK);
    REQUIRE(relay.StartPartial(1, hash(1), BuildCompactBlock(blocks[1], 2)) == ReadStatus::OK);
    REQUIRE(relay.StartPartial(2, hash(0), BuildCompactBlock(blocks[0], 3)) == ReadStatus::OK);
    const PartialBlock* first = relay.Partial(1, hash(0));
    REQUIRE(first != nullptr);
    CHECK(first->MissingIndexes() == std::vector<uint16_t>{1, 2});
    consensus::Block out;
    REQUIRE(first->Fill(out, {blocks[0].vtx[1], blocks[0].vtx[2]}, false) == ReadStatus::OK);
    CHECK(out.GetHash() == hash(0));
    CHECK(relay.Partial(1, hash(1)) != nullptr);
    CHECK(relay.PartialCount(1) == 2);
    // Done with one: the other stays.
    relay.ErasePartial(1, hash(0));
    CHECK(relay.Partial(1, hash(0)) == nullptr);
    CHECK(relay.Partial(1, hash(1)) != nullptr);
    CHECK(relay.Partial(2, hash(0)) != nullptr);
    // The block arrived another way: no peer's reconstruction of it is kept.
    relay.ForgetBlock(hash(0));
    CHECK(relay.Partial(2, hash(0)) == nullptr);
    CHECK(relay.PartialCount(1) == 1);
    // Bounded: past MAX_PARTIALS_PER_PEER the oldest goes.
    for (size_t i = 2; i <= MAX_PARTIALS_PER_PEER + 1; ++i)
        REQUIRE(relay.StartPartial(1, hash(i), BuildCompactBlock(blocks[i], i)) == ReadStatus::OK);
    CHECK(relay.PartialCount(1) == MAX_PARTIALS_PER_PEER);
    CHECK(relay.Partial(1, hash(1)) == nullptr);
    CHECK(relay.Partial(1, hash(2)) != nullptr);
    CHECK(relay.Partial(1, hash(MAX_PARTIALS_PER_PEER + 1)) != nullptr);
    relay.RemovePeer(1);
    CHECK(relay.PartialCount(1) == 0);
}

TEST_CASE("A block rebuilt whole without a partial block: only if every transaction is at hand", "[node]")
{
    CompactRelay relay;
    relay.AddPeer(1, false);
    const consensus::Block block = MakeBlock(5);
    const auto cmpct = BuildCompactBlock(block, 9);
    consensus::Block out;
    CHECK(relay.RebuildWhole(cmpct, out, false) == ReadStatus::FAILED); // nothing at hand
    ListSource pool;
    for (size_t i = 1; i < block.vtx.size() - 1; ++i) pool.txs.push_back(block.vtx[i]);
    relay.SetTxSource(&pool);
    CHECK(relay.RebuildWhole(cmpct, out, false) == ReadStatus::FAILED); // one missing
    pool.txs.push_back(block.vtx.back());
    REQUIRE(relay.RebuildWhole(cmpct, out, false) == ReadStatus::OK);
    CHECK(out.GetHash() == block.GetHash());
    CHECK(consensus::SerializeToBytes(out) == consensus::SerializeToBytes(block));
    CHECK(relay.PartialCount(1) == 0); // nothing kept
}

TEST_CASE("Real mainnet blocks with transactions rebuild from cmpctblocks", "[node][vectors]")
{
    REQUIRE_VECTOR(path, "mainnet/blocks1-256.bz2");
    const auto raw = testutil::SplitBlkFile(testutil::ReadBz2File(path),
                                            consensus::Params(consensus::ChainType::MAIN).message_start);
    size_t rebuilt = 0, with_txs = 0;
    for (const auto& bytes : raw) {
        consensus::ByteReader r(bytes);
        const consensus::Block block = consensus::Block::Deserialize(r);
        const auto cmpct = OverTheWire(BuildCompactBlock(block, 0x1122334455667788ULL));
        // From nothing: every transaction but the coinbase asked for, then filled.
        ListSource none;
        PartialBlock p;
        REQUIRE(Init(p, cmpct, none) == ReadStatus::OK);
        const auto missing = p.MissingIndexes();
        REQUIRE(missing.size() == block.vtx.size() - 1);
        std::vector<consensus::TransactionRef> answer;
        for (uint16_t i : missing) answer.push_back(block.vtx[i]);
        consensus::Block out;
        REQUIRE(p.Fill(out, answer, false) == ReadStatus::OK);
        REQUIRE(out.GetHash() == block.GetHash());
        REQUIRE(consensus::SerializeToBytes(out) == consensus::SerializeToBytes(block));
        if (block.vtx.size() > 1) {
            ++with_txs;
            // And from a source holding them all.
            ListSource all;
            all.txs.assign(block.vtx.begin() + 1, block.vtx.end());
            PartialBlock q;
            REQUIRE(Init(q, cmpct, all) == ReadStatus::OK);
            REQUIRE(q.MissingIndexes().empty());
            consensus::Block whole;
            REQUIRE(q.Fill(whole, {}, false) == ReadStatus::OK);
            REQUIRE(whole.GetHash() == block.GetHash());
        }
        ++rebuilt;
    }
    std::cout << "mainnet/blocks1-256.bz2: rebuilt " << rebuilt << " blocks from cmpctblocks, " << with_txs
              << " with transactions beside the coinbase" << std::endl;
    testutil::RequireCaseCount("mainnet/blocks1-256.bz2", 255, raw.size(), rebuilt);
    CHECK(with_txs > 0);
}
