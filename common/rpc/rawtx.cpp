// Raw-transaction helpers shared by the node's and the wallet's RPC methods (Core's
// core_read.cpp/core_write.cpp hex and asm forms, rawtransaction_util.cpp's ConstructTransaction,
// ParsePrevouts and SignTransactionResultToJSON). Moved here from node/rpc so that wallet/rpc can
// use them without depending on the node.
#include "common/rpc/rawtx.h"

#include "common/rpc/outputs.h"

#include "common/key_io.h"
#include "common/rpc/util.h"
#include "common/sign.h"
#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/script.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <set>

namespace common::rpc {

using consensus::Script;
using T = RpcResultType;

namespace {

/** BIP-125: inputs with a sequence below this signal replaceability. */
constexpr uint32_t MAX_BIP125_RBF_SEQUENCE = 0xfffffffd;
constexpr uint32_t MAX_SEQUENCE_NONFINAL = 0xfffffffe;

/** A signature push with a defined hash type, as CheckSignatureEncoding(.., STRICTENC) accepts (non-empty). */
bool IsStrictSignature(const std::vector<uint8_t>& sig)
{
    if (!consensus::IsValidSignatureEncoding(sig)) return false;
    const uint8_t type = sig.back() & static_cast<uint8_t>(~consensus::SIGHASH_ANYONECANPAY);
    return type >= consensus::SIGHASH_ALL && type <= consensus::SIGHASH_SINGLE;
}

/** Core's CheckTxScriptsSanity: every scriptSig (unless coinbase) and scriptPubKey has valid ops and size. */
bool CheckTxScriptsSanity(const consensus::MutableTransaction& tx)
{
    const bool coinbase = tx.vin.size() == 1 && tx.vin[0].prevout.IsNull();
    if (!coinbase) {
        for (const auto& in : tx.vin) {
            if (!in.script_sig.HasValidOps() || in.script_sig.size() > consensus::MAX_SCRIPT_SIZE) return false;
        }
    }
    for (const auto& out : tx.vout) {
        if (!out.script_pubkey.HasValidOps() || out.script_pubkey.size() > consensus::MAX_SCRIPT_SIZE) return false;
    }
    return true;
}

std::optional<consensus::MutableTransaction> TryDecodeTx(const std::vector<uint8_t>& data, consensus::TxWitness mode)
{
    try {
        consensus::ByteReader r(data);
        auto tx = consensus::MutableTransaction::Deserialize(r, mode);
        if (!r.Empty()) return std::nullopt;
        return tx;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

/** Core's RPCTypeCheckObj for one key: "Missing <key>" or the type mismatch, RPC_TYPE_ERROR. */
void CheckKey(const Json& obj, const std::string& key, const std::string& type, bool allow_missing)
{
    if (!obj.contains(key) || obj.at(key).is_null()) {
        if (allow_missing) return;
        throw RpcError(RPC_TYPE_ERROR, "Missing " + key);
    }
    if (JsonTypeName(obj.at(key)) != type) {
        throw RpcError(RPC_TYPE_ERROR, "JSON value of type " + JsonTypeName(obj.at(key)) + " for field " + key +
                                           " is not of expected type " + type);
    }
}

Script P2WSHOf(const Script& s)
{
    const consensus::Uint256 h = consensus::Sha256Hash(s);
    Script out;
    out << consensus::OP_0 << std::vector<uint8_t>(h.begin(), h.end());
    return out;
}

Script P2SHOf(const Script& s)
{
    const consensus::Uint160 h = consensus::Hash160(s);
    Script out;
    out << consensus::OP_HASH160 << std::vector<uint8_t>(h.begin(), h.end()) << consensus::OP_EQUAL;
    return out;
}

} // namespace

std::string ScriptToAsmStr(const Script& script, bool attempt_sighash_decode)
{
    std::string str;
    auto pc = script.cbegin();
    while (pc < script.cend()) {
        if (!str.empty()) str += " ";
        consensus::Opcode opcode;
        std::vector<uint8_t> vch;
        if (!script.GetOp(pc, opcode, &vch)) {
            str += "[error]";
            return str;
        }
        if (opcode <= consensus::OP_PUSHDATA4) {
            if (vch.size() <= 4) {
                str += std::to_string(consensus::ScriptNum(vch, false).GetInt());
            } else if (attempt_sighash_decode && !script.IsUnspendable()) {
                // Only scriptSigs: show a signature's hash type by name instead of its last byte.
                std::string decoded;
                if (IsStrictSignature(vch)) {
                    decoded = "[" + common::SighashToStr(vch.back()) + "]";
                    vch.pop_back();
                }
                str += consensus::HexStr(vch) + decoded;
            } else {
                str += consensus::HexStr(vch);
            }
        } else {
            str += consensus::GetOpName(opcode);
        }
    }
    return str;
}

std::string EncodeHexTx(const consensus::Transaction& tx, bool with_witness)
{
    std::vector<uint8_t> bytes;
    consensus::ByteWriter w(bytes);
    tx.Serialize(w, with_witness ? consensus::TxWitness::WITH : consensus::TxWitness::WITHOUT);
    return consensus::HexStr(bytes);
}

bool IsHex(const std::string& str)
{
    if (str.empty() || str.size() % 2 != 0) return false;
    for (char c : str) {
        if (consensus::HexDigit(c) < 0) return false;
    }
    return true;
}

std::optional<consensus::MutableTransaction> DecodeHexTx(const std::string& hex, bool try_no_witness, bool try_witness)
{
    // One pass: TryParseHex refuses what IsHex refuses but the empty string.
    const std::optional<std::vector<uint8_t>> parsed = consensus::TryParseHex(hex);
    if (!parsed || parsed->empty()) return std::nullopt;
    const std::vector<uint8_t>& data = *parsed;
    std::optional<consensus::MutableTransaction> extended;
    if (try_witness) extended = TryDecodeTx(data, consensus::TxWitness::WITH);
    if (extended && CheckTxScriptsSanity(*extended)) return extended;
    std::optional<consensus::MutableTransaction> legacy;
    if (try_no_witness) legacy = TryDecodeTx(data, consensus::TxWitness::WITHOUT);
    if (legacy && CheckTxScriptsSanity(*legacy)) return legacy;
    if (extended) return extended;
    return legacy;
}

namespace {

/** Core's AddInputs: inputs [{txid, vout, sequence?}], default sequence by rbf and locktime. */
void AddInputs(consensus::MutableTransaction& tx, const Json& inputs, std::optional<bool> rbf)
{
    if (inputs.is_null()) return;
    CheckType(inputs, "array");
    for (const Json& input : inputs) {
        CheckType(input, "object");
        const consensus::Uint256 txid = ParseHashO(input, "txid");
        auto vout = input.find("vout");
        if (vout == input.end() || !IsNumeric(*vout)) {
            throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, missing vout key");
        }
        const int64_t n = GetInt(*vout);
        if (n < 0) throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, vout cannot be negative");
        if (n > std::numeric_limits<int>::max()) throw RpcError(RPC_MISC_ERROR, "JSON integer out of range");
        uint32_t sequence;
        if (rbf.value_or(true)) {
            sequence = MAX_BIP125_RBF_SEQUENCE;
        } else if (tx.locktime) {
            sequence = MAX_SEQUENCE_NONFINAL;
        } else {
            sequence = consensus::TxIn::SEQUENCE_FINAL;
        }
        if (auto seq = input.find("sequence"); seq != input.end() && IsNumeric(*seq)) {
            const int64_t s = GetInt(*seq);
            if (s < 0 || s > consensus::TxIn::SEQUENCE_FINAL) {
                throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, sequence number is out of range");
            }
            sequence = static_cast<uint32_t>(s);
        }
        consensus::TxIn in;
        in.prevout = consensus::OutPoint(txid, static_cast<uint32_t>(n));
        in.sequence = sequence;
        tx.vin.push_back(std::move(in));
    }
}

} // namespace

consensus::MutableTransaction ConstructRawTransaction(const Json& params, const consensus::ChainParams& chain_params)
{
    consensus::MutableTransaction tx;
    if (params.size() > 2 && !params[2].is_null()) {
        const int64_t locktime = GetInt(params[2]);
        if (locktime < 0 || locktime > 0xffffffffLL) {
            throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, locktime out of range");
        }
        tx.locktime = static_cast<uint32_t>(locktime);
    }
    std::optional<bool> rbf;
    if (params.size() > 3 && !params[3].is_null()) rbf = GetBool(params[3]);
    // As Core: read as uint32 first (outside it: "JSON integer out of range"), then the standard range.
    const uint32_t version = ParamOr<uint32_t>(params, 4, 2);
    if (version < 1 || version > 3) {
        throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, version out of range(1~3)");
    }
    tx.version = version;
    AddInputs(tx, params[0], rbf);
    AddOutputs(tx, params[1], chain_params);
    if (rbf.value_or(false) && !tx.vin.empty()) {
        const bool signals = std::any_of(tx.vin.begin(), tx.vin.end(), [](const consensus::TxIn& in) {
            return in.sequence <= MAX_BIP125_RBF_SEQUENCE;
        });
        if (!signals) {
            throw RpcError(RPC_INVALID_PARAMETER,
                           "Invalid parameter combination: Sequence number(s) contradict replaceable option");
        }
    }
    return tx;
}

int ParseSighashParam(const Json& value)
{
    if (value.is_null()) return consensus::SIGHASH_DEFAULT;
    const std::string& str = GetStr(value);
    const auto type = common::SighashFromStr(str);
    if (!type) throw RpcError(RPC_INVALID_PARAMETER, "'" + str + "' is not a valid sighash parameter.");
    return *type;
}

void ParsePrevouts(const Json& prevtxs, common::FlatSigningProvider* keystore,
                   std::map<consensus::OutPoint, consensus::Coin>& coins)
{
    if (prevtxs.is_null()) return;
    CheckType(prevtxs, "array");
    for (const Json& p : prevtxs) {
        if (!p.is_object()) {
            throw RpcError(RPC_DESERIALIZATION_ERROR, "expected object with {\"txid'\",\"vout\",\"scriptPubKey\"}");
        }
        CheckKey(p, "txid", "string", false);
        CheckKey(p, "vout", "number", false);
        CheckKey(p, "scriptPubKey", "string", false);
        consensus::OutPoint out;
        out.hash = ParseHashO(p, "txid");
        const int64_t n = GetInt(p.at("vout"));
        if (n < 0) throw RpcError(RPC_DESERIALIZATION_ERROR, "vout cannot be negative");
        if (n > std::numeric_limits<int>::max()) throw RpcError(RPC_MISC_ERROR, "JSON integer out of range");
        out.n = static_cast<uint32_t>(n);
        const Script spk(ParseHexV(p.at("scriptPubKey"), "scriptPubKey"));
        if (auto it = coins.find(out);
            it != coins.end() && !it->second.IsSpent() && it->second.out.script_pubkey != spk) {
            throw RpcError(RPC_DESERIALIZATION_ERROR, "Previous output scriptPubKey mismatch:\n" +
                                                          ScriptToAsmStr(it->second.out.script_pubkey) + "\nvs:\n" +
                                                          ScriptToAsmStr(spk));
        }
        consensus::Coin coin;
        coin.out.script_pubkey = spk;
        coin.out.value = consensus::MAX_MONEY; // unknown unless given
        if (p.contains("amount")) coin.out.value = AmountFromValue(p.at("amount"));
        coin.height = 1;
        coins[out] = std::move(coin);

        const bool is_p2sh = spk.IsPayToScriptHash();
        const bool is_p2wsh = spk.IsPayToWitnessScriptHash();
        if (!keystore || (!is_p2sh && !is_p2wsh)) continue;
        CheckKey(p, "redeemScript", "string", true);
        CheckKey(p, "witnessScript", "string", true);
        const bool has_rs = p.contains("redeemScript") && !p.at("redeemScript").is_null();
        const bool has_ws = p.contains("witnessScript") && !p.at("witnessScript").is_null();
        if (!has_rs && !has_ws) throw RpcError(RPC_INVALID_PARAMETER, "Missing redeemScript/witnessScript");
        // The witness script when given, else the redeem script.
        const Script script(has_ws ? ParseHexV(p.at("witnessScript"), "witnessScript")
                                   : ParseHexV(p.at("redeemScript"), "redeemScript"));
        keystore->scripts[consensus::Hash160(script)] = script;
        // Its P2WSH form too, so P2SH-P2WSH can be given by either field (as Core).
        const Script wsh = P2WSHOf(script);
        keystore->scripts[consensus::Hash160(wsh)] = wsh;
        if (has_ws && has_rs && GetStr(p.at("witnessScript")) != GetStr(p.at("redeemScript"))) {
            const Script rs(ParseHexV(p.at("redeemScript"), "redeemScript"));
            if (rs != wsh) throw RpcError(RPC_INVALID_PARAMETER, "redeemScript does not correspond to witnessScript");
        }
        if (is_p2sh) {
            if (spk != P2SHOf(script) && spk != P2SHOf(wsh)) {
                throw RpcError(RPC_INVALID_PARAMETER, "redeemScript/witnessScript does not match scriptPubKey");
            }
        } else if (spk != wsh) {
            throw RpcError(RPC_INVALID_PARAMETER, "redeemScript/witnessScript does not match scriptPubKey");
        }
    }
}

Json SignResultToJson(const consensus::MutableTransaction& tx, bool complete,
                      const std::map<consensus::OutPoint, consensus::Coin>& coins,
                      const std::map<int, std::string>& input_errors)
{
    Json errors = Json::array();
    for (const auto& [index, message] : input_errors) {
        const consensus::TxIn& in = tx.vin.at(static_cast<size_t>(index));
        if (message == "Missing amount") {
            // Core turns this one into an exception naming the output (CTxOut::ToString).
            const consensus::TxOut& out = coins.at(in.prevout).out;
            const int64_t sats = out.value.sats;
            char value[64];
            std::snprintf(value, sizeof(value), "%lld.%08lld", static_cast<long long>(sats / consensus::COIN.sats),
                          static_cast<long long>(sats % consensus::COIN.sats));
            throw RpcError(RPC_TYPE_ERROR, std::string("Missing amount for CTxOut(nValue=") + value +
                                               ", scriptPubKey=" + consensus::HexStr(out.script_pubkey).substr(0, 30) +
                                               ")");
        }
        Json entry = Json::object();
        entry["txid"] = in.prevout.hash.GetHex();
        entry["vout"] = in.prevout.n;
        Json witness = Json::array();
        for (const auto& item : in.witness.stack) witness.push_back(consensus::HexStr(item));
        entry["witness"] = std::move(witness);
        entry["scriptSig"] = consensus::HexStr(in.script_sig);
        entry["sequence"] = in.sequence;
        entry["error"] = message;
        errors.push_back(std::move(entry));
    }
    Json result = Json::object();
    result["hex"] = EncodeHexTx(consensus::Transaction(tx));
    result["complete"] = complete;
    if (!errors.empty()) result["errors"] = std::move(errors);
    return result;
}

std::vector<RpcResult> SignResultDoc()
{
    return {
        {.type = T::OBJ,
         .inner = {
             {.type = T::STR_HEX, .key = "hex", .description = "The hex-encoded raw transaction with signature(s)"},
             {.type = T::BOOL, .key = "complete", .description = "If the transaction has a complete set of signatures"},
             {.type = T::ARR,
              .key = "errors",
              .description = "Script verification errors (if there are any)",
              .inner =
                  {{.type = T::OBJ,
                    .inner =
                        {
                            {.type = T::STR_HEX,
                             .key = "txid",
                             .description = "The hash of the referenced, previous transaction"},
                            {.type = T::NUM,
                             .key = "vout",
                             .description = "The index of the output to spent and used as input"},
                            {.type = T::ARR, .key = "witness", .inner = {{.type = T::STR_HEX}}},
                            {.type = T::STR_HEX, .key = "scriptSig", .description = "The hex-encoded signature script"},
                            {.type = T::NUM, .key = "sequence", .description = "Script sequence number"},
                            {.type = T::STR,
                             .key = "error",
                             .description = "Verification or signing error related to the input"},
                        }}},
              .optional = true},
         }}};
}

} // namespace common::rpc
