// PSBT roles over common/sign (Core's psbt.cpp): building from a transaction, the unsigned
// transaction and its id (BIP-370 locktime rules), merging, signing an input, finalizing and
// extracting.
#include "common/psbt.h"

#include "consensus/hash.h"
#include "consensus/script/interpreter.h"

#include <algorithm>

namespace common {

using consensus::Uint256;

consensus::OutPoint PsbtInput::GetOutPoint() const
{
    consensus::OutPoint o;
    o.hash = prev_txid;
    o.n = prev_out;
    return o;
}

std::optional<consensus::TxOut> PsbtInput::GetUtxo() const
{
    if (non_witness_utxo) {
        if (prev_out >= non_witness_utxo->vout.size() || non_witness_utxo->GetTxid() != prev_txid) return std::nullopt;
        return non_witness_utxo->vout[prev_out];
    }
    if (!witness_utxo.IsNull()) return witness_utxo;
    return std::nullopt;
}

void PsbtInput::FillSignatureData(SignatureData& sigdata) const
{
    if (!final_script_sig.empty()) {
        sigdata.script_sig = final_script_sig;
        sigdata.complete = true;
    }
    if (!final_script_witness.IsNull()) {
        sigdata.script_witness = final_script_witness;
        sigdata.complete = true;
    }
    if (sigdata.complete) return;
    sigdata.signatures.insert(partial_sigs.begin(), partial_sigs.end());
    if (!redeem_script.empty()) sigdata.redeem_script = redeem_script;
    if (!witness_script.empty()) sigdata.witness_script = witness_script;
    for (const auto& [pubkey, origin] : hd_keypaths) {
        sigdata.misc_pubkeys.emplace(KeyIdOf(pubkey), std::make_pair(pubkey, origin));
    }
    if (!tap_key_sig.empty()) sigdata.taproot_key_path_sig = tap_key_sig;
    sigdata.taproot_script_sigs.insert(tap_script_sigs.begin(), tap_script_sigs.end());
    if (tap_internal_key != XOnlyKey{}) sigdata.tr_spenddata.internal_key = tap_internal_key;
    if (!tap_merkle_root.IsNull()) sigdata.tr_spenddata.merkle_root = tap_merkle_root;
    for (const auto& [leaf, controls] : tap_scripts) {
        sigdata.tr_spenddata.scripts[leaf].insert(controls.begin(), controls.end());
    }
    sigdata.taproot_misc_pubkeys.insert(tap_bip32_paths.begin(), tap_bip32_paths.end());
}

void PsbtInput::FromSignatureData(const SignatureData& sigdata)
{
    if (sigdata.complete) {
        partial_sigs.clear();
        hd_keypaths.clear();
        redeem_script.clear();
        witness_script.clear();
        if (!sigdata.script_sig.empty()) final_script_sig = sigdata.script_sig;
        if (!sigdata.script_witness.IsNull()) final_script_witness = sigdata.script_witness;
        return;
    }
    partial_sigs.insert(sigdata.signatures.begin(), sigdata.signatures.end());
    if (redeem_script.empty() && !sigdata.redeem_script.empty()) redeem_script = sigdata.redeem_script;
    if (witness_script.empty() && !sigdata.witness_script.empty()) witness_script = sigdata.witness_script;
    for (const auto& [id, entry] : sigdata.misc_pubkeys) hd_keypaths.emplace(entry.first, entry.second);
    if (!sigdata.taproot_key_path_sig.empty()) tap_key_sig = sigdata.taproot_key_path_sig;
    tap_script_sigs.insert(sigdata.taproot_script_sigs.begin(), sigdata.taproot_script_sigs.end());
    if (sigdata.tr_spenddata.internal_key != XOnlyKey{}) tap_internal_key = sigdata.tr_spenddata.internal_key;
    if (sigdata.tr_spenddata.merkle_root && !sigdata.tr_spenddata.merkle_root->IsNull()) {
        tap_merkle_root = *sigdata.tr_spenddata.merkle_root;
    }
    for (const auto& [leaf, controls] : sigdata.tr_spenddata.scripts) {
        tap_scripts[leaf].insert(controls.begin(), controls.end());
    }
    tap_bip32_paths.insert(sigdata.taproot_misc_pubkeys.begin(), sigdata.taproot_misc_pubkeys.end());
}

void PsbtInput::Merge(const PsbtInput& o)
{
    if (!non_witness_utxo && o.non_witness_utxo) non_witness_utxo = o.non_witness_utxo;
    if (witness_utxo.IsNull() && !o.witness_utxo.IsNull()) witness_utxo = o.witness_utxo;
    partial_sigs.insert(o.partial_sigs.begin(), o.partial_sigs.end());
    ripemd160_preimages.insert(o.ripemd160_preimages.begin(), o.ripemd160_preimages.end());
    sha256_preimages.insert(o.sha256_preimages.begin(), o.sha256_preimages.end());
    hash160_preimages.insert(o.hash160_preimages.begin(), o.hash160_preimages.end());
    hash256_preimages.insert(o.hash256_preimages.begin(), o.hash256_preimages.end());
    hd_keypaths.insert(o.hd_keypaths.begin(), o.hd_keypaths.end());
    unknown.insert(o.unknown.begin(), o.unknown.end());
    proprietary.insert(o.proprietary.begin(), o.proprietary.end());
    tap_script_sigs.insert(o.tap_script_sigs.begin(), o.tap_script_sigs.end());
    for (const auto& [leaf, controls] : o.tap_scripts) tap_scripts[leaf].insert(controls.begin(), controls.end());
    tap_bip32_paths.insert(o.tap_bip32_paths.begin(), o.tap_bip32_paths.end());
    if (redeem_script.empty() && !o.redeem_script.empty()) redeem_script = o.redeem_script;
    if (witness_script.empty() && !o.witness_script.empty()) witness_script = o.witness_script;
    if (final_script_sig.empty() && !o.final_script_sig.empty()) final_script_sig = o.final_script_sig;
    if (final_script_witness.IsNull() && !o.final_script_witness.IsNull())
        final_script_witness = o.final_script_witness;
    if (tap_key_sig.empty() && !o.tap_key_sig.empty()) tap_key_sig = o.tap_key_sig;
    if (tap_internal_key == XOnlyKey{} && o.tap_internal_key != XOnlyKey{}) tap_internal_key = o.tap_internal_key;
    if (tap_merkle_root.IsNull() && !o.tap_merkle_root.IsNull()) tap_merkle_root = o.tap_merkle_root;
    musig2_participants.insert(o.musig2_participants.begin(), o.musig2_participants.end());
    for (const auto& [k, m] : o.musig2_pubnonces) musig2_pubnonces[k].insert(m.begin(), m.end());
    for (const auto& [k, m] : o.musig2_partial_sigs) musig2_partial_sigs[k].insert(m.begin(), m.end());
}

void PsbtOutput::FillSignatureData(SignatureData& sigdata) const
{
    if (!redeem_script.empty()) sigdata.redeem_script = redeem_script;
    if (!witness_script.empty()) sigdata.witness_script = witness_script;
    for (const auto& [pubkey, origin] : hd_keypaths) {
        sigdata.misc_pubkeys.emplace(KeyIdOf(pubkey), std::make_pair(pubkey, origin));
    }
    if (tap_internal_key != XOnlyKey{}) sigdata.tr_spenddata.internal_key = tap_internal_key;
    sigdata.taproot_misc_pubkeys.insert(tap_bip32_paths.begin(), tap_bip32_paths.end());
}

void PsbtOutput::FromSignatureData(const SignatureData& sigdata)
{
    if (redeem_script.empty() && !sigdata.redeem_script.empty()) redeem_script = sigdata.redeem_script;
    if (witness_script.empty() && !sigdata.witness_script.empty()) witness_script = sigdata.witness_script;
    for (const auto& [id, entry] : sigdata.misc_pubkeys) hd_keypaths.emplace(entry.first, entry.second);
    if (tap_internal_key == XOnlyKey{} && sigdata.tr_spenddata.internal_key != XOnlyKey{}) {
        tap_internal_key = sigdata.tr_spenddata.internal_key;
    }
    tap_bip32_paths.insert(sigdata.taproot_misc_pubkeys.begin(), sigdata.taproot_misc_pubkeys.end());
}

void PsbtOutput::Merge(const PsbtOutput& o)
{
    hd_keypaths.insert(o.hd_keypaths.begin(), o.hd_keypaths.end());
    unknown.insert(o.unknown.begin(), o.unknown.end());
    proprietary.insert(o.proprietary.begin(), o.proprietary.end());
    tap_bip32_paths.insert(o.tap_bip32_paths.begin(), o.tap_bip32_paths.end());
    if (redeem_script.empty() && !o.redeem_script.empty()) redeem_script = o.redeem_script;
    if (witness_script.empty() && !o.witness_script.empty()) witness_script = o.witness_script;
    if (tap_internal_key == XOnlyKey{} && o.tap_internal_key != XOnlyKey{}) tap_internal_key = o.tap_internal_key;
    if (tap_tree.empty() && !o.tap_tree.empty()) tap_tree = o.tap_tree;
    musig2_participants.insert(o.musig2_participants.begin(), o.musig2_participants.end());
}

Psbt::Psbt(const consensus::MutableTransaction& tx, uint32_t version)
{
    if (version > 0) version_field = version;
    tx_version = tx.version;
    fallback_locktime = tx.locktime;
    for (const auto& txin : tx.vin) {
        PsbtInput in;
        in.version = version;
        in.prev_txid = txin.prevout.hash;
        in.prev_out = txin.prevout.n;
        in.sequence = txin.sequence;
        inputs.push_back(std::move(in));
    }
    for (const auto& txout : tx.vout) {
        PsbtOutput out;
        out.version = version;
        out.amount = txout.value;
        out.script = txout.script_pubkey;
        outputs.push_back(std::move(out));
    }
}

std::optional<uint32_t> Psbt::ComputeTimeLock() const
{
    // BIP-370: all inputs' required locktimes must be of one kind; the largest of it wins.
    std::optional<uint32_t> time_lock{0}, height_lock{0};
    for (const auto& in : inputs) {
        if (in.time_locktime && !in.height_locktime) {
            height_lock.reset();
            if (!time_lock) return std::nullopt;
        } else if (!in.time_locktime && in.height_locktime) {
            time_lock.reset();
            if (!height_lock) return std::nullopt;
        }
        if (in.time_locktime && time_lock) time_lock = std::max(*time_lock, *in.time_locktime);
        if (in.height_locktime && height_lock) height_lock = std::max(*height_lock, *in.height_locktime);
    }
    if (height_lock && *height_lock > 0) return height_lock;
    if (time_lock && *time_lock > 0) return time_lock;
    return fallback_locktime.value_or(0);
}

std::optional<consensus::MutableTransaction> Psbt::GetUnsignedTx() const
{
    const auto locktime = ComputeTimeLock();
    if (!locktime) return std::nullopt;
    consensus::MutableTransaction tx;
    tx.version = tx_version;
    tx.locktime = *locktime;
    for (const auto& in : inputs) {
        consensus::TxIn txin;
        txin.prevout = in.GetOutPoint();
        txin.sequence = in.sequence.value_or(consensus::TxIn::SEQUENCE_FINAL);
        tx.vin.push_back(std::move(txin));
    }
    for (const auto& out : outputs) {
        consensus::TxOut txout;
        txout.value = out.amount;
        txout.script_pubkey = out.script;
        tx.vout.push_back(std::move(txout));
    }
    return tx;
}

std::optional<Uint256> Psbt::GetUniqueId() const
{
    auto tx = GetUnsignedTx();
    if (!tx) return std::nullopt;
    // BIP-370: version 2 PSBTs may change sequences, so they are not part of the identity.
    if (GetVersion() >= 2) {
        for (auto& in : tx->vin) in.sequence = 0;
    }
    return tx->GetTxid();
}

std::optional<consensus::TxOut> Psbt::GetInputUtxo(size_t i) const
{
    if (i >= inputs.size()) return std::nullopt;
    return inputs[i].GetUtxo();
}

bool Psbt::Merge(const Psbt& other)
{
    if (GetUniqueId() != other.GetUniqueId() || inputs.size() != other.inputs.size() ||
        outputs.size() != other.outputs.size()) {
        return false;
    }
    for (size_t i = 0; i < inputs.size(); ++i) inputs[i].Merge(other.inputs[i]);
    for (size_t i = 0; i < outputs.size(); ++i) outputs[i].Merge(other.outputs[i]);
    for (const auto& [origin, set] : other.xpubs) xpubs[origin].insert(set.begin(), set.end());
    unknown.insert(other.unknown.begin(), other.unknown.end());
    proprietary.insert(other.proprietary.begin(), other.proprietary.end());
    return true;
}

consensus::PrecomputedTransactionData PrecomputePsbtData(const Psbt& psbt)
{
    consensus::PrecomputedTransactionData txdata;
    const auto tx = psbt.GetUnsignedTx();
    if (!tx) return txdata;
    std::vector<consensus::TxOut> spent;
    for (size_t i = 0; i < psbt.inputs.size(); ++i) {
        auto utxo = psbt.GetInputUtxo(i);
        if (!utxo) break;
        spent.push_back(std::move(*utxo));
    }
    if (spent.size() == psbt.inputs.size()) {
        txdata.Init(*tx, std::move(spent), /*force=*/true);
    } else {
        txdata.Init(*tx, {}, /*force=*/true);
    }
    return txdata;
}

bool PsbtInputSigned(const PsbtInput& input)
{
    return !input.final_script_sig.empty() || !input.final_script_witness.IsNull();
}

bool PsbtInputSignedAndVerified(const Psbt& psbt, unsigned index, const consensus::PrecomputedTransactionData* txdata)
{
    if (index >= psbt.inputs.size()) return false;
    const auto utxo = psbt.GetInputUtxo(index);
    const auto tx = psbt.GetUnsignedTx();
    if (!utxo || !tx) return false;
    const PsbtInput& in = psbt.inputs[index];
    if (txdata) {
        const consensus::MutableTransactionSignatureChecker checker(&*tx, index, utxo->value, *txdata,
                                                                    consensus::MissingDataBehavior::FAIL);
        return consensus::VerifyScript(in.final_script_sig, utxo->script_pubkey, &in.final_script_witness,
                                       SIGNING_VERIFY_FLAGS, checker);
    }
    const consensus::MutableTransactionSignatureChecker checker(&*tx, index, utxo->value,
                                                                consensus::MissingDataBehavior::FAIL);
    return consensus::VerifyScript(in.final_script_sig, utxo->script_pubkey, &in.final_script_witness,
                                   SIGNING_VERIFY_FLAGS, checker);
}

namespace {
bool IsP2TR(const consensus::Script& s) { return s.size() == 34 && s[0] == consensus::OP_1 && s[1] == 32; }
} // namespace

PsbtError SignPsbtInput(const SigningProvider& provider, Psbt& psbt, unsigned index,
                        const consensus::PrecomputedTransactionData* txdata, std::optional<int> sighash,
                        SignatureData* out_sigdata, bool finalize)
{
    if (index >= psbt.inputs.size()) return PsbtError::MISSING_INPUTS;
    const auto tx = psbt.GetUnsignedTx();
    if (!tx) return PsbtError::MISSING_INPUTS;
    PsbtInput& input = psbt.inputs[index];
    if (PsbtInputSignedAndVerified(psbt, index, txdata)) return PsbtError::OK;

    SignatureData sigdata;
    input.FillSignatureData(sigdata);
    // A witness UTXO alone does not prove the amount and script of a non-witness spend:
    // then only a witness signature (which commits to them) is acceptable.
    bool require_witness_sig = false;
    consensus::TxOut utxo;
    if (input.non_witness_utxo) {
        if (input.prev_out >= input.non_witness_utxo->vout.size() ||
            input.non_witness_utxo->GetTxid() != input.prev_txid) {
            return PsbtError::MISSING_INPUTS;
        }
        utxo = input.non_witness_utxo->vout[input.prev_out];
    } else if (!input.witness_utxo.IsNull()) {
        utxo = input.witness_utxo;
        require_witness_sig = true;
    } else {
        return PsbtError::MISSING_INPUTS;
    }

    const bool taproot = IsP2TR(utxo.script_pubkey);
    if (!sighash) sighash = taproot ? consensus::SIGHASH_DEFAULT : consensus::SIGHASH_ALL;
    // The PSBT's own sighash field must agree with the one asked for.
    if (input.sighash_type && *input.sighash_type != *sighash) return PsbtError::SIGHASH_MISMATCH;
    if (taproot ? *sighash != consensus::SIGHASH_DEFAULT
                : (*sighash != consensus::SIGHASH_DEFAULT && *sighash != consensus::SIGHASH_ALL)) {
        input.sighash_type = *sighash;
    }
    // Existing signatures must use that sighash too.
    if (*sighash == consensus::SIGHASH_DEFAULT) {
        if (!input.tap_key_sig.empty() && input.tap_key_sig.size() != 64) return PsbtError::SIGHASH_MISMATCH;
        for (const auto& [k, sig] : input.tap_script_sigs) {
            if (sig.size() != 64) return PsbtError::SIGHASH_MISMATCH;
        }
    } else {
        if (!input.tap_key_sig.empty() && (input.tap_key_sig.size() != 65 || input.tap_key_sig.back() != *sighash)) {
            return PsbtError::SIGHASH_MISMATCH;
        }
        for (const auto& [k, sig] : input.tap_script_sigs) {
            if (sig.size() != 65 || sig.back() != *sighash) return PsbtError::SIGHASH_MISMATCH;
        }
        for (const auto& [k, pair] : input.partial_sigs) {
            if (pair.second.back() != *sighash) return PsbtError::SIGHASH_MISMATCH;
        }
    }

    sigdata.witness = false;
    bool complete;
    if (!txdata) {
        complete = ProduceSignature(provider, DummySignatureCreator(), utxo.script_pubkey, sigdata);
    } else {
        const TransactionSignatureCreator creator(*tx, index, utxo.value, txdata, *sighash);
        complete = ProduceSignature(provider, creator, utxo.script_pubkey, sigdata);
    }
    if (require_witness_sig && !sigdata.witness) return PsbtError::INCOMPLETE;
    if (!finalize && sigdata.complete) sigdata.complete = false;
    input.FromSignatureData(sigdata);
    if (sigdata.witness) input.witness_utxo = utxo;
    if (out_sigdata) {
        out_sigdata->missing_pubkeys = sigdata.missing_pubkeys;
        out_sigdata->missing_sigs = sigdata.missing_sigs;
        out_sigdata->missing_redeem_script = sigdata.missing_redeem_script;
        out_sigdata->missing_witness_script = sigdata.missing_witness_script;
    }
    return complete ? PsbtError::OK : PsbtError::INCOMPLETE;
}

void UpdatePsbtOutput(const SigningProvider& provider, Psbt& psbt, unsigned index)
{
    if (index >= psbt.outputs.size()) return;
    const auto tx = psbt.GetUnsignedTx();
    if (!tx) return;
    PsbtOutput& out = psbt.outputs[index];
    SignatureData sigdata;
    out.FillSignatureData(sigdata);
    // A dummy pass over the output script teaches sigdata its scripts and keys.
    ProduceSignature(provider, DummySignatureCreator(), out.script, sigdata);
    out.FromSignatureData(sigdata);
}

bool FinalizePsbt(Psbt& psbt)
{
    bool complete = true;
    const auto txdata = PrecomputePsbtData(psbt);
    const FlatSigningProvider none;
    for (unsigned i = 0; i < psbt.inputs.size(); ++i) {
        complete &= SignPsbtInput(none, psbt, i, &txdata, psbt.inputs[i].sighash_type, nullptr, true) == PsbtError::OK;
    }
    return complete;
}

bool FinalizeAndExtractPsbt(Psbt& psbt, consensus::MutableTransaction& result)
{
    if (!FinalizePsbt(psbt)) return false;
    auto tx = psbt.GetUnsignedTx();
    if (!tx) return false;
    for (size_t i = 0; i < tx->vin.size(); ++i) {
        tx->vin[i].script_sig = psbt.inputs[i].final_script_sig;
        tx->vin[i].witness = psbt.inputs[i].final_script_witness;
    }
    result = std::move(*tx);
    return true;
}

std::optional<Psbt> CombinePsbts(const std::vector<Psbt>& psbts)
{
    if (psbts.empty()) return std::nullopt;
    Psbt out = psbts[0];
    for (size_t i = 1; i < psbts.size(); ++i) {
        if (!out.Merge(psbts[i])) return std::nullopt;
    }
    return out;
}

size_t CountPsbtUnsignedInputs(const Psbt& psbt)
{
    return static_cast<size_t>(std::count_if(psbt.inputs.begin(), psbt.inputs.end(),
                                             [](const PsbtInput& in) { return !PsbtInputSigned(in); }));
}

} // namespace common
