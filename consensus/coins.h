// Coins: unspent transaction outputs with the context consensus needs (height and
// coinbase flag), and the read interface the consensus checks use to look them up.
#pragma once

#include "consensus/primitives/transaction.h"
#include "consensus/serialize.h"

#include <cstdint>
#include <optional>

namespace consensus {

/** An unspent output, the height of the block that created it, and whether it is a coinbase output. */
struct Coin {
    TxOut out;
    uint32_t height{0};
    bool coinbase{false};

    Coin() = default;
    Coin(TxOut o, uint32_t h, bool cb) : out(std::move(o)), height(h), coinbase(cb) {}
    /** A spent (or never-existing) coin has a null output. */
    bool IsSpent() const { return out.IsNull(); }
    void Clear() { *this = Coin(); }
    bool operator==(const Coin&) const = default;

    /** Serialized as LE32(height * 2 + coinbase) then the TxOut. */
    template <typename W>
    void Serialize(W& w) const
    {
        WriteLE32(w, height * 2 + (coinbase ? 1 : 0));
        out.Serialize(w);
    }
    static Coin Deserialize(ByteReader& r)
    {
        Coin c;
        const uint32_t code = ReadLE32(r);
        c.height = code >> 1;
        c.coinbase = code & 1;
        c.out = TxOut::Deserialize(r);
        return c;
    }
};

/** Read access to a set of unspent coins. Implementations state their own thread contract. */
class CoinsView {
public:
    virtual ~CoinsView() = default;
    /** The unspent coin at outpoint, or nullopt if it does not exist or is spent. */
    virtual std::optional<Coin> GetCoin(const OutPoint& outpoint) const = 0;
    /** True if an unspent coin exists at outpoint. */
    virtual bool HaveCoin(const OutPoint& outpoint) const { return GetCoin(outpoint).has_value(); }
};

} // namespace consensus

/** Hash for OutPoint keys: cheap, from the (already uniformly random) txid bytes. */
template <>
struct std::hash<consensus::OutPoint> {
    size_t operator()(const consensus::OutPoint& o) const noexcept
    {
        return o.hash.GetCheapHash() ^ (static_cast<uint64_t>(o.n) * 0x9e3779b97f4a7c15ULL);
    }
};
