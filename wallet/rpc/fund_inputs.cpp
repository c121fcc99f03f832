// Inputs a caller gives to fundrawtransaction, walletcreatefundedpsbt and send (Core's
// FundTransaction, wallet/rpc/spend.cpp and wallet/spend.cpp): their sequences and scripts, the
// outputs of external ones, and what sizes those (solving_data, input_weights).
#include "wallet/rpc/util.h"

#include "common/descriptor.h"
#include "common/rpc/protocol.h"
#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/script/pubkey.h"
#include "wallet/coinselection.h"
#include "wallet/wallet.h"

namespace wallet::rpc {

namespace {

/** Core's HexToPubKey, with its -5 errors. */
std::vector<uint8_t> PubKeyParam(const Json& value)
{
    const std::string hex = GetStr(value);
    const auto bytes = hex.empty() ? std::nullopt : consensus::TryParseHex(hex); // Core's IsHex: not empty
    if (!bytes) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Pubkey \"" + hex + "\" must be a hex string");
    if (bytes->size() != 33 && bytes->size() != 65) {
        throw RpcError(RPC_INVALID_ADDRESS_OR_KEY,
                       "Pubkey \"" + hex + "\" must have a length of either 33 or 65 bytes");
    }
    if (!consensus::IsFullyValidPubKey(*bytes)) {
        throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Pubkey \"" + hex + "\" must be cryptographically valid.");
    }
    return *bytes;
}

const Json* Member(const Json& object, const char* key)
{
    auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

} // namespace

void SelectGivenInputs(const Wallet& w, const std::vector<consensus::TxIn>& inputs, CoinControl& control)
{
    for (const auto& in : inputs) {
        control.preset_inputs.push_back(in.prevout);
        control.preset_sequences[in.prevout] = in.sequence;
        if (!in.script_sig.empty() || !in.witness.stack.empty()) {
            control.preset_scripts[in.prevout] = {in.script_sig, in.witness};
        }
        if (w.GetOwnedOutput(in.prevout)) continue;
        // Not the wallet's: an external input, spending an output of the UTXO set or the mempool.
        const auto coin = w.Chain().FindCoin(in.prevout);
        if (!coin) throw RpcError(RPC_WALLET_ERROR, "Unable to find UTXO for external input");
        control.preset_txouts[in.prevout] = coin->out;
    }
}

void ReadExternalInputOptions(const Wallet& w, const Json& options, CoinControl& control)
{
    if (!options.is_object()) return;
    if (const Json* solving = Member(options, "solving_data")) {
        CheckType(*solving, "object");
        common::FlatSigningProvider& provider = control.external_provider;
        if (const Json* pubkeys = Member(*solving, "pubkeys")) {
            CheckType(*pubkeys, "array");
            for (const Json& v : *pubkeys) {
                const std::vector<uint8_t> key = PubKeyParam(v);
                provider.pubkeys[consensus::Hash160(key)] = key;
                // And its P2WPKH script, so a P2SH-wrapped one is solvable too (as Core adds it).
                std::vector<uint8_t> wpkh{0x00, 0x14};
                const consensus::Uint160 id = consensus::Hash160(key);
                wpkh.insert(wpkh.end(), id.begin(), id.end());
                const consensus::Script script(std::move(wpkh));
                provider.scripts[consensus::Hash160(script)] = script;
            }
        }
        if (const Json* scripts = Member(*solving, "scripts")) {
            CheckType(*scripts, "array");
            for (const Json& v : *scripts) {
                const std::string hex = GetStr(v);
                const auto bytes = hex.empty() ? std::nullopt : consensus::TryParseHex(hex);
                if (!bytes) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "'" + hex + "' is not hex");
                const consensus::Script script(*bytes);
                provider.scripts[consensus::Hash160(script)] = script;
            }
        }
        if (const Json* descriptors = Member(*solving, "descriptors")) {
            CheckType(*descriptors, "array");
            for (const Json& v : *descriptors) {
                const std::string text = GetStr(v);
                std::string error;
                const auto parsed =
                    common::ParseMultipathDescriptor(text, w.Params(), error, /*require_checksum=*/true);
                if (!parsed) {
                    throw RpcError(RPC_INVALID_PARAMETER, "Unable to parse descriptor '" + text + "': " + error);
                }
                for (const common::Descriptor& desc : *parsed) {
                    std::vector<consensus::Script> expanded;
                    (void)desc.Expand(0, common::FlatSigningProvider{}, expanded, provider, error);
                }
            }
        }
    }
    if (const Json* weights = Member(options, "input_weights")) {
        CheckType(*weights, "array");
        for (const Json& input : *weights) {
            CheckType(input, "object");
            const consensus::Uint256 txid = ParseHashO(input, "txid");
            const Json* vout = Member(input, "vout");
            if (!vout || !vout->is_number())
                throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, missing vout key");
            const int n = ParamOr<int>(Json::array({*vout}), 0, 0); // Core's getInt<int>
            if (n < 0) throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, vout cannot be negative");
            const Json* weight = Member(input, "weight");
            if (!weight || !weight->is_number()) {
                throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, missing weight key");
            }
            const int64_t w_units = GetInt(*weight);
            // The least an input weighs: outpoint, sequence and an empty scriptSig (41 bytes) times
            // 4, and its empty witness.
            if (w_units < 165) {
                throw RpcError(RPC_INVALID_PARAMETER,
                               "Invalid parameter, weight cannot be less than 165 (41 bytes (size of outpoint + "
                               "sequence + empty scriptSig) * 4 (witness scaling factor)) + 1 (empty witness)");
            }
            if (w_units > MAX_STANDARD_TX_WEIGHT) {
                throw RpcError(RPC_INVALID_PARAMETER,
                               "Invalid parameter, weight cannot be greater than the maximum standard tx weight of " +
                                   std::to_string(MAX_STANDARD_TX_WEIGHT));
            }
            control.input_weights[consensus::OutPoint{txid, static_cast<uint32_t>(n)}] = w_units;
        }
    }
}

void SetOptionsInputWeights(const Json& inputs, Json& options)
{
    if (options.contains("input_weights")) {
        throw RpcError(RPC_INVALID_PARAMETER, "Input weights should be specified in inputs rather than in options.");
    }
    if (!inputs.is_array() || inputs.empty()) return;
    Json weights = Json::array();
    for (const Json& input : inputs) {
        if (input.is_object() && input.contains("weight")) weights.push_back(input);
    }
    options["input_weights"] = std::move(weights);
}

RpcArg InputWeightsArg()
{
    using A = RpcArgType;
    return Arg("input_weights", A::ARR, true, "", "Inputs and their corresponding weights",
               {Arg("", A::OBJ, true, "", "",
                    {Arg("txid", A::STR_HEX, false, "", "The transaction id"),
                     Arg("vout", A::NUM, false, "", "The output index"),
                     Arg("weight", A::NUM, false, "",
                         "The maximum weight for this input, including the weight of the outpoint and sequence "
                         "number. Note that serialized signature sizes are not guaranteed to be consistent, so the "
                         "maximum DER signatures size of 73 bytes should be used when considering ECDSA "
                         "signatures.Remember to convert serialized sizes to weight units when necessary.")})});
}

RpcArg SolvingDataArg()
{
    using A = RpcArgType;
    return Arg("solving_data", A::OBJ, true, "",
               "Keys and scripts needed for producing a final transaction with a dummy signature.\n"
               "Used for fee estimation during coin selection.",
               {Arg("pubkeys", A::ARR, true, "[]", "Public keys involved in this transaction.",
                    {Arg("pubkey", A::STR_HEX, true, "", "A public key")}),
                Arg("scripts", A::ARR, true, "[]", "Scripts involved in this transaction.",
                    {Arg("script", A::STR_HEX, true, "", "A script")}),
                Arg("descriptors", A::ARR, true, "[]", "Descriptors that provide solving data for this transaction.",
                    {Arg("descriptor", A::STR, true, "", "A descriptor")})});
}

} // namespace wallet::rpc
