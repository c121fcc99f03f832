// Block templates for the miner RPCs (generatetoaddress, generateblock,
// getblocktemplate) and template validation without storing (TestBlockValidity).
#include "node/chain/chainstate_impl.h"
#include "consensus/contextual_check.h"

#include "consensus/block_check.h"
#include "consensus/merkle.h"
#include "consensus/tx_verify.h"

namespace node::chain {

using consensus::ValidationResult;

ValidationResult Chainstate::CreateNewBlock(const consensus::Script& script_pubkey,
                                            const std::vector<consensus::TransactionRef>& txs, consensus::Block& out,
                                            bool pay_fees)
{
    Impl& d = *m_impl;
    util::LockGuard lock(d.mutex);
    const BlockIndex* prev = d.active.Tip();
    if (!prev) return ValidationResult::Error("no chain tip");
    const int height = prev->height + 1;

    // Fees of the given transactions, in order, each able to spend the ones before it.
    CoinsViewCache view(d.coins_tip.get()); // reads never insert into the shared main cache
    consensus::Amount fees;
    for (const auto& tx : txs) {
        if (tx->IsCoinBase())
            return ValidationResult::Invalid(consensus::BlockValidationResult::CONSENSUS, "bad-txns-coinbase",
                                             "a template transaction is a coinbase");
        consensus::Amount fee;
        if (auto r = consensus::CheckTxInputs(*tx, view, height, fee); !r.IsValid()) return r;
        fees += fee;
        for (const auto& in : tx->vin) view.SpendCoin(in.prevout);
        view.AddCoins(*tx, static_cast<uint32_t>(height));
    }

    consensus::Block block;
    // BIP-9: the top bits plus the bits of the deployments that are STARTED or LOCKED_IN.
    {
        util::LockGuard vb(d.versionbits_mutex);
        block.version = consensus::ComputeBlockVersion<BlockIndex>(prev, d.params->consensus, d.versionbits_caches);
    }
    block.prev_block = prev->GetBlockHash();
    block.time = static_cast<uint32_t>(std::max<int64_t>(prev->GetMedianTimePast() + 1, NowSeconds()));
    block.bits = d.NextWorkRequired(prev, block.time);
    block.nonce = 0;

    consensus::MutableTransaction coinbase;
    coinbase.version = 2;
    coinbase.vin.resize(1);
    // BIP-34 height, then an extra-nonce push that also keeps the script >= 2 bytes.
    coinbase.vin[0].script_sig.PushInt(height);
    coinbase.vin[0].script_sig << consensus::OP_0;
    const consensus::Amount subsidy = consensus::GetBlockSubsidy(height, d.params->consensus);
    coinbase.vout.emplace_back(pay_fees ? fees + subsidy : subsidy, script_pubkey);
    coinbase.locktime = 0;
    block.vtx.push_back(consensus::MakeTransactionRef(std::move(coinbase)));
    for (const auto& tx : txs) block.vtx.push_back(tx);
    if (d.SegwitActive(height)) consensus::GenerateCoinbaseCommitment(block);
    block.merkle_root = consensus::BlockMerkleRoot(block);
    out = std::move(block);
    return ValidationResult::Valid();
}

ValidationResult Chainstate::TestBlockValidity(const consensus::Block& block, bool check_pow, bool check_merkle)
{
    Impl& d = *m_impl;
    util::LockGuard lock(d.mutex);
    if (d.fatal_error.load()) return ValidationResult::Error("the node is stopping after a fatal storage error");
    BlockIndex* prev = d.active.Tip();
    if (!prev || block.prev_block != prev->GetBlockHash()) {
        return ValidationResult::Invalid(consensus::BlockValidationResult::INVALID_PREV,
                                         "inconclusive-not-best-prevblk", "block does not build on the tip");
    }
    if (auto r = d.ContextualCheckBlockHeader(block, prev); !r.IsValid()) return r;
    if (auto r = consensus::CheckBlock(block, d.params->consensus, check_pow, check_merkle); !r.IsValid()) return r;
    if (auto r = d.ContextualCheckBlock(block, prev); !r.IsValid()) return r;
    // A throwaway index entry for the candidate, linked to the tip.
    BlockIndex candidate;
    const consensus::Uint256 hash = block.GetHash();
    candidate.phash = &hash;
    candidate.prev = prev;
    candidate.height = prev->height + 1;
    candidate.time = block.time;
    candidate.bits = block.bits;
    candidate.BuildSkip();
    CoinsViewCache view(d.coins_tip.get()); // reads never insert into the shared main cache
    ValidationResult r = d.ConnectBlock(block, &candidate, view, true);
    // A coin that could not be read is a storage fault, as when a block connects: stop the node.
    if (view.ReadFailed()) {
        r = Impl::CoinsReadError(hash);
        d.AbortNode(r.GetRejectReason());
    }
    return r;
}

} // namespace node::chain
