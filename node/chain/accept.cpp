// Headers and blocks in: Check (context-free, consensus/) -> Accept (header context,
// block context, store to disk), then ProcessNewBlock hands over to ActivateBestChain.
#include "node/chain/chainstate_impl.h"

#include "consensus/block_check.h"
#include "consensus/limits.h"
#include "consensus/pow.h"
#include "consensus/tx_verify.h"

#include <cstdio>

namespace node::chain {

using consensus::ValidationResult;

namespace {

/** Reasons that may come from a mutated (malleated) copy of a valid block: do not mark the block invalid. */
bool MaybeMutated(const ValidationResult& r)
{
    const std::string& reason = r.GetRejectReason();
    return reason == "bad-txnmrklroot" || reason == "bad-txns-duplicate" || reason == "bad-witness-nonce-size" ||
           reason == "bad-witness-merkle-match" || reason == "unexpected-witness";
}

std::string VersionHex(int32_t v)
{
    char buf[16];
    std::snprintf(buf, sizeof(buf), "0x%08x", static_cast<uint32_t>(v));
    return buf;
}

} // namespace

int64_t Chainstate::Impl::WallClockSeconds() const
{
    return opts.now_seconds ? opts.now_seconds() : NowSeconds();
}

ValidationResult Chainstate::Impl::ContextualCheckBlockHeader(const consensus::BlockHeader& header,
                                                              const BlockIndex* prev) const
{
    const auto& cp = params->consensus;
    const int height = prev->height + 1;
    if (header.bits != NextWorkRequired(prev, header.time)) {
        return ValidationResult::Invalid("bad-diffbits", "incorrect proof of work");
    }
    if (header.GetBlockTime() <= prev->GetMedianTimePast()) {
        return ValidationResult::Invalid("time-too-old", "block's timestamp is too early");
    }
    // BIP-94 (testnet4): the first block of a period may not be much older than its parent.
    if (cp.enforce_bip94 && height % cp.DifficultyAdjustmentInterval() == 0 &&
        header.GetBlockTime() < prev->GetBlockTime() - consensus::MAX_TIMEWARP) {
        return ValidationResult::Invalid("time-timewarp-attack", "block's timestamp is too early on diff adjustment block");
    }
    if (header.GetBlockTime() > WallClockSeconds() + consensus::MAX_FUTURE_BLOCK_TIME) {
        return ValidationResult::Invalid("time-too-new", "block timestamp too far in the future");
    }
    // BIP-34/66/65: versions below 2, 3, 4 are rejected once each rule is active.
    if ((header.version < 2 && height >= cp.bip34_height) || (header.version < 3 && height >= cp.bip66_height) ||
        (header.version < 4 && height >= cp.bip65_height)) {
        return ValidationResult::Invalid("bad-version(" + VersionHex(header.version) + ")",
                                         "rejected nVersion=" + VersionHex(header.version) + " block");
    }
    return ValidationResult::Valid();
}

ValidationResult Chainstate::Impl::ContextualCheckBlock(const consensus::Block& block, const BlockIndex* prev) const
{
    const int height = prev ? prev->height + 1 : 0;
    const auto& cp = params->consensus;
    // BIP-113: with CSV active, lock-times are judged against the median time past.
    const int64_t cutoff = (prev && CsvActive(height)) ? prev->GetMedianTimePast() : block.GetBlockTime();
    for (const auto& tx : block.vtx) {
        if (!consensus::IsFinalTx(*tx, height, cutoff)) {
            return ValidationResult::Invalid("bad-txns-nonfinal", "non-final transaction");
        }
    }
    // BIP-34: the coinbase starts with the serialized height.
    if (height >= cp.bip34_height) {
        consensus::Script expect;
        expect.PushInt(height);
        const auto& sig = block.vtx[0]->vin[0].script_sig;
        if (sig.size() < expect.size() || !std::equal(expect.begin(), expect.end(), sig.begin())) {
            return ValidationResult::Invalid("bad-cb-height", "block height mismatch in coinbase");
        }
    }
    // BIP-141: witness commitment (or no witness data at all before segwit).
    if (auto r = consensus::CheckWitnessCommitment(block, SegwitActive(height)); !r.IsValid()) return r;
    if (consensus::GetBlockWeight(block) > consensus::MAX_BLOCK_WEIGHT) {
        return ValidationResult::Invalid("bad-blk-weight", "weight limit failed");
    }
    return ValidationResult::Valid();
}

ValidationResult Chainstate::Impl::AcceptBlockHeader(const consensus::BlockHeader& header, BlockIndex** out)
{
    const consensus::Uint256 hash = header.GetHash();
    if (BlockIndex* existing = Lookup(hash)) {
        if (out) *out = existing;
        if (existing->status & BLOCK_FAILED_MASK) return ValidationResult::Invalid("duplicate", "block is marked invalid");
        return ValidationResult::Valid();
    }
    if (hash == params->consensus.hash_genesis_block) {
        BlockIndex* g = AddToIndex(header);
        if (out) *out = g;
        return ValidationResult::Valid();
    }
    if (auto r = consensus::CheckBlockHeader(header, params->consensus, true); !r.IsValid()) return r;
    BlockIndex* prev = Lookup(header.prev_block);
    if (!prev) return ValidationResult::Invalid("prev-blk-not-found", "prev block not found");
    if (prev->status & BLOCK_FAILED_MASK) return ValidationResult::Invalid("bad-prevblk", "previous block invalid");
    if (auto r = ContextualCheckBlockHeader(header, prev); !r.IsValid()) return r;
    BlockIndex* index = AddToIndex(header);
    if (out) *out = index;
    return ValidationResult::Valid();
}

ValidationResult Chainstate::Impl::AcceptBlock(const std::shared_ptr<const consensus::Block>& block, bool* new_block,
                                               const FlatFilePos* known_pos, BlockIndex** out)
{
    if (new_block) *new_block = false;
    BlockIndex* index = nullptr;
    if (auto r = AcceptBlockHeader(*block, &index); !r.IsValid()) return r;
    if (out) *out = index;
    if (index->status & BLOCK_HAVE_DATA) return ValidationResult::Valid(); // already stored
    if (new_block) *new_block = true;

    const bool is_genesis = index->GetBlockHash() == params->consensus.hash_genesis_block;
    if (!is_genesis) {
        ValidationResult r = consensus::CheckBlock(*block, params->consensus);
        if (r.IsValid()) r = ContextualCheckBlock(*block, index->prev);
        if (!r.IsValid()) {
            if (!MaybeMutated(r)) InvalidBlockFound(index, r);
            return r;
        }
    }
    FlatFilePos pos;
    if (known_pos) {
        pos = *known_pos;
    } else {
        auto written = blocks->WriteBlock(*block, static_cast<uint32_t>(index->height));
        if (!written) {
            const std::string message = StorageErrorMessage("Failed to write block to disk", true);
            AbortNode(message);
            return ValidationResult::Error(message);
        }
        pos = *written;
    }
    ReceivedBlockTransactions(index, static_cast<uint32_t>(block->vtx.size()), pos);
    return ValidationResult::Valid();
}

ValidationResult Chainstate::ProcessNewBlock(const std::shared_ptr<const consensus::Block>& block, bool* new_block)
{
    ValidationResult result;
    bool complete = true;
    BlockIndex* index = nullptr;
    {
        std::lock_guard lock(m_impl->mutex);
        result = m_impl->AcceptBlock(block, new_block, nullptr, &index);
        if (result.IsValid()) result = m_impl->ActivateBestChainLocked(block, &complete);
    }
    DeliverEvents();
    // A long way to the new best chain continues in steps, releasing the lock between them.
    if (result.IsValid() && !complete) result = ActivateBestChain();
    if (result.IsValid() && index) {
        std::lock_guard lock(m_impl->mutex);
        // A block that fails to connect is invalid for the caller too.
        if (index->status & BLOCK_FAILED_MASK) {
            result = m_impl->last_failed == index ? m_impl->last_failed_result
                                                  : ValidationResult::Invalid("bad-prevblk", "previous block invalid");
        }
    }
    return result;
}

ValidationResult Chainstate::ProcessNewBlockHeaders(const std::vector<consensus::BlockHeader>& headers,
                                                    const BlockIndex** last)
{
    std::lock_guard lock(m_impl->mutex);
    for (const auto& h : headers) {
        BlockIndex* index = nullptr;
        ValidationResult r = m_impl->AcceptBlockHeader(h, &index);
        if (!r.IsValid()) return r;
        if (last) *last = index;
    }
    return ValidationResult::Valid();
}

} // namespace node::chain
