// BIP-152 block reconstruction (partial_block.h).
#include "node/p2p/partial_block.h"

#include "consensus/block_check.h"
#include "consensus/merkle.h"

#include <unordered_map>

namespace node::p2p {

void ExtraTxns::Add(const consensus::TransactionRef& tx)
{
    if (!tx || tx->IsCoinBase() || m_capacity == 0) return;
    if (m_txs.size() == m_capacity) m_txs.pop_front();
    m_txs.push_back(tx);
}

void ExtraTxns::ForEachTx(const std::function<void(const consensus::TransactionRef&)>& visit) const
{
    for (const auto& tx : m_txs) visit(tx);
}

ReadStatus PartialBlock::Init(const net::HeaderAndShortIDs& cmpct, std::span<const TxSource* const> sources)
{
    if (cmpct.short_ids.empty() && cmpct.prefilled.empty()) return ReadStatus::INVALID;
    if (cmpct.BlockTxCount() > MAX_COMPACT_BLOCK_TXS) return ReadStatus::INVALID;
    if (!m_txs.empty()) return ReadStatus::INVALID; // used once
    m_header = cmpct.header;
    m_txs.assign(cmpct.BlockTxCount(), nullptr);
    // Prefilled indexes are absolute and increase (the decoder undid the differences); each
    // must leave room for the short ids before it.
    for (size_t i = 0; i < cmpct.prefilled.size(); ++i) {
        const auto& p = cmpct.prefilled[i];
        if (!p.tx) return ReadStatus::INVALID;
        if (p.index > cmpct.short_ids.size() + i) return ReadStatus::INVALID;
        m_txs[p.index] = p.tx;
    }
    // Short id -> slot. A well-formed message spreads its ids evenly over the buckets, so a
    // crowded bucket (Core: more than 12) is treated as a failure, and so are equal ids.
    std::unordered_map<uint64_t, size_t> slots(cmpct.short_ids.size());
    size_t offset = 0;
    for (size_t i = 0; i < cmpct.short_ids.size(); ++i) {
        while (m_txs[i + offset]) ++offset;
        slots[cmpct.short_ids[i]] = i + offset;
        if (slots.bucket_size(slots.bucket(cmpct.short_ids[i])) > 12) return ReadStatus::FAILED;
    }
    if (slots.size() != cmpct.short_ids.size()) return ReadStatus::FAILED; // a short id collision

    const auto keys = net::ShortIdKeys(cmpct.header, cmpct.nonce);
    std::vector<bool> seen(m_txs.size(), false);
    for (const TxSource* source : sources) {
        if (!source) continue;
        source->ForEachTx([&](const consensus::TransactionRef& tx) {
            if (!tx) return;
            auto it = slots.find(net::ShortTxId(keys, tx->GetWtxid()));
            if (it == slots.end()) return;
            auto& slot = m_txs[it->second];
            if (!seen[it->second]) {
                seen[it->second] = true;
                slot = tx;
                ++m_from_sources;
            } else if (slot && slot->GetWtxid() != tx->GetWtxid()) {
                // Two candidates for one id: ask the peer rather than guess (Core).
                slot.reset();
                --m_from_sources;
            }
        });
    }
    return ReadStatus::OK;
}

std::vector<uint16_t> PartialBlock::MissingIndexes() const
{
    std::vector<uint16_t> out;
    for (size_t i = 0; i < m_txs.size(); ++i)
        if (!m_txs[i]) out.push_back(static_cast<uint16_t>(i));
    return out;
}

ReadStatus PartialBlock::Fill(consensus::Block& block, const std::vector<consensus::TransactionRef>& missing,
                              bool segwit_active) const
{
    if (m_txs.empty()) return ReadStatus::INVALID;
    static_cast<consensus::BlockHeader&>(block) = m_header;
    block.vtx.assign(m_txs.size(), nullptr);
    size_t next = 0;
    for (size_t i = 0; i < m_txs.size(); ++i) {
        if (m_txs[i]) {
            block.vtx[i] = m_txs[i];
        } else {
            if (next == missing.size() || !missing[next]) return ReadStatus::INVALID;
            block.vtx[i] = missing[next++];
        }
    }
    if (next != missing.size()) return ReadStatus::INVALID;
    // A wrong match (or a malleable tree) is not the peer's fault: the full block instead.
    bool mutated = false;
    if (consensus::BlockMerkleRoot(block, &mutated) != block.merkle_root || mutated) return ReadStatus::FAILED;
    if (!consensus::CheckWitnessCommitment(block, segwit_active).IsValid()) return ReadStatus::FAILED;
    return ReadStatus::OK;
}

net::HeaderAndShortIDs BuildCompactBlock(const consensus::Block& block, uint64_t nonce)
{
    net::HeaderAndShortIDs out;
    out.header = block.Header();
    out.nonce = nonce;
    if (block.vtx.empty()) return out;
    out.prefilled.push_back({0, block.vtx[0]});
    const auto keys = net::ShortIdKeys(out.header, nonce);
    out.short_ids.reserve(block.vtx.size() - 1);
    for (size_t i = 1; i < block.vtx.size(); ++i)
        out.short_ids.push_back(net::ShortTxId(keys, block.vtx[i]->GetWtxid()));
    return out;
}

} // namespace node::p2p
