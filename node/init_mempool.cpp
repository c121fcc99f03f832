// The mempool start-up step (init_mempool.h).
#include "node/init_mempool.h"

#include "common/rpc/util.h"
#include "node/chain/validation_owner.h"
#include "node/context.h"
#include "node/mempool/mempool_manager.h"
#include "node/mempool/policy.h"
#include "util/args.h"
#include "util/logging.h"

#include <chrono>
#include <algorithm>
#include <cstdio>
#include <thread>

namespace node {

namespace {

std::filesystem::path MempoolFile(const NodeContext& node) { return node.datadir_net / "mempool.dat"; }
std::filesystem::path FeeEstimatesFile(const NodeContext& node) { return node.datadir_net / "fee_estimates.dat"; }

int64_t WallClock()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool PersistMempool(const NodeContext& node) { return node.args->GetBoolArg("-persistmempool", true); }

/** A BTC/kvB amount option (Core's ParseMoney): sat/kvB, or nullopt (printed) if malformed. */
std::optional<consensus::Amount> FeeRateArg(const util::ArgsManager& args, const std::string& name,
                                            consensus::Amount default_value)
{
    const auto value = args.GetArg(name);
    if (!value) return default_value;
    int64_t sats = 0;
    if (!common::rpc::ParseFixedPoint(*value, 8, &sats) || sats < 0 || sats > consensus::MAX_MONEY.sats) {
        std::fprintf(stderr, "Error: Invalid amount for %s=<amount>: '%s'\n", name.c_str(), value->c_str());
        return std::nullopt;
    }
    return consensus::Amount{sats};
}

} // namespace

void SetupMempoolOptions(util::ArgsManager& args)
{
    using util::ArgsManager;
    using util::OptionsCategory;
    args.AddArg("-maxmempool=<n>", "Keep the transaction memory pool below <n> megabytes (default: 300)",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-mempoolexpiry=<n>", "Do not keep transactions in the mempool longer than <n> hours (default: 336)",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-persistmempool", "Whether to save the mempool on shutdown and load on restart (default: 1)",
                ArgsManager::ALLOW_ANY, OptionsCategory::OPTIONS);
    args.AddArg("-minrelaytxfee=<amt>",
                "Fees (in BTC/kvB) smaller than this are considered zero fee for relaying, mining and transaction "
                "creation (default: 0.000001)",
                ArgsManager::ALLOW_ANY, OptionsCategory::NODE_RELAY);
    args.AddArg("-incrementalrelayfee=<amt>",
                "Fee rate (in BTC/kvB) used to define cost of relay, used for mempool limiting and replacement "
                "policy. (default: 0.000001)",
                ArgsManager::ALLOW_ANY, OptionsCategory::NODE_RELAY);
    args.AddArg("-dustrelayfee=<amt>",
                "Fee rate (in BTC/kvB) used to define dust, the value of an output such that it will cost more "
                "than its value in fees at this fee rate to spend it. (default: 0.00003)",
                ArgsManager::ALLOW_ANY, OptionsCategory::NODE_RELAY);
    args.AddArg("-datacarrier", "Relay and mine data carrier transactions (default: 1)", ArgsManager::ALLOW_ANY,
                OptionsCategory::NODE_RELAY);
    args.AddArg("-datacarriersize",
                "Relay and mine transactions whose data-carrying raw scriptPubKeys in aggregate are of this size or "
                "less, allowing multiple outputs (default: 100000)",
                ArgsManager::ALLOW_ANY, OptionsCategory::NODE_RELAY);
    args.AddArg("-permitbaremultisig", "Relay transactions creating non-P2SH multisig outputs (default: 1)",
                ArgsManager::ALLOW_ANY, OptionsCategory::NODE_RELAY);
    args.AddArg("-bytespersigop", "Equivalent bytes per sigop in transactions for relay and mining (default: 20)",
                ArgsManager::ALLOW_ANY, OptionsCategory::NODE_RELAY);
    args.AddArg("-acceptnonstdtxn", "Relay and mine \"non-standard\" transactions (test networks only; default: 0)",
                ArgsManager::ALLOW_ANY, OptionsCategory::DEBUG_TEST);
    args.AddArg("-acceptstalefeeestimates",
                "Read fee estimates even if they are stale (default: 0) fee estimates are considered stale if they "
                "are 60 hours old (regtest only)",
                ArgsManager::ALLOW_ANY, OptionsCategory::DEBUG_TEST);
    args.AddArg("-limitancestorcount=<n>",
                "Do not accept transactions if number of in-mempool ancestors is <n> or more (default: 25)",
                ArgsManager::ALLOW_ANY, OptionsCategory::DEBUG_TEST);
    args.AddArg("-limitancestorsize=<n>",
                "Do not accept transactions whose size with all in-mempool ancestors exceeds <n> kilobytes "
                "(default: 101)",
                ArgsManager::ALLOW_ANY, OptionsCategory::DEBUG_TEST);
    args.AddArg("-limitdescendantcount=<n>",
                "Do not accept transactions if any ancestor would have <n> or more in-mempool descendants "
                "(default: 25)",
                ArgsManager::ALLOW_ANY, OptionsCategory::DEBUG_TEST);
    args.AddArg("-limitdescendantsize=<n>",
                "Do not accept transactions if any ancestor would have more than <n> kilobytes of in-mempool "
                "descendants (default: 101).",
                ArgsManager::ALLOW_ANY, OptionsCategory::DEBUG_TEST);
}

bool InitMempool(NodeContext& node)
{
    const util::ArgsManager& args = *node.args;
    mempool::TxMemPool::Options pool;
    mempool::AcceptOptions accept;
    pool.limits.ancestor_count = args.GetIntArg("-limitancestorcount", pool.limits.ancestor_count);
    pool.limits.ancestor_size_vbytes = args.GetIntArg("-limitancestorsize", 101) * 1000;
    pool.limits.descendant_count = args.GetIntArg("-limitdescendantcount", pool.limits.descendant_count);
    pool.limits.descendant_size_vbytes = args.GetIntArg("-limitdescendantsize", 101) * 1000;
    pool.max_size_bytes = args.GetIntArg("-maxmempool", 300) * 1'000'000;
    pool.expiry_seconds = args.GetIntArg("-mempoolexpiry", 336) * 60 * 60;
    // As Core: the pool must hold at least 40 packages of the largest allowed size.
    const int64_t min_bytes = pool.limits.descendant_size_vbytes * 40;
    if (pool.max_size_bytes < 0 || pool.max_size_bytes < min_bytes) {
        const std::string msg =
            "-maxmempool must be at least " + std::to_string((min_bytes + 999'999) / 1'000'000) + " MB";
        std::fprintf(stderr, "Error: %s\n", msg.c_str());
        util::LogPrintf("Error: %s", msg.c_str());
        return false;
    }
    auto min_relay = FeeRateArg(args, "-minrelaytxfee", pool.min_relay_feerate);
    auto incremental = FeeRateArg(args, "-incrementalrelayfee", pool.incremental_relay_feerate);
    auto dust = FeeRateArg(args, "-dustrelayfee", accept.policy.dust_relay_feerate);
    if (!min_relay || !incremental || !dust) return false;
    pool.min_relay_feerate = *min_relay;
    pool.incremental_relay_feerate = *incremental;
    accept.policy.dust_relay_feerate = *dust;
    accept.policy.datacarrier = args.GetBoolArg("-datacarrier", accept.policy.datacarrier);
    accept.policy.max_datacarrier_bytes = static_cast<int64_t>(
        args.GetIntArg("-datacarriersize", static_cast<int64_t>(accept.policy.max_datacarrier_bytes)));
    accept.policy.permit_bare_multisig = args.GetBoolArg("-permitbaremultisig", accept.policy.permit_bare_multisig);
    accept.policy.bytes_per_sigop = args.GetIntArg("-bytespersigop", accept.policy.bytes_per_sigop);
    const bool accept_nonstd = args.GetBoolArg("-acceptnonstdtxn", false);
    if (accept_nonstd && node.chain == consensus::ChainType::MAIN) {
        std::fprintf(stderr, "Error: acceptnonstdtxn is not currently supported for main chain\n");
        return false;
    }
    accept.require_standard = !accept_nonstd;
    node.mempool = std::make_unique<mempool::MempoolManager>(*node.chainstate, node.validation_owner.get(),
                                                             std::move(pool), std::move(accept));
    // Relayed transactions' scripts are checked on -par workers before the owner sees them.
    int par = static_cast<int>(args.GetIntArg("-par", 0));
    if (par <= 0) par = static_cast<int>(std::thread::hardware_concurrency());
    node.mempool->EnablePreverify(std::clamp(par, 1, 64));
    // fee_estimates.dat (Core reads it at start-up; a stale one only with -acceptstalefeeestimates on regtest).
    const bool accept_stale =
        args.GetBoolArg("-acceptstalefeeestimates", false) && node.chain == consensus::ChainType::REGTEST;
    std::error_code ec;
    if (std::filesystem::exists(FeeEstimatesFile(node), ec)) {
        std::string error;
        if (!node.mempool->Fees().Read(FeeEstimatesFile(node), WallClock(), accept_stale, error)) {
            util::LogPrintf("Fee estimates not loaded: %s", error.c_str());
        }
    }
    // Core's FEE_FLUSH_INTERVAL: the estimates reach the disk every hour, so a crash loses
    // at most an hour of them (and mockscheduler on regtest can make it run now).
    node.scheduler->ScheduleEvery([&node] { FlushFeeEstimates(node); }, std::chrono::hours(1));
    return true;
}

void FlushFeeEstimates(NodeContext& node)
{
    std::string error;
    if (!node.mempool->Fees().Write(FeeEstimatesFile(node), WallClock(), error)) {
        util::LogPrintf("Failed to write fee estimates: %s", error.c_str());
        return;
    }
    util::LogPrintf("Flushed fee estimates to %s.", FeeEstimatesFile(node).filename().string().c_str());
}

void LoadMempoolOnOwner(NodeContext& node)
{
    if (!node.mempool) return;
    if (PersistMempool(node)) {
        std::string error;
        if (!node.mempool->Load(MempoolFile(node), error)) {
            util::LogPrintf("Failed to load mempool from %s: %s", MempoolFile(node).string().c_str(), error.c_str());
        }
    }
    node.mempool->SetLoaded();
    node.mempool_load_tried = true;
}

void StopMempool(NodeContext& node)
{
    if (node.scheduler) node.scheduler->Stop(); // its hourly flush uses the mempool
    if (!node.mempool) return;
    if (node.mempool_load_tried.load() && PersistMempool(node)) {
        std::string error;
        if (!node.mempool->Dump(MempoolFile(node), error)) util::LogPrintf("Failed to dump mempool: %s", error.c_str());
    }
    FlushFeeEstimates(node);
    node.mempool.reset();
}

} // namespace node
