#include "common/psbt_analyze.h"

#include "consensus/serialize.h"

#include <algorithm>

namespace common {

std::string PsbtRoleName(PsbtRole role)
{
    switch (role) {
    case PsbtRole::CREATOR: return "creator";
    case PsbtRole::UPDATER: return "updater";
    case PsbtRole::SIGNER: return "signer";
    case PsbtRole::FINALIZER: return "finalizer";
    case PsbtRole::EXTRACTOR: return "extractor";
    }
    return "";
}

namespace {

PsbtAnalysis Invalid(std::string error)
{
    PsbtAnalysis r;
    r.error = std::move(error);
    r.next = PsbtRole::CREATOR;
    return r;
}

} // namespace

PsbtAnalysis AnalyzePsbt(Psbt psbt)
{
    PsbtAnalysis result;
    bool calc_fee = true;
    consensus::Amount in_amount{0};
    result.inputs.resize(psbt.inputs.size());
    const auto txdata = PrecomputePsbtData(psbt);
    const FlatSigningProvider none;
    for (unsigned i = 0; i < psbt.inputs.size(); ++i) {
        PsbtInputAnalysis& a = result.inputs[i];
        a.next = PsbtRole::EXTRACTOR;
        const auto utxo = psbt.GetInputUtxo(i);
        if (utxo) {
            if (!consensus::MoneyRange(utxo->value) ||
                !consensus::MoneyRange(consensus::Amount{in_amount.sats + utxo->value.sats})) {
                return Invalid("PSBT is not valid. Input " + std::to_string(i) + " has invalid value");
            }
            in_amount = consensus::Amount{in_amount.sats + utxo->value.sats};
            a.has_utxo = true;
        } else {
            const auto& in = psbt.inputs[i];
            if (in.non_witness_utxo && in.prev_out >= in.non_witness_utxo->vout.size()) {
                return Invalid("PSBT is not valid. Input " + std::to_string(i) + " specifies invalid prevout");
            }
            a.has_utxo = false;
            a.is_final = false;
            a.next = PsbtRole::UPDATER;
            calc_fee = false;
        }
        if (utxo && utxo->script_pubkey.IsUnspendable()) {
            return Invalid("PSBT is not valid. Input " + std::to_string(i) + " spends unspendable output");
        }
        if (!PsbtInputSignedAndVerified(psbt, i, &txdata)) {
            a.is_final = false;
            // A signing pass with no keys tells what is missing.
            SignatureData missing;
            const bool complete =
                SignPsbtInput(none, psbt, i, &txdata, consensus::SIGHASH_ALL, &missing, true) == PsbtError::OK;
            if (!complete) {
                a.missing_pubkeys = missing.missing_pubkeys;
                a.missing_redeem_script = missing.missing_redeem_script;
                a.missing_witness_script = missing.missing_witness_script;
                a.missing_sigs = missing.missing_sigs;
                const bool only_sigs = missing.missing_pubkeys.empty() && missing.missing_redeem_script.IsNull() &&
                                       missing.missing_witness_script.IsNull() && !missing.missing_sigs.empty();
                a.next = only_sigs ? PsbtRole::SIGNER : PsbtRole::UPDATER;
            } else {
                a.next = PsbtRole::FINALIZER;
            }
        } else if (utxo) {
            a.is_final = true;
        }
    }
    result.next = PsbtRole::EXTRACTOR;
    for (const auto& a : result.inputs) result.next = std::min(result.next, a.next);
    if (!calc_fee) return result;

    consensus::Amount out_amount{0};
    for (const auto& out : psbt.outputs) {
        if (!consensus::MoneyRange(out.amount) ||
            !consensus::MoneyRange(consensus::Amount{out_amount.sats + out.amount.sats})) {
            return Invalid("PSBT is not valid. Output amount invalid");
        }
        out_amount = consensus::Amount{out_amount.sats + out.amount.sats};
    }
    const consensus::Amount fee{in_amount.sats - out_amount.sats};
    result.fee = fee;
    // The size once signed: finalize every input with placeholder signatures.
    auto tx = psbt.GetUnsignedTx();
    if (!tx) return result;
    for (unsigned i = 0; i < psbt.inputs.size(); ++i) {
        if (SignPsbtInput(none, psbt, i, nullptr, consensus::SIGHASH_ALL, nullptr, true) != PsbtError::OK) {
            return result;
        }
        tx->vin[i].script_sig = psbt.inputs[i].final_script_sig;
        tx->vin[i].witness = psbt.inputs[i].final_script_witness;
    }
    const consensus::Transaction signed_tx(*tx);
    const size_t weight = signed_tx.GetStrippedSize() * 3 + signed_tx.GetTotalSize();
    const size_t vsize = (weight + 3) / 4;
    result.estimated_vsize = vsize;
    result.estimated_feerate = consensus::Amount{vsize > 0 ? fee.sats * 1000 / static_cast<int64_t>(vsize) : 0};
    return result;
}

} // namespace common
