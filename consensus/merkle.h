// Merkle trees over transaction ids (the block header's merkle root) and witness ids
// (the BIP-141 witness commitment).
#pragma once

#include "consensus/primitives/block.h"
#include "consensus/uint256.h"

#include <vector>

namespace consensus {

/**
 * Root of Bitcoin's merkle tree over leaves (an odd level duplicates its last node).
 * If mutated is given, sets it when two adjacent nodes of any level are equal: the
 * CVE-2012-2459 ambiguity where a different transaction list yields the same root.
 * An empty list gives the zero hash.
 */
Uint256 ComputeMerkleRoot(std::vector<Uint256> leaves, bool* mutated = nullptr);

/** Merkle root over the block's txids; mutated as in ComputeMerkleRoot. */
Uint256 BlockMerkleRoot(const Block& block, bool* mutated = nullptr);

/** BIP-141 witness merkle root over wtxids, with the coinbase's wtxid taken as zero. */
Uint256 BlockWitnessMerkleRoot(const Block& block, bool* mutated = nullptr);

} // namespace consensus
