// The Accept phase's rules: a header and a block against the chain they extend.
#include "consensus/contextual_check.h"

#include "consensus/block_check.h"
#include "consensus/limits.h"
#include "consensus/script/interpreter.h"
#include "consensus/tx_verify.h"

#include <algorithm>
#include <cstdio>

namespace consensus {

namespace {

std::string VersionHex(int32_t v)
{
    char buf[16];
    std::snprintf(buf, sizeof(buf), "0x%08x", static_cast<uint32_t>(v));
    return buf;
}

} // namespace

Amount GetBlockSubsidy(int height, const ConsensusParams& params)
{
    const int halvings = height / params.subsidy_halving_interval;
    if (halvings >= 64) return Amount{0};
    return Amount{(50 * COIN.sats) >> halvings};
}

uint32_t GetBlockScriptFlags(int height, const Uint256& block_hash, const ConsensusParams& params)
{
    // As Core: P2SH, WITNESS and TAPROOT apply to every block (all historical blocks
    // comply) except the listed exception blocks; DERSIG, CLTV, CSV and NULLDUMMY apply
    // from their activation heights (BIP-66, BIP-65, BIP-112, BIP-147).
    const auto& cp = params;
    uint32_t flags = SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_TAPROOT;
    if (auto it = cp.script_flag_exceptions.find(block_hash); it != cp.script_flag_exceptions.end()) {
        flags = it->second;
    }
    if (height >= cp.bip66_height) flags |= SCRIPT_VERIFY_DERSIG;
    if (height >= cp.bip65_height) flags |= SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY;
    if (height >= cp.csv_height) flags |= SCRIPT_VERIFY_CHECKSEQUENCEVERIFY;
    if (height >= cp.segwit_height) flags |= SCRIPT_VERIFY_NULLDUMMY;
    return flags;
}

uint32_t NextWorkRequired(const PrevBlockContext& prev, int64_t block_time, const ConsensusParams& params)
{
    return GetNextWorkRequired(PowHeader{prev.height, prev.bits, prev.time}, block_time, prev.ancestor, params);
}

ValidationResult ContextualCheckBlockHeader(const BlockHeader& header, const PrevBlockContext& prev, int64_t now,
                                            const ConsensusParams& params)
{
    const auto& cp = params;
    const int height = prev.height + 1;
    if (header.bits != NextWorkRequired(prev, header.time, params)) {
        return ValidationResult::Invalid(BlockValidationResult::INVALID_HEADER, "bad-diffbits",
                                         "incorrect proof of work");
    }
    if (header.GetBlockTime() <= prev.median_time_past) {
        return ValidationResult::Invalid(BlockValidationResult::INVALID_HEADER, "time-too-old",
                                         "block's timestamp is too early");
    }
    // BIP-94 (testnet4): the first block of a period may not be much older than its parent.
    if (cp.enforce_bip94 && height % cp.DifficultyAdjustmentInterval() == 0 &&
        header.GetBlockTime() < prev.time - MAX_TIMEWARP) {
        return ValidationResult::Invalid(BlockValidationResult::INVALID_HEADER, "time-timewarp-attack",
                                         "block's timestamp is too early on diff adjustment block");
    }
    if (header.GetBlockTime() > now + MAX_FUTURE_BLOCK_TIME) {
        return ValidationResult::Invalid(BlockValidationResult::TIME_FUTURE, "time-too-new",
                                         "block timestamp too far in the future");
    }
    // BIP-34/66/65: versions below 2, 3, 4 are rejected once each rule is active.
    if ((header.version < 2 && height >= cp.bip34_height) || (header.version < 3 && height >= cp.bip66_height) ||
        (header.version < 4 && height >= cp.bip65_height)) {
        return ValidationResult::Invalid(BlockValidationResult::INVALID_HEADER,
                                         "bad-version(" + VersionHex(header.version) + ")",
                                         "rejected nVersion=" + VersionHex(header.version) + " block");
    }
    return ValidationResult::Valid();
}

ValidationResult ContextualCheckBlock(const Block& block, const PrevBlockContext* prev, const ConsensusParams& params)
{
    const int height = prev ? prev->height + 1 : 0;
    const auto& cp = params;
    // BIP-113: with CSV active, lock-times are judged against the median time past.
    const int64_t cutoff = (prev && height >= cp.csv_height) ? prev->median_time_past : block.GetBlockTime();
    for (const auto& tx : block.vtx) {
        if (!IsFinalTx(*tx, height, cutoff)) {
            return ValidationResult::Invalid(BlockValidationResult::CONSENSUS, "bad-txns-nonfinal",
                                             "non-final transaction");
        }
    }
    // BIP-34: the coinbase starts with the serialized height.
    if (height >= cp.bip34_height) {
        Script expect;
        expect.PushInt(height);
        const auto& sig = block.vtx[0]->vin[0].script_sig;
        if (sig.size() < expect.size() || !std::equal(expect.begin(), expect.end(), sig.begin())) {
            return ValidationResult::Invalid(BlockValidationResult::CONSENSUS, "bad-cb-height",
                                             "block height mismatch in coinbase");
        }
    }
    // BIP-141: witness commitment (or no witness data at all before segwit).
    if (auto r = CheckWitnessCommitment(block, height >= cp.segwit_height); !r.IsValid()) return r;
    if (GetBlockWeight(block) > MAX_BLOCK_WEIGHT) {
        return ValidationResult::Invalid(BlockValidationResult::CONSENSUS, "bad-blk-weight", "weight limit failed");
    }
    return ValidationResult::Valid();
}

} // namespace consensus
