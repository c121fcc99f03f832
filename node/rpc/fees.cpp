// estimatesmartfee and estimaterawfee (Core's rpc/fees.cpp) over the node's fee estimator.
#include "common/rpc/util.h"
#include "node/mempool/fees.h"
#include "node/mempool/mempool_manager.h"
#include "node/rpc/mempool_rpc.h"
#include "node/rpc/register.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace node::rpc {

namespace {

using mempool::FeeEstimator;
using mempool::FeeHorizon;
using mempool::MempoolManager;
using T = RpcResultType;

RpcArg Arg(std::string name, RpcArgType type, bool optional, std::string default_text, std::string description)
{
    return RpcArg{std::move(name), type, optional, std::move(default_text), std::move(description)};
}

RpcResult Res(T type, std::string key, std::string description, bool optional = false)
{
    return RpcResult{.type = type, .key = std::move(key), .description = std::move(description), .optional = optional};
}

/** Core's ParseConfirmTarget. */
unsigned ConfirmTarget(const Json& value, unsigned max_target)
{
    const int64_t target = GetInt(value);
    if (target < 1 || static_cast<uint64_t>(target) > max_target) {
        throw RpcError(RPC_INVALID_PARAMETER,
                       "Invalid conf_target, must be between 1 and " + std::to_string(max_target));
    }
    return static_cast<unsigned>(target);
}

Json EstimateSmartFee(MempoolManager& mm, const RpcRequest& req)
{
    // Every event up to now is in the estimator: it is fed by the validation owner's own calls.
    const FeeEstimator& fees = mm.Fees();
    const unsigned target = ConfirmTarget(req.params[0], fees.HighestTargetTracked(FeeHorizon::LONG));
    bool conservative = false;
    if (req.params.size() > 1 && !req.params[1].is_null()) {
        std::string mode = GetStr(req.params[1]);
        std::transform(mode.begin(), mode.end(), mode.begin(), [](unsigned char c) { return std::tolower(c); });
        if (mode != "unset" && mode != "economical" && mode != "conservative") {
            throw RpcError(
                RPC_INVALID_PARAMETER,
                "Invalid estimate_mode parameter, must be one of: \"unset\", \"economical\", \"conservative\"");
        }
        conservative = mode == "conservative";
    }
    const mempool::SmartFeeEstimate est = fees.EstimateSmartFee(static_cast<int>(target), conservative);
    Json result = Json::object();
    if (est.feerate && *est.feerate > 0) {
        // Never below what the pool would take now (Core).
        mempool::TxMemPool& pool = mm.Pool();
        const int64_t rate = std::max({*est.feerate, pool.GetMinFee().sats, pool.GetOptions().min_relay_feerate.sats});
        result["feerate"] = ValueFromAmount(consensus::Amount{rate});
    } else {
        result["errors"] = Json::array({"Insufficient data or no feerate found"});
    }
    result["blocks"] = est.returned_target;
    return result;
}

Json BucketJson(const mempool::FeeBucketRange& b)
{
    auto r2 = [](double v) { return std::round(v * 100.0) / 100.0; };
    Json o = Json::object();
    o["startrange"] = std::round(b.start);
    o["endrange"] = std::round(b.end);
    o["withintarget"] = r2(b.within_target);
    o["totalconfirmed"] = r2(b.total_confirmed);
    o["inmempool"] = r2(b.in_mempool);
    o["leftmempool"] = r2(b.left_mempool);
    return o;
}

Json EstimateRawFee(MempoolManager& mm, const RpcRequest& req)
{
    const FeeEstimator& fees = mm.Fees();
    const unsigned target = ConfirmTarget(req.params[0], fees.HighestTargetTracked(FeeHorizon::LONG));
    double threshold = 0.95;
    if (req.params.size() > 1 && !req.params[1].is_null()) threshold = GetReal(req.params[1]);
    if (threshold < 0 || threshold > 1) throw RpcError(RPC_INVALID_PARAMETER, "Invalid threshold");
    Json result = Json::object();
    for (const FeeHorizon h : {FeeHorizon::SHORT, FeeHorizon::MEDIUM, FeeHorizon::LONG}) {
        if (target > fees.HighestTargetTracked(h)) continue; // only horizons that track the target
        const mempool::FeeEstimation e = fees.EstimateRawFee(static_cast<int>(target), threshold, h);
        Json o = Json::object();
        if (e.feerate && *e.feerate > 0) {
            o["feerate"] = ValueFromAmount(consensus::Amount{*e.feerate});
            o["decay"] = e.decay;
            o["scale"] = e.scale;
            o["pass"] = BucketJson(e.pass);
            if (e.fail.start != -1) o["fail"] = BucketJson(e.fail);
        } else {
            o["decay"] = e.decay;
            o["scale"] = e.scale;
            o["fail"] = BucketJson(e.fail);
            o["errors"] = Json::array({"Insufficient data or no feerate found which meets threshold"});
        }
        result[mempool::FeeHorizonName(h)] = o;
    }
    return result;
}

std::vector<RpcResult> BucketDoc()
{
    return {Res(T::NUM, "startrange", "start of feerate range"),
            Res(T::NUM, "endrange", "end of feerate range"),
            Res(T::NUM, "withintarget",
                "number of txs over history horizon in the feerate range that were confirmed within target"),
            Res(T::NUM, "totalconfirmed",
                "number of txs over history horizon in the feerate range that were confirmed at any point"),
            Res(T::NUM, "inmempool",
                "current number of txs in mempool in the feerate range unconfirmed for at least target blocks"),
            Res(T::NUM, "leftmempool",
                "number of txs over history horizon in the feerate range that left mempool unconfirmed after target")};
}

} // namespace

void RegisterFeeRpc(RpcTable& table, MempoolManager& mm)
{
    table.Register(RpcMethod{
        .category = "util",
        .name = "estimatesmartfee",
        .args =
            {Arg("conf_target", RpcArgType::NUM, false, "", "Confirmation target in blocks (1 - 1008)"),
             Arg("estimate_mode", RpcArgType::STR, true, "economical",
                 "The fee estimate mode.\nWhether to return a more conservative estimate which also satisfies\n"
                 "a longer history. A conservative estimate potentially returns a\nhigher feerate and is more "
                 "likely to be sufficient for the desired\ntarget, but is not as responsive to short term drops "
                 "in the\nprevailing fee market. Must be one of (case insensitive):\n\"unset\"\n\"economical\"\n\"conservative\"")},
        .description = "Estimates the approximate fee per kilobyte needed for a transaction to begin\n"
                       "confirmation within conf_target blocks if possible and return the number of blocks\n"
                       "for which the estimate is valid. Uses virtual transaction size as defined\n"
                       "in BIP 141 (witness data is discounted).",
        .examples = HelpExampleCli("estimatesmartfee", "6") + HelpExampleRpc("estimatesmartfee", "6"),
        .handler = [&mm](const RpcRequest& req) { return EstimateSmartFee(mm, req); },
        .results = {RpcResult{
            .type = T::OBJ,
            .inner = {
                Res(T::NUM, "feerate", "estimate fee rate in BTC/kvB (only present if no errors were encountered)",
                    true),
                RpcResult{.type = T::ARR,
                          .key = "errors",
                          .description = "Errors encountered during processing (if there are any)",
                          .inner = {Res(T::STR, "", "error")},
                          .optional = true},
                Res(T::NUM, "blocks",
                    "block number where estimate was found\nThe request target will be clamped between 2 and the highest target\nfee estimation is able to return based on how long it has been running.\nAn error is returned if not enough transactions and blocks\nhave been observed to make an estimate for any number of blocks.")}}}});
    std::vector<RpcResult> horizon = {
        Res(T::NUM, "feerate", "estimate fee rate in BTC/kvB", true),
        Res(T::NUM, "decay", "exponential decay (per block) for historical moving average of confirmation data"),
        Res(T::NUM, "scale", "The resolution of confirmation targets at this time horizon"),
        RpcResult{.type = T::OBJ,
                  .key = "pass",
                  .description = "information about the lowest range of feerates to succeed in meeting the threshold",
                  .inner = BucketDoc(),
                  .optional = true},
        RpcResult{.type = T::OBJ,
                  .key = "fail",
                  .description = "information about the highest range of feerates to fail to meet the threshold",
                  .inner = BucketDoc(),
                  .optional = true},
        RpcResult{.type = T::ARR,
                  .key = "errors",
                  .description = "Errors encountered during processing (if there are any)",
                  .inner = {Res(T::STR, "error", "")},
                  .optional = true}};
    table.Register(RpcMethod{
        .category = "hidden",
        .name = "estimaterawfee",
        .args =
            {Arg("conf_target", RpcArgType::NUM, false, "", "Confirmation target in blocks (1 - 1008)"),
             Arg("threshold", RpcArgType::NUM, true, "0.95",
                 "The proportion of transactions in a given feerate range that must have been\n"
                 "confirmed within conf_target in order to consider those feerates as high enough and proceed to check\n"
                 "lower buckets.")},
        .description = "WARNING: This interface is unstable and may disappear or change!\n\n"
                       "WARNING: This is an advanced API call that is tightly coupled to the specific\n"
                       "implementation of fee estimation. The parameters it can be called with\n"
                       "and the results it returns will change if the internal implementation changes.\n\n"
                       "Estimates the approximate fee per kilobyte needed for a transaction to begin\n"
                       "confirmation within conf_target blocks if possible. Uses virtual transaction size as\n"
                       "defined in BIP 141 (witness data is discounted).",
        .examples = HelpExampleCli("estimaterawfee", "6 0.9"),
        .handler = [&mm](const RpcRequest& req) { return EstimateRawFee(mm, req); },
        .results = {RpcResult{
            .type = T::OBJ,
            .description = "Results are returned for any horizon which tracks blocks up to the confirmation target",
            .inner = {RpcResult{.type = T::OBJ,
                                .key = "short",
                                .description = "estimate for short time horizon",
                                .inner = horizon,
                                .optional = true},
                      RpcResult{.type = T::OBJ,
                                .key = "medium",
                                .description = "estimate for medium time horizon",
                                .inner = horizon,
                                .optional = true},
                      RpcResult{.type = T::OBJ,
                                .key = "long",
                                .description = "estimate for long time horizon",
                                .inner = horizon,
                                .optional = true}}}}});
}

} // namespace node::rpc
