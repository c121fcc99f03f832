// Proof of work: checking a header's hash against its target, the work a target
// represents, and the difficulty retarget rules. All functions are pure; the caller
// supplies chain context (heights, times, ancestors), so they are safe from any thread.
#pragma once

#include "consensus/arith_uint256.h"
#include "consensus/params.h"
#include "consensus/uint256.h"

#include <cstdint>
#include <functional>
#include <optional>

namespace consensus {

/**
 * The target encoded by bits, or nullopt if it is negative, zero, overflows 256 bits or
 * exceeds pow_limit: such a header can never be valid.
 */
std::optional<ArithUint256> DeriveTarget(uint32_t bits, const Uint256& pow_limit);

/** True if hash, read as a number, is at most the valid target encoded by bits ("high-hash" otherwise). */
bool CheckProofOfWork(const Uint256& hash, uint32_t bits, const ConsensusParams& params);

/**
 * Expected hashes to find a block with this target: 2^256 / (target + 1), computed as
 * ~target / (target + 1) + 1. Zero for a negative, zero or overflowing target.
 */
ArithUint256 GetBlockProof(uint32_t bits);

/**
 * The 2016-block retarget: the new target is the old target times the actual timespan
 * (first_block_time to last_block_time, clamped to [T/4, 4T]) over T, capped at pow_limit.
 * base_bits is the target scaled: the period's last block's bits, or with BIP-94
 * (params.enforce_bip94, testnet4) its first block's bits. With pow_no_retargeting
 * (regtest) returns last_bits unchanged.
 */
uint32_t CalculateNextWorkRequired(uint32_t last_bits, int64_t last_block_time, int64_t first_block_time,
                                   uint32_t first_block_bits, const ConsensusParams& params);

/** As above for chains without BIP-94: the base is always last_bits. */
uint32_t CalculateNextWorkRequired(uint32_t last_bits, int64_t last_block_time, int64_t first_block_time,
                                   const ConsensusParams& params);

/** What the retarget rules need to know about one header. */
struct PowHeader {
    int height{0};
    uint32_t bits{0};
    int64_t time{0};
};

/** Returns the header at a height (0 <= height <= last.height) on the chain being extended. */
using PowAncestorFn = std::function<PowHeader(int height)>;

/**
 * The bits a block after last (with timestamp new_block_time) must have: the retarget at
 * period boundaries, the testnet 20-minute minimum-difficulty rule in between, else last's
 * bits. Pass last = nullopt for the genesis block (gives pow_limit's compact form).
 */
uint32_t GetNextWorkRequired(const std::optional<PowHeader>& last, int64_t new_block_time,
                             const PowAncestorFn& ancestor, const ConsensusParams& params);

/**
 * Headers-sync sanity check: could a block at height have new_bits given its parent's
 * old_bits? Off-boundary the bits must be unchanged; at a boundary within the clamp range.
 * Always true on chains allowing minimum-difficulty blocks.
 */
bool PermittedDifficultyTransition(const ConsensusParams& params, int64_t height, uint32_t old_bits, uint32_t new_bits);

} // namespace consensus
