// What every wallet RPC method shares: the wallet a request is for (Core's
// GetWalletForJSONRPCRequest), and the registration of the wallet's methods.
#pragma once

#include "common/rpc/declare.h"
#include "common/rpc/server.h"
#include "common/rpc/util.h"
#include "wallet/context.h"

#include <memory>

namespace wallet::rpc {

using namespace common::rpc;

/**
 * The wallet the request's URI names (/wallet/<name>), or the only one loaded. Core's errors:
 * -18 "Requested wallet does not exist or is not loaded", -18 "No wallet is loaded. ...",
 * -19 "Multiple wallets are loaded. ..." when several are and the URI names none.
 */
std::shared_ptr<Wallet> GetWalletForRequest(const WalletContext& context, const RpcRequest& req);

/** The address of script on the wallet's network, or "" when it has none. */
std::string AddressOf(const Wallet& wallet, const consensus::Script& script);

/** Core's LabelFromValue: "*" is refused with -11 "Invalid label name". */
std::string LabelFromValue(const Json& value);

/** Registers every wallet method (the "wallet" category) into table; context must outlive its use. */
void RegisterWalletRpc(RpcTable& table, WalletContext& context);

// Per file (wallet/rpc/*.cpp).
void RegisterWalletManagementRpc(RpcTable& table, WalletContext& context);
void RegisterAddressRpc(RpcTable& table, WalletContext& context);
void RegisterCoinsRpc(RpcTable& table, WalletContext& context);
void RegisterTransactionRpc(RpcTable& table, WalletContext& context);
void RegisterSpendRpc(RpcTable& table, WalletContext& context);
void RegisterBackupRpc(RpcTable& table, WalletContext& context); // importdescriptors (backup.cpp)
void RegisterPsbtRpc(RpcTable& table, WalletContext& context);   // PSBT and signing methods (psbt.cpp)

} // namespace wallet::rpc
