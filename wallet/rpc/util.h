// What every wallet RPC method shares: the wallet a request is for (Core's
// GetWalletForJSONRPCRequest), and the registration of the wallet's methods.
#pragma once

#include "common/rpc/declare.h"
#include "common/rpc/server.h"
#include "common/psbt.h"
#include "common/rpc/util.h"
#include "wallet/context.h"
#include "wallet/spend.h"

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

/**
 * The load_on_startup parameter at index of createwallet, loadwallet, unloadwallet and
 * restorewallet: true adds name to settings.json's start-up list, false removes it, null
 * leaves it; a failure to write is Core's warning in result["warnings"].
 */
void ApplyLoadOnStartup(WalletContext& context, const Json& params, size_t index, const std::string& name,
                        Json& result);

/**
 * For every method that needs private keys: Core's -13 "Error: Please enter the wallet
 * passphrase with walletpassphrase first." when wallet is encrypted and locked.
 */
void EnsureWalletIsUnlocked(const Wallet& wallet);

/**
 * Core's CommitTransaction for an RPC (rpc/spend.cpp): records tx in the wallet and broadcasts
 * it. A refused broadcast is logged and the call goes on (the wallet keeps the transaction and
 * offers it again, as Core); a failed write throws Core's -1 "Wallet db error": the transaction
 * was neither recorded nor sent.
 */
void CommitOrThrow(Wallet& wallet, const consensus::TransactionRef& tx, std::map<std::string, std::string> meta);

/** true when params has a non-null value at i. */
bool Given(const Json& params, size_t i);
/**
 * Core's SetFeeEstimateMode: params[conf_i] (conf_target), params[mode_i] (estimate_mode) and
 * params[rate_i] (fee_rate, sat/vB) into control, with Core's -8 errors.
 */
void SetFeeOptions(CoinControl& control, const Json& params, size_t conf_i, size_t mode_i, size_t rate_i);
/** The script of address on the wallet's network; -5 "Invalid Bitcoin address: ..." otherwise. */
consensus::Script AddressParam(const Wallet& w, const std::string& address);
/**
 * A PSBT of tx with what the wallet knows of each input (the spent transaction and output) and
 * output (scripts, key origins), signed with the wallet's keys when sign; complete when every
 * input is final (FillPsbt with default options).
 */
common::Psbt WalletPsbt(const Wallet& w, const consensus::MutableTransaction& tx, bool sign, bool& complete);
/**
 * Core's GetAvoidReuseFlag: params[i] (avoid_reuse), by default the wallet's avoid_reuse flag;
 * true for a wallet without the flag is Core's -4 "wallet does not have the "avoid reuse"
 * feature enabled".
 */
bool AvoidReuseParam(const Wallet& w, const Json& params, size_t i);
/** Core's AppendLastProcessedBlock: {hash, height} of the block the wallet had processed. */
Json LastProcessedBlockJson(const SyncPoint& last);
/** The declared "lastprocessedblock" member. */
RpcResult LastProcessedBlockDoc();

/**
 * Core's FundTransaction for the inputs a caller gives (wallet/rpc/fund_inputs.cpp): each is
 * preset with its sequence and any scripts it carries; one that is not the wallet's is external,
 * its output found in the UTXO set or the mempool, else Core's -4 "Unable to find UTXO for
 * external input".
 */
void SelectGivenInputs(const Wallet& w, const std::vector<consensus::TxIn>& inputs, CoinControl& control);
/**
 * The options solving_data (pubkeys, scripts, descriptors with checksums) and input_weights into
 * control, with Core's checks and errors (-5 for keys and scripts, -8 otherwise).
 */
void ReadExternalInputOptions(const Wallet& w, const Json& options, CoinControl& control);
/**
 * Core's SetOptionsInputWeights (send, walletcreatefundedpsbt): each given input's "weight" into
 * options["input_weights"]; -8 "Input weights should be specified in inputs rather than in
 * options." when options has that key already.
 */
void SetOptionsInputWeights(const Json& inputs, Json& options);
/** The help of the input_weights and solving_data options. */
RpcArg InputWeightsArg();
RpcArg SolvingDataArg();

/** The help of the fee arguments the sending methods share. */
RpcArg FeeRateArg();
RpcArg ConfTargetArg();
RpcArg EstimateModeArg();

/** Registers every wallet method (the "wallet" category) into table; context must outlive its use. */
void RegisterWalletRpc(RpcTable& table, WalletContext& context);

// Per file (wallet/rpc/*.cpp).
void RegisterWalletManagementRpc(RpcTable& table, WalletContext& context);
void RegisterAddressRpc(RpcTable& table, WalletContext& context);
void RegisterCoinsRpc(RpcTable& table, WalletContext& context);
void RegisterTransactionRpc(RpcTable& table, WalletContext& context);
void RegisterSpendRpc(RpcTable& table, WalletContext& context);
void RegisterSignMessageRpc(RpcTable& table, WalletContext& context);
void RegisterReceivedRpc(RpcTable& table, WalletContext& context);
void RegisterRestoreRpc(RpcTable& table, WalletContext& context);
void RegisterEncryptRpc(RpcTable& table, WalletContext& context);
/** bumpfee, psbtbumpfee (wallet/rpc/bump.cpp). */
void RegisterBumpRpc(RpcTable& table, WalletContext& context);
/** send, sendall (wallet/rpc/send.cpp). */
void RegisterSendRpc(RpcTable& table, WalletContext& context);
void RegisterBackupRpc(RpcTable& table, WalletContext& context); // importdescriptors (backup.cpp)
void RegisterPsbtRpc(RpcTable& table, WalletContext& context);   // PSBT and signing methods (psbt.cpp)

} // namespace wallet::rpc
