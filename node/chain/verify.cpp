// Core's VerifyDB (verifychain, the start-up self-check): re-reads and re-checks the most
// recent blocks of the active chain and replays them backwards and forwards in a throw-away
// coins cache, so corrupted block files, undo files or coins show up without changing state.
#include "node/chain/chainstate_impl.h"

#include "consensus/block_check.h"

#include <algorithm>

namespace node::chain {

bool Chainstate::VerifyDB(int level, int depth)
{
    Impl& d = *m_impl;
    util::LockGuard lock(d.mutex);
    BlockIndex* tip = d.active.Tip();
    if (tip == nullptr || tip->prev == nullptr) return true; // nothing beyond the genesis block
    const int height = d.active.Height();
    if (depth <= 0 || depth > height) depth = height;
    level = std::clamp(level, 0, 4);
    CHAIN_LOG("Verifying last %i blocks at level %i\n", depth, level);

    // The throw-away view: every change of levels 3 and 4 lands here and is dropped at return.
    CoinsViewCache view(d.coins_tip.get()); // reads never insert into the shared main cache
    BlockIndex* index = tip;
    const BlockIndex* failure = nullptr;
    int good_transactions = 0;
    int report_done = 0;
    bool skipped_l3_checks = false;
    CHAIN_LOG("Verification progress: 0%%\n");
    for (; index != nullptr && index->prev != nullptr; index = index->prev) {
        const int percentage_done =
            std::max(1, std::min(99, static_cast<int>((static_cast<double>(height - index->height)) / depth *
                                                      (level >= 4 ? 50 : 100))));
        if (report_done < percentage_done / 10) {
            CHAIN_LOG("Verification progress: %d%%\n", percentage_done);
            report_done = percentage_done / 10;
        }
        if (index->height <= height - depth) break;
        // Level 0: the block can be read.
        auto block = d.ReadBlockLocked(index);
        if (!block) {
            CHAIN_LOG("Verification error: ReadBlock failed at %d, hash=%s\n", index->height,
                      index->GetBlockHash().GetHex().c_str());
            return false;
        }
        // Level 1: it is a valid block on its own.
        if (level >= 1) {
            if (auto r = consensus::CheckBlock(*block, d.params->consensus, true, true); !r.IsValid()) {
                CHAIN_LOG("Verification error: found bad block at %d, hash=%s (%s)\n", index->height,
                          index->GetBlockHash().GetHex().c_str(), r.ToString().c_str());
                return false;
            }
        }
        // Level 2: its undo data can be read (and passes its checksum).
        if (level >= 2 && (index->status & BLOCK_HAVE_UNDO)) {
            if (!d.BlockReads().ReadUndo(index->undo_pos, index->prev->GetBlockHash())) {
                CHAIN_LOG("Verification error: found bad undo data at %d, hash=%s\n", index->height,
                          index->GetBlockHash().GetHex().c_str());
                return false;
            }
        }
        // Level 3: disconnecting it from the coins must find every coin as recorded.
        if (level >= 3) {
            if (view.DynamicMemoryUsage() + d.coins->DynamicMemoryUsage() <= d.opts.dbcache_bytes) {
                bool clean = true;
                if (view.GetBestBlock() != index->GetBlockHash() || !d.DisconnectBlock(*block, index, view, &clean)) {
                    CHAIN_LOG("Verification error: irrecoverable inconsistency in block data at %d, hash=%s\n",
                              index->height, index->GetBlockHash().GetHex().c_str());
                    return false;
                }
                if (!clean) {
                    good_transactions = 0;
                    failure = index;
                } else {
                    good_transactions += static_cast<int>(block->vtx.size());
                }
            } else {
                skipped_l3_checks = true;
            }
        }
    }
    if (failure) {
        CHAIN_LOG(
            "Verification error: coin database inconsistencies found (last %i blocks, %i good transactions before "
            "that)\n",
            height - failure->height + 1, good_transactions);
        return false;
    }
    if (skipped_l3_checks) {
        CHAIN_LOG(
            "Skipped verification of level >=3 (insufficient database cache size). Consider increasing -dbcache.\n");
    }
    const int block_count = height - index->height;

    // Level 4: the disconnected blocks connect again (scripts included) on top of the view.
    if (level >= 4 && !skipped_l3_checks) {
        while (index != tip) {
            const int percentage_done = std::max(
                1, std::min(99, 100 - static_cast<int>(static_cast<double>(height - index->height) / depth * 50)));
            if (report_done < percentage_done / 10) {
                CHAIN_LOG("Verification progress: %d%%\n", percentage_done);
                report_done = percentage_done / 10;
            }
            index = d.active.Next(index);
            auto block = d.ReadBlockLocked(index);
            if (!block) {
                CHAIN_LOG("Verification error: ReadBlock failed at %d, hash=%s\n", index->height,
                          index->GetBlockHash().GetHex().c_str());
                return false;
            }
            // just_check: nothing is written (no undo, no index change); the view keeps the coins.
            const consensus::ValidationResult r = d.ConnectBlock(*block, index, view, true);
            if (!r.IsValid()) {
                CHAIN_LOG("Verification error: found unconnectable block at %d, hash=%s (%s)\n", index->height,
                          index->GetBlockHash().GetHex().c_str(), r.ToString().c_str());
                return false;
            }
            view.SetBestBlock(index->GetBlockHash());
        }
    }
    CHAIN_LOG("Verification: No coin database inconsistencies in last %i blocks (%i transactions)\n", block_count,
              good_transactions);
    return !skipped_l3_checks;
}

} // namespace node::chain
