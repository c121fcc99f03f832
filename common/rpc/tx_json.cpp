// Core's core_write.cpp JSON renderings of scripts and transactions, moved here from
// node/rpc/core_io so that the wallet's gettransaction can render its transactions too.
#include "common/rpc/tx_json.h"

#include "common/descriptor_util.h"
#include "common/key_io.h"
#include "common/rpc/rawtx.h"
#include "common/rpc/util.h"
#include "common/solver.h"
#include "consensus/hex.h"

namespace common::rpc {

using consensus::Script;

namespace {

constexpr int WITNESS_SCALE_FACTOR = 4;

} // namespace

Json ScriptToJson(const Script& script, const consensus::ChainParams& params, bool include_hex, bool include_address)
{
    Json out = Json::object();
    out["asm"] = ScriptToAsmStr(script);
    if (include_address) out["desc"] = InferDescriptor(script, params);
    if (include_hex) out["hex"] = consensus::HexStr(script);
    std::vector<std::vector<uint8_t>> solutions;
    const TxoutType type = SolveScript(script, solutions);
    if (include_address && type != TxoutType::PUBKEY) {
        if (auto address = EncodeAddress(script, params)) out["address"] = *address;
    }
    out["type"] = ScriptTypeName(type);
    return out;
}

Json ScriptPubKeyToJson(const Script& script, const consensus::ChainParams& params)
{
    return ScriptToJson(script, params, true, true);
}

Json TxToJson(const consensus::Transaction& tx, const consensus::ChainParams& params,
              const consensus::Uint256& block_hash, bool include_hex, const std::vector<consensus::Coin>* spent,
              TxVerbosity verbosity)
{
    Json entry = Json::object();
    const int64_t weight = consensus::GetTransactionWeight(tx);
    entry["txid"] = tx.GetTxid().GetHex();
    entry["hash"] = tx.GetWtxid().GetHex();
    entry["version"] = tx.version;
    entry["size"] = tx.GetTotalSize();
    entry["vsize"] = (weight + WITNESS_SCALE_FACTOR - 1) / WITNESS_SCALE_FACTOR;
    entry["weight"] = weight;
    entry["locktime"] = tx.locktime;

    const bool have_spent = spent != nullptr && spent->size() == tx.vin.size();
    consensus::Amount total_in;
    Json vin = Json::array();
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const consensus::TxIn& txin = tx.vin[i];
        Json in = Json::object();
        if (tx.IsCoinBase()) {
            in["coinbase"] = consensus::HexStr(txin.script_sig);
        } else {
            in["txid"] = txin.prevout.hash.GetHex();
            in["vout"] = txin.prevout.n;
            Json sig = Json::object();
            sig["asm"] = ScriptToAsmStr(txin.script_sig, true);
            sig["hex"] = consensus::HexStr(txin.script_sig);
            in["scriptSig"] = std::move(sig);
        }
        if (!txin.witness.IsNull()) {
            Json witness = Json::array();
            for (const auto& item : txin.witness.stack) witness.push_back(consensus::HexStr(item));
            in["txinwitness"] = std::move(witness);
        }
        if (have_spent) {
            const consensus::Coin& coin = (*spent)[i];
            total_in += coin.out.value;
            if (verbosity == TxVerbosity::SHOW_DETAILS_AND_PREVOUT) {
                Json prevout = Json::object();
                prevout["generated"] = coin.coinbase;
                prevout["height"] = coin.height;
                prevout["value"] = ValueFromAmount(coin.out.value);
                prevout["scriptPubKey"] = ScriptPubKeyToJson(coin.out.script_pubkey, params);
                in["prevout"] = std::move(prevout);
            }
        }
        in["sequence"] = txin.sequence;
        vin.push_back(std::move(in));
    }
    entry["vin"] = std::move(vin);

    consensus::Amount total_out;
    Json vout = Json::array();
    for (size_t i = 0; i < tx.vout.size(); ++i) {
        const consensus::TxOut& txout = tx.vout[i];
        Json out = Json::object();
        out["value"] = ValueFromAmount(txout.value);
        out["n"] = i;
        out["scriptPubKey"] = ScriptPubKeyToJson(txout.script_pubkey, params);
        total_out += txout.value;
        vout.push_back(std::move(out));
    }
    entry["vout"] = std::move(vout);

    if (have_spent) entry["fee"] = ValueFromAmount(total_in - total_out);
    if (!block_hash.IsNull()) entry["blockhash"] = block_hash.GetHex();
    if (include_hex) entry["hex"] = EncodeHexTx(tx);
    return entry;
}

} // namespace common::rpc
