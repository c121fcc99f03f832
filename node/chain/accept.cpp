// Headers and blocks in: Check (context-free, consensus/) -> Accept (header context,
// block context, store to disk), then ProcessNewBlock hands over to ActivateBestChain.
#include "node/chain/chainstate_impl.h"

#include "consensus/block_check.h"
#include "consensus/contextual_check.h"
#include "consensus/limits.h"
#include "consensus/pow.h"
#include "consensus/tx_verify.h"

namespace node::chain {

using consensus::ValidationResult;

namespace {

/** The parent's values the contextual rules need, with its ancestors read from the index. */
consensus::PrevBlockContext ContextOf(const BlockIndex* prev)
{
    return consensus::PrevBlockContext{prev->height, prev->bits, prev->GetBlockTime(), prev->GetMedianTimePast(),
                                       [prev](int h) {
                                           const BlockIndex* a = prev->GetAncestor(h);
                                           return consensus::PowHeader{a->height, a->bits, a->GetBlockTime()};
                                       }};
}

} // namespace

int64_t Chainstate::Impl::WallClockSeconds() const { return opts.now_seconds ? opts.now_seconds() : NowSeconds(); }

ValidationResult Chainstate::Impl::ContextualCheckBlockHeader(const consensus::BlockHeader& header,
                                                              const BlockIndex* prev) const
{
    // The rules live in consensus/ (the Accept phase); the index supplies the context.
    return consensus::ContextualCheckBlockHeader(header, ContextOf(prev), WallClockSeconds(), params->consensus);
}

ValidationResult Chainstate::Impl::ContextualCheckBlock(const consensus::Block& block, const BlockIndex* prev) const
{
    if (!prev) return consensus::ContextualCheckBlock(block, nullptr, params->consensus);
    const consensus::PrevBlockContext context = ContextOf(prev);
    return consensus::ContextualCheckBlock(block, &context, params->consensus);
}

ValidationResult Chainstate::Impl::AcceptBlockHeader(const consensus::BlockHeader& header, BlockIndex** out)
{
    const consensus::Uint256 hash = header.GetHash();
    if (BlockIndex* existing = Lookup(hash)) {
        if (out) *out = existing;
        if (existing->status & BLOCK_FAILED_MASK)
            return ValidationResult::Invalid(consensus::BlockValidationResult::CACHED_INVALID, "duplicate",
                                             "block is marked invalid");
        return ValidationResult::Valid();
    }
    if (hash == params->consensus.hash_genesis_block) {
        BlockIndex* g = AddToIndex(header);
        if (out) *out = g;
        return ValidationResult::Valid();
    }
    if (auto r = consensus::CheckBlockHeader(header, params->consensus, true); !r.IsValid()) return r;
    BlockIndex* prev = Lookup(header.prev_block);
    if (!prev)
        return ValidationResult::Invalid(consensus::BlockValidationResult::MISSING_PREV, "prev-blk-not-found",
                                         "prev block not found");
    if (prev->status & BLOCK_FAILED_MASK)
        return ValidationResult::Invalid(consensus::BlockValidationResult::INVALID_PREV, "bad-prevblk",
                                         "previous block invalid");
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
            if (!consensus::IsMutatedBlock(r)) InvalidBlockFound(index, r); // a malleated copy: the hash stays valid
            return r;
        }
    }
    FlatFilePos pos;
    if (known_pos) {
        pos = *known_pos;
    } else {
        auto written = blockman.WriteBlock(*block, static_cast<uint32_t>(index->height));
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

void Chainstate::SetNewPoWValidBlockHook(NewBlockHook hook)
{
    util::LockGuard lock(m_impl->hook_mutex);
    m_impl->new_block_hook = std::move(hook);
}

ValidationResult Chainstate::ProcessNewBlock(const std::shared_ptr<const consensus::Block>& block, bool* new_block)
{
    return RunSteps(ProcessNewBlockSteps(block, new_block));
}

WriteStep Chainstate::ProcessNewBlockSteps(std::shared_ptr<const consensus::Block> block, bool* new_block)
{
    struct State {
        bool accepted{false};
        BlockIndex* index{nullptr};
    };
    auto st = std::make_shared<State>();
    return [this, block = std::move(block), new_block, st]() -> std::optional<ValidationResult> {
        ValidationResult result;
        bool complete = true;
        if (!st->accepted) {
            st->accepted = true;
            LimitNotificationQueue();
            {
                util::LockGuard lock(m_impl->mutex);
                bool is_new = false;
                const auto start = std::chrono::steady_clock::now();
                result = m_impl->AcceptBlock(block, &is_new, nullptr, &st->index);
                if (new_block) *new_block = is_new;
                const double accept_ms = util::MillisSince(start);
                // Stored and checked but not connected yet: high-bandwidth peers may hear of it now.
                if (result.IsValid() && is_new && st->index && st->index->prev) {
                    util::LockGuard hook_lock(m_impl->hook_mutex);
                    if (m_impl->new_block_hook) m_impl->new_block_hook(block, st->index);
                }
                const double announce_ms = util::MillisSince(start) - accept_ms;
                if (result.IsValid()) result = m_impl->ActivateBestChainLocked(block, &complete);
                if (is_new) {
                    util::LogDebug(util::LogCategory::BENCH,
                                   "- Process new block %s: check and store %.2fms, announce %.2fms, activate %.2fms\n",
                                   block->GetHash().GetHex().c_str(), accept_ms, announce_ms,
                                   util::MillisSince(start) - accept_ms - announce_ms);
                }
            }
            if (result.IsValid() && !complete) return std::nullopt;
        } else {
            // A long way to the new best chain continues in steps, releasing the lock between them.
            std::optional<ValidationResult> step = ActivateBestChainStep();
            if (!step) return std::nullopt;
            result = std::move(*step);
        }
        if (result.IsValid() && st->index) {
            util::LockGuard lock(m_impl->mutex);
            // A block that fails to connect is invalid for the caller too.
            if (st->index->status & BLOCK_FAILED_MASK) {
                result = m_impl->last_failed == st->index
                             ? m_impl->last_failed_result
                             : ValidationResult::Invalid(consensus::BlockValidationResult::INVALID_PREV, "bad-prevblk",
                                                         "previous block invalid");
            }
        }
        return result;
    };
}

ValidationResult Chainstate::ProcessNewBlockHeaders(const std::vector<consensus::BlockHeader>& headers,
                                                    const BlockIndex** last)
{
    ChainNotifier::RefuseInSyncHook("ProcessNewBlockHeaders");
    util::LockGuard lock(m_impl->mutex);
    for (const auto& h : headers) {
        BlockIndex* index = nullptr;
        ValidationResult r = m_impl->AcceptBlockHeader(h, &index);
        if (!r.IsValid()) return r;
        if (last) *last = index;
    }
    return ValidationResult::Valid();
}

} // namespace node::chain
