#include "node/init_wallet.h"

#include "common/rpc/protocol.h"
#include "common/rpc/util.h"
#include "node/context.h"
#include "node/interfaces/chain.h"
#include "node/mempool/mempool_manager.h"
#include "node/p2p/peer_manager.h"
#include "util/args.h"
#include "util/fs_util.h"
#include "util/logging.h"
#include "wallet/context.h"
#include "wallet/rpc/util.h"

#include <algorithm>
#include <cstdio>

namespace node {

void SetupWalletOptions(util::ArgsManager& args)
{
    using util::ArgsManager;
    using util::OptionsCategory;
    args.AddArg("-disablewallet", "Do not load the wallet and disable wallet RPC calls", ArgsManager::ALLOW_ANY,
                OptionsCategory::WALLET);
    args.AddArg("-wallet=<path>",
                "Specify wallet path to load at startup. Can be used multiple times to load multiple wallets. Path is "
                "to a directory containing wallet data and log files. If the path is not absolute, it is interpreted "
                "relative to <walletdir>. This only loads existing wallets and does not create new ones. For backwards "
                "compatibility this also accepts names of existing top-level data files in <walletdir>.",
                ArgsManager::ALLOW_ANY, OptionsCategory::WALLET);
    args.AddArg("-walletdir=<dir>",
                "Specify directory to hold wallets (default: <datadir>/wallets if it exists, otherwise <datadir>)",
                ArgsManager::ALLOW_ANY, OptionsCategory::WALLET);
    args.AddArg("-fallbackfee=<amt>",
                "A fee rate (in BTC/kvB) that will be used when fee estimation has insufficient data. 0 to entirely "
                "disable the fallbackfee feature. (default: 0.00)",
                ArgsManager::ALLOW_ANY, OptionsCategory::WALLET);
    args.AddArg("-mintxfee=<amt>",
                "Fee rates (in BTC/kvB) smaller than this are considered zero fee for transaction creation "
                "(default: 0.000001)",
                ArgsManager::ALLOW_ANY, OptionsCategory::WALLET);
    args.AddArg("-maxtxfee=<amt>",
                "Maximum total fees (in BTC) to use in a single wallet transaction; setting this too low may abort "
                "large transactions (default: 0.10)",
                ArgsManager::ALLOW_ANY, OptionsCategory::WALLET);
    args.AddArg("-discardfee=<amt>",
                "The fee rate (in BTC/kvB) that indicates your tolerance for discarding change by adding it to the "
                "fee (default: 0.0001).",
                ArgsManager::ALLOW_ANY, OptionsCategory::WALLET);
    args.AddArg("-consolidatefeerate=<amt>",
                "The maximum feerate (in BTC/kvB) at which transaction building may use more inputs than strictly "
                "necessary so that the wallet's UTXO pool can be reduced (default: 0.0001).",
                ArgsManager::ALLOW_ANY, OptionsCategory::WALLET);
    args.AddArg("-txconfirmtarget=<n>",
                "If paytxfee is not set, include enough fee so transactions begin confirmation on average within n "
                "blocks (default: 6)",
                ArgsManager::ALLOW_ANY, OptionsCategory::WALLET);
    args.AddArg("-spendzeroconfchange", "Spend unconfirmed change when sending transactions (default: 1)",
                ArgsManager::ALLOW_ANY, OptionsCategory::WALLET);
    args.AddArg("-keypool=<n>",
                "Set key pool size to <n> (default: 1000). Warning: Smaller sizes may increase the "
                "risk of losing funds when restoring from an old backup, if none of the addresses in "
                "the original keypool have been used.",
                ArgsManager::ALLOW_ANY, OptionsCategory::WALLET);
}

bool InitWallet(NodeContext& node, std::function<void()> request_shutdown)
{
    const util::ArgsManager& args = *node.args;
    if (args.GetBoolArg("-disablewallet", false)) {
        util::LogPrintf("Wallet disabled!");
        return true;
    }
    auto fail = [](const std::string& msg) {
        std::fprintf(stderr, "Error: %s\n", msg.c_str());
        util::LogPrintf("Error: %s", msg.c_str());
        return false;
    };
    std::filesystem::path dir = node.datadir_net / "wallets";
    if (args.IsArgSet("-walletdir")) {
        dir = std::filesystem::absolute(args.GetArg("-walletdir", ""));
        std::error_code ec;
        if (!std::filesystem::exists(dir, ec))
            return fail("Specified -walletdir \"" + dir.string() + "\" does not exist");
        if (!std::filesystem::is_directory(dir, ec)) {
            return fail("Specified -walletdir \"" + dir.string() + "\" is not a directory");
        }
    } else {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) return fail("Cannot create wallet directory \"" + dir.string() + "\": " + ec.message());
    }
    const int64_t keypool = args.GetIntArg("-keypool", wallet::DEFAULT_KEYPOOL_SIZE);
    if (keypool < 1 || keypool > 1'000'000) return fail("Invalid -keypool value (must be between 1 and 1000000)");
    node.wallet_chain =
        interfaces::MakeChain(*node.chainstate, node.mempool.get(), [&node](const consensus::TransactionRef& tx) {
            if (node.peerman) node.peerman->RelayTransaction(tx);
        });
    wallet::WalletEnv env;
    // Fee options: BTC amounts (per kvB for rates), Core's names and messages.
    auto amount = [&](const char* name, consensus::Amount fallback) -> std::optional<consensus::Amount> {
        if (!args.IsArgSet(name)) return fallback;
        const std::string v = args.GetArg(name, "");
        int64_t sats = 0;
        if (!common::rpc::ParseFixedPoint(v, 8, &sats) || sats < 0 || sats > consensus::MAX_MONEY.sats) {
            std::fprintf(stderr, "Error: Invalid amount for %s=<amount>: '%s'\n", name, v.c_str());
            return std::nullopt;
        }
        return consensus::Amount{sats};
    };
    const auto fallback = amount("-fallbackfee", env.fees.fallback_fee.SatsPerKvB());
    const auto mintx = amount("-mintxfee", env.fees.min_tx_fee.SatsPerKvB());
    const auto maxtx = amount("-maxtxfee", env.fees.max_tx_fee);
    const auto discard = amount("-discardfee", env.fees.discard_fee.SatsPerKvB());
    const auto consolidate = amount("-consolidatefeerate", env.fees.consolidate_fee.SatsPerKvB());
    if (!fallback || !mintx || !maxtx || !discard || !consolidate) return false;
    env.fees.fallback_fee = common::FeeRate(*fallback);
    env.fees.min_tx_fee = common::FeeRate(*mintx);
    env.fees.max_tx_fee = *maxtx;
    env.fees.discard_fee = common::FeeRate(*discard);
    env.fees.consolidate_fee = common::FeeRate(*consolidate);
    env.fees.confirm_target = static_cast<int>(std::clamp<int64_t>(args.GetIntArg("-txconfirmtarget", 6), 1, 1008));
    env.fees.spend_zero_conf_change = args.GetBoolArg("-spendzeroconfchange", true);
    env.chain = node.wallet_chain.get();
    env.keypool = static_cast<int32_t>(keypool);
    env.fatal_error = [&node, request_shutdown](const std::string&) {
        node.wallet_fatal = true;
        request_shutdown();
    };
    // Core's settings.json: the wallets createwallet/loadwallet/restorewallet asked to load on start-up.
    node.wallets = std::make_unique<wallet::WalletContext>(std::move(env), dir, node.datadir_net / "settings.json");
    util::LogPrintf("Using wallet directory %s", dir.string().c_str());
    const auto given = args.GetArgs("-wallet");
    for (const std::string& name : given) {
        int code = 0;
        std::string error;
        if (!node.wallets->Load(name, code, error)) return fail(error);
    }
    for (const std::string& name : node.wallets->StartupWallets()) {
        if (std::find(given.begin(), given.end(), name) != given.end()) continue;
        int code = 0;
        std::string error;
        // As Core: a wallet of the start-up list that cannot be loaded is a warning, not a failure.
        if (!node.wallets->Load(name, code, error)) {
            util::LogPrintf("Warning: wallet \"%s\" of settings.json not loaded: %s", name.c_str(), error.c_str());
        }
    }
    return true;
}

void RegisterWalletMethods(NodeContext& node)
{
    if (node.wallets) wallet::rpc::RegisterWalletRpc(*node.rpc_table, *node.wallets);
}

void StopWallet(NodeContext& node)
{
    if (node.wallets) node.wallets->UnloadAll();
    node.wallets.reset();
    node.wallet_chain.reset();
}

} // namespace node
