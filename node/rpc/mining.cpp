// The "mining" and "generating" RPC categories, following Bitcoin Core's rpc/mining.cpp:
// mining info, BIP-22/23 block templates and proposals, block and header submission, and
// the regtest generators that solve templates by grinding the nonce (and the coinbase
// extra-nonce when the nonce space runs out). Handlers run on RPC worker threads; solving
// happens without any chainstate lock held.
#include "node/chain/chainstate.h"
#include "node/rpc/core_io.h"
#include "node/mempool/miner.h"
#include "node/mempool/txmempool.h"
#include "common/descriptor.h"
#include "common/descriptor_util.h"
#include "common/key_io.h"
#include "node/rpc/owner_call.h"
#include "node/rpc/register.h"
#include "common/rpc/result_docs.h"
#include "common/rpc/util.h"

#include "consensus/hex.h"
#include "consensus/limits.h"
#include "consensus/merkle.h"
#include "consensus/pow.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <set>
#include <unordered_map>

namespace node::rpc {

using chain::BlockIndex;
using chain::Chainstate;
using chain::ValidationOwner;

namespace {

constexpr uint64_t DEFAULT_MAX_TRIES = 1000000;

RpcArg Arg(std::string name, RpcArgType type, bool optional, std::string default_text, std::string description)
{
    return RpcArg{.name = std::move(name),
                  .type = type,
                  .optional = optional,
                  .default_text = std::move(default_text),
                  .description = std::move(description)};
}

using T = RpcResultType;

/** generatetoaddress / generatetodescriptor: the hashes of the blocks mined. */
std::vector<RpcResult> BlockHashesDoc()
{
    return {{.type = T::ARR,
             .description = "hashes of blocks generated",
             .inner = {{.type = T::STR_HEX, .description = "blockhash"}}}};
}

int64_t NowSeconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/** Core's GetNetworkHashPS: work over the time span of the last lookup blocks (0 when undefined). */
Json GetNetworkHashPs(const Chainstate& cs, int64_t lookup, int64_t height)
{
    // As Core: nblocks 0 or below -1, and a height below -1 or above the tip, are -8.
    if (lookup < -1 || lookup == 0) {
        throw RpcError(RPC_INVALID_PARAMETER, "Invalid nblocks. Must be a positive number or -1.");
    }
    const BlockIndex* pb = cs.Tip();
    if (height < -1 || height > (pb ? pb->height : -1)) {
        throw RpcError(RPC_INVALID_PARAMETER, "Block does not exist at specified height");
    }
    if (pb && height >= 0) pb = cs.AtHeight(static_cast<int>(height));
    if (!pb || pb->height == 0) return 0;
    if (lookup == -1) lookup = pb->height % cs.Params().consensus.DifficultyAdjustmentInterval() + 1;
    if (lookup > pb->height) lookup = pb->height;
    const BlockIndex* pb0 = pb;
    int64_t min_time = pb0->GetBlockTime();
    int64_t max_time = min_time;
    for (int64_t i = 0; i < lookup && pb0->prev; ++i) {
        pb0 = pb0->prev;
        min_time = std::min(min_time, pb0->GetBlockTime());
        max_time = std::max(max_time, pb0->GetBlockTime());
    }
    if (min_time == max_time) return 0;
    const consensus::ArithUint256 work = pb->chain_work - pb0->chain_work;
    return work.GetDouble() / static_cast<double>(max_time - min_time);
}

/** The bits a block on top of tip would need now (getmininginfo's "next"). */
uint32_t NextBits(const BlockIndex& tip, const consensus::ConsensusParams& params)
{
    const int64_t time = std::max<int64_t>(tip.GetMedianTimePast() + 1, NowSeconds());
    const consensus::PowHeader last{tip.height, tip.bits, tip.GetBlockTime()};
    auto ancestor = [&tip](int h) {
        const BlockIndex* a = tip.GetAncestor(h);
        return consensus::PowHeader{a->height, a->bits, a->GetBlockTime()};
    };
    return consensus::GetNextWorkRequired(last, time, ancestor, params);
}

/** Core's BIP22ValidationResult: null if valid, the reject reason if invalid, RPC_VERIFY_ERROR on error. */
Json Bip22Result(const consensus::ValidationResult& r)
{
    if (r.IsValid()) return Json();
    if (r.IsError()) throw RpcError(RPC_VERIFY_ERROR, r.ToString());
    return r.GetRejectReason().empty() ? std::string("rejected") : r.GetRejectReason();
}

/** Replaces the coinbase scriptSig after its BIP-34 height push with a push of extra_nonce; updates the merkle root. */
void IncrementExtraNonce(consensus::Block& block, uint64_t extra_nonce)
{
    consensus::MutableTransaction coinbase(*block.vtx[0]);
    const consensus::Script& old = coinbase.vin[0].script_sig;
    auto pc = old.cbegin();
    consensus::Opcode op;
    old.GetOp(pc, op);
    consensus::Script script(old.cbegin(), pc);
    script.PushInt(static_cast<int64_t>(extra_nonce));
    coinbase.vin[0].script_sig = std::move(script);
    block.vtx[0] = consensus::MakeTransactionRef(std::move(coinbase));
    block.merkle_root = consensus::BlockMerkleRoot(block);
}

/**
 * Grinds the nonce (then the extra-nonce) until the header meets its target, spending at
 * most max_tries hashes from the shared budget. False when the budget runs out.
 */
bool SolveBlock(consensus::Block& block, uint64_t& max_tries, const consensus::ConsensusParams& params)
{
    uint64_t extra_nonce = 0;
    while (true) {
        while (!consensus::CheckProofOfWork(block.GetHash(), block.bits, params)) {
            if (max_tries == 0) return false;
            --max_tries;
            if (block.nonce == std::numeric_limits<uint32_t>::max()) break;
            ++block.nonce;
        }
        if (consensus::CheckProofOfWork(block.GetHash(), block.bits, params)) return true;
        IncrementExtraNonce(block, ++extra_nonce);
        block.nonce = 0;
    }
}

/** Hands a solved block to the validation owner; RPC_INTERNAL_ERROR as Core when it is not accepted. */
void SubmitSolved(ValidationOwner& owner, consensus::Block block)
{
    const chain::BlockResult r = owner.SubmitBlock(std::make_shared<const consensus::Block>(std::move(block))).get();
    if (!r.result.IsValid()) throw RpcError(RPC_INTERNAL_ERROR, "ProcessNewBlock, block not accepted");
}

/** Core's generateBlocks: n blocks to script (templates and blocks on the owner); their hashes (fewer if max_tries runs out). */
/**
 * A block template on the current tip (run on the owner, so the pool matches the tip): the pool's
 * best transactions (Core's BlockAssembler) after the coinbase paying to script; chosen (if set)
 * receives them with their fees, sigops and weights.
 */
consensus::ValidationResult NewTemplate(Chainstate& cs, const mempool::TxMemPool* pool, const consensus::Script& script,
                                        consensus::Block& block, std::vector<mempool::SelectedTx>* chosen = nullptr)
{
    std::vector<consensus::TransactionRef> txs;
    if (pool) {
        const BlockIndex* tip = cs.Tip();
        auto selected =
            mempool::SelectTransactions(*pool, mempool::AssemblerOptions{}, tip->height + 1, tip->GetMedianTimePast());
        txs.reserve(selected.size());
        for (const auto& s : selected) txs.push_back(s.tx);
        if (chosen) *chosen = std::move(selected);
    }
    return cs.CreateNewBlock(script, txs, block);
}

Json GenerateBlocks(Chainstate& cs, ValidationOwner& owner, const mempool::TxMemPool* pool,
                    const consensus::Script& script, int64_t n, uint64_t max_tries)
{
    Json hashes = Json::array();
    while (n > 0) {
        consensus::Block block;
        const auto r = OnOwner(owner, [&] { return NewTemplate(cs, pool, script, block); });
        if (!r.IsValid()) throw RpcError(RPC_INTERNAL_ERROR, "CreateNewBlock failed: " + r.ToString());
        if (!SolveBlock(block, max_tries, cs.Params().consensus)) break;
        const consensus::Uint256 hash = block.GetHash();
        SubmitSolved(owner, std::move(block));
        hashes.push_back(hash.GetHex());
        --n;
    }
    SyncBeforeReply(cs, owner);
    return hashes;
}

uint64_t MaxTriesParam(const Json& params, size_t i)
{
    if (i >= params.size() || params[i].is_null()) return DEFAULT_MAX_TRIES;
    return static_cast<uint64_t>(static_cast<int>(GetInt(params[i]))); // as Core: getInt<int>, then widened
}

/**
 * Core's getScriptFromDescriptor: the script of a descriptor; nullopt with error if text
 * does not parse as one. Throws Core's RPC_INVALID_PARAMETER for a ranged descriptor and
 * RPC_INVALID_ADDRESS_OR_KEY if its script cannot be derived (a hardened step from an xpub).
 */
std::optional<consensus::Script> OutputScript(const std::string& text, const consensus::ChainParams& params,
                                              std::string& error)
{
    const auto desc = ParseDescriptor(text, params, error, false);
    if (!desc) return std::nullopt;
    if (desc->IsRange()) throw RpcError(RPC_INVALID_PARAMETER, std::string(RANGED_DESCRIPTOR_ERROR));
    auto script = desc->Expand(0, error);
    if (!script) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, error);
    return script;
}

Json GetMiningInfo(Chainstate& cs, const mempool::TxMemPool* pool)
{
    const BlockIndex* tip = cs.Tip();
    if (!tip) throw RpcError(RPC_MISC_ERROR, "No chain tip");
    const consensus::ChainParams& params = cs.Params();
    Json obj = Json::object();
    obj["blocks"] = tip->height;
    obj["bits"] = BitsHex(tip->bits);
    obj["difficulty"] = GetDifficulty(tip->bits);
    obj["target"] = TargetHex(tip->bits);
    obj["networkhashps"] = GetNetworkHashPs(cs, 120, -1);
    obj["pooledtx"] = pool ? pool->Size() : 0;
    obj["chain"] = consensus::ChainTypeToString(params.chain_type);
    const uint32_t next_bits = NextBits(*tip, params.consensus);
    Json next = Json::object();
    next["height"] = tip->height + 1;
    next["bits"] = BitsHex(next_bits);
    next["difficulty"] = GetDifficulty(next_bits);
    next["target"] = TargetHex(next_bits);
    obj["next"] = std::move(next);
    if (params.consensus.signet_blocks) obj["signet_challenge"] = consensus::HexStr(params.consensus.signet_challenge);
    obj["warnings"] = Json::array();
    return obj;
}

/** getblocktemplate's "transactions": each with its in-template parents (1-based), fee, sigops, weight. */
Json TemplateTransactions(const std::vector<mempool::SelectedTx>& chosen, bool segwit)
{
    Json txs = Json::array();
    std::unordered_map<consensus::Uint256, size_t> pos;
    for (size_t i = 0; i < chosen.size(); ++i) {
        const consensus::Transaction& tx = *chosen[i].tx;
        Json o = Json::object();
        o["data"] = EncodeHexTx(tx);
        o["txid"] = tx.GetTxid().GetHex();
        o["hash"] = tx.GetWtxid().GetHex();
        Json deps = Json::array();
        std::set<size_t> seen;
        for (const auto& in : tx.vin) {
            if (auto it = pos.find(in.prevout.hash); it != pos.end() && seen.insert(it->second).second) {
                deps.push_back(it->second);
            }
        }
        o["depends"] = deps;
        o["fee"] = chosen[i].fee.sats;
        // Before segwit the limit is in legacy sigops (Core divides by the scale factor).
        o["sigops"] = segwit ? chosen[i].sigop_cost : chosen[i].sigop_cost / consensus::WITNESS_SCALE_FACTOR;
        o["weight"] = chosen[i].weight;
        txs.push_back(std::move(o));
        pos.emplace(tx.GetTxid(), i + 1);
    }
    return txs;
}

/** getblocktemplate with mode "proposal": checks a block against the tip without storing it. */
Json ProposeBlock(Chainstate& cs, ValidationOwner& owner, const Json& request)
{
    auto data = request.find("data");
    if (data == request.end() || !data->is_string()) {
        throw RpcError(RPC_TYPE_ERROR, "Missing data String key for proposal");
    }
    auto block = DecodeHexBlock(data->get<std::string>());
    if (!block) throw RpcError(RPC_DESERIALIZATION_ERROR, "Block decode failed");
    if (const BlockIndex* index = cs.LookupBlockIndex(block->GetHash())) {
        if (index->IsValid(chain::BLOCK_VALID_SCRIPTS)) return "duplicate";
        if (index->status & chain::BLOCK_FAILED_MASK) return "duplicate-invalid";
        return "duplicate-inconclusive";
    }
    const BlockIndex* tip = cs.Tip();
    if (!tip || block->prev_block != tip->GetBlockHash()) return "inconclusive-not-best-prevblk";
    return Bip22Result(OnOwner(owner, [&] { return cs.TestBlockValidity(*block, false, true); }));
}

Json GetBlockTemplate(Chainstate& cs, ValidationOwner& owner, const mempool::TxMemPool* pool, const RpcRequest& req)
{
    std::string mode = "template";
    std::set<std::string> client_rules;
    std::optional<consensus::Uint256> longpoll;
    const Json request = req.params.size() > 0 && !req.params[0].is_null() ? req.params[0] : Json::object();
    if (auto it = request.find("mode"); it != request.end() && !it->is_null()) {
        if (!it->is_string()) throw RpcError(RPC_INVALID_PARAMETER, "Invalid mode");
        mode = it->get<std::string>();
    }
    if (mode == "proposal") return ProposeBlock(cs, owner, request);
    if (auto it = request.find("rules"); it != request.end() && it->is_array()) {
        for (const auto& rule : *it) client_rules.insert(GetStr(rule));
    }
    uint64_t longpoll_sequence = 0;
    if (auto it = request.find("longpollid"); it != request.end() && it->is_string()) {
        const std::string& id = it->get<std::string>();
        longpoll = ParseHashV(Json(id.substr(0, 64)), "longpollid");
        // After the tip's hash: the pool's sequence number when the template was made (Core's
        // nTransactionsUpdated); not a number means "any change".
        if (id.size() > 64) longpoll_sequence = std::strtoull(id.c_str() + 64, nullptr, 10);
    }
    if (mode != "template") throw RpcError(RPC_INVALID_PARAMETER, "Invalid mode");

    const consensus::ChainParams& params = cs.Params();
    if (params.chain_type == consensus::ChainType::MAIN && cs.IsInitialBlockDownload()) {
        throw RpcError(RPC_CLIENT_IN_INITIAL_DOWNLOAD, "Minicash is in initial sync and waiting for blocks...");
    }
    if (longpoll) {
        // As Core: wait for a new tip, or, once a minute, for a pool that changed since.
        const consensus::Uint256 watched = *longpoll;
        while (true) {
            const chain::TipSnapshot tip =
                cs.WaitForTip([&](const chain::TipSnapshot& s) { return s.hash != watched; },
                              pool ? std::chrono::milliseconds(60'000) : std::chrono::milliseconds(0));
            if (tip.hash != watched || cs.IsInterrupted()) break;
            if (pool && pool->GetSequence() != longpoll_sequence) break;
        }
    }
    if (params.consensus.signet_blocks && client_rules.count("signet") != 1) {
        throw RpcError(RPC_INVALID_PARAMETER, "getblocktemplate must be called with the signet rule set (call with "
                                              "{\"rules\": [\"segwit\", \"signet\"]})");
    }
    if (client_rules.count("segwit") != 1) {
        throw RpcError(
            RPC_INVALID_PARAMETER,
            "getblocktemplate must be called with the segwit rule set (call with {\"rules\": [\"segwit\"]})");
    }

    consensus::Block block;
    // The payout script is the miner's to fill in; the template only reports the value.
    std::vector<mempool::SelectedTx> chosen;
    uint64_t template_sequence = 0;
    const auto r = OnOwner(owner, [&] {
        template_sequence = pool ? pool->GetSequence() : 0;
        return NewTemplate(cs, pool, consensus::Script() << consensus::OP_TRUE, block, &chosen);
    });
    if (!r.IsValid()) throw RpcError(RPC_INTERNAL_ERROR, "CreateNewBlock failed: " + r.ToString());
    const BlockIndex* prev = cs.LookupBlockIndex(block.prev_block);
    if (!prev) throw RpcError(RPC_INTERNAL_ERROR, "Template parent vanished");
    const int height = prev->height + 1;
    const bool segwit = height >= params.consensus.segwit_height;

    // BIP-9 (and BIP-23 "rules"): deployments being signalled are offered in vbavailable, active
    // ones are listed as rules; a "!" marks a rule a client must understand (gbt_force false).
    Json rules = Json::array({"csv"});
    if (segwit) rules.push_back("!segwit");
    if (params.consensus.signet_blocks) rules.push_back("!signet");
    Json vbavailable = Json::object();
    for (size_t i = 0; i < consensus::MAX_VERSION_BITS_DEPLOYMENTS; ++i) {
        const auto pos = static_cast<consensus::DeploymentPos>(i);
        const consensus::VBDeploymentInfo& info = consensus::VERSION_BITS_DEPLOYMENT_INFO[i];
        const std::string gbt_name = std::string(info.gbt_force ? "" : "!") + info.name;
        const uint32_t mask = consensus::VersionBitsMask(params.consensus, pos);
        switch (cs.VersionBitsState(prev, pos)) {
        case consensus::ThresholdState::DEFINED:
        case consensus::ThresholdState::FAILED: break; // not exposed to getblocktemplate at all
        case consensus::ThresholdState::LOCKED_IN:
            block.version = static_cast<int32_t>(static_cast<uint32_t>(block.version) | mask);
            [[fallthrough]];
        case consensus::ThresholdState::STARTED:
            vbavailable[gbt_name] = params.consensus.Deployment(pos).bit;
            if (!client_rules.count(info.name) && !info.gbt_force) {
                block.version = static_cast<int32_t>(static_cast<uint32_t>(block.version) & ~mask);
            }
            break;
        case consensus::ThresholdState::ACTIVE:
            rules.push_back(gbt_name);
            if (!client_rules.count(info.name) && !info.gbt_force) {
                throw RpcError(RPC_INVALID_PARAMETER,
                               std::string("Support for '") + info.name + "' rule requires explicit client support");
            }
            break;
        }
    }

    Json result = Json::object();
    result["capabilities"] = Json::array({"proposal"});
    result["version"] = block.version;
    result["rules"] = std::move(rules);
    result["vbavailable"] = std::move(vbavailable);
    result["vbrequired"] = 0;
    result["previousblockhash"] = block.prev_block.GetHex();
    result["transactions"] = TemplateTransactions(chosen, segwit);
    result["coinbaseaux"] = Json::object();
    result["coinbasevalue"] = block.vtx[0]->vout[0].value.sats;
    result["longpollid"] = block.prev_block.GetHex() + std::to_string(template_sequence);
    result["target"] = TargetHex(block.bits);
    result["mintime"] = prev->GetMedianTimePast() + 1;
    result["mutable"] = Json::array({"time", "transactions", "prevblock"});
    result["noncerange"] = "00000000ffffffff";
    if (segwit) {
        result["sigoplimit"] = consensus::MAX_BLOCK_SIGOPS_COST;
        result["sizelimit"] = consensus::MAX_BLOCK_SERIALIZED_SIZE;
        result["weightlimit"] = consensus::MAX_BLOCK_WEIGHT;
    } else {
        result["sigoplimit"] = consensus::MAX_BLOCK_SIGOPS_COST / consensus::WITNESS_SCALE_FACTOR;
        result["sizelimit"] = consensus::MAX_BLOCK_SERIALIZED_SIZE / consensus::WITNESS_SCALE_FACTOR;
    }
    result["curtime"] = block.GetBlockTime();
    result["bits"] = BitsHex(block.bits);
    result["height"] = height;
    if (params.consensus.signet_blocks) {
        result["signet_challenge"] = consensus::HexStr(params.consensus.signet_challenge);
    }
    // The witness commitment output CreateNewBlock added (OP_RETURN 0x24 aa21a9ed ...).
    for (auto it = block.vtx[0]->vout.rbegin(); it != block.vtx[0]->vout.rend(); ++it) {
        const consensus::Script& spk = it->script_pubkey;
        if (spk.size() >= 38 && spk[0] == consensus::OP_RETURN && spk[1] == 0x24 && spk[2] == 0xaa && spk[3] == 0x21 &&
            spk[4] == 0xa9 && spk[5] == 0xed) {
            result["default_witness_commitment"] = consensus::HexStr(spk);
            break;
        }
    }
    return result;
}

Json SubmitBlock(Chainstate& cs, ValidationOwner& owner, const RpcRequest& req)
{
    auto decoded = DecodeHexBlock(GetStr(req.params[0]));
    if (!decoded) throw RpcError(RPC_DESERIALIZATION_ERROR, "Block decode failed");
    if (decoded->vtx.empty() || !decoded->vtx[0]->IsCoinBase()) {
        throw RpcError(RPC_DESERIALIZATION_ERROR, "Block does not start with a coinbase");
    }
    const consensus::Uint256 hash = decoded->GetHash();
    if (const BlockIndex* index = cs.LookupBlockIndex(hash)) {
        if (index->IsValid(chain::BLOCK_VALID_SCRIPTS)) return "duplicate";
        if (index->status & chain::BLOCK_FAILED_MASK) return "duplicate-invalid";
    }
    const auto [r, new_block] = owner.SubmitBlock(std::make_shared<const consensus::Block>(std::move(*decoded))).get();
    SyncBeforeReply(cs, owner);
    if (r.IsValid() && !new_block) return "duplicate";
    if (!r.IsValid()) return Bip22Result(r);
    // Stored; it was checked fully only if it was connected (else Core's callback never fires).
    const BlockIndex* index = cs.LookupBlockIndex(hash);
    if (!index || !index->IsValid(chain::BLOCK_VALID_SCRIPTS)) return "inconclusive";
    return Json();
}

Json SubmitHeader(Chainstate& cs, ValidationOwner& owner, const RpcRequest& req)
{
    auto header = DecodeHexBlockHeader(GetStr(req.params[0]));
    if (!header) throw RpcError(RPC_DESERIALIZATION_ERROR, "Block header decode failed");
    if (!cs.LookupBlockIndex(header->prev_block)) {
        throw RpcError(RPC_VERIFY_ERROR, "Must submit previous header (" + header->prev_block.GetHex() + ") first");
    }
    const consensus::ValidationResult r = owner.SubmitHeaders({*header}).get();
    SyncBeforeReply(cs, owner);
    if (r.IsValid()) return Json();
    if (r.IsError()) throw RpcError(RPC_VERIFY_ERROR, r.ToString());
    throw RpcError(RPC_VERIFY_ERROR, r.GetRejectReason());
}

Json GenerateToAddress(Chainstate& cs, ValidationOwner& owner, const mempool::TxMemPool* pool, const RpcRequest& req)
{
    const int64_t n = GetInt(req.params[0]);
    const uint64_t max_tries = MaxTriesParam(req.params, 2);
    auto script = DecodeAddress(GetStr(req.params[1]), cs.Params());
    if (!script) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Error: Invalid address");
    return GenerateBlocks(cs, owner, pool, *script, n, max_tries);
}

Json GenerateToDescriptor(Chainstate& cs, ValidationOwner& owner, const mempool::TxMemPool* pool, const RpcRequest& req)
{
    const int64_t n = GetInt(req.params[0]);
    const uint64_t max_tries = MaxTriesParam(req.params, 2);
    std::string error;
    auto script = OutputScript(GetStr(req.params[1]), cs.Params(), error);
    if (!script) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, error);
    return GenerateBlocks(cs, owner, pool, *script, n, max_tries);
}

Json GenerateBlock(Chainstate& cs, ValidationOwner& owner, const mempool::TxMemPool* pool, const RpcRequest& req)
{
    const std::string& output = GetStr(req.params[0]);
    std::string error;
    auto script = OutputScript(output, cs.Params(), error);
    if (!script) script = DecodeAddress(output, cs.Params());
    if (!script) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Error: Invalid address or descriptor");
    const bool submit = ParamOr<bool>(req.params, 2, true);

    std::vector<consensus::TransactionRef> txs;
    for (const Json& item : req.params[1]) {
        const std::string& str = GetStr(item);
        if (auto txid = consensus::Uint256::FromHex(str)) {
            consensus::TransactionRef tx = pool ? pool->Get(*txid) : nullptr;
            if (!tx) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Transaction " + str + " not in mempool.");
            txs.push_back(std::move(tx));
            continue;
        }
        auto mtx = DecodeHexTx(str);
        if (!mtx) {
            throw RpcError(RPC_DESERIALIZATION_ERROR,
                           "Transaction decode failed for " + str + ". Make sure the tx has at least one input.");
        }
        txs.push_back(consensus::MakeTransactionRef(std::move(*mtx)));
    }

    consensus::Block block;
    // As Core: the coinbase of a generateblock block claims the subsidy only, not the
    // fees of the transactions given.
    const consensus::ValidationResult r = OnOwner(owner, [&] {
        consensus::ValidationResult v = cs.CreateNewBlock(*script, txs, block, /*pay_fees=*/false);
        return v.IsValid() ? cs.TestBlockValidity(block, false, false) : v;
    });
    if (!r.IsValid()) throw RpcError(RPC_VERIFY_ERROR, "TestBlockValidity failed: " + r.ToString());

    uint64_t max_tries = DEFAULT_MAX_TRIES;
    if (!SolveBlock(block, max_tries, cs.Params().consensus)) throw RpcError(RPC_MISC_ERROR, "Failed to make block.");
    Json obj = Json::object();
    obj["hash"] = block.GetHash().GetHex();
    if (submit) {
        SubmitSolved(owner, std::move(block));
        SyncBeforeReply(cs, owner);
    } else {
        obj["hex"] = consensus::HexStr(consensus::SerializeToBytes(block));
    }
    return obj;
}

} // namespace

void RegisterMiningRpc(RpcTable& table, Chainstate& cs, ValidationOwner& owner, const mempool::TxMemPool* pool)
{
    const std::string epoch = UNIX_EPOCH_TIME;
    table.Register(RpcMethod{
        .category = "mining",
        .name = "getmininginfo",
        .args = {},
        .description = "Returns a json object containing mining-related information.",
        .examples = HelpExampleCli("getmininginfo", "") + HelpExampleRpc("getmininginfo", ""),
        .handler = [&cs, pool](const RpcRequest&) { return GetMiningInfo(cs, pool); },
        .results = {
            {.type = T::OBJ,
             .inner = {
                 {.type = T::NUM, .key = "blocks", .description = "The current block"},
                 {.type = T::NUM,
                  .key = "currentblockweight",
                  .description =
                      "The block weight (including reserved weight for block header, txs count and coinbase tx) of the last assembled block (only present if a block was ever assembled)",
                  .optional = true},
                 {.type = T::NUM,
                  .key = "currentblocktx",
                  .description =
                      "The number of block transactions (excluding coinbase) of the last assembled block (only present if a block was ever assembled)",
                  .optional = true},
                 {.type = T::STR_HEX,
                  .key = "bits",
                  .description = "The current nBits, compact representation of the block difficulty target"},
                 {.type = T::NUM, .key = "difficulty", .description = "The current difficulty"},
                 {.type = T::STR_HEX, .key = "target", .description = "The current target"},
                 {.type = T::NUM, .key = "networkhashps", .description = "The network hashes per second"},
                 {.type = T::NUM, .key = "pooledtx", .description = "The size of the mempool"},
                 {.type = T::STR,
                  .key = "chain",
                  .description = std::string("current network name (") + LIST_CHAIN_NAMES + ")"},
                 {.type = T::STR_HEX,
                  .key = "signet_challenge",
                  .description =
                      "The block challenge (aka. block script), in hexadecimal (only present if the current network is a signet)",
                  .optional = true},
                 {.type = T::OBJ,
                  .key = "next",
                  .description = "The next block",
                  .inner =
                      {
                          {.type = T::NUM, .key = "height", .description = "The next height"},
                          {.type = T::STR_HEX, .key = "bits", .description = "The next target nBits"},
                          {.type = T::NUM, .key = "difficulty", .description = "The next difficulty"},
                          {.type = T::STR_HEX, .key = "target", .description = "The next target"},
                      }},
                 {.type = T::ARR,
                  .key = "warnings",
                  .description =
                      "any network and blockchain warnings (run with `-deprecatedrpc=warnings` to return the latest warning as a single string)",
                  .inner = {{.type = T::STR, .description = "warning"}}},
             }}}});
    table.Register(RpcMethod{
        .category = "mining",
        .name = "getnetworkhashps",
        .args =
            {Arg("nblocks", RpcArgType::NUM, true, "120",
                 "The number of previous blocks to calculate estimate from, or -1 for blocks since last difficulty change."),
             Arg("height", RpcArgType::NUM, true, "-1", "To estimate at the time of the given height.")},
        .description = "Returns the estimated network hashes per second based on the last n blocks.\n"
                       "Pass in [blocks] to override # of blocks, -1 specifies since last difficulty change.\n"
                       "Pass in [height] to estimate the network speed at the time when a certain block was found.",
        .examples = HelpExampleCli("getnetworkhashps", "") + HelpExampleRpc("getnetworkhashps", ""),
        .handler =
            [&cs](const RpcRequest& req) {
                return GetNetworkHashPs(cs, ParamOr<int64_t>(req.params, 0, 120), ParamOr<int64_t>(req.params, 1, -1));
            },
        .results = {{.type = T::NUM, .description = "Hashes per second estimated"}}});
    table
        .Register(
            RpcMethod{
                .category = "mining",
                .name = "getblocktemplate",
                .args = {{.name = "template_request",
                          .type = RpcArgType::OBJ,
                          .optional = false,
                          .description = "Format of the template",
                          .inner =
                              {
                                  {.name = "mode",
                                   .type = RpcArgType::STR,
                                   .optional = true,
                                   .description =
                                       "This must be set to \"template\", \"proposal\" (see BIP 23), or omitted"},
                                  {.name = "capabilities",
                                   .type = RpcArgType::ARR,
                                   .optional = true,
                                   .description = "A list of strings",
                                   .inner =
                                       {{.name = "str",
                                         .type = RpcArgType::STR,
                                         .optional = true,
                                         .description =
                                             "client side supported feature, 'longpoll', 'coinbasevalue', 'proposal', "
                                             "'serverlist', 'workid'"}}},
                                  {.name = "rules",
                                   .type = RpcArgType::ARR,
                                   .optional = false,
                                   .description = "A list of strings",
                                   .inner = {{.name = "segwit",
                                              .type = RpcArgType::STR,
                                              .optional = false,
                                              .description = "(literal) indicates client side segwit support"},
                                             {.name = "str",
                                              .type = RpcArgType::STR,
                                              .optional = true,
                                              .description = "other client side supported softfork deployment"}}},
                                  {.name = "longpollid",
                                   .type = RpcArgType::STR,
                                   .optional = true,
                                   .description =
                                       "delay processing request until the result would vary significantly from the "
                                       "\"longpollid\" of a prior template"},
                                  {.name = "data",
                                   .type = RpcArgType::STR_HEX,
                                   .optional = true,
                                   .description =
                                       "proposed block data to check, encoded in hexadecimal; valid only for mode=\"proposal\""},
                              }}},
                .description =
                    "If the request parameters include a 'mode' key, that is used to explicitly select between the default "
                    "'template' request or a 'proposal'.\nIt returns data needed to construct a block to work on.\n"
                    "For full specification, see BIPs 22, 23, 9, and 145:\n"
                    "    https://github.com/bitcoin/bips/blob/master/bip-0022.mediawiki\n"
                    "    https://github.com/bitcoin/bips/blob/master/bip-0023.mediawiki\n"
                    "    https://github.com/bitcoin/bips/blob/master/bip-0009.mediawiki#getblocktemplate_changes\n"
                    "    https://github.com/bitcoin/bips/blob/master/bip-0145.mediawiki",
                .examples = HelpExampleCli("getblocktemplate", "'{\"rules\": [\"segwit\"]}'") +
                            HelpExampleRpc("getblocktemplate", "{\"rules\": [\"segwit\"]}"),
                .handler = [&cs, &owner,
                            pool](const RpcRequest& req) { return GetBlockTemplate(cs, owner, pool, req); },
                .results =
                    {
                        {.type = T::NONE, .cond = "If the proposal was accepted with mode=='proposal'"},
                        {.type = T::STR,
                         .description = "According to BIP22",
                         .cond = "If the proposal was not accepted with mode=='proposal'"},
                        {.type = T::OBJ,
                         .inner =
                             {
                                 {.type = T::NUM, .key = "version", .description = "The preferred block version"},
                                 {.type = T::ARR,
                                  .key = "rules",
                                  .description = "specific block rules that are to be enforced",
                                  .inner =
                                      {{.type = T::STR,
                                        .description =
                                            "name of a rule the client must understand to some extent; see BIP 9 for format"}}},
                                 {.type = T::OBJ_DYN,
                                  .key = "vbavailable",
                                  .description = "set of pending, supported versionbit (BIP 9) softfork deployments",
                                  .inner =
                                      {{.type = T::NUM,
                                        .key = "rulename",
                                        .description =
                                            "identifies the bit number as indicating acceptance and readiness for the named softfork rule"}}},
                                 {.type = T::ARR,
                                  .key = "capabilities",
                                  .inner = {{.type = T::STR,
                                             .key = "value",
                                             .description = "A supported feature, for example 'proposal'"}}},
                                 {.type = T::NUM,
                                  .key = "vbrequired",
                                  .description = "bit mask of versionbits the server requires set in submissions"},
                                 {.type = T::STR,
                                  .key = "previousblockhash",
                                  .description = "The hash of current highest block"},
                                 {.type = T::ARR,
                                  .key = "transactions",
                                  .description =
                                      "contents of non-coinbase transactions that should be included in the next block",
                                  .inner =
                                      {
                                          {.type = T::OBJ,
                                           .inner =
                                               {
                                                   {.type = T::STR_HEX,
                                                    .key = "data",
                                                    .description = "transaction data encoded in hexadecimal (byte-for-byte)"},
                                                   {.type = T::STR_HEX,
                                                    .key = "txid",
                                                    .description = "transaction hash excluding witness data, shown in byte-reversed hex"},
                                                   {.type = T::STR_HEX,
                                                    .key = "hash",
                                                    .description = "transaction hash including witness data, shown in byte-reversed hex"},
                                                   {.type = T::ARR,
                                                    .key = "depends",
                                                    .description = "array of numbers",
                                                    .inner =
                                                        {{.type = T::NUM,
                                                          .description = "transactions before this one (by 1-based index in 'transactions' list) that must be present in the final block if this one is"}}},
                                                   {.type = T::NUM,
                                                    .key = "fee",
                                                    .description = "difference in value between transaction inputs and outputs (in satoshis); for coinbase transactions, this is a negative Number of the total collected block fees (ie, not including the block subsidy); if key is not present, fee is unknown and clients MUST NOT assume there isn't one"},
                                                   {.type = T::NUM,
                                                    .key = "sigops",
                                                    .description = "total SigOps cost, as counted for purposes of block limits; if key is not present, sigop cost is unknown and clients MUST NOT assume it is zero"},
                                                   {.type = T::NUM,
                                                    .key = "weight",
                                                    .description = "total transaction weight, as counted for purposes of block limits"},
                                               }}}},
                                 {.type = T::OBJ_DYN,
                                  .key = "coinbaseaux",
                                  .description = "data that should be included in the coinbase's scriptSig content",
                                  .inner = {{.type = T::STR_HEX,
                                             .key = "key",
                                             .description = "values must be in the coinbase (keys may be ignored)"}}},
                                 {.type = T::NUM,
                                  .key = "coinbasevalue",
                                  .description =
                                      "maximum allowable input to coinbase transaction, including the generation award and transaction fees (in satoshis)"},
                                 {.type = T::STR,
                                  .key = "longpollid",
                                  .description =
                                      "an id to include with a request to longpoll on an update to this template"},
                                 {.type = T::STR, .key = "target", .description = "The hash target"},
                                 {.type = T::NUM_TIME,
                                  .key = "mintime",
                                  .description =
                                      "The minimum timestamp appropriate for the next block time, expressed in " +
                                      epoch + ". Adjusted for the proposed BIP94 timewarp rule."},
                                 {.type = T::ARR,
                                  .key = "mutable",
                                  .description = "list of ways the block template may be changed",
                                  .inner =
                                      {{.type = T::STR,
                                        .key = "value",
                                        .description =
                                            "A way the block template may be changed, e.g. 'time', 'transactions', 'prevblock'"}}},
                                 {.type = T::STR_HEX, .key = "noncerange", .description = "A range of valid nonces"},
                                 {.type = T::NUM, .key = "sigoplimit", .description = "limit of sigops in blocks"},
                                 {.type = T::NUM, .key = "sizelimit", .description = "limit of block size"},
                                 {.type = T::NUM,
                                  .key = "weightlimit",
                                  .description = "limit of block weight",
                                  .optional = true},
                                 {.type = T::NUM_TIME,
                                  .key = "curtime",
                                  .description = "current timestamp in " +
                                                 epoch + ". Adjusted for the proposed BIP94 timewarp rule."},
                                 {.type = T::STR, .key = "bits", .description = "compressed target of next block"},
                                 {.type = T::NUM, .key = "height", .description = "The height of the next block"},
                                 {.type = T::STR_HEX,
                                  .key = "signet_challenge",
                                  .description = "Only on signet",
                                  .optional = true},
                                 {.type = T::STR_HEX,
                                  .key = "default_witness_commitment",
                                  .description = "a valid witness commitment for the unmodified block template",
                                  .optional = true},
                             },
                         .cond = "Otherwise"},
                    }});
    table.Register(
        RpcMethod{.category = "mining",
                  .name = "submitblock",
                  .args = {Arg("hexdata", RpcArgType::STR_HEX, false, "", "the hex-encoded block data to submit"),
                           Arg("dummy", RpcArgType::STR, true, "ignored",
                               "dummy value, for compatibility with BIP22. This value is ignored.")},
                  .description = "Attempts to submit new block to network.\n"
                                 "See https://en.bitcoin.it/wiki/BIP_0022 for full specification.",
                  .examples = HelpExampleCli("submitblock", "\"mydata\"") + HelpExampleRpc("submitblock", "\"mydata\""),
                  .handler = [&cs, &owner](const RpcRequest& req) { return SubmitBlock(cs, owner, req); },
                  .results = {{.type = T::NONE, .cond = "If the block was accepted"},
                              {.type = T::STR, .description = "According to BIP22", .cond = "Otherwise"}}});
    table.Register(RpcMethod{
        .category = "mining",
        .name = "submitheader",
        .args = {Arg("hexdata", RpcArgType::STR_HEX, false, "", "the hex-encoded block header data")},
        .description = "Decode the given hexdata as a header and submit it as a candidate chain tip if valid.\n"
                       "Throws when the header is invalid.",
        .examples = HelpExampleCli("submitheader", "\"aabbcc\"") + HelpExampleRpc("submitheader", "\"aabbcc\""),
        .handler = [&cs, &owner](const RpcRequest& req) { return SubmitHeader(cs, owner, req); },
        .results = {{.type = T::NONE, .description = "None"}}});
    table.Register(RpcMethod{
        .category = "generating",
        .name = "generatetoaddress",
        .args = {Arg("nblocks", RpcArgType::NUM, false, "", "How many blocks are generated."),
                 Arg("address", RpcArgType::STR, false, "", "The address to send the newly generated bitcoin to."),
                 Arg("maxtries", RpcArgType::NUM, true, "1000000", "How many iterations to try.")},
        .description = "Mine to a specified address and return the block hashes.",
        .examples =
            "\nGenerate 11 blocks to myaddress\n" + HelpExampleCli("generatetoaddress", "11 \"myaddress\"") +
            "If you are using the Minicash wallet, you can get a new address to send the newly generated bitcoin to with:\n" +
            HelpExampleCli("getnewaddress", ""),
        .handler = [&cs, &owner, pool](const RpcRequest& req) { return GenerateToAddress(cs, owner, pool, req); },
        .results = BlockHashesDoc()});
    table.Register(RpcMethod{
        .category = "generating",
        .name = "generatetodescriptor",
        .args = {Arg("num_blocks", RpcArgType::NUM, false, "", "How many blocks are generated."),
                 Arg("descriptor", RpcArgType::STR, false, "",
                     "The descriptor to send the newly generated bitcoin to."),
                 Arg("maxtries", RpcArgType::NUM, true, "1000000", "How many iterations to try.")},
        .description = "Mine to a specified descriptor and return the block hashes.",
        .examples = "\nGenerate 11 blocks to mydesc\n" + HelpExampleCli("generatetodescriptor", "11 \"mydesc\""),
        .handler = [&cs, &owner, pool](const RpcRequest& req) { return GenerateToDescriptor(cs, owner, pool, req); },
        .results = BlockHashesDoc()});
    table.Register(RpcMethod{
        .category = "generating",
        .name = "generateblock",
        .args = {Arg("output", RpcArgType::STR, false, "",
                     "The address or descriptor to send the newly generated bitcoin to."),
                 {.name = "transactions",
                  .type = RpcArgType::ARR,
                  .optional = false,
                  .description =
                      "An array of hex strings which are either txids or raw transactions.\n"
                      "Txids must reference transactions currently in the mempool.\n"
                      "All transactions must be valid and in valid order, otherwise the block will be rejected.",
                  .inner = {{.name = "rawtx/txid", .type = RpcArgType::STR_HEX, .optional = true}}},
                 Arg("submit", RpcArgType::BOOL, true, "true",
                     "Whether to submit the block before the RPC call returns or to return it as hex.")},
        .description =
            "Mine a set of ordered transactions to a specified address or descriptor and return the block hash.",
        .examples = "\nGenerate a block to myaddress, with txs rawtx and mempool_txid\n" +
                    HelpExampleCli("generateblock", R"("myaddress" '["rawtx", "mempool_txid"]')"),
        .handler = [&cs, &owner, pool](const RpcRequest& req) { return GenerateBlock(cs, owner, pool, req); },
        .results = {{.type = T::OBJ,
                     .inner = {
                         {.type = T::STR_HEX, .key = "hash", .description = "hash of generated block"},
                         {.type = T::STR_HEX,
                          .key = "hex",
                          .description = "hex of generated block, only present when submit=false",
                          .optional = true},
                     }}}});
}

} // namespace node::rpc
