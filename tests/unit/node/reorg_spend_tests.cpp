// Reorganisations whose blocks spend coins on both branches: chains of spends inside a
// block and across blocks, the same coin spent differently on each branch, switching back
// and forth, invalidateblock/reconsiderblock over spending blocks, and a switch that fails
// half-way. After each switch the UTXO set must equal that of a fresh chainstate that only
// ever saw the winning branch: DisconnectBlock must restore what a block spent and remove
// what it created.
#include "chain_builder.h"

#include <catch2/catch.hpp>

#include <map>

using namespace consensus;
using testutil::ChainBuilder;

namespace {

using Input = std::pair<OutPoint, Amount>;

/** A branch of blocks built on a fork point, each kept to replay into a fresh chainstate. */
class Branch {
public:
    Branch(ChainBuilder& b, std::vector<Block> prefix) : m_b(b), m_blocks(std::move(prefix)) {}

    /** Builds a block with txs on this branch's tip, submits it and REQUIREs it valid. */
    void Add(const std::vector<TransactionRef>& txs)
    {
        m_blocks.push_back(Build(txs));
        const ValidationResult r = m_b.Submit(m_blocks.back());
        INFO(r.ToString());
        REQUIRE(r.IsValid());
    }
    /** Builds a block with txs on this branch's tip, keeps it and submits it: the result. */
    ValidationResult Push(const std::vector<TransactionRef>& txs)
    {
        m_blocks.push_back(Build(txs));
        return m_b.Submit(m_blocks.back());
    }
    /** A block with txs on this branch's tip, not submitted nor kept. */
    Block Build(const std::vector<TransactionRef>& txs)
    {
        const auto* prev = m_b.Chain().LookupBlockIndex(m_blocks.back().GetHash());
        REQUIRE(prev);
        return m_b.MakeBlock(prev, txs);
    }
    Uint256 TipHash() const { return m_blocks.back().GetHash(); }
    const Block& At(size_t i) const { return m_blocks.at(i); }
    size_t Size() const { return m_blocks.size(); }
    const std::vector<Block>& Blocks() const { return m_blocks; }

private:
    ChainBuilder& m_b;
    std::vector<Block> m_blocks; // from height 1
};

/** The active blocks 1..tip of b. */
std::vector<Block> ActiveBlocks(ChainBuilder& b)
{
    std::vector<Block> blocks;
    for (int h = 1; h <= b.Chain().Height(); ++h) {
        auto blk = b.Chain().ReadBlock(b.Chain().AtHeight(h));
        REQUIRE(blk);
        blocks.push_back(std::move(*blk));
    }
    return blocks;
}

/**
 * REQUIREs b's tip is branch's tip and CHECKs that b's UTXO set (hash and count) equals that
 * of a fresh chainstate given only branch's blocks.
 */
void CheckMatchesFresh(ChainBuilder& b, const Branch& branch)
{
    REQUIRE(b.Chain().Tip()->GetBlockHash() == branch.TipHash());
    ChainBuilder fresh;
    for (const Block& blk : branch.Blocks()) {
        const ValidationResult r = fresh.Submit(blk);
        INFO(r.ToString());
        REQUIRE(r.IsValid());
    }
    REQUIRE(fresh.Chain().Tip()->GetBlockHash() == branch.TipHash());
    const auto ours = b.Chain().GetUtxoStats();
    const auto theirs = fresh.Chain().GetUtxoStats();
    REQUIRE(ours);
    REQUIRE(theirs);
    CHECK(ours->txouts == theirs->txouts);
    CHECK(ours->hash_serialized == theirs->hash_serialized);
}

Input Out(const TransactionRef& tx, uint32_t n) { return {OutPoint(tx->GetTxid(), n), tx->vout.at(n).value}; }

bool Have(ChainBuilder& b, const Input& in) { return b.Chain().GetTxOut(in.first).has_value(); }

} // namespace

TEST_CASE("Reorganisations between two spending branches leave the UTXO set of a chain that only saw the winner",
          "[node]")
{
    ChainBuilder b;
    b.MineBlocks(105);
    const std::vector<Block> prefix = ActiveBlocks(b);
    const Input cb1 = b.CoinbaseAt(1), cb2 = b.CoinbaseAt(2), cb3 = b.CoinbaseAt(3), cb5 = b.CoinbaseAt(5);
    const Amount half{cb1.second.sats / 2 - 1000};
    Branch a(b, prefix), bb(b, prefix);

    // Branch A, 3 blocks: cb1 split in two and one half spent again in the same block,
    // both results merged in the next block, and that spent in the third.
    const auto a1 = b.Spend({cb1}, {half, half});
    const auto a2 = b.Spend({Out(a1, 0)}, {half - Amount{1000}});
    const auto a3 = b.Spend({cb2}, {cb2.second - Amount{5000}});
    a.Add({a1, a2, a3});
    const auto a4 = b.Spend({Out(a1, 1), Out(a2, 0)}, {half + half - Amount{3000}});
    a.Add({a4});
    const auto a5 = b.Spend({Out(a4, 0)}, {Amount{half.sats / 2}, Amount{half.sats / 2}});
    a.Add({a5});
    CheckMatchesFresh(b, a);
    CHECK_FALSE(Have(b, cb1));
    CHECK(Have(b, Out(a5, 1)));

    // Branch B, 4 blocks: cb1 spent differently (three outputs), a chain of spends inside
    // B2, outputs of B1 and B2 spent in B3, and cb2 (spent by A1 on the other branch) in B4.
    const Amount third{cb1.second.sats / 3 - 1000};
    const auto b1 = b.Spend({cb1}, {third, third, third});
    bb.Add({b1});
    const auto b2 = b.Spend({Out(b1, 0), cb3}, {third + cb3.second - Amount{2000}});
    const auto b3 = b.Spend({Out(b2, 0)}, {third + cb3.second - Amount{4000}});
    bb.Add({b2, b3});
    const auto b4 = b.Spend({Out(b1, 1), Out(b3, 0)}, {third + third + cb3.second - Amount{6000}});
    bb.Add({b4});
    REQUIRE(b.Chain().Tip()->GetBlockHash() == a.TipHash()); // B is not longer yet
    const auto b5 = b.Spend({cb2}, {cb2.second - Amount{7000}});
    bb.Add({b5});
    CheckMatchesFresh(b, bb);
    // A's coins are gone, the coins A spent and B did not are back.
    for (const Input& in : {Out(a1, 1), Out(a3, 0), Out(a5, 0), Out(a5, 1)}) CHECK_FALSE(Have(b, in));
    CHECK(Have(b, Out(b1, 2)));
    CHECK(Have(b, Out(b4, 0)));
    CHECK_FALSE(Have(b, cb1));
    CHECK_FALSE(Have(b, cb3));

    // A grows two blocks and wins back: its A1..A3 spends apply again, and A4/A5 spend
    // more (A5 spends cb3, which B spent).
    const auto a6 = b.Spend({Out(a5, 0), Out(a5, 1)}, {half - Amount{9000}});
    a.Add({a6});
    const auto a7 = b.Spend({cb3, Out(a6, 0)}, {cb3.second, half - Amount{20000}});
    a.Add({a7});
    CheckMatchesFresh(b, a);
    CHECK(Have(b, Out(a7, 1)));
    for (const Input& in : {Out(b1, 2), Out(b4, 0), Out(b5, 0)}) CHECK_FALSE(Have(b, in));
    CHECK(Have(b, cb5));

    // B grows two more and wins again, spending cb5 and an output of B1 left so far.
    const auto b6 = b.Spend({cb5, Out(b1, 2)}, {cb5.second, third - Amount{1000}});
    bb.Add({b6});
    bb.Add({b.Spend({Out(b6, 1)}, {third - Amount{2000}})});
    CheckMatchesFresh(b, bb);
    CHECK_FALSE(Have(b, cb5));

    // invalidateblock on B's first block: back to A; reconsiderblock: B again.
    const Uint256 b1_hash = bb.At(prefix.size()).GetHash();
    REQUIRE(b.Chain().InvalidateBlock(b1_hash).IsValid());
    CheckMatchesFresh(b, a);
    REQUIRE(b.Chain().ReconsiderBlock(b1_hash).IsValid());
    CheckMatchesFresh(b, bb);
    // ...and on a block in the middle of B: A has more work than what is left of B.
    const Uint256 b3_hash = bb.At(prefix.size() + 2).GetHash();
    REQUIRE(b.Chain().InvalidateBlock(b3_hash).IsValid());
    CheckMatchesFresh(b, a);
    REQUIRE(b.Chain().ReconsiderBlock(b3_hash).IsValid());
    CheckMatchesFresh(b, bb);
}

TEST_CASE("invalidateblock and reconsiderblock over blocks that spend each other's outputs", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(103);
    const Input cb1 = b.CoinbaseAt(1), cb2 = b.CoinbaseAt(2), cb3 = b.CoinbaseAt(3);
    const auto t1 = b.Spend({cb1}, {Amount{cb1.second.sats / 2}, Amount{cb1.second.sats / 2 - 1000}});
    REQUIRE(b.Mine({t1}).IsValid());
    const auto t2 = b.Spend({Out(t1, 0), cb2}, {Amount{cb1.second.sats / 2} + cb2.second - Amount{1000}});
    const auto t3 = b.Spend({Out(t2, 0)}, {Amount{10000}, Amount{cb1.second.sats / 2} + cb2.second - Amount{12000}});
    REQUIRE(b.Mine({t2, t3}).IsValid());
    const auto t4 =
        b.Spend({Out(t3, 1), Out(t1, 1), cb3}, {Amount{cb1.second.sats} + cb2.second + cb3.second - Amount{20000}});
    REQUIRE(b.Mine({t4}).IsValid());
    const auto* full = b.Chain().Tip();
    const auto full_blocks = ActiveBlocks(b);
    const int top = b.Chain().Height();

    for (int depth = 1; depth <= 3; ++depth) {
        DYNAMIC_SECTION("invalidate the block " << depth << " below the tip")
        {
            const auto* target = b.Chain().AtHeight(top - depth + 1);
            REQUIRE(b.Chain().InvalidateBlock(target->GetBlockHash()).IsValid());
            REQUIRE(b.Chain().Height() == top - depth);
            Branch before(b, std::vector<Block>(full_blocks.begin(), full_blocks.end() - depth));
            CheckMatchesFresh(b, before);
            // Every coin the invalidated blocks spent is back; what they made is gone.
            CHECK(Have(b, cb3));
            CHECK_FALSE(Have(b, Out(t4, 0)));
            CHECK(Have(b, Out(t1, 1)) == (depth < 3));
            CHECK(Have(b, Out(t3, 1)) == (depth == 1));
            CHECK(Have(b, Out(t3, 0)) == (depth == 1));
            CHECK(Have(b, cb2) == (depth >= 2));
            CHECK(Have(b, Out(t1, 0)) == (depth == 2));
            CHECK(Have(b, cb1) == (depth == 3));
            REQUIRE(b.Chain().ReconsiderBlock(target->GetBlockHash()).IsValid());
            REQUIRE(b.Chain().Tip() == full);
            CheckMatchesFresh(b, Branch(b, full_blocks));
        }
    }
}

TEST_CASE("A switch to a branch whose second block fails goes back to the old branch's coins", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(104);
    const std::vector<Block> prefix = ActiveBlocks(b);
    const Input cb1 = b.CoinbaseAt(1), cb2 = b.CoinbaseAt(2), cb3 = b.CoinbaseAt(3);
    Branch a(b, prefix), bb(b, prefix);
    const auto a1 = b.Spend({cb1}, {cb1.second - Amount{1000}});
    a.Add({a1});
    a.Add({b.Spend({Out(a1, 0), cb2}, {cb1.second + cb2.second - Amount{3000}})});
    a.Add({});
    CheckMatchesFresh(b, a);

    // B1 spends cb1 and cb2 differently. B2 spends B1's output, then cb1 again: stored
    // while B is shorter, it fails when B4 makes B the longest. The switch has by then
    // disconnected A and connected B1, and B2's first transaction applied: all undone.
    const auto b1 = b.Spend({cb1, cb2}, {cb1.second, cb2.second - Amount{5000}});
    bb.Add({b1});
    Branch bad = bb;
    REQUIRE(bad.Push({b.Spend({Out(b1, 0)}, {cb1.second - Amount{1000}}), b.Spend({cb1}, {cb1.second - Amount{2000}})})
                .IsValid());
    REQUIRE(bad.Push({b.Spend({cb3}, {cb3.second - Amount{1000}})}).IsValid());
    REQUIRE(b.Chain().Tip()->GetBlockHash() == a.TipHash());
    CHECK_FALSE(bad.Push({}).IsValid());
    CheckMatchesFresh(b, a);
    CHECK_FALSE(Have(b, Out(a1, 0)));
    CHECK_FALSE(Have(b, Out(b1, 1)));
    CHECK_FALSE(Have(b, cb1));
    CHECK(Have(b, cb3));
    const auto* failed = b.Chain().LookupBlockIndex(bad.At(prefix.size() + 1).GetHash());
    REQUIRE(failed);
    CHECK_FALSE(failed->IsValid());

    // A valid B2..B4 on B1 take over after all.
    const auto b2 = b.Spend({Out(b1, 0)}, {cb1.second - Amount{1000}});
    bb.Add({b2});
    bb.Add({b.Spend({cb3}, {cb3.second - Amount{1000}})});
    REQUIRE(b.Chain().Tip()->GetBlockHash() == a.TipHash());
    bb.Add({});
    CheckMatchesFresh(b, bb);
    CHECK(Have(b, Out(b1, 1)));
    CHECK(Have(b, Out(b2, 0)));
    CHECK_FALSE(Have(b, cb3));
    CHECK_FALSE(Have(b, Out(a1, 0)));
}
