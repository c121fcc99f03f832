// Undo data: the coins a block spent, so that disconnecting it can restore them.
#pragma once

#include "consensus/coins.h"
#include "consensus/serialize.h"

#include <vector>

namespace node {

/** The coins spent by one transaction's inputs, in input order. */
struct TxUndo {
    std::vector<consensus::Coin> prevouts;

    template <typename W>
    void Serialize(W& w) const
    {
        consensus::WriteCompactSize(w, prevouts.size());
        for (const auto& c : prevouts) c.Serialize(w);
    }
    static TxUndo Deserialize(consensus::ByteReader& r)
    {
        TxUndo u;
        const size_t n = consensus::ReadCount(r, 4 + consensus::TxOut::MIN_SIZE);
        u.prevouts.reserve(n);
        for (size_t i = 0; i < n; ++i) u.prevouts.push_back(consensus::Coin::Deserialize(r));
        return u;
    }
};

/** Undo data of a block: one TxUndo per transaction except the coinbase. */
struct BlockUndo {
    std::vector<TxUndo> txundo;

    template <typename W>
    void Serialize(W& w) const
    {
        consensus::WriteCompactSize(w, txundo.size());
        for (const auto& u : txundo) u.Serialize(w);
    }
    static BlockUndo Deserialize(consensus::ByteReader& r)
    {
        BlockUndo b;
        const size_t n = consensus::ReadCount(r, 1);
        b.txundo.reserve(n);
        for (size_t i = 0; i < n; ++i) b.txundo.push_back(TxUndo::Deserialize(r));
        return b;
    }
};

} // namespace node
