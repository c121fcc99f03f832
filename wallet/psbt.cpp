#include "wallet/psbt.h"

#include "wallet/wallet.h"

namespace wallet {

namespace {

/** What the wallet knows of script, without secrets unless with_private and origins unless with_origins. */
std::optional<common::FlatSigningProvider> ProviderFor(const Wallet& w, const consensus::Script& script,
                                                       bool with_private, bool with_origins)
{
    auto p = w.GetProvider(script, with_private);
    if (!p) return std::nullopt;
    // Core's HidingSigningProvider: what the caller did not ask for is not shown.
    if (!with_origins) p->origins.clear();
    return p;
}

} // namespace

common::PsbtError FillPsbt(const Wallet& w, common::Psbt& psbt, const FillPsbtOptions& options, bool& complete)
{
    // The spent transactions the wallet has (BIP-174's non-witness UTXO).
    for (auto& input : psbt.inputs) {
        if (common::PsbtInputSigned(input) || input.non_witness_utxo) continue;
        if (auto wtx = w.GetTx(input.GetOutPoint().hash)) {
            if (input.GetOutPoint().n < wtx->tx->vout.size()) input.non_witness_utxo = wtx->tx;
        }
    }
    const consensus::PrecomputedTransactionData txdata = common::PrecomputePsbtData(psbt);
    for (unsigned i = 0; i < psbt.inputs.size(); ++i) {
        if (common::PsbtInputSigned(psbt.inputs[i])) continue;
        const auto utxo = psbt.GetInputUtxo(i);
        if (!utxo) continue; // nothing to sign against: left for another signer
        auto provider = ProviderFor(w, utxo->script_pubkey, options.sign, options.bip32derivs);
        if (!provider) continue; // not the wallet's
        const common::PsbtError e =
            common::SignPsbtInput(*provider, psbt, i, &txdata, options.sighash, nullptr, options.finalize);
        if (e == common::PsbtError::SIGHASH_MISMATCH) return e;
    }
    const auto tx = psbt.GetUnsignedTx();
    for (unsigned i = 0; tx && i < psbt.outputs.size() && i < tx->vout.size(); ++i) {
        auto provider = ProviderFor(w, tx->vout[i].script_pubkey, /*with_private=*/false, options.bip32derivs);
        if (!provider) continue;
        common::UpdatePsbtOutput(*provider, psbt, i);
    }
    complete = true;
    for (const auto& input : psbt.inputs) complete &= common::PsbtInputSigned(input);
    return common::PsbtError::OK;
}

} // namespace wallet
