// Merkle roots over txids and wtxids, and CVE-2012-2459 mutation detection.
#include "consensus/hash.h"
#include "consensus/merkle.h"

#include <catch2/catch.hpp>

using namespace consensus;

namespace {

Uint256 Leaf(uint8_t n)
{
    Uint256 h;
    h.data()[0] = n;
    h.data()[31] = 0x5a;
    return h;
}

std::vector<Uint256> Leaves(std::initializer_list<uint8_t> ids)
{
    std::vector<Uint256> out;
    for (auto id : ids) out.push_back(Leaf(id));
    return out;
}

// Straightforward recursive definition, to check the iterative one against.
Uint256 ReferenceRoot(std::vector<Uint256> level)
{
    if (level.empty()) return Uint256();
    while (level.size() > 1) {
        std::vector<Uint256> next;
        for (size_t i = 0; i < level.size(); i += 2) {
            next.push_back(Hash256Pair(level[i], i + 1 < level.size() ? level[i + 1] : level[i]));
        }
        level = next;
    }
    return level[0];
}

TransactionRef MakeTx(uint8_t tag, bool witness)
{
    MutableTransaction tx;
    tx.vin.resize(1);
    tx.vin[0].prevout = OutPoint(Leaf(tag), 0);
    if (witness) tx.vin[0].witness.stack.push_back({tag, tag});
    tx.vout.emplace_back(Amount{1000}, Script());
    return MakeTransactionRef(std::move(tx));
}

} // namespace

TEST_CASE("ComputeMerkleRoot handles empty, single and odd-sized lists", "[consensus]")
{
    bool mutated = true;
    CHECK(ComputeMerkleRoot({}, &mutated) == Uint256());
    CHECK_FALSE(mutated);
    CHECK(ComputeMerkleRoot(Leaves({1}), &mutated) == Leaf(1));
    CHECK_FALSE(mutated);
    CHECK(ComputeMerkleRoot(Leaves({1, 2})) == Hash256Pair(Leaf(1), Leaf(2)));
    CHECK(ComputeMerkleRoot(Leaves({1, 2, 3})) ==
          Hash256Pair(Hash256Pair(Leaf(1), Leaf(2)), Hash256Pair(Leaf(3), Leaf(3))));
    for (uint8_t n = 1; n < 40; ++n) {
        std::vector<Uint256> leaves;
        for (uint8_t i = 0; i < n; ++i) leaves.push_back(Leaf(i));
        INFO("leaves: " << int(n));
        CHECK(ComputeMerkleRoot(leaves, &mutated) == ReferenceRoot(leaves));
        CHECK_FALSE(mutated);
    }
}

TEST_CASE("ComputeMerkleRoot flags a duplicated last leaf as mutated (CVE-2012-2459)", "[consensus]")
{
    bool mutated = false;
    const Uint256 honest = ComputeMerkleRoot(Leaves({1, 2, 3}), &mutated);
    CHECK_FALSE(mutated);
    const Uint256 forged = ComputeMerkleRoot(Leaves({1, 2, 3, 3}), &mutated);
    CHECK(mutated);
    CHECK(forged == honest);
    ComputeMerkleRoot(Leaves({7, 7}), &mutated);
    CHECK(mutated);
}

TEST_CASE("ComputeMerkleRoot flags a duplicated subtree at a higher level", "[consensus]")
{
    bool mutated = false;
    const Uint256 honest = ComputeMerkleRoot(Leaves({1, 2, 3, 4, 5, 6}), &mutated);
    CHECK_FALSE(mutated);
    const Uint256 forged = ComputeMerkleRoot(Leaves({1, 2, 3, 4, 5, 6, 5, 6}), &mutated);
    CHECK(forged == honest);
    CHECK(mutated);
    // Equal leaves that are not siblings are not a mutation...
    ComputeMerkleRoot(Leaves({1, 2, 2, 1}), &mutated);
    CHECK_FALSE(mutated);
    // ...but equal sibling subtrees are, as in Core.
    ComputeMerkleRoot(Leaves({1, 2, 1, 2}), &mutated);
    CHECK(mutated);
}

TEST_CASE("Block merkle roots use txids and witness roots use wtxids with a zero coinbase", "[consensus]")
{
    Block block;
    block.vtx = {MakeTx(1, false), MakeTx(2, true), MakeTx(3, true)};
    CHECK(block.vtx[1]->GetTxid() != block.vtx[1]->GetWtxid());
    CHECK(BlockMerkleRoot(block) ==
          ComputeMerkleRoot({block.vtx[0]->GetTxid(), block.vtx[1]->GetTxid(), block.vtx[2]->GetTxid()}));
    CHECK(BlockWitnessMerkleRoot(block) ==
          ComputeMerkleRoot({Uint256(), block.vtx[1]->GetWtxid(), block.vtx[2]->GetWtxid()}));
    bool mutated = true;
    CHECK(BlockMerkleRoot(Block(), &mutated) == Uint256());
    CHECK_FALSE(mutated);
}
