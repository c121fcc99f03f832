// Replacing a wallet transaction with one paying a higher fee (Core's wallet/feebumper.cpp):
// the checks that it may be replaced, the new fee rate, the replacement built by coin selection
// over the original's inputs and recipients, and the bookkeeping of the replacement.
//
// Full RBF (Core 30): any unconfirmed wallet transaction may be bumped, signalled or not; the
// replacement spends every input of the original (so two bumps always conflict) and adds only
// confirmed coins (BIP-125 rule 2), and pays at least the original fee plus the incremental
// relay fee for its size (BIP-125 rules 3 and 4).
//
// Thread contract: call from RPC threads while holding the wallet's SendMutex() from the
// creation to the commit; never from a chain notification.
#pragma once

#include "common/feerate.h"
#include "consensus/amount.h"
#include "consensus/primitives/transaction.h"
#include "wallet/spend.h"

#include <optional>
#include <string>
#include <vector>

namespace wallet {
class Wallet;
struct WalletTx;
} // namespace wallet

namespace wallet::feebumper {

/** Core's feebumper::Result; RpcCode maps it to the RPC error code Core's bumpfee throws. */
enum class Result { OK, INVALID_ADDRESS_OR_KEY, INVALID_REQUEST, INVALID_PARAMETER, WALLET_ERROR, MISC_ERROR };
int RpcCode(Result result);

/** Core's WALLET_INCREMENTAL_RELAY_FEE (sat/kvB): the wallet bumps by at least this rate. */
inline constexpr consensus::Amount WALLET_INCREMENTAL_RELAY_FEE{5000};

/**
 * Core's PreconditionChecks: wtx has no spender in the wallet (-8), is unconfirmed and not
 * conflicted by a block (-4), was not bumped already (-4), and with require_mine spends only
 * the wallet's coins (-4). Errors are appended to errors.
 */
Result PreconditionChecks(const Wallet& wallet, const WalletTx& wtx, bool require_mine,
                          std::vector<std::string>& errors);

/**
 * Core's CheckFeeRate, for a fee rate the user gave: at least the mempool's minimum (-4); the
 * new fee, the rate for max_vsize vbytes plus what raising the unconfirmed ancestors of inputs
 * (the original's) to the rate costs, at least old_fee plus the incremental relay fee (-8), at
 * least the required fee (-8), at most -maxtxfee (-4).
 */
Result CheckFeeRate(const Wallet& wallet, const std::vector<consensus::OutPoint>& inputs, common::FeeRate rate,
                    int64_t max_vsize, consensus::Amount old_fee, std::vector<std::string>& errors);

/**
 * Core's EstimateFeeRate, when the user gave none: the original's rate plus 1 sat/kvB plus the
 * larger of the node's incremental relay fee and WALLET_INCREMENTAL_RELAY_FEE, raised to the
 * wallet's GetMinimumFeeRate for control (estimate for conf_target, settxfee, fallback).
 */
common::FeeRate EstimateFeeRate(const Wallet& wallet, const consensus::Transaction& original, consensus::Amount old_fee,
                                const CoinControl& control);

/** What a bump made: the replacement (signed unless control.sign is false) and both fees. */
struct Bump {
    consensus::MutableTransaction tx;
    consensus::Amount old_fee{0};
    consensus::Amount new_fee{0};
};

/**
 * Core's CreateRateBumpTransaction: the replacement of txid. outputs (if not empty) replace the
 * original's outputs; original_change_index names the change output (else the wallet's change
 * scripts are change). control carries fee_rate / conf_target / estimate_mode / replaceable /
 * sign. nullopt with errors and *result set on failure.
 */
std::optional<Bump> CreateRateBumpTransaction(Wallet& wallet, const consensus::Uint256& txid,
                                              const CoinControl& control, bool require_mine,
                                              const std::vector<consensus::TxOut>& outputs,
                                              std::optional<uint32_t> original_change_index,
                                              std::vector<std::string>& errors, Result& result);

/**
 * Core's feebumper::CommitTransaction: re-checks txid (not mined or spent meanwhile), records the
 * replacement with the original's meta data plus "replaces_txid", broadcasts it, and marks the
 * original "replaced_by_txid". A broadcast refusal is returned in broadcast_error (the wallet
 * keeps the transaction, as Core does).
 */
Result CommitBump(Wallet& wallet, const consensus::Uint256& txid, const consensus::TransactionRef& replacement,
                  std::vector<std::string>& errors, std::optional<std::string>& broadcast_error);

} // namespace wallet::feebumper
