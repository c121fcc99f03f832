// The Accept phase's rules (libbitcoin's "accept", Core's ContextualCheck*): a header or block
// judged against the chain it extends, given as plain values and an ancestor accessor, so no
// block index, I/O or lock is needed here. Also the per-height rules the Connect phase asks
// for: the block subsidy and the script flags.
#pragma once

#include "consensus/amount.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "consensus/primitives/block.h"
#include "consensus/validation_result.h"

#include <cstdint>

namespace consensus {

/** What the contextual rules need to know about a block's parent and the chain below it.
 *  ancestor(h) returns the header at height h (0 <= h <= height) of that chain. */
struct PrevBlockContext {
    int height{0};
    uint32_t bits{0};
    int64_t time{0};
    int64_t median_time_past{0};
    PowAncestorFn ancestor;
};

/** The new coins a block at height may create: 50 BTC halved every subsidy_halving_interval
 *  blocks, zero after 64 halvings. Pure. */
Amount GetBlockSubsidy(int height, const ConsensusParams& params);

/** The script verification flags for the block at height with hash block_hash: P2SH, WITNESS
 *  and TAPROOT always (except the listed exception blocks), DERSIG, CLTV, CSV and NULLDUMMY
 *  from their activation heights, as Core's GetBlockScriptFlags. Pure. */
uint32_t GetBlockScriptFlags(int height, const Uint256& block_hash, const ConsensusParams& params);

/** The bits a block after prev with timestamp block_time must carry (GetNextWorkRequired over
 *  prev's ancestors). Pure; calls prev.ancestor. */
uint32_t NextWorkRequired(const PrevBlockContext& prev, int64_t block_time, const ConsensusParams& params);

/** A header against its parent: difficulty (bad-diffbits), median time past (time-too-old),
 *  BIP-94 timewarp, the future limit against now (time-too-new, TIME_FUTURE), and the BIP-34/66/65
 *  version floors. Invalid with Core's reject reason; never an error. */
ValidationResult ContextualCheckBlockHeader(const BlockHeader& header, const PrevBlockContext& prev, int64_t now,
                                            const ConsensusParams& params);

/** A block's contents against its height: finality (BIP-113 cutoff once CSV is active), the
 *  BIP-34 height in the coinbase, the BIP-141 witness commitment and the weight limit. prev is
 *  null only for the genesis block. Invalid with Core's reject reason; never an error. */
ValidationResult ContextualCheckBlock(const Block& block, const PrevBlockContext* prev, const ConsensusParams& params);

} // namespace consensus
