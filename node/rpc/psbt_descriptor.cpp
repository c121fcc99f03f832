// descriptorprocesspsbt (Core's rpc/rawtransaction.cpp): updates and signs a PSBT with the keys
// and scripts of the descriptors given, over the spent outputs of the mempool and the UTXO set.
#include "common/descriptor.h"
#include "common/psbt.h"
#include "common/rpc/declare.h"
#include "common/rpc/util.h"
#include "node/chain/chainstate.h"
#include "node/rpc/core_io.h"
#include "node/rpc/sign_rpc.h"

#include <utility>

namespace node::rpc {

namespace {

using T = RpcResultType;
using A = RpcArgType;

/**
 * Core's EvalDescriptorStringOrObject (expand_priv): what the descriptor (string, or {desc,
 * range}) knows, secrets too. Core's messages; no checksum required; a range given to an
 * un-ranged descriptor is ignored.
 */
void AddDescriptor(const Json& item, const consensus::ChainParams& params, common::FlatSigningProvider& provider)
{
    auto [desc_text, range] = ParseScanObject(item);
    std::string error;
    auto desc = ParseDescriptor(desc_text, params, error);
    if (!desc) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, error);
    if (!desc->IsRange()) range = {0, 0};
    for (int64_t i = range.first; i <= range.second; ++i) {
        std::vector<consensus::Script> scripts;
        if (!desc->Expand(static_cast<uint32_t>(i), common::FlatSigningProvider{}, scripts, provider, error)) {
            throw RpcError(RPC_INVALID_ADDRESS_OR_KEY,
                           "Cannot derive script without private keys: '" + desc_text + "'");
        }
        desc->ExpandPrivate(static_cast<uint32_t>(i), common::FlatSigningProvider{}, provider);
    }
}

Json DescriptorProcessPsbt(const chain::Chainstate& cs, const mempool::TxMemPool* pool, const RpcRequest& req)
{
    const Json& p = req.params;
    common::Psbt psbt;
    std::string error;
    if (!common::DecodeBase64Psbt(GetStr(p.at(0)), psbt, error))
        throw RpcError(RPC_DESERIALIZATION_ERROR, "TX decode failed " + error);
    CheckType(p.at(1), "array");
    common::FlatSigningProvider provider;
    for (const Json& item : p.at(1)) AddDescriptor(item, cs.Params(), provider);
    std::optional<int> sighash;
    if (p.size() > 2 && !p[2].is_null()) sighash = ParseSighashParam(p[2]);
    const bool bip32derivs = ParamOr<bool>(p, 3, true);
    const bool finalize = ParamOr<bool>(p, 4, true);
    // Core's HidingSigningProvider: origins only when asked for.
    if (!bip32derivs) provider.origins.clear();
    // The spent outputs the node knows (Core's ProcessPSBT: witness UTXOs from the coins view).
    for (auto& in : psbt.inputs) {
        if (in.non_witness_utxo || !in.witness_utxo.IsNull()) continue;
        if (auto coin = FindSpentCoin(cs, pool, in.GetOutPoint())) in.witness_utxo = coin->out;
    }
    const auto txdata = common::PrecomputePsbtData(psbt);
    for (unsigned i = 0; i < psbt.inputs.size(); ++i) {
        if (common::PsbtInputSigned(psbt.inputs[i])) continue;
        if (common::SignPsbtInput(provider, psbt, i, &txdata, sighash, nullptr, finalize) ==
            common::PsbtError::SIGHASH_MISMATCH) {
            throw RpcError(RPC_DESERIALIZATION_ERROR, "Specified sighash value does not match value stored in PSBT");
        }
    }
    for (unsigned i = 0; i < psbt.outputs.size(); ++i) common::UpdatePsbtOutput(provider, psbt, i);
    bool complete = true;
    for (const auto& in : psbt.inputs) complete &= common::PsbtInputSigned(in);
    Json r = Json::object();
    r["psbt"] = common::EncodeBase64Psbt(psbt);
    r["complete"] = complete;
    if (complete) {
        consensus::MutableTransaction tx;
        common::Psbt copy = psbt;
        if (common::FinalizeAndExtractPsbt(copy, tx)) r["hex"] = EncodeHexTx(consensus::Transaction(tx));
    }
    return r;
}

} // namespace

void RegisterDescriptorPsbtRpc(RpcTable& table, const chain::Chainstate& cs, const mempool::TxMemPool* pool)
{
    table.Register(RpcMethod{
        .category = "rawtransactions",
        .name = "descriptorprocesspsbt",
        .args = {Arg("psbt", A::STR, false, "", "The transaction base64 string"),
                 Arg("descriptors", A::ARR, false, "", "An array of either strings or objects",
                     {Arg("", A::STR, true, "", "An output descriptor"),
                      Arg("", A::OBJ, true, "", "An object with an output descriptor and extra information",
                          {Arg("desc", A::STR, false, "", "An output descriptor"),
                           Arg("range", A::ANY, true, "1000",
                               "Up to what index HD chains should be explored (either end or [begin,end])")})}),
                 Arg("sighashtype", A::STR, true, "\"DEFAULT for Taproot, ALL otherwise\"",
                     "The signature hash type to sign with if not specified by the PSBT. Must be one of\n"
                     "       \"DEFAULT\"\n       \"ALL\"\n       \"NONE\"\n       \"SINGLE\"\n"
                     "       \"ALL|ANYONECANPAY\"\n       \"NONE|ANYONECANPAY\"\n       \"SINGLE|ANYONECANPAY\""),
                 Arg("bip32derivs", A::BOOL, true, "true",
                     "Include BIP 32 derivation paths for public keys if we know them"),
                 Arg("finalize", A::BOOL, true, "true", "Also finalize inputs if possible")},
        .description = "Update all segwit inputs in a PSBT with information from output descriptors, the UTXO set or "
                       "the mempool. \nThen, sign the inputs we are able to with information from the output "
                       "descriptors. ",
        .examples = HelpExampleCli("descriptorprocesspsbt", "\"psbt\" \"[\\\"descriptor1\\\", \\\"descriptor2\\\"]\""),
        .handler = [&cs, pool](const RpcRequest& req) { return DescriptorProcessPsbt(cs, pool, req); },
        .results = {Res(T::OBJ, "", "", false,
                        {Res(T::STR, "psbt", "The base64-encoded partially signed transaction"),
                         Res(T::BOOL, "complete", "If the transaction has a complete set of signatures"),
                         Res(T::STR_HEX, "hex", "The hex-encoded network transaction if complete", true)})},
    });
}

} // namespace node::rpc
