// Signature hashes: legacy (with its SIGHASH_SINGLE and OP_CODESEPARATOR quirks),
// BIP-143 (segwit v0) and BIP-341 (taproot), plus the per-transaction precomputation.
#include "consensus/hash.h"
#include "consensus/script/interpreter.h"

namespace consensus {

namespace {

const HashWriter& TapSighashHasher()
{
    static const HashWriter hasher = TaggedHash("TapSighash");
    return hasher;
}

/**
 * The legacy signature-hash serialization: the transaction with every other input's
 * script emptied, this input's script replaced by script_code minus OP_CODESEPARATORs,
 * and inputs/outputs blanked as the hash type asks.
 */
template <typename T>
class LegacySighashSerializer {
public:
    LegacySighashSerializer(const T& tx, const Script& script_code, unsigned in_pos, int hash_type)
        : m_tx(tx), m_code(script_code), m_in(in_pos), m_anyone_can_pay(hash_type & SIGHASH_ANYONECANPAY),
          m_single((hash_type & 0x1f) == SIGHASH_SINGLE), m_none((hash_type & 0x1f) == SIGHASH_NONE)
    {}

    template <typename W>
    void Serialize(W& w) const
    {
        WriteLE32(w, m_tx.version);
        const size_t n_inputs = m_anyone_can_pay ? 1 : m_tx.vin.size();
        WriteCompactSize(w, n_inputs);
        for (size_t i = 0; i < n_inputs; ++i) SerializeInput(w, i);
        const size_t n_outputs = m_none ? 0 : (m_single ? m_in + 1 : m_tx.vout.size());
        WriteCompactSize(w, n_outputs);
        for (size_t i = 0; i < n_outputs; ++i) {
            if (m_single && i != m_in) {
                TxOut().Serialize(w); // value -1, empty script
            } else {
                m_tx.vout[i].Serialize(w);
            }
        }
        WriteLE32(w, m_tx.locktime);
    }

private:
    template <typename W>
    void SerializeScriptCode(W& w) const
    {
        // Mirrors the historical behaviour exactly, including for scripts whose last
        // push is truncated: the length counts every byte but OP_CODESEPARATORs, and the
        // bytes written stop where parsing stopped.
        Script::const_iterator it = m_code.begin();
        Script::const_iterator it_begin = it;
        Opcode op;
        size_t n_separators = 0;
        while (m_code.GetOp(it, op)) {
            if (op == OP_CODESEPARATOR) n_separators++;
        }
        WriteCompactSize(w, m_code.size() - n_separators);
        it = it_begin;
        while (m_code.GetOp(it, op)) {
            if (op == OP_CODESEPARATOR) {
                w.Write(std::span<const uint8_t>(&*it_begin, size_t(it - it_begin - 1)));
                it_begin = it;
            }
        }
        if (it_begin != m_code.end()) w.Write(std::span<const uint8_t>(&*it_begin, size_t(it - it_begin)));
    }

    template <typename W>
    void SerializeInput(W& w, size_t n) const
    {
        const size_t in = m_anyone_can_pay ? m_in : n;
        m_tx.vin[in].prevout.Serialize(w);
        if (in != m_in) {
            WriteCompactSize(w, 0);
        } else {
            SerializeScriptCode(w);
        }
        if (in != m_in && (m_single || m_none)) {
            WriteLE32(w, 0);
        } else {
            WriteLE32(w, m_tx.vin[in].sequence);
        }
    }

    const T& m_tx;
    const Script& m_code;
    const unsigned m_in;
    const bool m_anyone_can_pay;
    const bool m_single;
    const bool m_none;
};

template <typename T>
Uint256 PrevoutsSha256(const T& tx)
{
    HashWriter hw;
    for (const auto& in : tx.vin) in.prevout.Serialize(hw);
    return hw.GetSha256();
}

template <typename T>
Uint256 SequencesSha256(const T& tx)
{
    HashWriter hw;
    for (const auto& in : tx.vin) WriteLE32(hw, in.sequence);
    return hw.GetSha256();
}

template <typename T>
Uint256 OutputsSha256(const T& tx)
{
    HashWriter hw;
    for (const auto& out : tx.vout) out.Serialize(hw);
    return hw.GetSha256();
}

Uint256 SpentAmountsSha256(const std::vector<TxOut>& outs)
{
    HashWriter hw;
    for (const auto& out : outs) WriteLE64(hw, static_cast<uint64_t>(out.value.sats));
    return hw.GetSha256();
}

Uint256 SpentScriptsSha256(const std::vector<TxOut>& outs)
{
    HashWriter hw;
    for (const auto& out : outs) out.script_pubkey.Serialize(hw);
    return hw.GetSha256();
}

Uint256 Sha256Of(const Uint256& h) { return Sha256Hash(h.Span()); }

} // namespace

template <typename T>
PrecomputedTransactionData::PrecomputedTransactionData(const T& tx)
{
    Init(tx, {});
}

template <typename T>
void PrecomputedTransactionData::Init(const T& tx, std::vector<TxOut>&& spent_outputs, bool force)
{
    m_spent_outputs = std::move(spent_outputs);
    m_spent_outputs_ready = !m_spent_outputs.empty() && m_spent_outputs.size() == tx.vin.size();

    // Decide which schemes this transaction can use. A witness input whose spent output
    // is a 34-byte OP_1 program is taken as taproot; any other witness input as v0.
    bool uses_bip143 = force;
    bool uses_bip341 = force;
    for (size_t i = 0; i < tx.vin.size() && !(uses_bip143 && uses_bip341); ++i) {
        if (tx.vin[i].witness.IsNull()) continue;
        if (m_spent_outputs_ready && m_spent_outputs[i].script_pubkey.size() == 2 + WITNESS_V1_TAPROOT_SIZE &&
            m_spent_outputs[i].script_pubkey[0] == OP_1) {
            uses_bip341 = true;
        } else {
            uses_bip143 = true;
        }
    }
    if (uses_bip143 || uses_bip341) {
        m_prevouts_single_hash = PrevoutsSha256(tx);
        m_sequences_single_hash = SequencesSha256(tx);
        m_outputs_single_hash = OutputsSha256(tx);
    }
    if (uses_bip143) {
        hashPrevouts = Sha256Of(m_prevouts_single_hash);
        hashSequence = Sha256Of(m_sequences_single_hash);
        hashOutputs = Sha256Of(m_outputs_single_hash);
        m_bip143_segwit_ready = true;
    }
    if (uses_bip341 && m_spent_outputs_ready) {
        m_spent_amounts_single_hash = SpentAmountsSha256(m_spent_outputs);
        m_spent_scripts_single_hash = SpentScriptsSha256(m_spent_outputs);
        m_bip341_taproot_ready = true;
    }
}

template <typename T>
Uint256 SignatureHash(const Script& script_code, const T& tx_to, unsigned in_pos, int hash_type, Amount amount,
                      SigVersion sigversion, const PrecomputedTransactionData* cache)
{
    if (sigversion == SigVersion::WITNESS_V0) {
        // BIP-143
        Uint256 hash_prevouts, hash_sequence, hash_outputs;
        const bool ready = cache && cache->m_bip143_segwit_ready;
        const int base_type = hash_type & 0x1f;
        if (!(hash_type & SIGHASH_ANYONECANPAY)) {
            hash_prevouts = ready ? cache->hashPrevouts : Sha256Of(PrevoutsSha256(tx_to));
        }
        if (!(hash_type & SIGHASH_ANYONECANPAY) && base_type != SIGHASH_SINGLE && base_type != SIGHASH_NONE) {
            hash_sequence = ready ? cache->hashSequence : Sha256Of(SequencesSha256(tx_to));
        }
        if (base_type != SIGHASH_SINGLE && base_type != SIGHASH_NONE) {
            hash_outputs = ready ? cache->hashOutputs : Sha256Of(OutputsSha256(tx_to));
        } else if (base_type == SIGHASH_SINGLE && in_pos < tx_to.vout.size()) {
            HashWriter hw;
            tx_to.vout[in_pos].Serialize(hw);
            hash_outputs = hw.GetHash();
        }
        HashWriter hw;
        WriteLE32(hw, tx_to.version);
        hw.Write(hash_prevouts.Span());
        hw.Write(hash_sequence.Span());
        tx_to.vin[in_pos].prevout.Serialize(hw);
        script_code.Serialize(hw);
        WriteLE64(hw, static_cast<uint64_t>(amount.sats));
        WriteLE32(hw, tx_to.vin[in_pos].sequence);
        hw.Write(hash_outputs.Span());
        WriteLE32(hw, tx_to.locktime);
        WriteLE32(hw, static_cast<uint32_t>(hash_type));
        return hw.GetHash();
    }

    // Legacy: out-of-range inputs and SIGHASH_SINGLE without a matching output hash to
    // 1, a historical bug that consensus keeps.
    if (in_pos >= tx_to.vin.size()) return Uint256::ONE;
    if ((hash_type & 0x1f) == SIGHASH_SINGLE && in_pos >= tx_to.vout.size()) return Uint256::ONE;
    LegacySighashSerializer<T> ser(tx_to, script_code, in_pos, hash_type);
    HashWriter hw;
    ser.Serialize(hw);
    WriteLE32(hw, static_cast<uint32_t>(hash_type));
    return hw.GetHash();
}

template <typename T>
bool SignatureHashSchnorr(Uint256& hash_out, ScriptExecutionData& execdata, const T& tx_to, uint32_t in_pos,
                          uint8_t hash_type, SigVersion sigversion, const PrecomputedTransactionData& cache,
                          MissingDataBehavior mdb)
{
    (void)mdb; // both behaviours fail the check; the caller decides what that means
    uint8_t ext_flag;
    if (sigversion == SigVersion::TAPROOT) {
        ext_flag = 0;
    } else if (sigversion == SigVersion::TAPSCRIPT) {
        ext_flag = 1;
    } else {
        return false;
    }
    if (in_pos >= tx_to.vin.size()) return false;
    if (!(cache.m_bip341_taproot_ready && cache.m_spent_outputs_ready)) return false;

    HashWriter hw = TapSighashHasher();
    const uint8_t epoch = 0;
    WriteLE8(hw, epoch);
    // BIP-341: SIGHASH_DEFAULT commits like SIGHASH_ALL; only 0x00-0x03 and 0x81-0x83 are valid.
    const uint8_t output_type = hash_type == SIGHASH_DEFAULT ? SIGHASH_ALL : (hash_type & SIGHASH_OUTPUT_MASK);
    const uint8_t input_type = hash_type & SIGHASH_INPUT_MASK;
    if (!(hash_type <= 0x03 || (hash_type >= 0x81 && hash_type <= 0x83))) return false;
    WriteLE8(hw, hash_type);
    WriteLE32(hw, tx_to.version);
    WriteLE32(hw, tx_to.locktime);
    if (input_type != SIGHASH_ANYONECANPAY) {
        hw.Write(cache.m_prevouts_single_hash.Span());
        hw.Write(cache.m_spent_amounts_single_hash.Span());
        hw.Write(cache.m_spent_scripts_single_hash.Span());
        hw.Write(cache.m_sequences_single_hash.Span());
    }
    if (output_type == SIGHASH_ALL) hw.Write(cache.m_outputs_single_hash.Span());

    if (!execdata.m_annex_init) return false;
    const bool have_annex = execdata.m_annex_present;
    const uint8_t spend_type = static_cast<uint8_t>((ext_flag << 1) + (have_annex ? 1 : 0));
    WriteLE8(hw, spend_type);
    if (input_type == SIGHASH_ANYONECANPAY) {
        tx_to.vin[in_pos].prevout.Serialize(hw);
        cache.m_spent_outputs[in_pos].Serialize(hw);
        WriteLE32(hw, tx_to.vin[in_pos].sequence);
    } else {
        WriteLE32(hw, in_pos);
    }
    if (have_annex) hw.Write(execdata.m_annex_hash.Span());

    if (output_type == SIGHASH_SINGLE) {
        if (in_pos >= tx_to.vout.size()) return false;
        if (!execdata.m_output_hash) {
            HashWriter single;
            tx_to.vout[in_pos].Serialize(single);
            execdata.m_output_hash = single.GetSha256();
        }
        hw.Write(execdata.m_output_hash->Span());
    }

    if (sigversion == SigVersion::TAPSCRIPT) {
        // BIP-342 extension: leaf hash, key version 0, last executed OP_CODESEPARATOR position.
        if (!execdata.m_tapleaf_hash_init || !execdata.m_codeseparator_pos_init) return false;
        hw.Write(execdata.m_tapleaf_hash.Span());
        const uint8_t key_version = 0;
        WriteLE8(hw, key_version);
        WriteLE32(hw, execdata.m_codeseparator_pos);
    }
    hash_out = hw.GetSha256();
    return true;
}

template PrecomputedTransactionData::PrecomputedTransactionData(const Transaction&);
template PrecomputedTransactionData::PrecomputedTransactionData(const MutableTransaction&);
template void PrecomputedTransactionData::Init(const Transaction&, std::vector<TxOut>&&, bool);
template void PrecomputedTransactionData::Init(const MutableTransaction&, std::vector<TxOut>&&, bool);
template Uint256 SignatureHash(const Script&, const Transaction&, unsigned, int, Amount, SigVersion,
                               const PrecomputedTransactionData*);
template Uint256 SignatureHash(const Script&, const MutableTransaction&, unsigned, int, Amount, SigVersion,
                               const PrecomputedTransactionData*);
template bool SignatureHashSchnorr(Uint256&, ScriptExecutionData&, const Transaction&, uint32_t, uint8_t, SigVersion,
                                   const PrecomputedTransactionData&, MissingDataBehavior);
template bool SignatureHashSchnorr(Uint256&, ScriptExecutionData&, const MutableTransaction&, uint32_t, uint8_t,
                                   SigVersion, const PrecomputedTransactionData&, MissingDataBehavior);

} // namespace consensus
