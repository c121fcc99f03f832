#include "consensus/pow.h"

namespace consensus {

std::optional<ArithUint256> DeriveTarget(uint32_t bits, const Uint256& pow_limit)
{
    bool negative = false;
    bool overflow = false;
    ArithUint256 target;
    target.SetCompact(bits, &negative, &overflow);
    if (negative || overflow || target == 0 || target > UintToArith256(pow_limit)) return std::nullopt;
    return target;
}

bool CheckProofOfWork(const Uint256& hash, uint32_t bits, const ConsensusParams& params)
{
    const auto target = DeriveTarget(bits, params.pow_limit);
    if (!target) return false;
    return UintToArith256(hash) <= *target;
}

ArithUint256 GetBlockProof(uint32_t bits)
{
    bool negative = false;
    bool overflow = false;
    ArithUint256 target;
    target.SetCompact(bits, &negative, &overflow);
    if (negative || overflow || target == 0) return ArithUint256();
    // 2^256 / (target + 1) does not fit in 256 bits; (2^256 - target - 1) / (target + 1) + 1 is equal.
    return (~target / (target + 1)) + 1;
}

uint32_t CalculateNextWorkRequired(uint32_t last_bits, int64_t last_block_time, int64_t first_block_time,
                                   uint32_t first_block_bits, const ConsensusParams& params)
{
    if (params.pow_no_retargeting) return last_bits;
    const int64_t target_timespan = params.pow_target_timespan;
    int64_t actual = last_block_time - first_block_time;
    if (actual < target_timespan / 4) actual = target_timespan / 4;
    if (actual > target_timespan * 4) actual = target_timespan * 4;

    const ArithUint256 pow_limit = UintToArith256(params.pow_limit);
    ArithUint256 target;
    // BIP-94: scale the period's first block's target, so min-difficulty blocks at the end
    // of a period cannot drag the next period's difficulty down.
    target.SetCompact(params.enforce_bip94 ? first_block_bits : last_bits);
    target *= ArithUint256(static_cast<uint64_t>(actual));
    target /= ArithUint256(static_cast<uint64_t>(target_timespan));
    if (target > pow_limit) target = pow_limit;
    return target.GetCompact();
}

uint32_t CalculateNextWorkRequired(uint32_t last_bits, int64_t last_block_time, int64_t first_block_time,
                                   const ConsensusParams& params)
{
    return CalculateNextWorkRequired(last_bits, last_block_time, first_block_time, last_bits, params);
}

uint32_t GetNextWorkRequired(const std::optional<PowHeader>& last, int64_t new_block_time,
                             const PowAncestorFn& ancestor, const ConsensusParams& params)
{
    const uint32_t pow_limit_bits = UintToArith256(params.pow_limit).GetCompact();
    if (!last) return pow_limit_bits;
    const int64_t interval = params.DifficultyAdjustmentInterval();

    if ((last->height + 1) % interval != 0) {
        if (params.pow_allow_min_difficulty_blocks) {
            // Testnet rule: a block more than twice the spacing after its parent may be minimum difficulty.
            if (new_block_time > last->time + params.pow_target_spacing * 2) return pow_limit_bits;
            // Otherwise use the last block that did not use that rule.
            PowHeader h = *last;
            while (h.height > 0 && h.height % interval != 0 && h.bits == pow_limit_bits) h = ancestor(h.height - 1);
            return h.bits;
        }
        return last->bits;
    }

    // The period's first block: interval - 1 blocks back (Core's off-by-one, kept for consensus).
    const PowHeader first = ancestor(static_cast<int>(last->height - (interval - 1)));
    return CalculateNextWorkRequired(last->bits, last->time, first.time, first.bits, params);
}

bool PermittedDifficultyTransition(const ConsensusParams& params, int64_t height, uint32_t old_bits, uint32_t new_bits)
{
    if (params.pow_allow_min_difficulty_blocks) return true;
    if (height % params.DifficultyAdjustmentInterval() != 0) return old_bits == new_bits;

    const int64_t timespan = params.pow_target_timespan;
    const ArithUint256 pow_limit = UintToArith256(params.pow_limit);
    ArithUint256 observed;
    observed.SetCompact(new_bits);

    // The largest target a retarget could give: old * 4, capped, rounded through compact form.
    ArithUint256 largest;
    largest.SetCompact(old_bits);
    largest *= ArithUint256(static_cast<uint64_t>(timespan * 4));
    largest /= ArithUint256(static_cast<uint64_t>(timespan));
    if (largest > pow_limit) largest = pow_limit;
    ArithUint256 maximum_new;
    maximum_new.SetCompact(largest.GetCompact());
    if (maximum_new < observed) return false;

    ArithUint256 smallest;
    smallest.SetCompact(old_bits);
    smallest *= ArithUint256(static_cast<uint64_t>(timespan / 4));
    smallest /= ArithUint256(static_cast<uint64_t>(timespan));
    if (smallest > pow_limit) smallest = pow_limit;
    ArithUint256 minimum_new;
    minimum_new.SetCompact(smallest.GetCompact());
    if (minimum_new > observed) return false;
    return true;
}

} // namespace consensus
