// Blockchain RPC methods that report on the chain without changing it, following Bitcoin
// Core's rpc/blockchain.cpp: getdeploymentinfo (buried deployments and BIP-9 state machines),
// getchaintxstats (transaction counts over a window) and getblockstats (per-block fee, size and
// UTXO statistics from the block and its undo data). Handlers run on RPC worker threads and
// use only the chainstate's public, locking API.
#include "node/chain/chainstate.h"
#include "consensus/contextual_check.h"
#include "node/rpc/register.h"
#include "common/rpc/util.h"

#include "consensus/limits.h"
#include "consensus/serialize.h"

#include <algorithm>
#include <array>
#include <limits>
#include <set>

namespace node::rpc {

using chain::BlockIndex;
using chain::Chainstate;
using consensus::DeploymentPos;
using consensus::ThresholdState;

namespace {

RpcArg Arg(std::string name, RpcArgType type, bool optional, std::string default_text, std::string description)
{
    return RpcArg{std::move(name), type, optional, std::move(default_text), std::move(description)};
}

RpcResult Res(RpcResultType type, std::string key, std::string description, std::vector<RpcResult> inner = {})
{
    return RpcResult{
        .type = type, .key = std::move(key), .description = std::move(description), .inner = std::move(inner)};
}

RpcResult Opt(RpcResultType type, std::string key, std::string description, std::vector<RpcResult> inner = {})
{
    RpcResult r = Res(type, std::move(key), std::move(description), std::move(inner));
    r.optional = true;
    return r;
}

// ---- getdeploymentinfo

/** A buried deployment: Core's "type": "buried", active for the block after index. */
void PushBuried(Json& out, const char* name, const BlockIndex& index, int height)
{
    Json rv = Json::object();
    rv["type"] = "buried";
    rv["active"] = index.height + 1 >= height; // Core's DeploymentActiveAfter(index)
    rv["height"] = height;
    out[name] = std::move(rv);
}

/** A BIP-9 deployment (BIP-9 states, BIP-341 min_activation_height) as Core's SoftForkDescPushBack. */
void PushBip9(Json& out, const Chainstate& cs, const BlockIndex& index, DeploymentPos pos)
{
    const consensus::Bip9Deployment& dep = cs.Params().consensus.Deployment(pos);
    if (dep.start_time == consensus::Bip9Deployment::NEVER_ACTIVE) return; // not enabled on this network
    const chain::DeploymentStatus st = cs.GetDeploymentStatus(&index, pos);
    Json bip9 = Json::object();
    if (st.stats) bip9["bit"] = dep.bit; // only while signalling (STARTED, LOCKED_IN)
    bip9["start_time"] = dep.start_time;
    bip9["timeout"] = dep.timeout;
    bip9["min_activation_height"] = dep.min_activation_height;
    bip9["status"] = consensus::ThresholdStateName(st.current);
    bip9["since"] = st.since;
    bip9["status_next"] = consensus::ThresholdStateName(st.next);
    if (st.stats) {
        Json stats = Json::object();
        stats["period"] = st.stats->period;
        stats["elapsed"] = st.stats->elapsed;
        stats["count"] = st.stats->count;
        if (st.current != ThresholdState::LOCKED_IN) {
            stats["threshold"] = st.stats->threshold;
            stats["possible"] = st.stats->possible;
        }
        bip9["statistics"] = std::move(stats);
        std::string sig;
        sig.reserve(st.signalling.size());
        for (bool s : st.signalling) sig.push_back(s ? '#' : '-');
        bip9["signalling"] = std::move(sig);
    }
    Json rv = Json::object();
    rv["type"] = "bip9";
    if (st.next == ThresholdState::ACTIVE) rv["height"] = st.next_since;
    rv["active"] = st.next == ThresholdState::ACTIVE;
    rv["bip9"] = std::move(bip9);
    out[consensus::VERSION_BITS_DEPLOYMENT_INFO[static_cast<size_t>(pos)].name] = std::move(rv);
}

Json GetDeploymentInfo(const Chainstate& cs, const RpcRequest& req)
{
    const BlockIndex* index = nullptr;
    if (req.params.size() > 0 && !req.params[0].is_null()) {
        index = cs.LookupBlockIndex(ParseHashV(req.params[0], "blockhash"));
        if (!index) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    } else {
        index = cs.Tip();
        if (!index) throw RpcError(RPC_MISC_ERROR, "No chain tip");
    }
    const consensus::ConsensusParams& c = cs.Params().consensus;
    Json deployments = Json::object();
    PushBuried(deployments, "bip34", *index, c.bip34_height);
    PushBuried(deployments, "bip66", *index, c.bip66_height);
    PushBuried(deployments, "bip65", *index, c.bip65_height);
    PushBuried(deployments, "csv", *index, c.csv_height);
    PushBuried(deployments, "segwit", *index, c.segwit_height);
    PushBip9(deployments, cs, *index, DeploymentPos::TESTDUMMY);
    PushBip9(deployments, cs, *index, DeploymentPos::TAPROOT);
    Json ret = Json::object();
    ret["hash"] = index->GetBlockHash().GetHex();
    ret["height"] = index->height;
    ret["deployments"] = std::move(deployments);
    return ret;
}

std::vector<RpcResult> DeploymentResult()
{
    using T = RpcResultType;
    return {
        Res(T::STR, "type", "one of \"buried\", \"bip9\""),
        Opt(T::NUM, "height",
            "height of the first block which the rules are or will be enforced (only for \"buried\" "
            "type, or \"bip9\" type with \"active\" status)"),
        Res(T::BOOL, "active", "true if the rules are enforced for the mempool and the next block"),
        Opt(T::OBJ, "bip9", "status of bip9 softforks (only for \"bip9\" type)",
            {
                Opt(T::NUM, "bit",
                    "the bit (0-28) in the block version field used to signal this softfork (only for "
                    "\"started\" and \"locked_in\" status)"),
                Res(T::NUM_TIME, "start_time",
                    "the minimum median time past of a block at which the bit gains its meaning"),
                Res(T::NUM_TIME, "timeout",
                    "the median time past of a block at which the deployment is considered failed "
                    "if not yet locked in"),
                Res(T::NUM, "min_activation_height", "minimum height of blocks for which the rules may be enforced"),
                Res(T::STR, "status",
                    "status of deployment at specified block (one of \"defined\", \"started\", "
                    "\"locked_in\", \"active\", \"failed\")"),
                Res(T::NUM, "since", "height of the first block to which the status applies"),
                Res(T::STR, "status_next", "status of deployment at the next block"),
                Opt(T::OBJ, "statistics",
                    "numeric statistics about signalling for a softfork (only for \"started\" and "
                    "\"locked_in\" status)",
                    {
                        Res(T::NUM, "period", "the length in blocks of the signalling period"),
                        Opt(T::NUM, "threshold",
                            "the number of blocks with the version bit set required to activate the "
                            "feature (only for \"started\" status)"),
                        Res(T::NUM, "elapsed",
                            "the number of blocks elapsed since the beginning of the current period"),
                        Res(T::NUM, "count", "the number of blocks with the version bit set in the current period"),
                        Opt(T::BOOL, "possible",
                            "returns false if there are not enough blocks left in this period to pass "
                            "activation threshold (only for \"started\" status)"),
                    }),
                Opt(T::STR, "signalling", "indicates blocks that signalled with a # and blocks that did not with a -"),
            }),
    };
}

// ---- getchaintxstats

Json GetChainTxStats(const Chainstate& cs, const RpcRequest& req)
{
    const BlockIndex* index = nullptr;
    if (req.params.size() < 2 || req.params[1].is_null()) {
        index = cs.Tip();
        if (!index) throw RpcError(RPC_MISC_ERROR, "No chain tip");
    } else {
        index = cs.LookupBlockIndex(ParseHashV(req.params[1], "blockhash"));
        if (!index) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
        if (!cs.IsInActiveChain(index)) throw RpcError(RPC_INVALID_PARAMETER, "Block is not in main chain");
    }
    // One month of blocks by default, as Core.
    int blockcount = static_cast<int>(30 * 24 * 60 * 60 / cs.Params().consensus.pow_target_spacing);
    if (req.params.empty() || req.params[0].is_null()) {
        blockcount = std::max(0, std::min(blockcount, index->height - 1));
    } else {
        blockcount = ParamOr<int>(req.params, 0, 0);
        if (blockcount < 0 || (blockcount > 0 && blockcount >= index->height)) {
            throw RpcError(RPC_INVALID_PARAMETER,
                           "Invalid block count: should be between 0 and the block's height - 1");
        }
    }
    const BlockIndex* past = index->GetAncestor(index->height - blockcount);
    if (!past) throw RpcError(RPC_INTERNAL_ERROR, "Window start not found");
    const int64_t time_diff = index->GetMedianTimePast() - past->GetMedianTimePast();
    Json ret = Json::object();
    ret["time"] = index->GetBlockTime();
    // chain_tx is set once by validation (0 until then): one load of each.
    const uint64_t index_chain_tx = index->chain_tx.load();
    const uint64_t past_chain_tx = past->chain_tx.load();
    if (index_chain_tx) ret["txcount"] = index_chain_tx;
    ret["window_final_block_hash"] = index->GetBlockHash().GetHex();
    ret["window_final_block_height"] = index->height;
    ret["window_block_count"] = blockcount;
    if (blockcount > 0) {
        ret["window_interval"] = time_diff;
        if (index_chain_tx != 0 && past_chain_tx != 0) {
            const uint64_t window_tx_count = index_chain_tx - past_chain_tx;
            ret["window_tx_count"] = window_tx_count;
            if (time_diff > 0) ret["txrate"] = static_cast<double>(window_tx_count) / static_cast<double>(time_diff);
        }
    }
    return ret;
}

// ---- getblockstats

constexpr int NUM_PERCENTILES = 5;
/** Per-coin overhead of the UTXO index in Core's estimate: outpoint (36) + height (4) + coinbase flag (1). */
constexpr int64_t PER_UTXO_OVERHEAD = 36 + 4 + 1;

/** Every statistic getblockstats knows, in Core's (alphabetical) order. */
constexpr const char* BLOCKSTATS_NAMES[] = {"avgfee",
                                            "avgfeerate",
                                            "avgtxsize",
                                            "blockhash",
                                            "feerate_percentiles",
                                            "height",
                                            "ins",
                                            "maxfee",
                                            "maxfeerate",
                                            "maxtxsize",
                                            "medianfee",
                                            "mediantime",
                                            "mediantxsize",
                                            "minfee",
                                            "minfeerate",
                                            "mintxsize",
                                            "outs",
                                            "subsidy",
                                            "swtotal_size",
                                            "swtotal_weight",
                                            "swtxs",
                                            "time",
                                            "total_out",
                                            "total_size",
                                            "total_weight",
                                            "totalfee",
                                            "txs",
                                            "utxo_increase",
                                            "utxo_size_inc",
                                            "utxo_increase_actual",
                                            "utxo_size_inc_actual"};

int64_t TxOutSerializeSize(const consensus::TxOut& out)
{
    return static_cast<int64_t>(8 + consensus::CompactSizeLen(out.script_pubkey.size()) + out.script_pubkey.size());
}

/** Core's CalculateTruncatedMedian: the mean of the two middle values of an even count, rounded down. */
int64_t TruncatedMedian(std::vector<int64_t>& values)
{
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 == 0 ? (values[n / 2 - 1] + values[n / 2]) / 2 : values[n / 2];
}

/** Feerates at the 10th, 25th, 50th, 75th and 90th percentile weight unit (Core's CalculatePercentilesByWeight). */
std::array<int64_t, NUM_PERCENTILES> PercentilesByWeight(std::vector<std::pair<int64_t, int64_t>>& scores,
                                                         int64_t total_weight)
{
    std::array<int64_t, NUM_PERCENTILES> result{};
    if (scores.empty()) return result;
    std::sort(scores.begin(), scores.end());
    const double tw = static_cast<double>(total_weight);
    const std::array<double, NUM_PERCENTILES> weights = {tw / 10.0, tw / 4.0, tw / 2.0, (tw * 3.0) / 4.0,
                                                         (tw * 9.0) / 10.0};
    size_t next = 0;
    int64_t cumulative = 0;
    for (const auto& [feerate, weight] : scores) {
        cumulative += weight;
        while (next < NUM_PERCENTILES && static_cast<double>(cumulative) >= weights[next]) result[next++] = feerate;
    }
    for (; next < NUM_PERCENTILES; ++next) result[next] = scores.back().first;
    return result;
}

/** Core's ParseHashOrHeight: a height in the active chain or any known block hash. */
const BlockIndex& ParseHashOrHeight(const Chainstate& cs, const Json& param)
{
    if (param.is_number()) {
        const int64_t h64 = GetInt(param);
        if (h64 < std::numeric_limits<int>::min() || h64 > std::numeric_limits<int>::max()) {
            throw RpcError(RPC_TYPE_ERROR, "JSON integer out of range");
        }
        const int height = static_cast<int>(h64);
        if (height < 0)
            throw RpcError(RPC_INVALID_PARAMETER, "Target block height " + std::to_string(height) + " is negative");
        const int tip = cs.Height();
        if (height > tip) {
            throw RpcError(RPC_INVALID_PARAMETER, "Target block height " + std::to_string(height) +
                                                      " after current tip " + std::to_string(tip));
        }
        const BlockIndex* index = cs.AtHeight(height);
        if (!index) throw RpcError(RPC_INVALID_PARAMETER, "Block height out of range"); // the tip moved back meanwhile
        return *index;
    }
    const BlockIndex* index = cs.LookupBlockIndex(ParseHashV(param, "hash_or_height"));
    if (!index) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    return *index;
}

Json GetBlockStats(const Chainstate& cs, const RpcRequest& req)
{
    const BlockIndex& index = ParseHashOrHeight(cs, req.params[0]);
    std::set<std::string> stats;
    if (req.params.size() > 1 && !req.params[1].is_null()) {
        for (const Json& s : req.params[1]) stats.insert(GetStr(s));
    }
    // Validate the selection before the (possibly large) block is read.
    for (const std::string& stat : stats) {
        if (std::find_if(std::begin(BLOCKSTATS_NAMES), std::end(BLOCKSTATS_NAMES),
                         [&](const char* n) { return stat == n; }) == std::end(BLOCKSTATS_NAMES)) {
            throw RpcError(RPC_INVALID_PARAMETER, "Invalid selected statistic '" + stat + "'");
        }
    }

    const auto block = cs.ReadBlock(&index);
    if (!block) throw RpcError(RPC_MISC_ERROR, "Block not found on disk");
    node::BlockUndo undo; // the genesis block has none
    if (index.height > 0) {
        auto read = cs.ReadUndo(&index);
        if (!read || read->txundo.size() + 1 != block->vtx.size()) {
            throw RpcError(RPC_MISC_ERROR, "Can't read undo data from disk");
        }
        undo = std::move(*read);
    }

    const int64_t max_money = consensus::MAX_MONEY.sats;
    int64_t maxfee = 0, maxfeerate = 0, minfee = max_money, minfeerate = max_money;
    int64_t total_out = 0, totalfee = 0, inputs = 0, outputs = 0;
    int64_t maxtxsize = 0, mintxsize = consensus::MAX_BLOCK_SERIALIZED_SIZE;
    int64_t swtotal_size = 0, swtotal_weight = 0, swtxs = 0, total_size = 0, total_weight = 0;
    int64_t utxos = 0, utxo_size_inc = 0, utxo_size_inc_actual = 0;
    std::vector<int64_t> fee_array, txsize_array;
    std::vector<std::pair<int64_t, int64_t>> feerate_array;
    const consensus::ConsensusParams& params = cs.Params().consensus;
    const bool bip30_repeat = params.IsBip30Exception(index.height, index.GetBlockHash());

    for (size_t i = 0; i < block->vtx.size(); ++i) {
        const consensus::Transaction& tx = *block->vtx[i];
        outputs += static_cast<int64_t>(tx.vout.size());
        int64_t tx_total_out = 0;
        for (const consensus::TxOut& out : tx.vout) {
            tx_total_out += out.value.sats;
            const int64_t out_size = TxOutSerializeSize(out) + PER_UTXO_OVERHEAD;
            utxo_size_inc += out_size;
            // The genesis outputs and the repeated BIP-30 coinbases never entered the UTXO set.
            if (index.height == 0 || (bip30_repeat && tx.IsCoinBase())) continue;
            if (out.script_pubkey.IsUnspendable()) continue;
            ++utxos;
            utxo_size_inc_actual += out_size;
        }
        if (tx.IsCoinBase()) continue;
        inputs += static_cast<int64_t>(tx.vin.size());
        total_out += tx_total_out;

        const int64_t tx_size = static_cast<int64_t>(tx.GetTotalSize());
        txsize_array.push_back(tx_size);
        maxtxsize = std::max(maxtxsize, tx_size);
        mintxsize = std::min(mintxsize, tx_size);
        total_size += tx_size;
        const int64_t weight = consensus::GetTransactionWeight(tx);
        total_weight += weight;
        if (tx.HasWitness()) {
            ++swtxs;
            swtotal_size += tx_size;
            swtotal_weight += weight;
        }

        int64_t tx_total_in = 0;
        for (const consensus::Coin& coin : undo.txundo[i - 1].prevouts) {
            tx_total_in += coin.out.value.sats;
            const int64_t prevout_size = TxOutSerializeSize(coin.out) + PER_UTXO_OVERHEAD;
            utxo_size_inc -= prevout_size;
            utxo_size_inc_actual -= prevout_size;
        }
        const int64_t txfee = tx_total_in - tx_total_out;
        if (txfee < 0 || txfee > max_money) throw RpcError(RPC_INTERNAL_ERROR, "Undo data gives a fee out of range");
        fee_array.push_back(txfee);
        maxfee = std::max(maxfee, txfee);
        minfee = std::min(minfee, txfee);
        totalfee += txfee;
        // Satoshis per virtual byte.
        const int64_t feerate = weight ? (txfee * consensus::WITNESS_SCALE_FACTOR) / weight : 0;
        feerate_array.emplace_back(feerate, weight);
        maxfeerate = std::max(maxfeerate, feerate);
        minfeerate = std::min(minfeerate, feerate);
    }

    const auto percentiles = PercentilesByWeight(feerate_array, total_weight);
    const int64_t ntx = static_cast<int64_t>(block->vtx.size());
    Json all = Json::object();
    all["avgfee"] = ntx > 1 ? totalfee / (ntx - 1) : 0;
    all["avgfeerate"] = total_weight ? (totalfee * consensus::WITNESS_SCALE_FACTOR) / total_weight : 0;
    all["avgtxsize"] = ntx > 1 ? total_size / (ntx - 1) : 0;
    all["blockhash"] = index.GetBlockHash().GetHex();
    all["feerate_percentiles"] = Json::array();
    for (int64_t p : percentiles) all["feerate_percentiles"].push_back(p);
    all["height"] = index.height;
    all["ins"] = inputs;
    all["maxfee"] = maxfee;
    all["maxfeerate"] = maxfeerate;
    all["maxtxsize"] = maxtxsize;
    all["medianfee"] = TruncatedMedian(fee_array);
    all["mediantime"] = index.GetMedianTimePast();
    all["mediantxsize"] = TruncatedMedian(txsize_array);
    all["minfee"] = minfee == max_money ? 0 : minfee;
    all["minfeerate"] = minfeerate == max_money ? 0 : minfeerate;
    all["mintxsize"] = mintxsize == consensus::MAX_BLOCK_SERIALIZED_SIZE ? 0 : mintxsize;
    all["outs"] = outputs;
    all["subsidy"] = consensus::GetBlockSubsidy(index.height, params).sats;
    all["swtotal_size"] = swtotal_size;
    all["swtotal_weight"] = swtotal_weight;
    all["swtxs"] = swtxs;
    all["time"] = index.GetBlockTime();
    all["total_out"] = total_out;
    all["total_size"] = total_size;
    all["total_weight"] = total_weight;
    all["totalfee"] = totalfee;
    all["txs"] = ntx;
    all["utxo_increase"] = outputs - inputs;
    all["utxo_size_inc"] = utxo_size_inc;
    all["utxo_increase_actual"] = utxos - inputs;
    all["utxo_size_inc_actual"] = utxo_size_inc_actual;
    if (stats.empty()) return all;
    Json ret = Json::object();
    for (const std::string& stat : stats) ret[stat] = all[stat]; // std::set: sorted, as Core's
    return ret;
}

std::vector<RpcResult> BlockStatsResult()
{
    using T = RpcResultType;
    return {
        Opt(T::NUM, "avgfee", "Average fee in the block"),
        Opt(T::NUM, "avgfeerate", "Average feerate (in satoshis per virtual byte)"),
        Opt(T::NUM, "avgtxsize", "Average transaction size"),
        Opt(T::STR_HEX, "blockhash", "The block hash (to check for potential reorgs)"),
        Opt(T::ARR_FIXED, "feerate_percentiles",
            "Feerates at the 10th, 25th, 50th, 75th, and 90th percentile weight unit (in satoshis per virtual byte)",
            {
                Res(T::NUM, "10th_percentile_feerate", "The 10th percentile feerate"),
                Res(T::NUM, "25th_percentile_feerate", "The 25th percentile feerate"),
                Res(T::NUM, "50th_percentile_feerate", "The 50th percentile feerate"),
                Res(T::NUM, "75th_percentile_feerate", "The 75th percentile feerate"),
                Res(T::NUM, "90th_percentile_feerate", "The 90th percentile feerate"),
            }),
        Opt(T::NUM, "height", "The height of the block"),
        Opt(T::NUM, "ins", "The number of inputs (excluding coinbase)"),
        Opt(T::NUM, "maxfee", "Maximum fee in the block"),
        Opt(T::NUM, "maxfeerate", "Maximum feerate (in satoshis per virtual byte)"),
        Opt(T::NUM, "maxtxsize", "Maximum transaction size"),
        Opt(T::NUM, "medianfee", "Truncated median fee in the block"),
        Opt(T::NUM, "mediantime", "The block median time past"),
        Opt(T::NUM, "mediantxsize", "Truncated median transaction size"),
        Opt(T::NUM, "minfee", "Minimum fee in the block"),
        Opt(T::NUM, "minfeerate", "Minimum feerate (in satoshis per virtual byte)"),
        Opt(T::NUM, "mintxsize", "Minimum transaction size"),
        Opt(T::NUM, "outs", "The number of outputs"),
        Opt(T::NUM, "subsidy", "The block subsidy"),
        Opt(T::NUM, "swtotal_size", "Total size of all segwit transactions"),
        Opt(T::NUM, "swtotal_weight", "Total weight of all segwit transactions"),
        Opt(T::NUM, "swtxs", "The number of segwit transactions"),
        Opt(T::NUM, "time", "The block time"),
        Opt(T::NUM, "total_out",
            "Total amount in all outputs (excluding coinbase and thus reward [ie subsidy + totalfee])"),
        Opt(T::NUM, "total_size", "Total size of all non-coinbase transactions"),
        Opt(T::NUM, "total_weight", "Total weight of all non-coinbase transactions"),
        Opt(T::NUM, "totalfee", "The fee total"),
        Opt(T::NUM, "txs", "The number of transactions (including coinbase)"),
        Opt(T::NUM, "utxo_increase",
            "The increase/decrease in the number of unspent outputs (not discounting op_return and similar)"),
        Opt(T::NUM, "utxo_size_inc",
            "The increase/decrease in size for the utxo index (not discounting op_return and similar)"),
        Opt(T::NUM, "utxo_increase_actual",
            "The increase/decrease in the number of unspent outputs, not counting unspendables"),
        Opt(T::NUM, "utxo_size_inc_actual",
            "The increase/decrease in size for the utxo index, not counting unspendables"),
    };
}

} // namespace

void RegisterChainStatsRpc(RpcTable& table, Chainstate& cs)
{
    using T = RpcResultType;
    table.Register(RpcMethod{
        .category = "blockchain",
        .name = "getdeploymentinfo",
        .args = {Arg("blockhash", RpcArgType::STR_HEX, true, "hash of current chain tip",
                     "The block hash at which to query deployment state")},
        .description = "Returns an object containing various state info regarding deployments of consensus changes.",
        .examples = "> minicash-cli getdeploymentinfo",
        .handler = [&cs](const RpcRequest& req) { return GetDeploymentInfo(cs, req); },
        .results = {Res(
            T::OBJ, "", "",
            {
                Res(T::STR, "hash", "requested block hash (or tip)"),
                Res(T::NUM, "height", "requested block height (or tip)"),
                Res(T::OBJ_DYN, "deployments", "", {Res(T::OBJ, "xxxx", "name of the deployment", DeploymentResult())}),
            })},
    });
    table.Register(RpcMethod{
        .category = "blockchain",
        .name = "getchaintxstats",
        .args = {Arg("nblocks", RpcArgType::NUM, true, "one month", "Size of the window in number of blocks"),
                 Arg("blockhash", RpcArgType::STR_HEX, true, "chain tip",
                     "The hash of the block that ends the window.")},
        .description = "Compute statistics about the total number and rate of transactions in the chain.",
        .examples = "> minicash-cli getchaintxstats",
        .handler = [&cs](const RpcRequest& req) { return GetChainTxStats(cs, req); },
        .results = {Res(T::OBJ, "", "",
                        {
                            Res(T::NUM_TIME, "time",
                                "The timestamp for the final block in the window, expressed in UNIX epoch time"),
                            Opt(T::NUM, "txcount",
                                "The total number of transactions in the chain up to that point, if known. It may "
                                "be unknown when using assumeutxo."),
                            Res(T::STR_HEX, "window_final_block_hash", "The hash of the final block in the window"),
                            Res(T::NUM, "window_final_block_height", "The height of the final block in the window."),
                            Res(T::NUM, "window_block_count", "Size of the window in number of blocks"),
                            Opt(T::NUM, "window_interval",
                                "The elapsed time in the window in seconds. Only returned if "
                                "\"window_block_count\" is > 0"),
                            Opt(T::NUM, "window_tx_count",
                                "The number of transactions in the window. Only returned if "
                                "\"window_block_count\" is > 0 and if txcount exists for the start and end "
                                "of the window."),
                            Opt(T::NUM, "txrate",
                                "The average rate of transactions per second in the window. Only returned if "
                                "\"window_interval\" is > 0 and if window_tx_count exists."),
                        })},
    });
    table.Register(RpcMethod{
        .category = "blockchain",
        .name = "getblockstats",
        .args = {Arg("hash_or_height", RpcArgType::ANY, false, "", "The block hash or height of the target block"),
                 Arg("stats", RpcArgType::ARR, true, "all values", "Values to plot (see result below)")},
        .description = "Compute per block statistics for a given window. All amounts are in satoshis.\n"
                       "It won't work for some heights with pruning.",
        .examples = "> minicash-cli getblockstats 1000 '[\"minfeerate\",\"avgfeerate\"]'",
        .handler = [&cs](const RpcRequest& req) { return GetBlockStats(cs, req); },
        .results = {Res(T::OBJ, "", "", BlockStatsResult())},
    });
    table.Register(RpcMethod{
        .category = "blockchain",
        .name = "verifychain",
        .args = {Arg("checklevel", RpcArgType::NUM, true, "3, range=0-4",
                     "How thorough the block verification is:\n"
                     "- level 0 reads the blocks from disk\n"
                     "- level 1 verifies block validity\n"
                     "- level 2 verifies undo data\n"
                     "- level 3 checks disconnection of tip blocks\n"
                     "- level 4 tries to reconnect the blocks\n"
                     "- each level includes the checks of the previous levels"),
                 Arg("nblocks", RpcArgType::NUM, true, "6, 0=all", "The number of blocks to check.")},
        .description = "Verifies blockchain database.",
        .examples = "> minicash-cli verifychain",
        .handler = [&cs](const RpcRequest& req) -> Json {
            const int level = ParamOr<int>(req.params, 0, Chainstate::DEFAULT_CHECKLEVEL);
            const int depth = ParamOr<int>(req.params, 1, Chainstate::DEFAULT_CHECKBLOCKS);
            return cs.VerifyDB(level, depth);
        },
        .results = {Res(T::BOOL, "", "Verification finished successfully. If false, check debug.log for reason.")},
    });
}

} // namespace node::rpc
