#include "consensus/primitives/transaction.h"

#include "consensus/hash.h"

#include <stdexcept>

namespace consensus {

std::string OutPoint::ToString() const { return hash.GetHex() + ":" + std::to_string(n); }

OutPoint OutPoint::Deserialize(ByteReader& r)
{
    OutPoint o;
    r.Read(std::span<uint8_t>(o.hash.data(), 32));
    o.n = ReadLE32(r);
    return o;
}

TxIn TxIn::Deserialize(ByteReader& r)
{
    TxIn in;
    in.prevout = OutPoint::Deserialize(r);
    in.script_sig = Script::Deserialize(r);
    in.sequence = ReadLE32(r);
    return in;
}

TxOut TxOut::Deserialize(ByteReader& r)
{
    TxOut out;
    out.value = Amount{static_cast<int64_t>(ReadLE64(r))};
    out.script_pubkey = Script::Deserialize(r);
    return out;
}

static std::vector<TxIn> ReadInputs(ByteReader& r)
{
    const size_t n = ReadCount(r, TxIn::MIN_SIZE);
    std::vector<TxIn> vin;
    vin.reserve(n);
    for (size_t i = 0; i < n; ++i) vin.push_back(TxIn::Deserialize(r));
    return vin;
}

static std::vector<TxOut> ReadOutputs(ByteReader& r)
{
    const size_t n = ReadCount(r, TxOut::MIN_SIZE);
    std::vector<TxOut> vout;
    vout.reserve(n);
    for (size_t i = 0; i < n; ++i) vout.push_back(TxOut::Deserialize(r));
    return vout;
}

MutableTransaction MutableTransaction::Deserialize(ByteReader& r, TxWitness mode)
{
    // BIP-144: an empty input vector followed by a non-zero flag byte marks extended format.
    MutableTransaction tx;
    const bool allow_witness = mode == TxWitness::WITH;
    tx.version = ReadLE32(r);
    uint8_t flags = 0;
    tx.vin = ReadInputs(r);
    if (tx.vin.empty() && allow_witness) {
        flags = ReadLE8(r);
        if (flags != 0) {
            tx.vin = ReadInputs(r);
            tx.vout = ReadOutputs(r);
        }
    } else {
        tx.vout = ReadOutputs(r);
    }
    if ((flags & 1) && allow_witness) {
        flags ^= 1;
        for (auto& in : tx.vin) in.witness = ScriptWitness::Deserialize(r);
        if (!tx.HasWitness()) throw DecodeError("superfluous witness record");
    }
    if (flags) throw DecodeError("unknown transaction optional data");
    tx.locktime = ReadLE32(r);
    return tx;
}

MutableTransaction::MutableTransaction(const Transaction& tx)
    : version(tx.version), vin(tx.vin), vout(tx.vout), locktime(tx.locktime)
{}

bool MutableTransaction::HasWitness() const
{
    for (const auto& in : vin) {
        if (!in.witness.IsNull()) return true;
    }
    return false;
}

Uint256 MutableTransaction::GetTxid() const
{
    HashWriter hw;
    Serialize(hw, TxWitness::WITHOUT);
    return hw.GetHash();
}

Transaction::Transaction(const MutableTransaction& tx)
    : version(tx.version), vin(tx.vin), vout(tx.vout), locktime(tx.locktime)
{
    ComputeHashes();
}

Transaction::Transaction(MutableTransaction&& tx)
    : version(tx.version), vin(std::move(tx.vin)), vout(std::move(tx.vout)), locktime(tx.locktime)
{
    ComputeHashes();
}

void Transaction::ComputeHashes()
{
    m_has_witness = false;
    for (const auto& in : vin) {
        if (!in.witness.IsNull()) {
            m_has_witness = true;
            break;
        }
    }
    HashWriter hw;
    Serialize(hw, TxWitness::WITHOUT);
    m_stripped_size = hw.Size();
    m_txid = hw.GetHash();
    if (m_has_witness) {
        HashWriter hw2;
        Serialize(hw2, TxWitness::WITH);
        m_total_size = hw2.Size();
        m_wtxid = hw2.GetHash();
    } else {
        m_total_size = m_stripped_size;
        m_wtxid = m_txid;
    }
}

Amount Transaction::GetValueOut() const
{
    // As Core: a value or running total outside MoneyRange is a caller bug (CheckTransaction
    // rejects such transactions first), reported by exception instead of overflowing.
    Amount total;
    for (const auto& out : vout) {
        if (!MoneyRange(out.value)) throw std::runtime_error("GetValueOut: value out of range");
        total += out.value;
        if (!MoneyRange(total)) throw std::runtime_error("GetValueOut: total out of range");
    }
    return total;
}

size_t GetStrippedSize(const Transaction& tx) { return tx.GetStrippedSize(); }

int64_t GetTransactionWeight(const Transaction& tx)
{
    return static_cast<int64_t>(GetStrippedSize(tx)) * 3 + static_cast<int64_t>(tx.GetTotalSize());
}

} // namespace consensus
