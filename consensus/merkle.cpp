#include "consensus/merkle.h"

#include "consensus/hash.h"

namespace consensus {

Uint256 ComputeMerkleRoot(std::vector<Uint256> leaves, bool* mutated)
{
    bool mutation = false;
    while (leaves.size() > 1) {
        // CVE-2012-2459: equal siblings mean the list could be one with a duplicated tail.
        if (mutated) {
            for (size_t pos = 0; pos + 1 < leaves.size(); pos += 2) {
                if (leaves[pos] == leaves[pos + 1]) mutation = true;
            }
        }
        if (leaves.size() & 1) leaves.push_back(leaves.back());
        const size_t half = leaves.size() / 2;
        for (size_t i = 0; i < half; ++i) leaves[i] = Hash256Pair(leaves[2 * i], leaves[2 * i + 1]);
        leaves.resize(half);
    }
    if (mutated) *mutated = mutation;
    if (leaves.empty()) return Uint256();
    return leaves[0];
}

Uint256 BlockMerkleRoot(const Block& block, bool* mutated)
{
    std::vector<Uint256> leaves;
    leaves.reserve(block.vtx.size());
    for (const auto& tx : block.vtx) leaves.push_back(tx->GetTxid());
    return ComputeMerkleRoot(std::move(leaves), mutated);
}

Uint256 BlockWitnessMerkleRoot(const Block& block, bool* mutated)
{
    std::vector<Uint256> leaves;
    leaves.reserve(block.vtx.size());
    if (!block.vtx.empty()) leaves.emplace_back(); // the coinbase's wtxid is defined as zero
    for (size_t i = 1; i < block.vtx.size(); ++i) leaves.push_back(block.vtx[i]->GetWtxid());
    return ComputeMerkleRoot(std::move(leaves), mutated);
}

} // namespace consensus
