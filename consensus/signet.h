// Signet block solutions (BIP-325): on a signet, every block after genesis must carry,
// in its witness commitment output, a solution to the network's challenge script.
#pragma once

#include "consensus/params.h"
#include "consensus/primitives/block.h"

namespace consensus {

/** The 4 bytes that start the signet solution push inside the witness commitment. */
inline constexpr uint8_t SIGNET_HEADER[4] = {0xec, 0xc7, 0xda, 0xa2};

/**
 * True if block carries a valid solution to params.signet_challenge (always true for the
 * genesis block). Builds BIP-325's virtual to_spend/to_sign transactions and verifies
 * them with P2SH, WITNESS, DERSIG and NULLDUMMY.
 */
bool CheckSignetBlockSolution(const Block& block, const ConsensusParams& params);

} // namespace consensus
