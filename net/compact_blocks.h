// BIP-152 compact block messages: cmpctblock (HeaderAndShortIDs), getblocktxn
// (BlockTransactionsRequest), blocktxn (BlockTransactions), and the short transaction id.
// Decoders throw consensus::DecodeError; they check framing and counts only (transactions
// are decoded, never validated). Plain values: any thread.
#pragma once

#include "consensus/primitives/block.h"
#include "consensus/primitives/transaction.h"
#include "consensus/serialize.h"
#include "consensus/uint256.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace net {

/** Bytes of a short transaction id on the wire. */
inline constexpr size_t SHORTTXIDS_LENGTH = 6;

/** A transaction sent whole inside a cmpctblock, with its index in the block. */
struct PrefilledTransaction {
    uint16_t index{0}; // absolute index in the block (differentially encoded on the wire)
    consensus::TransactionRef tx;
    bool operator==(const PrefilledTransaction& o) const
    {
        return index == o.index && (tx == o.tx || (tx && o.tx && tx->GetWtxid() == o.tx->GetWtxid()));
    }
};

/**
 * cmpctblock: a header, a nonce, the 6-byte short ids of the transactions the receiver
 * probably has, and the prefilled ones (at least the coinbase, in practice), in block order.
 */
struct HeaderAndShortIDs {
    consensus::BlockHeader header;
    uint64_t nonce{0};
    std::vector<uint64_t> short_ids; // each below 2^48
    std::vector<PrefilledTransaction> prefilled;

    /** Transactions in the block: short ids plus prefilled ones. */
    size_t BlockTxCount() const { return short_ids.size() + prefilled.size(); }

    /**
     * Writes the message: prefilled indexes as differences (index - previous index - 1).
     * std::logic_error if the indexes do not increase or a short id is not below 2^48.
     */
    template <typename W>
    void Serialize(W& w) const;
    /**
     * Reads a cmpctblock. A DecodeError when a difference does not fit 16 bits or short ids
     * and prefilled transactions together exceed 65535 (Core: a decode exception, only logged),
     * and when an absolute prefilled index passes 65535 (Core finds that one when it builds the
     * block: an invalid compact block, Misbehaving). Transactions are read with witnesses.
     */
    static HeaderAndShortIDs Deserialize(consensus::ByteReader& r);
    bool operator==(const HeaderAndShortIDs&) const = default;
};

/** getblocktxn: the block and the indexes (increasing) of the transactions asked for. */
struct BlockTransactionsRequest {
    consensus::Uint256 block_hash;
    std::vector<uint16_t> indexes; // absolute, increasing; differentially encoded on the wire

    /** std::logic_error if the indexes do not increase. */
    template <typename W>
    void Serialize(W& w) const;
    /** Reads a getblocktxn; an index past 65535 (a difference that overflows) is a DecodeError, as Core. */
    static BlockTransactionsRequest Deserialize(consensus::ByteReader& r);
    bool operator==(const BlockTransactionsRequest&) const = default;
};

/** blocktxn: the transactions a getblocktxn asked for, in its order, with witnesses. */
struct BlockTransactions {
    consensus::Uint256 block_hash;
    std::vector<consensus::TransactionRef> txn;

    template <typename W>
    void Serialize(W& w) const
    {
        w.Write(block_hash.Span());
        consensus::WriteCompactSize(w, txn.size());
        for (const auto& tx : txn) tx->Serialize(w, consensus::TxWitness::WITH);
    }
    static BlockTransactions Deserialize(consensus::ByteReader& r);
    bool operator==(const BlockTransactions& o) const;
};

/** The SipHash keys of a cmpctblock: the first two little-endian words of SHA256(header || nonce LE64). */
std::pair<uint64_t, uint64_t> ShortIdKeys(const consensus::BlockHeader& header, uint64_t nonce);

/** The short id of a transaction: SipHash-2-4 of its wtxid under keys, low 48 bits (BIP-152 version 2). */
uint64_t ShortTxId(const std::pair<uint64_t, uint64_t>& keys, const consensus::Uint256& wtxid);

// ---- templates ----

namespace detail {
/** Writes sorted indexes as BIP-152 differences; logic_error if they do not strictly increase. */
template <typename W, typename Get>
void WriteDifferences(W& w, size_t n, Get get)
{
    uint64_t next = 0; // the smallest index allowed next
    for (size_t i = 0; i < n; ++i) {
        const uint64_t index = get(i);
        if (index < next) throw std::logic_error("compact block indexes must increase");
        consensus::WriteCompactSize(w, index - next);
        next = index + 1;
    }
}
} // namespace detail

template <typename W>
void HeaderAndShortIDs::Serialize(W& w) const
{
    header.Serialize(w);
    consensus::WriteLE64(w, nonce);
    consensus::WriteCompactSize(w, short_ids.size());
    for (const uint64_t id : short_ids) {
        if (id >> 48) throw std::logic_error("short id wider than 48 bits");
        uint8_t b[SHORTTXIDS_LENGTH];
        for (size_t i = 0; i < SHORTTXIDS_LENGTH; ++i) b[i] = static_cast<uint8_t>(id >> (8 * i));
        w.Write(b);
    }
    consensus::WriteCompactSize(w, prefilled.size());
    uint64_t next = 0;
    for (const auto& p : prefilled) {
        if (p.index < next) throw std::logic_error("compact block indexes must increase");
        consensus::WriteCompactSize(w, p.index - next);
        next = uint64_t{p.index} + 1;
        p.tx->Serialize(w, consensus::TxWitness::WITH);
    }
}

template <typename W>
void BlockTransactionsRequest::Serialize(W& w) const
{
    w.Write(block_hash.Span());
    consensus::WriteCompactSize(w, indexes.size());
    detail::WriteDifferences(w, indexes.size(), [&](size_t i) { return uint64_t{indexes[i]}; });
}

} // namespace net
