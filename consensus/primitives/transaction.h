// Transactions: outpoints, inputs, outputs, and their serialization with and without
// witness data (BIP-144). Transaction is immutable and caches its txid and wtxid.
#pragma once

#include "consensus/amount.h"
#include "consensus/script/script.h"
#include "consensus/serialize.h"
#include "consensus/uint256.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace consensus {

/** A reference to one output of a previous transaction. */
struct OutPoint {
    static constexpr uint32_t NULL_INDEX = 0xffffffff;
    Uint256 hash;
    uint32_t n{NULL_INDEX};

    OutPoint() = default;
    OutPoint(const Uint256& h, uint32_t i) : hash(h), n(i) {}
    bool IsNull() const { return hash.IsNull() && n == NULL_INDEX; }
    auto operator<=>(const OutPoint&) const = default;
    std::string ToString() const;

    template <typename W>
    void Serialize(W& w) const
    {
        w.Write(hash.Span());
        WriteLE32(w, n);
    }
    static OutPoint Deserialize(ByteReader& r);
};

/** A transaction input: what it spends, its unlocking script and witness. */
struct TxIn {
    /** nSequence of a final input: disables lock-time and relative lock-time. */
    static constexpr uint32_t SEQUENCE_FINAL = 0xffffffff;
    /** BIP-68: if set, nSequence is not a relative lock-time. */
    static constexpr uint32_t SEQUENCE_LOCKTIME_DISABLE_FLAG = 1U << 31;
    /** BIP-68: if set, the relative lock-time counts units of 512 seconds, otherwise blocks. */
    static constexpr uint32_t SEQUENCE_LOCKTIME_TYPE_FLAG = 1U << 22;
    /** BIP-68: the bits of nSequence that hold the relative lock-time. */
    static constexpr uint32_t SEQUENCE_LOCKTIME_MASK = 0x0000ffff;
    /** BIP-68: relative time lock granularity is 2^9 = 512 seconds. */
    static constexpr int SEQUENCE_LOCKTIME_GRANULARITY = 9;

    OutPoint prevout;
    Script script_sig;
    uint32_t sequence{SEQUENCE_FINAL};
    ScriptWitness witness;

    bool operator==(const TxIn&) const = default;

    /** Serializes without the witness (it goes after all inputs and outputs). */
    template <typename W>
    void Serialize(W& w) const
    {
        prevout.Serialize(w);
        script_sig.Serialize(w);
        WriteLE32(w, sequence);
    }
    static TxIn Deserialize(ByteReader& r);
    /** Smallest serialized size: outpoint, empty script, sequence. */
    static constexpr size_t MIN_SIZE = 32 + 4 + 1 + 4;
};

/** A transaction output: an amount and its locking script. */
struct TxOut {
    Amount value{-1};
    Script script_pubkey;

    TxOut() = default;
    TxOut(Amount v, Script spk) : value(v), script_pubkey(std::move(spk)) {}
    bool IsNull() const { return value.sats == -1; }
    bool operator==(const TxOut&) const = default;

    template <typename W>
    void Serialize(W& w) const
    {
        WriteLE64(w, static_cast<uint64_t>(value.sats));
        script_pubkey.Serialize(w);
    }
    static TxOut Deserialize(ByteReader& r);
    static constexpr size_t MIN_SIZE = 8 + 1;
};

class Transaction;

/** Whether a transaction is (de)serialized with its witness data. */
enum class TxWitness { WITH, WITHOUT };

/** A transaction under construction: plain data. */
struct MutableTransaction {
    uint32_t version{2};
    std::vector<TxIn> vin;
    std::vector<TxOut> vout;
    uint32_t locktime{0};

    MutableTransaction() = default;
    explicit MutableTransaction(const Transaction& tx);

    bool HasWitness() const;
    /** txid: double SHA-256 of the serialization without witness. */
    Uint256 GetTxid() const;

    template <typename W>
    void Serialize(W& w, TxWitness mode = TxWitness::WITH) const;
    /** Decodes a transaction (BIP-144 when mode is WITH); throws DecodeError. */
    static MutableTransaction Deserialize(ByteReader& r, TxWitness mode = TxWitness::WITH);
};

/** An immutable transaction with cached txid and wtxid. Share it as TransactionRef. */
class Transaction {
public:
    /** Transactions at or above this version signal BIP-68 relative lock-times. */
    const uint32_t version;
    const std::vector<TxIn> vin;
    const std::vector<TxOut> vout;
    const uint32_t locktime;

    explicit Transaction(const MutableTransaction& tx);
    explicit Transaction(MutableTransaction&& tx);

    const Uint256& GetTxid() const { return m_txid; }
    const Uint256& GetWtxid() const { return m_wtxid; }
    bool HasWitness() const { return m_has_witness; }
    bool IsCoinBase() const { return vin.size() == 1 && vin[0].prevout.IsNull(); }
    /** Sum of output values; throws std::runtime_error if a value or the sum leaves MoneyRange (run CheckTransaction first). */
    Amount GetValueOut() const;
    /** Serialized size with witness (counted while hashing, at construction). */
    size_t GetTotalSize() const { return m_total_size; }
    /** Serialized size without witness (BIP-141 stripped size). */
    size_t GetStrippedSize() const { return m_stripped_size; }

    template <typename W>
    void Serialize(W& w, TxWitness mode = TxWitness::WITH) const;
    static Transaction Deserialize(ByteReader& r, TxWitness mode = TxWitness::WITH)
    {
        return Transaction(MutableTransaction::Deserialize(r, mode));
    }

private:
    bool m_has_witness;
    Uint256 m_txid;
    Uint256 m_wtxid;
    size_t m_stripped_size;
    size_t m_total_size;
    void ComputeHashes();
};

using TransactionRef = std::shared_ptr<const Transaction>;
inline TransactionRef MakeTransactionRef(MutableTransaction tx)
{
    return std::make_shared<const Transaction>(std::move(tx));
}

/** Writes version, [marker, flag], inputs, outputs, [witnesses], locktime (BIP-144). */
template <typename W, typename Tx>
void SerializeTransaction(W& w, const Tx& tx, TxWitness mode)
{
    WriteLE32(w, tx.version);
    const bool witness = mode == TxWitness::WITH && tx.HasWitness();
    if (witness) {
        const uint8_t marker_flag[2] = {0x00, 0x01};
        w.Write(marker_flag);
    }
    WriteCompactSize(w, tx.vin.size());
    for (const auto& in : tx.vin) in.Serialize(w);
    WriteCompactSize(w, tx.vout.size());
    for (const auto& out : tx.vout) out.Serialize(w);
    if (witness) {
        for (const auto& in : tx.vin) in.witness.Serialize(w);
    }
    WriteLE32(w, tx.locktime);
}

template <typename W>
void MutableTransaction::Serialize(W& w, TxWitness mode) const
{
    SerializeTransaction(w, *this, mode);
}
template <typename W>
void Transaction::Serialize(W& w, TxWitness mode) const
{
    SerializeTransaction(w, *this, mode);
}

/** Serialized size without witness data. */
size_t GetStrippedSize(const Transaction& tx);
/** BIP-141 weight: stripped size * 3 + total size. */
int64_t GetTransactionWeight(const Transaction& tx);

} // namespace consensus
