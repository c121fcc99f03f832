// JSON renderers and hex decoders after Core's core_write.cpp, core_read.cpp and the
// header/block renderers of rpc/blockchain.cpp.
#include "node/rpc/core_io.h"

#include "consensus/arith_uint256.h"
#include "consensus/hex.h"
#include "consensus/pow.h"
#include "consensus/script/interpreter.h"
#include "common/descriptor_util.h"
#include "common/key_io.h"
#include "common/rpc/util.h"

#include <cstdio>

namespace node::rpc {

using consensus::Script;

namespace {

constexpr int WITNESS_SCALE_FACTOR = 4;

} // namespace

std::string SighashToStr(uint8_t sighash_type)
{
    switch (sighash_type) {
    case consensus::SIGHASH_ALL: return "ALL";
    case consensus::SIGHASH_ALL | consensus::SIGHASH_ANYONECANPAY: return "ALL|ANYONECANPAY";
    case consensus::SIGHASH_NONE: return "NONE";
    case consensus::SIGHASH_NONE | consensus::SIGHASH_ANYONECANPAY: return "NONE|ANYONECANPAY";
    case consensus::SIGHASH_SINGLE: return "SINGLE";
    case consensus::SIGHASH_SINGLE | consensus::SIGHASH_ANYONECANPAY: return "SINGLE|ANYONECANPAY";
    default: return "";
    }
}

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
              const consensus::Uint256& block_hash, bool include_hex, const node::TxUndo* undo, TxVerbosity verbosity)
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

    const bool have_undo = undo != nullptr && undo->prevouts.size() == tx.vin.size();
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
        if (have_undo) {
            const consensus::Coin& coin = undo->prevouts[i];
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

    if (have_undo) entry["fee"] = ValueFromAmount(total_in - total_out);
    if (!block_hash.IsNull()) entry["blockhash"] = block_hash.GetHex();
    if (include_hex) entry["hex"] = EncodeHexTx(tx);
    return entry;
}

double GetDifficulty(uint32_t bits)
{
    int shift = (bits >> 24) & 0xff;
    const uint32_t mantissa = bits & 0x00ffffff;
    if (mantissa == 0) return 0.0;
    double diff = static_cast<double>(0x0000ffff) / static_cast<double>(mantissa);
    while (shift < 29) {
        diff *= 256.0;
        ++shift;
    }
    while (shift > 29) {
        diff /= 256.0;
        --shift;
    }
    return diff;
}

std::string BitsHex(uint32_t bits)
{
    char buf[9];
    std::snprintf(buf, sizeof(buf), "%08x", bits);
    return buf;
}

std::string TargetHex(uint32_t bits)
{
    consensus::ArithUint256 target;
    target.SetCompact(bits);
    return target.GetHex();
}

Json BlockHeaderToJson(const chain::BlockIndex& tip, const chain::BlockIndex& index)
{
    // Core's ComputeNextBlockAndDepth: in the active chain if the tip's ancestor above us points back at us.
    const chain::BlockIndex* next = tip.GetAncestor(index.height + 1);
    int confirmations;
    if (next && next->prev == &index) {
        confirmations = tip.height - index.height + 1;
    } else {
        next = nullptr;
        confirmations = &index == &tip ? 1 : -1;
    }
    Json result = Json::object();
    result["hash"] = index.GetBlockHash().GetHex();
    result["confirmations"] = confirmations;
    result["height"] = index.height;
    result["version"] = index.version;
    result["versionHex"] = BitsHex(static_cast<uint32_t>(index.version));
    result["merkleroot"] = index.merkle_root.GetHex();
    result["time"] = index.time;
    result["mediantime"] = index.GetMedianTimePast();
    result["nonce"] = index.nonce;
    result["bits"] = BitsHex(index.bits);
    result["target"] = TargetHex(index.bits);
    result["difficulty"] = GetDifficulty(index.bits);
    result["chainwork"] = index.chain_work.GetHex();
    result["nTx"] = index.n_tx.load(); // atomic: validation sets it when the block arrives
    if (index.prev) result["previousblockhash"] = index.prev->GetBlockHash().GetHex();
    if (next) result["nextblockhash"] = next->GetBlockHash().GetHex();
    return result;
}

Json BlockToJson(const consensus::Block& block, const chain::BlockIndex& tip, const chain::BlockIndex& index,
                 const consensus::ChainParams& params, TxVerbosity verbosity, const node::BlockUndo* undo)
{
    Json result = BlockHeaderToJson(tip, index);
    result["strippedsize"] = consensus::GetBlockStrippedSize(block);
    result["size"] = consensus::GetBlockTotalSize(block);
    result["weight"] = consensus::GetBlockWeight(block);
    Json txs = Json::array();
    if (verbosity == TxVerbosity::SHOW_TXID) {
        for (const auto& tx : block.vtx) txs.push_back(tx->GetTxid().GetHex());
    } else {
        const bool have_undo = undo && undo->txundo.size() + 1 == block.vtx.size();
        for (size_t i = 0; i < block.vtx.size(); ++i) {
            // The coinbase has no undo data.
            const node::TxUndo* txundo = have_undo && i > 0 ? &undo->txundo[i - 1] : nullptr;
            txs.push_back(TxToJson(*block.vtx[i], params, consensus::Uint256(), true, txundo, verbosity));
        }
    }
    result["tx"] = std::move(txs);
    return result;
}

std::optional<consensus::Block> DecodeHexBlock(const std::string& hex)
{
    if (!IsHex(hex)) return std::nullopt;
    const std::vector<uint8_t> data = *consensus::TryParseHex(hex);
    try {
        consensus::ByteReader r(data);
        return consensus::Block::Deserialize(r, consensus::TxWitness::WITH);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<consensus::BlockHeader> DecodeHexBlockHeader(const std::string& hex)
{
    if (!IsHex(hex)) return std::nullopt;
    const std::vector<uint8_t> data = *consensus::TryParseHex(hex);
    if (data.size() != consensus::BlockHeader::SIZE) return std::nullopt;
    try {
        consensus::ByteReader r(data);
        return consensus::BlockHeader::Deserialize(r);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

} // namespace node::rpc
