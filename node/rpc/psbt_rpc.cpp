// PSBT RPC methods (Core's rawtransactions category): decodepsbt, combinepsbt, finalizepsbt,
// createpsbt, converttopsbt, utxoupdatepsbt and joinpsbts, over common/psbt.
#include "common/psbt.h"
#include "common/psbt_analyze.h"
#include "common/rpc/util.h"
#include "consensus/encoding/base58.h"
#include "consensus/hex.h"
#include "node/chain/chainstate.h"
#include "node/rpc/core_io.h"
#include "node/rpc/register.h"
#include "node/rpc/sign_rpc.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace node::rpc {

using consensus::HexStr;
using T = RpcResultType;

namespace {

RpcArg Arg(std::string name, RpcArgType type, bool optional, std::string default_text, std::string description)
{
    return RpcArg{.name = std::move(name),
                  .type = type,
                  .optional = optional,
                  .default_text = std::move(default_text),
                  .description = std::move(description)};
}

common::Psbt DecodePsbtOrThrow(const Json& value)
{
    common::Psbt psbt;
    std::string error;
    if (!common::DecodeBase64Psbt(GetStr(value), psbt, error)) {
        throw RpcError(RPC_DESERIALIZATION_ERROR, "TX decode failed " + error);
    }
    return psbt;
}

/** Core's WriteHDKeypath: "m/84h/1h/0h/0/5". */
std::string PathString(const std::vector<uint32_t>& path)
{
    std::string s = "m";
    for (uint32_t step : path) {
        s += "/" + std::to_string(step & 0x7fffffffU);
        if (step & 0x80000000U) s += "h";
    }
    return s;
}

Json OriginJson(const std::string& key_hex, const common::KeyOrigin& origin)
{
    Json o = Json::object();
    o["pubkey"] = key_hex;
    o["master_fingerprint"] = HexStr(origin.fingerprint);
    o["path"] = PathString(origin.path);
    return o;
}

Json ProprietaryJson(const std::set<common::PsbtProprietary>& props)
{
    Json a = Json::array();
    for (const auto& p : props) {
        Json o = Json::object();
        o["identifier"] = HexStr(p.identifier);
        o["subtype"] = p.subtype;
        o["key"] = HexStr(p.key);
        o["value"] = HexStr(p.value);
        a.push_back(std::move(o));
    }
    return a;
}

Json UnknownJson(const std::map<common::Bytes, common::Bytes>& unknown)
{
    Json o = Json::object();
    for (const auto& [k, v] : unknown) o[HexStr(k)] = HexStr(v);
    return o;
}

Json TapPathsJson(const std::map<common::XOnlyKey, std::pair<std::set<consensus::Uint256>, common::KeyOrigin>>& paths)
{
    Json a = Json::array();
    for (const auto& [xonly, leaf_origin] : paths) {
        Json o = OriginJson(HexStr(xonly), leaf_origin.second);
        Json hashes = Json::array();
        for (const auto& h : leaf_origin.first) hashes.push_back(HexStr(h.Span()));
        o["leaf_hashes"] = std::move(hashes);
        a.push_back(std::move(o));
    }
    return a;
}

Json MusigParticipantsJson(const std::map<common::Bytes, std::vector<common::Bytes>>& parts)
{
    Json a = Json::array();
    for (const auto& [agg, list] : parts) {
        Json o = Json::object();
        o["aggregate_pubkey"] = HexStr(agg);
        Json keys = Json::array();
        for (const auto& k : list) keys.push_back(HexStr(k));
        o["participant_pubkeys"] = std::move(keys);
        a.push_back(std::move(o));
    }
    return a;
}

template <typename M, typename F>
Json MusigDataJson(const M& data, const char* value_name, F&& hex_of)
{
    Json a = Json::array();
    for (const auto& [agg_leaf, by_part] : data) {
        for (const auto& [part, value] : by_part) {
            Json o = Json::object();
            o["participant_pubkey"] = HexStr(part);
            o["aggregate_pubkey"] = HexStr(agg_leaf.first);
            if (!agg_leaf.second.IsNull()) o["leaf_hash"] = HexStr(agg_leaf.second.Span());
            o[value_name] = hex_of(value);
            a.push_back(std::move(o));
        }
    }
    return a;
}

Json DecodePsbt(const chain::Chainstate& cs, const RpcRequest& req)
{
    const auto& params = cs.Params();
    const common::Psbt psbt = DecodePsbtOrThrow(req.params.at(0));
    const uint32_t version = psbt.GetVersion();
    const auto unsigned_tx = psbt.GetUnsignedTx();
    Json r = Json::object();
    if (version < 2 && unsigned_tx) r["tx"] = TxToJson(consensus::Transaction(*unsigned_tx), params, {}, false);
    Json xpubs = Json::array();
    for (const auto& [origin, set] : psbt.xpubs) {
        for (const auto& xpub : set) {
            Json o = Json::object();
            o["xpub"] = consensus::encoding::EncodeBase58Check(xpub);
            o["master_fingerprint"] = HexStr(origin.fingerprint);
            o["path"] = PathString(origin.path);
            xpubs.push_back(std::move(o));
        }
    }
    r["global_xpubs"] = std::move(xpubs);
    if (version >= 2) {
        r["tx_version"] = psbt.tx_version;
        if (psbt.fallback_locktime) r["fallback_locktime"] = *psbt.fallback_locktime;
        r["input_count"] = psbt.inputs.size();
        r["output_count"] = psbt.outputs.size();
        if (psbt.tx_modifiable) {
            r["inputs_modifiable"] = (*psbt.tx_modifiable & 1) != 0;
            r["outputs_modifiable"] = (*psbt.tx_modifiable & 2) != 0;
            r["has_sighash_single"] = (*psbt.tx_modifiable & 4) != 0;
        }
    }
    r["psbt_version"] = version;
    r["proprietary"] = ProprietaryJson(psbt.proprietary);
    r["unknown"] = UnknownJson(psbt.unknown);

    bool have_all_utxos = true;
    consensus::Amount total_in{0};
    Json inputs = Json::array();
    for (const auto& in : psbt.inputs) {
        Json o = Json::object();
        // Core lists the witness UTXO first and takes the amount from the full transaction when present.
        std::optional<consensus::TxOut> utxo;
        if (!in.witness_utxo.IsNull()) {
            Json w = Json::object();
            w["amount"] = ValueFromAmount(in.witness_utxo.value);
            w["scriptPubKey"] = ScriptToJson(in.witness_utxo.script_pubkey, params, true, true);
            o["witness_utxo"] = std::move(w);
            utxo = in.witness_utxo;
        }
        if (in.non_witness_utxo) {
            o["non_witness_utxo"] = TxToJson(*in.non_witness_utxo, params, {}, false);
            utxo = in.non_witness_utxo->vout.at(in.prev_out); // checked when parsed
        }
        if (utxo && consensus::MoneyRange(utxo->value) &&
            consensus::MoneyRange(consensus::Amount{total_in.sats + utxo->value.sats})) {
            total_in = consensus::Amount{total_in.sats + utxo->value.sats};
        } else {
            have_all_utxos = false;
        }
        if (!in.partial_sigs.empty()) {
            Json sigs = Json::object();
            for (const auto& [id, pair] : in.partial_sigs) sigs[HexStr(pair.first)] = HexStr(pair.second);
            o["partial_signatures"] = std::move(sigs);
        }
        if (in.sighash_type) o["sighash"] = common::SighashToStr(*in.sighash_type);
        if (!in.redeem_script.empty()) o["redeem_script"] = ScriptToJson(in.redeem_script, params, true, false);
        if (!in.witness_script.empty()) o["witness_script"] = ScriptToJson(in.witness_script, params, true, false);
        if (!in.hd_keypaths.empty()) {
            Json a = Json::array();
            for (const auto& [pub, origin] : in.hd_keypaths) a.push_back(OriginJson(HexStr(pub), origin));
            o["bip32_derivs"] = std::move(a);
        }
        if (!in.final_script_sig.empty()) {
            o["final_scriptSig"] =
                Json{{"asm", ScriptToAsmStr(in.final_script_sig, true)}, {"hex", HexStr(in.final_script_sig)}};
        }
        if (!in.final_script_witness.IsNull()) {
            Json a = Json::array();
            for (const auto& item : in.final_script_witness.stack) a.push_back(HexStr(item));
            o["final_scriptwitness"] = std::move(a);
        }
        auto preimages = [&](const auto& m, const char* name) {
            if (m.empty()) return;
            Json p = Json::object();
            for (const auto& [h, pre] : m) p[HexStr(h.Span())] = HexStr(pre);
            o[name] = std::move(p);
        };
        preimages(in.ripemd160_preimages, "ripemd160_preimages");
        preimages(in.sha256_preimages, "sha256_preimages");
        preimages(in.hash160_preimages, "hash160_preimages");
        preimages(in.hash256_preimages, "hash256_preimages");
        if (version >= 2) {
            o["previous_txid"] = in.prev_txid.GetHex();
            o["previous_vout"] = in.prev_out;
            if (in.sequence) o["sequence"] = *in.sequence;
            if (in.time_locktime) o["time_locktime"] = *in.time_locktime;
            if (in.height_locktime) o["height_locktime"] = *in.height_locktime;
        }
        if (!in.tap_key_sig.empty()) o["taproot_key_path_sig"] = HexStr(in.tap_key_sig);
        if (!in.tap_script_sigs.empty()) {
            Json a = Json::array();
            for (const auto& [key_leaf, sig] : in.tap_script_sigs) {
                a.push_back(Json{{"pubkey", HexStr(key_leaf.first)},
                                 {"leaf_hash", HexStr(key_leaf.second.Span())},
                                 {"sig", HexStr(sig)}});
            }
            o["taproot_script_path_sigs"] = std::move(a);
        }
        if (!in.tap_scripts.empty()) {
            Json a = Json::array();
            for (const auto& [leaf, controls] : in.tap_scripts) {
                Json cb = Json::array();
                for (const auto& c : controls) cb.push_back(HexStr(c));
                a.push_back(
                    Json{{"script", HexStr(leaf.first)}, {"leaf_ver", leaf.second}, {"control_blocks", std::move(cb)}});
            }
            o["taproot_scripts"] = std::move(a);
        }
        if (!in.tap_bip32_paths.empty()) o["taproot_bip32_derivs"] = TapPathsJson(in.tap_bip32_paths);
        if (in.tap_internal_key != common::XOnlyKey{}) o["taproot_internal_key"] = HexStr(in.tap_internal_key);
        if (!in.tap_merkle_root.IsNull()) o["taproot_merkle_root"] = HexStr(in.tap_merkle_root.Span());
        if (!in.musig2_participants.empty()) {
            o["musig2_participant_pubkeys"] = MusigParticipantsJson(in.musig2_participants);
        }
        if (!in.musig2_pubnonces.empty()) {
            o["musig2_pubnonces"] =
                MusigDataJson(in.musig2_pubnonces, "pubnonce", [](const common::Bytes& b) { return HexStr(b); });
        }
        if (!in.musig2_partial_sigs.empty()) {
            o["musig2_partial_sigs"] = MusigDataJson(in.musig2_partial_sigs, "partial_sig",
                                                     [](const consensus::Uint256& h) { return HexStr(h.Span()); });
        }
        if (!in.unknown.empty()) o["unknown"] = UnknownJson(in.unknown);
        if (!in.proprietary.empty()) o["proprietary"] = ProprietaryJson(in.proprietary);
        inputs.push_back(std::move(o));
    }
    r["inputs"] = std::move(inputs);

    consensus::Amount total_out{0};
    Json outputs = Json::array();
    for (const auto& out : psbt.outputs) {
        Json o = Json::object();
        if (!out.redeem_script.empty()) o["redeem_script"] = ScriptToJson(out.redeem_script, params, true, false);
        if (!out.witness_script.empty()) o["witness_script"] = ScriptToJson(out.witness_script, params, true, false);
        if (!out.hd_keypaths.empty()) {
            Json a = Json::array();
            for (const auto& [pub, origin] : out.hd_keypaths) a.push_back(OriginJson(HexStr(pub), origin));
            o["bip32_derivs"] = std::move(a);
        }
        if (version >= 2) {
            o["amount"] = ValueFromAmount(out.amount);
            o["script"] = ScriptToJson(out.script, params, true, true);
        }
        if (out.tap_internal_key != common::XOnlyKey{}) o["taproot_internal_key"] = HexStr(out.tap_internal_key);
        if (!out.tap_tree.empty()) {
            Json a = Json::array();
            for (const auto& [depth, ver, script] : out.tap_tree) {
                a.push_back(Json{{"depth", depth}, {"leaf_ver", ver}, {"script", HexStr(script)}});
            }
            o["taproot_tree"] = std::move(a);
        }
        if (!out.tap_bip32_paths.empty()) o["taproot_bip32_derivs"] = TapPathsJson(out.tap_bip32_paths);
        if (!out.musig2_participants.empty()) {
            o["musig2_participant_pubkeys"] = MusigParticipantsJson(out.musig2_participants);
        }
        if (!out.unknown.empty()) o["unknown"] = UnknownJson(out.unknown);
        if (!out.proprietary.empty()) o["proprietary"] = ProprietaryJson(out.proprietary);
        total_out = consensus::Amount{total_out.sats + out.amount.sats};
        if (!consensus::MoneyRange(out.amount) || !consensus::MoneyRange(total_out)) have_all_utxos = false;
        outputs.push_back(std::move(o));
    }
    r["outputs"] = std::move(outputs);
    if (have_all_utxos) r["fee"] = ValueFromAmount(consensus::Amount{total_in.sats - total_out.sats});
    return r;
}

Json CombinePsbt(const RpcRequest& req)
{
    const Json& txs = req.params.at(0);
    if (txs.empty()) throw RpcError(RPC_INVALID_PARAMETER, "Parameter 'txs' cannot be empty");
    std::vector<common::Psbt> psbts;
    for (const Json& t : txs) psbts.push_back(DecodePsbtOrThrow(t));
    const auto merged = common::CombinePsbts(psbts);
    if (!merged) throw RpcError(RPC_INVALID_PARAMETER, "PSBTs not compatible (different transactions)");
    return common::EncodeBase64Psbt(*merged);
}

Json FinalizePsbtRpc(const RpcRequest& req)
{
    common::Psbt psbt = DecodePsbtOrThrow(req.params.at(0));
    const bool extract = ParamOr<bool>(req.params, 1, true);
    consensus::MutableTransaction tx;
    const bool complete = common::FinalizeAndExtractPsbt(psbt, tx);
    Json r = Json::object();
    if (complete && extract) {
        r["hex"] = EncodeHexTx(consensus::Transaction(tx));
    } else {
        r["psbt"] = common::EncodeBase64Psbt(psbt);
    }
    r["complete"] = complete;
    return r;
}

uint32_t PsbtVersionParam(const Json& params, size_t i)
{
    const uint32_t v = ParamOr<uint32_t>(params, i, 0);
    if (v != 0 && v != 2) throw RpcError(RPC_INVALID_PARAMETER, "The PSBT version can only be 0 or 2");
    return v;
}

Json CreatePsbt(const chain::Chainstate& cs, const RpcRequest& req)
{
    const consensus::MutableTransaction tx = ConstructRawTransaction(req.params, cs.Params());
    return common::EncodeBase64Psbt(common::Psbt(tx, PsbtVersionParam(req.params, 5)));
}

Json ConvertToPsbt(const RpcRequest& req)
{
    const bool permit_sigdata = ParamOr<bool>(req.params, 1, false);
    const bool witness_given = req.params.size() > 2 && !req.params[2].is_null();
    const bool is_witness = witness_given && GetBool(req.params[2]);
    auto tx =
        DecodeHexTx(GetStr(req.params.at(0)), witness_given ? !is_witness : true, witness_given ? is_witness : true);
    if (!tx) throw RpcError(RPC_DESERIALIZATION_ERROR, "TX decode failed");
    for (auto& in : tx->vin) {
        if ((!in.script_sig.empty() || !in.witness.IsNull()) && !permit_sigdata) {
            throw RpcError(RPC_DESERIALIZATION_ERROR, "Inputs must not have scriptSigs and scriptWitnesses");
        }
        in.script_sig.clear();
        in.witness.stack.clear();
    }
    return common::EncodeBase64Psbt(common::Psbt(*tx, PsbtVersionParam(req.params, 3)));
}

/** Core's RemoveUnnecessaryTransactions: full previous transactions are dropped when every input is segwit v1+. */
void RemoveUnnecessaryTransactions(common::Psbt& psbt)
{
    for (const auto& in : psbt.inputs) {
        int ver = 0;
        std::vector<uint8_t> prog;
        if (in.witness_utxo.IsNull() || !in.witness_utxo.script_pubkey.IsWitnessProgram(ver, prog) || ver == 0) return;
    }
    for (auto& in : psbt.inputs) in.non_witness_utxo.reset();
}

Json UtxoUpdatePsbt(const chain::Chainstate& cs, const mempool::TxMemPool* pool, const RpcRequest& req)
{
    common::Psbt psbt = DecodePsbtOrThrow(req.params.at(0));
    if (req.params.size() > 1 && !req.params[1].is_null() && !req.params[1].empty()) {
        throw RpcError(RPC_INVALID_PARAMETER, "descriptors are not supported by utxoupdatepsbt yet");
    }
    const common::FlatSigningProvider provider;
    const auto txdata = common::PrecomputePsbtData(psbt);
    for (unsigned i = 0; i < psbt.inputs.size(); ++i) {
        common::PsbtInput& in = psbt.inputs[i];
        if (in.non_witness_utxo || !in.witness_utxo.IsNull()) continue;
        const auto coin = FindSpentCoin(cs, pool, in.GetOutPoint());
        if (!coin) continue;
        int ver = 0;
        std::vector<uint8_t> prog;
        // Only a witness output can be described by its output alone (BIP-174).
        if (coin->out.script_pubkey.IsWitnessProgram(ver, prog)) in.witness_utxo = coin->out;
        (void)common::SignPsbtInput(provider, psbt, i, &txdata, std::nullopt, nullptr, false);
    }
    for (unsigned i = 0; i < psbt.outputs.size(); ++i) common::UpdatePsbtOutput(provider, psbt, i);
    RemoveUnnecessaryTransactions(psbt);
    return common::EncodeBase64Psbt(psbt);
}

Json JoinPsbts(const RpcRequest& req)
{
    const Json& txs = req.params.at(0);
    if (txs.size() <= 1) throw RpcError(RPC_INVALID_PARAMETER, "At least two PSBTs are required to join PSBTs.");
    std::vector<common::Psbt> psbts;
    uint32_t best_version = 1, best_locktime = 0xffffffff;
    for (const Json& t : txs) {
        psbts.push_back(DecodePsbtOrThrow(t));
        const auto tx = psbts.back().GetUnsignedTx();
        if (!tx) throw RpcError(RPC_DESERIALIZATION_ERROR, "TX decode failed conflicting locktimes");
        best_version = std::max(best_version, tx->version);
        best_locktime = std::min(best_locktime, tx->locktime);
    }
    std::vector<common::PsbtInput> inputs;
    std::vector<common::PsbtOutput> outputs;
    common::Psbt merged;
    for (auto& p : psbts) {
        for (auto in : p.inputs) {
            const auto op = in.GetOutPoint();
            if (std::any_of(inputs.begin(), inputs.end(), [&](const auto& x) { return x.GetOutPoint() == op; })) {
                throw RpcError(RPC_INVALID_PARAMETER,
                               "Input " + op.hash.GetHex() + ":" + std::to_string(op.n) + " exists in multiple PSBTs");
            }
            in.partial_sigs.clear();
            in.final_script_sig.clear();
            in.final_script_witness.stack.clear();
            in.version = 0;
            inputs.push_back(std::move(in));
        }
        for (auto out : p.outputs) {
            out.version = 0;
            outputs.push_back(std::move(out));
        }
        for (const auto& [origin, set] : p.xpubs) merged.xpubs[origin].insert(set.begin(), set.end());
        merged.unknown.insert(p.unknown.begin(), p.unknown.end());
    }
    // Core shuffles the joined inputs and outputs so their origin is not revealed by order.
    std::vector<size_t> in_order(inputs.size()), out_order(outputs.size());
    std::iota(in_order.begin(), in_order.end(), 0);
    std::iota(out_order.begin(), out_order.end(), 0);
    std::random_device rd;
    std::mt19937_64 rng((uint64_t{rd()} << 32) | rd());
    std::shuffle(in_order.begin(), in_order.end(), rng);
    std::shuffle(out_order.begin(), out_order.end(), rng);
    merged.tx_version = best_version;
    merged.fallback_locktime = best_locktime;
    for (size_t i : in_order) merged.inputs.push_back(std::move(inputs[i]));
    for (size_t i : out_order) merged.outputs.push_back(std::move(outputs[i]));
    return common::EncodeBase64Psbt(merged);
}

Json AnalyzePsbtRpc(const RpcRequest& req)
{
    const common::PsbtAnalysis a = common::AnalyzePsbt(DecodePsbtOrThrow(req.params.at(0)));
    Json r = Json::object();
    Json inputs = Json::array();
    for (const auto& in : a.inputs) {
        Json o = Json::object();
        o["has_utxo"] = in.has_utxo;
        o["is_final"] = in.is_final;
        o["next"] = common::PsbtRoleName(in.next);
        Json missing = Json::object();
        if (!in.missing_pubkeys.empty()) {
            Json k = Json::array();
            for (const auto& id : in.missing_pubkeys) k.push_back(HexStr(id.Span()));
            missing["pubkeys"] = std::move(k);
        }
        if (!in.missing_redeem_script.IsNull()) missing["redeemscript"] = HexStr(in.missing_redeem_script.Span());
        if (!in.missing_witness_script.IsNull()) missing["witnessscript"] = HexStr(in.missing_witness_script.Span());
        if (!in.missing_sigs.empty()) {
            Json k = Json::array();
            for (const auto& id : in.missing_sigs) k.push_back(HexStr(id.Span()));
            missing["signatures"] = std::move(k);
        }
        if (!missing.empty()) o["missing"] = std::move(missing);
        inputs.push_back(std::move(o));
    }
    if (!inputs.empty()) r["inputs"] = std::move(inputs);
    if (a.estimated_vsize) r["estimated_vsize"] = *a.estimated_vsize;
    if (a.estimated_feerate) r["estimated_feerate"] = ValueFromAmount(*a.estimated_feerate);
    if (a.fee) r["fee"] = ValueFromAmount(*a.fee);
    r["next"] = common::PsbtRoleName(a.next);
    if (!a.error.empty()) r["error"] = a.error;
    return r;
}

const std::string PSBT_DESC = "A base64 string of a PSBT";

} // namespace

void RegisterPsbtRpc(RpcTable& table, const chain::Chainstate& cs, const mempool::TxMemPool* pool)
{
    const std::string cat = "rawtransactions";
    const RpcResult psbt_str{.type = T::STR, .description = "The base64-encoded partially signed transaction"};
    table.Register(RpcMethod{
        .category = cat,
        .name = "decodepsbt",
        .args = {Arg("psbt", RpcArgType::STR, false, "", "The PSBT base64 string")},
        .description = "Return a JSON object representing the serialized, base64-encoded partially signed Bitcoin "
                       "transaction.",
        .examples = HelpExampleCli("decodepsbt", "\"psbt\""),
        .handler = [&cs](const RpcRequest& req) { return DecodePsbt(cs, req); },
        .results = {
            {.type = T::OBJ,
             .inner = {
                 {.type = T::ANY,
                  .key = "tx",
                  .description = "The decoded network-serialized unsigned transaction (version 0 PSBTs), as "
                                 "decoderawtransaction shows it",
                  .optional = true},
                 {.type = T::ARR, .key = "global_xpubs", .inner = {{.type = T::ANY}}},
                 {.type = T::NUM,
                  .key = "tx_version",
                  .description = "The transaction version (version 2)",
                  .optional = true},
                 {.type = T::NUM, .key = "fallback_locktime", .description = "The fallback locktime", .optional = true},
                 {.type = T::NUM, .key = "input_count", .description = "The number of inputs", .optional = true},
                 {.type = T::NUM, .key = "output_count", .description = "The number of outputs", .optional = true},
                 {.type = T::BOOL,
                  .key = "inputs_modifiable",
                  .description = "Whether inputs can be added",
                  .optional = true},
                 {.type = T::BOOL,
                  .key = "outputs_modifiable",
                  .description = "Whether outputs can be added",
                  .optional = true},
                 {.type = T::BOOL,
                  .key = "has_sighash_single",
                  .description = "Whether a SIGHASH_SINGLE signature exists",
                  .optional = true},
                 {.type = T::NUM, .key = "psbt_version", .description = "The PSBT version number"},
                 {.type = T::ARR,
                  .key = "proprietary",
                  .description = "The global proprietary map",
                  .inner = {{.type = T::ANY}}},
                 {.type = T::ANY, .key = "unknown", .description = "The unknown global fields"},
                 {.type = T::ARR, .key = "inputs", .inner = {{.type = T::ANY}}},
                 {.type = T::ARR, .key = "outputs", .inner = {{.type = T::ANY}}},
                 {.type = T::STR_AMOUNT,
                  .key = "fee",
                  .description = "The transaction fee paid if all UTXOs slots in the PSBT have been filled.",
                  .optional = true}}}}});
    table.Register(
        RpcMethod{.category = cat,
                  .name = "combinepsbt",
                  .args = {{.name = "txs",
                            .type = RpcArgType::ARR,
                            .description = "The base64 strings of partially signed transactions",
                            .inner = {{.name = "psbt", .type = RpcArgType::STR, .description = PSBT_DESC}}}},
                  .description = "Combine multiple partially signed Bitcoin transactions into one transaction.\n"
                                 "Implements the Combiner role.",
                  .examples = HelpExampleCli("combinepsbt", "'[\"mybase64_1\", \"mybase64_2\", \"mybase64_3\"]'"),
                  .handler = [](const RpcRequest& req) { return CombinePsbt(req); },
                  .results = {psbt_str}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "finalizepsbt",
        .args = {Arg("psbt", RpcArgType::STR, false, "", "A base64 string of a PSBT"),
                 Arg("extract", RpcArgType::BOOL, true, "true",
                     "If true and the transaction is complete,\n"
                     "extract and return the complete transaction in normal network serialization instead of the "
                     "PSBT.")},
        .description = "Finalize the inputs of a PSBT. If the transaction is fully signed, it will produce a\n"
                       "network serialized transaction which can be broadcast with sendrawtransaction. Otherwise a "
                       "PSBT will be\ncreated which has the final_scriptSig and final_scriptwitness fields filled "
                       "for inputs that are complete.\nImplements the Finalizer and Extractor roles.",
        .examples = HelpExampleCli("finalizepsbt", "\"psbt\""),
        .handler = [](const RpcRequest& req) { return FinalizePsbtRpc(req); },
        .results = {{.type = T::OBJ,
                     .inner = {{.type = T::STR,
                                .key = "psbt",
                                .description = "The base64-encoded partially signed transaction if not extracted",
                                .optional = true},
                               {.type = T::STR_HEX,
                                .key = "hex",
                                .description = "The hex-encoded network transaction if extracted",
                                .optional = true},
                               {.type = T::BOOL,
                                .key = "complete",
                                .description = "If the transaction has a complete set of signatures"}}}}});
    RpcMethod create{
        .category = cat,
        .name = "createpsbt",
        .description = "Creates a transaction in the Partially Signed Transaction format.\n"
                       "Implements the Creator role.",
        .examples = HelpExampleCli(
            "createpsbt", "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\" \"[{\\\"data\\\":\\\"00010203\\\"}]\""),
        .handler = [&cs](const RpcRequest& req) { return CreatePsbt(cs, req); },
        .results = {psbt_str}};
    create.args = {
        {.name = "inputs",
         .type = RpcArgType::ARR,
         .description = "The inputs",
         .inner = {{.name = "",
                    .type = RpcArgType::OBJ,
                    .optional = true,
                    .inner = {{.name = "txid", .type = RpcArgType::STR_HEX, .description = "The transaction id"},
                              {.name = "vout", .type = RpcArgType::NUM, .description = "The output number"},
                              {.name = "sequence",
                               .type = RpcArgType::NUM,
                               .optional = true,
                               .default_text = "depends on the value of the 'replaceable' and 'locktime' arguments",
                               .description = "The sequence number"}}}}},
        {.name = "outputs",
         .type = RpcArgType::ARR,
         .description = "The outputs specified as key-value pairs (address: amount, or \"data\": hex), as "
                        "createrawtransaction's.",
         .skip_type_check = true},
        Arg("locktime", RpcArgType::NUM, true, "0", "Raw locktime. Non-0 value also locktime-activates inputs"),
        Arg("replaceable", RpcArgType::BOOL, true, "true", "Marks this transaction as BIP125 replaceable."),
        Arg("version", RpcArgType::NUM, true, "2", "Transaction version"),
        Arg("psbt_version", RpcArgType::NUM, true, "0", "The PSBT version number to use (0 or 2)."),
    };
    table.Register(std::move(create));
    table.Register(RpcMethod{
        .category = cat,
        .name = "converttopsbt",
        .args = {Arg("hexstring", RpcArgType::STR_HEX, false, "", "The hex string of a raw transaction"),
                 Arg("permitsigdata", RpcArgType::BOOL, true, "false",
                     "If true, any signatures in the input will be discarded and conversion\n"
                     "will continue. If false, RPC will fail if any signatures are present."),
                 Arg("iswitness", RpcArgType::BOOL, true, "depends on heuristic tests",
                     "Whether the transaction hex is a serialized witness transaction.\n"
                     "If iswitness is not present, heuristic tests will be used in decoding.\n"
                     "If true, only witness deserialization will be tried.\n"
                     "If false, only non-witness deserialization will be tried.\n"
                     "This boolean should reflect whether the transaction has inputs\n"
                     "(e.g. fully valid, or on-chain transactions), if known by the caller."),
                 Arg("psbt_version", RpcArgType::NUM, true, "0", "The PSBT version number to use (0 or 2).")},
        .description = "Converts a network serialized transaction to a PSBT. This should be used only with "
                       "createrawtransaction and fundrawtransaction\ncreatepsbt and walletcreatefundedpsbt should be "
                       "used for new applications.",
        .examples = HelpExampleCli("converttopsbt", "\"rawtransaction\""),
        .handler = [](const RpcRequest& req) { return ConvertToPsbt(req); },
        .results = {psbt_str}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "utxoupdatepsbt",
        .args = {Arg("psbt", RpcArgType::STR, false, "", "A base64 string of a PSBT"),
                 {.name = "descriptors",
                  .type = RpcArgType::ARR,
                  .optional = true,
                  .description = "An array of either strings or objects (not supported yet)",
                  .skip_type_check = true}},
        .description = "Updates all segwit inputs and outputs in a PSBT with data from output descriptors, the UTXO "
                       "set, txindex, or the mempool.",
        .examples = HelpExampleCli("utxoupdatepsbt", "\"psbt\""),
        .handler = [&cs, pool](const RpcRequest& req) { return UtxoUpdatePsbt(cs, pool, req); },
        .results = {
            {.type = T::STR, .description = "The base64-encoded partially signed transaction with inputs updated"}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "joinpsbts",
        .args = {{.name = "txs",
                  .type = RpcArgType::ARR,
                  .description = "The base64 strings of partially signed transactions",
                  .inner = {{.name = "psbt", .type = RpcArgType::STR, .description = PSBT_DESC}}}},
        .description = "Joins multiple distinct PSBTs with different inputs and outputs into one PSBT with inputs "
                       "and outputs from all of the PSBTs\nNo input in any of the PSBTs can be in more than one of "
                       "the PSBTs.",
        .examples = HelpExampleCli("joinpsbts", "\"psbt\""),
        .handler = [](const RpcRequest& req) { return JoinPsbts(req); },
        .results = {psbt_str}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "analyzepsbt",
        .args = {Arg("psbt", RpcArgType::STR, false, "", "A base64 string of a PSBT")},
        .description = "Analyzes and provides information about the current status of a PSBT and its inputs",
        .examples = HelpExampleCli("analyzepsbt", "\"psbt\""),
        .handler = [](const RpcRequest& req) { return AnalyzePsbtRpc(req); },
        .results = {
            {.type = T::OBJ,
             .inner = {
                 {.type = T::ARR,
                  .key = "inputs",
                  .inner = {{.type = T::OBJ,
                             .inner = {{.type = T::BOOL,
                                        .key = "has_utxo",
                                        .description = "Whether a UTXO is provided"},
                                       {.type = T::BOOL,
                                        .key = "is_final",
                                        .description = "Whether the input is finalized"},
                                       {.type = T::OBJ,
                                        .key = "missing",
                                        .description = "Things that are missing that are required to complete this input",
                                        .inner = {{.type = T::ARR,
                                                   .key = "pubkeys",
                                                   .inner = {{.type = T::STR_HEX}},
                                                   .optional = true},
                                                  {.type = T::ARR,
                                                   .key = "signatures",
                                                   .inner = {{.type = T::STR_HEX}},
                                                   .optional = true},
                                                  {.type = T::STR_HEX, .key = "redeemscript", .optional = true},
                                                  {.type = T::STR_HEX, .key = "witnessscript", .optional = true}},
                                        .optional = true},
                                       {.type = T::STR,
                                        .key = "next",
                                        .description = "Role of the next person that this input needs to go to"}}}},
                  .optional = true},
                 {.type = T::NUM,
                  .key = "estimated_vsize",
                  .description = "Estimated vsize of the final signed transaction",
                  .optional = true},
                 {.type = T::STR_AMOUNT,
                  .key = "estimated_feerate",
                  .description = "Estimated feerate of the final signed transaction in BTC/kvB",
                  .optional = true},
                 {.type = T::STR_AMOUNT, .key = "fee", .description = "The transaction fee paid", .optional = true},
                 {.type = T::STR,
                  .key = "next",
                  .description = "Role of the next person that this psbt needs to go to"},
                 {.type = T::STR,
                  .key = "error",
                  .description = "Error message (if there is one)",
                  .optional = true}}}}});
}

} // namespace node::rpc
