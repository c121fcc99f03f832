// BIP-152 block reconstruction (Core's PartiallyDownloadedBlock, blockencodings.cpp): a
// cmpctblock's slots filled from the prefilled transactions and from transaction sources
// (the mempool when there is one, and a ring of extra transactions), the missing ones
// asked for with getblocktxn and filled from the blocktxn answer. Not thread-safe: the peer
// manager keeps them under its lock.
#pragma once

#include "consensus/primitives/block.h"
#include "consensus/primitives/transaction.h"
#include "net/compact_blocks.h"

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace node::p2p {

/**
 * Where reconstruction looks for the transactions a cmpctblock names by short id. A mempool
 * implements it by visiting its transactions; ExtraTxns below is the other one.
 */
class TxSource {
public:
    virtual ~TxSource() = default;
    /**
     * Calls visit with every candidate transaction (the visitor matches short ids itself). Called
     * under the peer manager's lock: take only locks of your own, never call back into it.
     */
    virtual void ForEachTx(const std::function<void(const consensus::TransactionRef&)>& visit) const = 0;
};

/**
 * Core's vExtraTxnForCompact: the last few transactions we saw outside the chain (here the
 * transactions of blocks disconnected in a reorganisation, until a mempool adds its rejects),
 * offered to reconstruction. A ring: the oldest goes first.
 */
class ExtraTxns final : public TxSource {
public:
    /** Core's DEFAULT_BLOCK_RECONSTRUCTION_EXTRA_TXN. */
    static constexpr size_t DEFAULT_CAPACITY = 100;
    explicit ExtraTxns(size_t capacity = DEFAULT_CAPACITY) : m_capacity(capacity) {}
    /** Adds tx (coinbases are skipped: they never appear in another block). */
    void Add(const consensus::TransactionRef& tx);
    /** Transactions held (at most the capacity). */
    size_t Size() const { return m_txs.size(); }
    /** Oldest first. */
    void ForEachTx(const std::function<void(const consensus::TransactionRef&)>& visit) const override;

private:
    size_t m_capacity;
    std::deque<consensus::TransactionRef> m_txs;
};

/** Core's ReadStatus. */
enum class ReadStatus {
    OK,
    INVALID, //!< the peer sent something impossible: Misbehaving
    FAILED,  //!< a collision or a reconstruction that does not match the header: ask for the full block
};

/** Core's limit on transactions a block can hold: MAX_BLOCK_WEIGHT / the smallest transaction's weight. */
inline constexpr size_t MAX_COMPACT_BLOCK_TXS = 4'000'000 / (10 * 4);

/** One cmpctblock being reconstructed. */
class PartialBlock {
public:
    /**
     * Lays out the block's slots: prefilled transactions in place, then short ids matched
     * against the sources. INVALID for an empty or oversized block or a prefilled index out of
     * range, FAILED when two short ids of the message are equal or too many share a bucket
     * (Core's collision handling: the full block is asked for instead).
     */
    ReadStatus Init(const net::HeaderAndShortIDs& cmpct, std::span<const TxSource* const> sources);
    /** Whether slot i already holds a transaction. */
    bool IsTxAvailable(size_t i) const { return i < m_txs.size() && m_txs[i] != nullptr; }
    /** Indexes of the slots still empty (the getblocktxn request), increasing. */
    std::vector<uint16_t> MissingIndexes() const;
    /** Slots filled from the sources (not prefilled), for the logs. */
    size_t FromSources() const { return m_from_sources; }
    /**
     * Builds the block, filling the empty slots in order from missing. INVALID when missing
     * has too few or too many transactions; FAILED when the transactions do not match the
     * header's merkle root (or the tree is malleable), or, with segwit_active, the witness
     * commitment: a short id matched the wrong transaction, which is not the peer's fault.
     */
    ReadStatus Fill(consensus::Block& block, const std::vector<consensus::TransactionRef>& missing,
                    bool segwit_active) const;
    /** The cmpctblock's header. */
    /** The cmpctblock's header. */
    const consensus::BlockHeader& Header() const { return m_header; }

private:
    consensus::BlockHeader m_header;
    std::vector<consensus::TransactionRef> m_txs;
    size_t m_from_sources{0};
};

/**
 * The cmpctblock of block (BIP-152 version 2): the coinbase prefilled, every other
 * transaction by the short id of its wtxid under nonce.
 */
net::HeaderAndShortIDs BuildCompactBlock(const consensus::Block& block, uint64_t nonce);

} // namespace node::p2p
