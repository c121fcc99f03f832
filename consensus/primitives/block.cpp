#include "consensus/primitives/block.h"

#include "consensus/hash.h"

namespace consensus {

Uint256 BlockHeader::GetHash() const
{
    HashWriter hw;
    Serialize(hw);
    return hw.GetHash();
}

BlockHeader BlockHeader::Deserialize(ByteReader& r)
{
    BlockHeader h;
    h.version = static_cast<int32_t>(ReadLE32(r));
    r.Read(std::span<uint8_t>(h.prev_block.data(), 32));
    r.Read(std::span<uint8_t>(h.merkle_root.data(), 32));
    h.time = ReadLE32(r);
    h.bits = ReadLE32(r);
    h.nonce = ReadLE32(r);
    return h;
}

Block Block::Deserialize(ByteReader& r, TxWitness mode)
{
    Block b;
    static_cast<BlockHeader&>(b) = BlockHeader::Deserialize(r);
    const size_t n = ReadCount(r, MIN_TRANSACTION_SIZE);
    b.vtx.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        b.vtx.push_back(MakeTransactionRef(MutableTransaction::Deserialize(r, mode)));
    }
    return b;
}

// From the transactions' sizes, counted when they were hashed: the header, the
// transaction count, the transactions.
size_t GetBlockTotalSize(const Block& block)
{
    size_t size = BlockHeader::SIZE + CompactSizeLen(block.vtx.size());
    for (const auto& tx : block.vtx) size += tx->GetTotalSize();
    return size;
}

size_t GetBlockStrippedSize(const Block& block)
{
    size_t size = BlockHeader::SIZE + CompactSizeLen(block.vtx.size());
    for (const auto& tx : block.vtx) size += tx->GetStrippedSize();
    return size;
}

int64_t GetBlockWeight(const Block& block)
{
    return static_cast<int64_t>(GetBlockStrippedSize(block)) * 3 + static_cast<int64_t>(GetBlockTotalSize(block));
}

} // namespace consensus
