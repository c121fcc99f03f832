// Block headers and blocks, their serialization and hashes.
#pragma once

#include "consensus/primitives/transaction.h"
#include "consensus/serialize.h"
#include "consensus/uint256.h"

#include <cstdint>
#include <vector>

namespace consensus {

/** The 80-byte block header; its double SHA-256 is the block hash. */
struct BlockHeader {
    static constexpr size_t SIZE = 80;
    int32_t version{0};
    Uint256 prev_block;
    Uint256 merkle_root;
    uint32_t time{0};
    uint32_t bits{0};
    uint32_t nonce{0};

    Uint256 GetHash() const;
    int64_t GetBlockTime() const { return time; }
    bool IsNull() const { return bits == 0; }
    bool operator==(const BlockHeader&) const = default;

    template <typename W>
    void Serialize(W& w) const
    {
        WriteLE32(w, static_cast<uint32_t>(version));
        w.Write(prev_block.Span());
        w.Write(merkle_root.Span());
        WriteLE32(w, time);
        WriteLE32(w, bits);
        WriteLE32(w, nonce);
    }
    static BlockHeader Deserialize(ByteReader& r);
};

/** A header and its transactions. */
struct Block : BlockHeader {
    std::vector<TransactionRef> vtx;

    const BlockHeader& Header() const { return *this; }

    /** Serializes header and transactions, with or without witness data. */
    template <typename W>
    void Serialize(W& w, TxWitness mode = TxWitness::WITH) const
    {
        BlockHeader::Serialize(w);
        WriteCompactSize(w, vtx.size());
        for (const auto& tx : vtx) tx->Serialize(w, mode);
    }
    /** Decodes a block; throws DecodeError. */
    static Block Deserialize(ByteReader& r, TxWitness mode = TxWitness::WITH);
};

/** Smallest serialized transaction: version, two empty counts, locktime. */
inline constexpr size_t MIN_TRANSACTION_SIZE = 10;

/** Serialized block size with witness data. */
size_t GetBlockTotalSize(const Block& block);
/** Serialized block size without witness data. */
size_t GetBlockStrippedSize(const Block& block);
/** BIP-141 block weight. */
int64_t GetBlockWeight(const Block& block);

} // namespace consensus
