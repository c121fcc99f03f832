// signrawtransactionwithkey (Core's rawtransactions category): signs a raw transaction with
// the given WIF keys over the spent outputs found in the mempool and the UTXO set, or given
// as prevtxs (with redeem and witness scripts), through common/sign.
#include "node/rpc/sign_rpc.h"

#include "common/key_io.h"
#include "common/rpc/util.h"
#include "common/sign.h"
#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/script/key.h"

#include <cstdio>
#include <limits>
#include "node/chain/chainstate.h"
#include "node/mempool/accept.h"
#include "node/mempool/policy.h"
#include "node/mempool/txmempool.h"
#include "node/rpc/core_io.h"
#include "node/rpc/register.h"

namespace node::rpc {

using consensus::Script;
using T = RpcResultType;

std::optional<consensus::Coin> FindSpentCoin(const chain::Chainstate& cs, const mempool::TxMemPool* pool,
                                             const consensus::OutPoint& outpoint)
{
    if (pool) {
        if (consensus::TransactionRef ptx = pool->Get(outpoint.hash)) {
            if (outpoint.n >= ptx->vout.size()) return std::nullopt;
            return consensus::Coin(ptx->vout[outpoint.n], mempool::MEMPOOL_HEIGHT, false);
        }
    }
    auto info = cs.GetTxOut(outpoint);
    if (!info) return std::nullopt;
    return std::move(info->coin);
}

int ParseSighashParam(const Json& value)
{
    if (value.is_null()) return consensus::SIGHASH_DEFAULT;
    const std::string& str = GetStr(value);
    const auto type = common::SighashFromStr(str);
    if (!type) throw RpcError(RPC_INVALID_PARAMETER, "'" + str + "' is not a valid sighash parameter.");
    return *type;
}

namespace {

RpcArg Arg(std::string name, RpcArgType type, bool optional, std::string default_text, std::string description)
{
    return RpcArg{.name = std::move(name),
                  .type = type,
                  .optional = optional,
                  .default_text = std::move(default_text),
                  .description = std::move(description)};
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

namespace {

Json SignRawTransactionWithKey(const chain::Chainstate& cs, const mempool::TxMemPool* pool, const RpcRequest& req)
{
    auto tx = DecodeHexTx(GetStr(req.params.at(0)));
    if (!tx) throw RpcError(RPC_DESERIALIZATION_ERROR, "TX decode failed. Make sure the tx has at least one input.");
    common::FlatSigningProvider keystore;
    for (const Json& k : req.params.at(1)) {
        const auto key = DecodeSecret(GetStr(k), cs.Params());
        if (!key) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key");
        const auto pub = consensus::PubKeyFromSecret(key->bytes, key->compressed);
        if (!pub) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key");
        const common::KeyId id = common::KeyIdOf(*pub);
        keystore.pubkeys[id] = *pub;
        keystore.keys[id] = *key;
    }
    std::map<consensus::OutPoint, consensus::Coin> coins;
    for (const auto& in : tx->vin) {
        auto coin = FindSpentCoin(cs, pool, in.prevout);
        coins[in.prevout] = coin ? *coin : consensus::Coin();
    }
    ParsePrevouts(req.params.size() > 2 ? req.params[2] : Json(), &keystore, coins);
    const int hash_type = ParseSighashParam(req.params.size() > 3 ? req.params[3] : Json());
    std::map<int, std::string> errors;
    const bool complete = common::SignTransaction(*tx, keystore, coins, hash_type, errors);
    return SignResultToJson(*tx, complete, coins, errors);
}

} // namespace

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

void RegisterSignRpc(RpcTable& table, const chain::Chainstate& cs, const mempool::TxMemPool* pool)
{
    table
        .Register(
            RpcMethod{.category = "rawtransactions",
                      .name = "signrawtransactionwithkey",
                      .args =
                          {
                              Arg("hexstring", RpcArgType::STR, false, "", "The transaction hex string"),
                              {.name = "privkeys",
                               .type = RpcArgType::ARR,
                               .description = "The base58-encoded private keys for signing",
                               .inner = {{.name = "privatekey",
                                          .type = RpcArgType::STR,
                                          .description = "private key in base58-encoding"}}},
                              {.name = "prevtxs",
                               .type = RpcArgType::ARR,
                               .optional = true,
                               .description = "The previous dependent transaction outputs",
                               .inner = {{.name = "",
                                          .type = RpcArgType::OBJ,
                                          .optional = true,
                                          .inner =
                                              {
                                                  {.name = "txid",
                                                   .type = RpcArgType::STR_HEX,
                                                   .description = "The transaction id"},
                                                  {.name = "vout",
                                                   .type = RpcArgType::NUM,
                                                   .description = "The output number"},
                                                  {.name = "scriptPubKey",
                                                   .type = RpcArgType::STR_HEX,
                                                   .description = "output script"},
                                                  {.name = "redeemScript",
                                                   .type = RpcArgType::STR_HEX,
                                                   .optional = true,
                                                   .description = "(required for P2SH) redeem script"},
                                                  {.name = "witnessScript",
                                                   .type = RpcArgType::STR_HEX,
                                                   .optional = true,
                                                   .description = "(required for P2WSH or P2SH-P2WSH) witness script"},
                                                  {.name = "amount",
                                                   .type = RpcArgType::AMOUNT,
                                                   .optional = true,
                                                   .description = "(required for Segwit inputs) the amount spent"},
                                              }}}},
                              Arg("sighashtype", RpcArgType::STR, true, "\"DEFAULT for Taproot, ALL otherwise\"",
                                  "The signature hash type. Must be one of:\n"
                                  "       \"DEFAULT\"\n"
                                  "       \"ALL\"\n"
                                  "       \"NONE\"\n"
                                  "       \"SINGLE\"\n"
                                  "       \"ALL|ANYONECANPAY\"\n"
                                  "       \"NONE|ANYONECANPAY\"\n"
                                  "       \"SINGLE|ANYONECANPAY\""),
                          },
                      .description =
                          "Sign inputs for raw transaction (serialized, hex-encoded).\n"
                          "The second argument is an array of base58-encoded private\n"
                          "keys that will be the only keys used to sign the transaction.\n"
                          "The third optional argument (may be null) is an array of previous transaction outputs that\n"
                          "this transaction depends on but may not yet be in the block chain.",
                      .examples =
                          HelpExampleCli("signrawtransactionwithkey", "\"myhex\" \"[\\\"key1\\\",\\\"key2\\\"]\"") +
                          HelpExampleRpc("signrawtransactionwithkey", "\"myhex\", \"[\\\"key1\\\",\\\"key2\\\"]\""),
                      .handler = [&cs,
                                  pool](const RpcRequest& req) { return SignRawTransactionWithKey(cs, pool, req); },
                      .results = SignResultDoc()});
}

} // namespace node::rpc
