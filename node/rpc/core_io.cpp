// Header and block renderers after Core's rpc/blockchain.cpp, and hex decoders of blocks
// and headers (core_read.cpp). Scripts and transactions render in common/rpc/tx_json.cpp.
#include "node/rpc/core_io.h"

#include "consensus/arith_uint256.h"
#include "consensus/hex.h"
#include "consensus/pow.h"

#include <cstdio>

namespace node::rpc {

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
            const std::vector<consensus::Coin>* spent = have_undo && i > 0 ? &undo->txundo[i - 1].prevouts : nullptr;
            txs.push_back(TxToJson(*block.vtx[i], params, consensus::Uint256(), true, spent, verbosity));
        }
    }
    result["tx"] = std::move(txs);
    return result;
}

std::optional<consensus::Block> DecodeHexBlock(const std::string& hex)
{
    // One pass: TryParseHex refuses what IsHex refuses but the empty string.
    const std::optional<std::vector<uint8_t>> parsed = consensus::TryParseHex(hex);
    if (!parsed || parsed->empty()) return std::nullopt;
    const std::vector<uint8_t>& data = *parsed;
    try {
        consensus::ByteReader r(data);
        return consensus::Block::Deserialize(r, consensus::TxWitness::WITH);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<consensus::BlockHeader> DecodeHexBlockHeader(const std::string& hex)
{
    // One pass: TryParseHex refuses what IsHex refuses but the empty string.
    const std::optional<std::vector<uint8_t>> parsed = consensus::TryParseHex(hex);
    if (!parsed || parsed->empty()) return std::nullopt;
    const std::vector<uint8_t>& data = *parsed;
    if (data.size() != consensus::BlockHeader::SIZE) return std::nullopt;
    try {
        consensus::ByteReader r(data);
        return consensus::BlockHeader::Deserialize(r);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

} // namespace node::rpc
