// BIP-152 compact block messages (compact_blocks.h).
#include "net/compact_blocks.h"

#include "consensus/hash.h"
#include "net/siphash.h"

#include <limits>

namespace net {

using consensus::ByteReader;
using consensus::DecodeError;

namespace {

/** Next absolute index from a wire difference; DecodeError past 65535 (Core's "differential value overflow"). */
uint16_t NextIndex(ByteReader& r, uint64_t& next)
{
    const uint64_t diff = consensus::ReadCompactSize(r);
    if (diff > std::numeric_limits<uint16_t>::max())
        throw DecodeError("compact block index difference overflows 16 bits");
    const uint64_t index = next + diff;
    if (index > std::numeric_limits<uint16_t>::max()) throw DecodeError("compact block index overflows 16 bits");
    next = index + 1;
    return static_cast<uint16_t>(index);
}

} // namespace

HeaderAndShortIDs HeaderAndShortIDs::Deserialize(ByteReader& r)
{
    HeaderAndShortIDs m;
    m.header = consensus::BlockHeader::Deserialize(r);
    m.nonce = consensus::ReadLE64(r);
    const size_t n_short = consensus::ReadCount(r, SHORTTXIDS_LENGTH);
    if (n_short > std::numeric_limits<uint16_t>::max()) throw DecodeError("cmpctblock: indexes overflowed 16 bits");
    m.short_ids.resize(n_short);
    for (uint64_t& id : m.short_ids) {
        const auto b = r.ReadSpan(SHORTTXIDS_LENGTH);
        id = 0;
        for (size_t i = SHORTTXIDS_LENGTH; i-- > 0;) id = id << 8 | b[i];
    }
    // A prefilled entry is at least a one-byte index and a minimal transaction.
    const size_t n_pre = consensus::ReadCount(r, 1 + consensus::MIN_TRANSACTION_SIZE);
    if (n_short + n_pre > std::numeric_limits<uint16_t>::max())
        throw DecodeError("cmpctblock: indexes overflowed 16 bits");
    m.prefilled.reserve(n_pre);
    uint64_t next = 0;
    for (size_t i = 0; i < n_pre; ++i) {
        PrefilledTransaction p;
        p.index = NextIndex(r, next);
        p.tx = std::make_shared<const consensus::Transaction>(
            consensus::Transaction::Deserialize(r, consensus::TxWitness::WITH));
        m.prefilled.push_back(std::move(p));
    }
    return m;
}

BlockTransactionsRequest BlockTransactionsRequest::Deserialize(ByteReader& r)
{
    BlockTransactionsRequest m;
    r.Read(std::span<uint8_t>(m.block_hash.begin(), m.block_hash.size()));
    const size_t n = consensus::ReadCount(r, 1);
    // 65536 increasing 16-bit indexes at most: more must overflow, so refuse before allocating.
    if (n > size_t{std::numeric_limits<uint16_t>::max()} + 1) throw DecodeError("getblocktxn: index overflows 16 bits");
    m.indexes.resize(n);
    uint64_t next = 0;
    for (uint16_t& index : m.indexes) index = NextIndex(r, next);
    return m;
}

BlockTransactions BlockTransactions::Deserialize(ByteReader& r)
{
    BlockTransactions m;
    r.Read(std::span<uint8_t>(m.block_hash.begin(), m.block_hash.size()));
    const size_t n = consensus::ReadCount(r, consensus::MIN_TRANSACTION_SIZE);
    m.txn.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        m.txn.push_back(std::make_shared<const consensus::Transaction>(
            consensus::Transaction::Deserialize(r, consensus::TxWitness::WITH)));
    }
    return m;
}

bool BlockTransactions::operator==(const BlockTransactions& o) const
{
    if (block_hash != o.block_hash || txn.size() != o.txn.size()) return false;
    for (size_t i = 0; i < txn.size(); ++i) {
        if (txn[i]->GetWtxid() != o.txn[i]->GetWtxid()) return false;
    }
    return true;
}

std::pair<uint64_t, uint64_t> ShortIdKeys(const consensus::BlockHeader& header, uint64_t nonce)
{
    std::vector<uint8_t> bytes;
    bytes.reserve(consensus::BlockHeader::SIZE + 8);
    consensus::ByteWriter w(bytes);
    header.Serialize(w);
    consensus::WriteLE64(w, nonce);
    const consensus::Uint256 h = consensus::Sha256Hash(bytes);
    consensus::ByteReader r(h.Span());
    const uint64_t k0 = consensus::ReadLE64(r);
    const uint64_t k1 = consensus::ReadLE64(r);
    return {k0, k1};
}

uint64_t ShortTxId(const std::pair<uint64_t, uint64_t>& keys, const consensus::Uint256& wtxid)
{
    return SipHashUint256(keys.first, keys.second, wtxid) & 0xffff'ffff'ffffULL;
}

} // namespace net
