// Choosing and reaching the best chain: the valid chain with the most work that we
// have the data for; reorganisations of any depth; invalidateblock/reconsiderblock;
// and the bound on the notification queue between steps.
#include "node/chain/chainstate_impl.h"

namespace node::chain {

using consensus::ValidationResult;

BlockIndex* Chainstate::Impl::FindMostWorkChain()
{
    while (!candidates.empty()) {
        BlockIndex* best = *candidates.begin();
        // Drop candidates with less work than the tip: they can never win.
        if (active.Tip() && CandidateOrder()(active.Tip(), best)) {
            candidates.erase(candidates.begin());
            continue;
        }
        // Every block between the fork point and the candidate must be usable.
        bool usable = true;
        for (BlockIndex* walk = best; walk && !active.Contains(walk); walk = walk->prev) {
            const bool failed = walk->status & BLOCK_FAILED_MASK;
            const bool missing = !(walk->status & BLOCK_HAVE_DATA);
            if (failed || missing) {
                // Remove the candidate and everything between it and the bad block.
                for (BlockIndex* w = best; w != walk; w = w->prev) {
                    if (failed) {
                        w->status |= BLOCK_FAILED_CHILD;
                        blockman.MarkDirty(w);
                    } else if (w->prev == walk) {
                        unlinked.emplace(walk, w);
                    }
                    candidates.erase(w);
                }
                usable = false;
                break;
            }
        }
        if (usable) return best;
    }
    return nullptr;
}

ValidationResult Chainstate::Impl::ActivateBestChainLocked(std::shared_ptr<const consensus::Block> new_block,
                                                           bool* complete)
{
    // After a fatal storage error nothing more is judged: the node is stopping.
    if (fatal_error.load()) return ValidationResult::Error("the node is stopping after a fatal storage error");
    const BlockIndex* start_tip = active.Tip();
    int connected = 0;
    // Blocks were disconnected by this call: its end is a tip event even if the tip is back
    // where it was (the new branch failed), and the reorganisation's mark ends there.
    bool walked_back = false;
    const EndReorgOnThrow end_on_throw{*this};
    if (complete) *complete = true;
    while (!complete || *complete) {
        BlockIndex* best = FindMostWorkChain();
        if (!best || best == active.Tip()) break;

        // Disconnect back to the fork, then connect towards best.
        const BlockIndex* fork = active.FindFork(best);
        if (active.Tip() && fork && active.Tip() != fork) {
            CHAIN_LOG("Reorganizing: fork point %s height=%d, disconnecting %d block(s) from %s, connecting %d "
                      "towards %s height=%d\n",
                      fork->GetBlockHash().GetHex().c_str(), fork->height, active.Tip()->height - fork->height,
                      active.Tip()->GetBlockHash().GetHex().c_str(), best->height - fork->height,
                      best->GetBlockHash().GetHex().c_str(), best->height);
        }
        // The walk back is not published (SetActiveTip): readers of the snapshot see the old tip
        // until a block of the new branch connects, or the step ends.
        tip_publish_deferred = true;
        while (active.Tip() && active.Tip() != fork) {
            walked_back = true;
            ValidationResult r = DisconnectTip();
            if (!r.IsValid()) {
                tip_publish_deferred = false;
                PublishTip();
                EndReorg(); // the node stops: readers must not wait for a tip event
                return r;
            }
        }
        tip_publish_deferred = false;
        std::vector<BlockIndex*> path;
        for (BlockIndex* walk = best; walk && walk != fork; walk = walk->prev) path.push_back(walk);
        bool invalid_found = false;
        for (auto it = path.rbegin(); it != path.rend(); ++it) {
            BlockIndex* next = *it;
            ValidationResult r =
                ConnectTip(next, new_block && new_block->GetHash() == next->GetBlockHash() ? new_block : nullptr);
            if (r.IsError()) {
                EndReorg();
                return r;
            }
            if (r.IsInvalid()) {
                // Mark descendants on the path; pick the best chain again.
                for (auto jt = it + 1; jt != path.rend(); ++jt) {
                    (*jt)->status |= BLOCK_FAILED_CHILD;
                    blockman.MarkDirty(*jt);
                    candidates.erase(*jt);
                }
                invalid_found = true;
                break;
            }
            if (complete && ++connected >= MAX_BLOCKS_PER_STEP && next != best) {
                *complete = false; // more to do: the caller continues after releasing the lock
                break;
            }
        }
        if (!invalid_found) {
            // Candidates with less work than the new tip are useless now.
            for (auto it = candidates.begin(); it != candidates.end();) {
                if (CandidateOrder()(active.Tip(), *it)) {
                    it = candidates.erase(it);
                } else {
                    ++it;
                }
            }
        }
        // Keep the tip in the candidate set so it competes with later arrivals.
        if (active.Tip()) candidates.insert(active.Tip());
    }
    if (active.Tip() != start_tip || walked_back) {
        const BlockIndex* fork = start_tip ? LastCommonAncestor(start_tip, active.Tip()) : nullptr;
        if (notifier.HasListeners()) {
            NotifyLocked({ChainEvent::Kind::TIP, nullptr, active.Tip(), fork, IsInitialBlockDownloadLocked()});
        }
        // The pool holds the disconnected transactions again (its synchronous hook ran).
        EndReorg();
        // Published already with its last move, unless the step ended at a fork it walked back to.
        PublishTip();
    }
    if (!FlushIfNeededLocked()) return ValidationResult::Error("failed to flush to disk");
    return ValidationResult::Valid();
}

ValidationResult Chainstate::RunSteps(const WriteStep& step)
{
    while (true) {
        if (std::optional<ValidationResult> r = step()) return *r;
    }
}

std::optional<ValidationResult> Chainstate::ActivateBestChainStep()
{
    ValidationResult r;
    bool complete = true;
    LimitNotificationQueue();
    {
        util::LockGuard lock(m_impl->mutex);
        r = m_impl->ActivateBestChainLocked(nullptr, &complete);
    }
    if (r.IsValid() && !complete) return std::nullopt;
    return r;
}

WriteStep Chainstate::ActivateBestChainSteps()
{
    return [this]() { return ActivateBestChainStep(); };
}

ValidationResult Chainstate::ActivateBestChain() { return RunSteps(ActivateBestChainSteps()); }

ValidationResult Chainstate::Impl::MarkInvalidLocked(const consensus::Uint256& hash, BlockIndex*& index)
{
    index = Lookup(hash);
    if (!index)
        return ValidationResult::Invalid(consensus::BlockValidationResult::CONSENSUS, "not-found", "Block not found");
    if (index->GetBlockHash() == params->consensus.hash_genesis_block) {
        return ValidationResult::Invalid(consensus::BlockValidationResult::CONSENSUS, "genesis",
                                         "cannot invalidate the genesis block");
    }
    // The reason every later log line and lookup gives for this block.
    const ValidationResult manual = ValidationResult::Invalid(
        consensus::BlockValidationResult::CACHED_INVALID, "invalidated", "manually marked invalid by invalidateblock");
    CHAIN_LOG("InvalidateBlock: %s at height %d: %s\n", index->GetBlockHash().GetHex().c_str(), index->height,
              manual.ToString().c_str());
    index->status |= BLOCK_FAILED_VALID;
    blockman.MarkDirty(index);
    candidates.erase(index);
    // Every descendant in the index is invalid too (those on the active chain included).
    for (auto& [h, e] : blockman.Index()) {
        BlockIndex* b = e.get();
        if (b != index && b->height > index->height && b->GetAncestor(index->height) == index) {
            if (!(b->status & BLOCK_FAILED_MASK)) {
                b->status |= BLOCK_FAILED_CHILD;
                blockman.MarkDirty(b);
            }
            candidates.erase(b);
        }
    }
    if (best_header && best_header->GetAncestor(index->height) == index) InvalidBlockFound(index, manual);
    return ValidationResult::Valid();
}

ValidationResult Chainstate::Impl::DisconnectInvalidStepLocked(BlockIndex* index, bool& done)
{
    const EndReorgOnThrow end_on_throw{*this};
    ValidationResult r;
    for (int n = 0; n < MAX_BLOCKS_PER_STEP && active.Contains(index); ++n) {
        BlockIndex* tip = active.Tip();
        r = DisconnectTip();
        if (!r.IsValid()) break;
        candidates.erase(tip);
    }
    done = !r.IsValid() || !active.Contains(index);
    // The walk back ends with a tip event (fork: the new tip itself, nothing new above it), so
    // listeners that act once a reorganisation settles (the mempool re-accepting the
    // disconnected transactions, Core's MaybeUpdateMempoolForReorg) act now.
    if (done && r.IsValid() && notifier.HasListeners()) {
        NotifyLocked({ChainEvent::Kind::TIP, nullptr, active.Tip(), active.Tip(), IsInitialBlockDownloadLocked()});
    }
    if (done) EndReorg(); // after the tip event; on an error, because the node stops
    if (done && r.IsValid()) {
        // Other chains with at least the new tip's work may now win.
        candidates.clear();
        AddCandidatesFromIndex();
        if (active.Tip()) candidates.insert(active.Tip());
    }
    return r;
}

WriteStep Chainstate::InvalidateBlockSteps(const consensus::Uint256& hash)
{
    // In bounded steps, as Core's InvalidateBlock: mark the block, then walk the tip back
    // below it at most MAX_BLOCKS_PER_STEP blocks per step (each first waiting for room in the
    // notification queue), then activate the best remaining chain step by step. Between steps other
    // writers may run; the marks made first keep them off the block.
    enum class Phase { MARK, WALK_BACK, ACTIVATE };
    struct State {
        Phase phase{Phase::MARK};
        BlockIndex* index{nullptr};
    };
    auto st = std::make_shared<State>();
    return [this, hash, st]() -> std::optional<ValidationResult> {
        Impl& d = *m_impl;
        if (st->phase == Phase::MARK) {
            util::LockGuard lock(d.mutex);
            ValidationResult r = d.MarkInvalidLocked(hash, st->index);
            if (!r.IsValid()) return r;
            st->phase = Phase::WALK_BACK;
            return std::nullopt;
        }
        if (st->phase == Phase::WALK_BACK) {
            ValidationResult r;
            bool done = false;
            LimitNotificationQueue();
            {
                util::LockGuard lock(d.mutex);
                r = d.DisconnectInvalidStepLocked(st->index, done);
            }
            if (!r.IsValid()) return r;
            if (done) st->phase = Phase::ACTIVATE;
            return std::nullopt;
        }
        return ActivateBestChainStep();
    };
}

ValidationResult Chainstate::InvalidateBlock(const consensus::Uint256& hash)
{
    return RunSteps(InvalidateBlockSteps(hash));
}

WriteStep Chainstate::ReconsiderBlockSteps(const consensus::Uint256& hash)
{
    auto cleared = std::make_shared<bool>(false);
    return [this, hash, cleared]() -> std::optional<ValidationResult> {
        if (*cleared) {
            // Connecting the reconsidered chain runs in bounded steps.
            return ActivateBestChainStep();
        }
        Impl& d = *m_impl;
        util::LockGuard lock(d.mutex);
        BlockIndex* index = d.Lookup(hash);
        if (!index)
            return ValidationResult::Invalid(consensus::BlockValidationResult::CONSENSUS, "not-found",
                                             "Block not found");
        // Clear failure flags on the block, its descendants and its ancestors.
        for (auto& [h, e] : d.blockman.Index()) {
            BlockIndex* b = e.get();
            if (b->height >= index->height && b->GetAncestor(index->height) == index &&
                (b->status & BLOCK_FAILED_MASK)) {
                b->status &= ~BLOCK_FAILED_MASK;
                d.blockman.MarkDirty(b);
            }
        }
        for (BlockIndex* b = index; b; b = b->prev) {
            if (b->status & BLOCK_FAILED_MASK) {
                b->status &= ~BLOCK_FAILED_MASK;
                d.blockman.MarkDirty(b);
            }
        }
        BlockIndex* best = d.best_header;
        for (auto& [h, e] : d.blockman.Index()) {
            BlockIndex* b = e.get();
            if (!(b->status & BLOCK_FAILED_MASK) && (!best || CandidateOrder()(b, best))) best = b;
        }
        if (best != d.best_header) d.SetBestHeader(best);
        d.AddCandidatesFromIndex();
        *cleared = true;
        return std::nullopt;
    };
}

ValidationResult Chainstate::ReconsiderBlock(const consensus::Uint256& hash)
{
    return RunSteps(ReconsiderBlockSteps(hash));
}

void Chainstate::LimitNotificationQueue() { m_impl->notifier.WaitForRoom(); }

} // namespace node::chain
