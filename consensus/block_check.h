// Context-free block checks (Core's CheckBlockHeader / CheckBlock) and the BIP-141
// witness commitment: finding it, checking it, and adding it when building a block.
#pragma once

#include "consensus/params.h"
#include "consensus/primitives/block.h"
#include "consensus/validation_result.h"

#include <vector>

namespace consensus {

/** GetWitnessCommitmentIndex's result when the coinbase has no commitment output. */
inline constexpr int NO_WITNESS_COMMITMENT = -1;

/** The 4-byte tag after OP_RETURN and the 36-byte push that marks a witness commitment (BIP-141). */
inline constexpr uint8_t WITNESS_COMMITMENT_HEADER[4] = {0xaa, 0x21, 0xa9, 0xed};

/** "high-hash" if check_pow and the header's hash does not meet its nBits target. Pure. */
ValidationResult CheckBlockHeader(const BlockHeader& header, const ConsensusParams& params, bool check_pow = true);

/**
 * Everything about a block that needs no chain context, in Core's order: header
 * (high-hash), merkle root (bad-txnmrklroot, bad-txns-duplicate for CVE-2012-2459),
 * size (bad-blk-length), coinbase placement (bad-cb-missing, bad-cb-multiple), each
 * transaction's CheckTransaction reason, and legacy sigops (bad-blk-sigops). Pure.
 */
ValidationResult CheckBlock(const Block& block, const ConsensusParams& params, bool check_pow = true,
                            bool check_merkle = true);

/**
 * Index of the coinbase output holding the witness commitment (the last output whose
 * script starts OP_RETURN 0x24 aa21a9ed and is at least 38 bytes), or NO_WITNESS_COMMITMENT.
 */
int GetWitnessCommitmentIndex(const Block& block);

/**
 * BIP-141 witness checks (Core's CheckWitnessMalleation). With segwit active and a
 * commitment present, the coinbase witness must be one 32-byte nonce
 * (bad-witness-nonce-size) and the commitment must equal
 * SHA256d(witness root || nonce) (bad-witness-merkle-match). Otherwise no transaction
 * may carry witness data (unexpected-witness). Call after CheckBlock passed.
 */
ValidationResult CheckWitnessCommitment(const Block& block, bool segwit_active);

/**
 * For miners: if the coinbase (vtx[0], which must exist) has no witness commitment,
 * appends a zero-value commitment output to it, and gives the coinbase input the
 * 32-byte zero witness nonce if it has no witness. Returns the commitment script.
 * The caller recomputes merkle_root afterwards (the coinbase txid changed).
 */
std::vector<uint8_t> GenerateCoinbaseCommitment(Block& block);

} // namespace consensus
