// Standardness: which transactions this node relays and mines beyond what consensus allows
// (Core v30's policy/policy.{h,cpp}, policy/truc_policy.h constants). Pure functions.
#pragma once

#include "common/sign.h"
#include "consensus/amount.h"
#include "consensus/limits.h"
#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"
#include "node/mempool/feerate.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace node::mempool {

/** Core's DEFAULT_MIN_RELAY_TX_FEE and DEFAULT_INCREMENTAL_RELAY_FEE (v29.1 and later), sat/kvB. */
inline constexpr consensus::Amount DEFAULT_MIN_RELAY_TX_FEE{100};
inline constexpr consensus::Amount DEFAULT_INCREMENTAL_RELAY_FEE{100};
/** Core's DUST_RELAY_TX_FEE, sat/kvB. */
inline constexpr consensus::Amount DUST_RELAY_TX_FEE{3000};
/** Core's MAX_STANDARD_TX_WEIGHT. */
inline constexpr int64_t MAX_STANDARD_TX_WEIGHT = 400'000;
/** Core's MIN_STANDARD_TX_NONWITNESS_SIZE: smaller could pose as a 64-byte merkle node. */
inline constexpr size_t MIN_STANDARD_TX_NONWITNESS_SIZE = 65;
/** Core's MAX_P2SH_SIGOPS: sigops in one P2SH redeem script. */
inline constexpr unsigned MAX_P2SH_SIGOPS = 15;
/**
 * Core v30's MAX_TX_LEGACY_SIGOPS: the legacy (non-witness) sigops one transaction may execute
 * (BIP-54's per-transaction limit, a policy rule until BIP-54 activates).
 */
inline constexpr unsigned MAX_TX_LEGACY_SIGOPS = 2500;
/** Core's MAX_STANDARD_TX_SIGOPS_COST: a fifth of the block's. */
inline constexpr int64_t MAX_STANDARD_TX_SIGOPS_COST = consensus::MAX_BLOCK_SIGOPS_COST / 5;
/** Core's DEFAULT_BYTES_PER_SIGOP (-bytespersigop). */
inline constexpr int64_t DEFAULT_BYTES_PER_SIGOP = 20;
/** Core's witness stack limits (P2WSH and tapscript). */
inline constexpr size_t MAX_STANDARD_P2WSH_STACK_ITEMS = 100;
inline constexpr size_t MAX_STANDARD_P2WSH_STACK_ITEM_SIZE = 80;
inline constexpr size_t MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE = 80;
inline constexpr size_t MAX_STANDARD_P2WSH_SCRIPT_SIZE = 3600;
/** Core's MAX_STANDARD_SCRIPTSIG_SIZE. */
inline constexpr size_t MAX_STANDARD_SCRIPTSIG_SIZE = 1650;
/** Core v30's MAX_OP_RETURN_RELAY: the default -datacarriersize (all OP_RETURN outputs together). */
inline constexpr int64_t MAX_OP_RETURN_RELAY = 100'000;
/** Core's TX_MIN_STANDARD_VERSION / TX_MAX_STANDARD_VERSION (3: TRUC, BIP-431). */
inline constexpr uint32_t TX_MIN_STANDARD_VERSION = 1;
inline constexpr uint32_t TX_MAX_STANDARD_VERSION = 3;
/** BIP-431: version 3 transactions are TRUC. */
inline constexpr uint32_t TRUC_VERSION = 3;
/** Core's MAX_DUST_OUTPUTS_PER_TX (ephemeral dust, v29). */
inline constexpr size_t MAX_DUST_OUTPUTS_PER_TX = 1;
/** Core's MAX_REPLACEMENT_CANDIDATES (policy/rbf.h): transactions one replacement may evict. */
inline constexpr size_t MAX_REPLACEMENT_CANDIDATES = 100;
/** Core's EXTRA_DESCENDANT_TX_SIZE_LIMIT (the CPFP carve-out). */
inline constexpr int64_t EXTRA_DESCENDANT_TX_SIZE_LIMIT = 10'000;

/** Core's STANDARD_SCRIPT_VERIFY_FLAGS: consensus flags plus the policy ones (common/sign.h keeps them, so
 *  the wallet signs to the same rules the mempool checks). */
inline constexpr uint32_t STANDARD_SCRIPT_VERIFY_FLAGS = common::SIGNING_VERIFY_FLAGS;

/** The node's standardness settings (-datacarrier, -datacarriersize, -permitbaremultisig, -dustrelayfee, -bytespersigop). */
struct PolicyOptions {
    bool datacarrier{true};
    int64_t max_datacarrier_bytes{MAX_OP_RETURN_RELAY};
    bool permit_bare_multisig{true};
    consensus::Amount dust_relay_feerate{DUST_RELAY_TX_FEE};
    int64_t bytes_per_sigop{DEFAULT_BYTES_PER_SIGOP};
};

/** Core's GetDustThreshold: the value below which out costs more to spend than it is worth. */
consensus::Amount GetDustThreshold(const consensus::TxOut& out, consensus::Amount dust_relay_feerate);
bool IsDust(const consensus::TxOut& out, consensus::Amount dust_relay_feerate);

/**
 * Core's IsStandardTx: version, weight, scriptSig size and push-only, standard output types
 * (bare multisig at most 1-of-3 and only if permitted), OP_RETURN data within the limit, at
 * most one dust output. False with Core's reason ("version", "tx-size", "scriptsig-size",
 * "scriptsig-not-pushonly", "scriptpubkey", "bare-multisig", "datacarrier", "dust").
 */
bool IsStandardTx(const consensus::Transaction& tx, const PolicyOptions& options, std::string& reason);

/**
 * Core's AreInputsStandard: every spent output is of a standard type (not nonstandard, not an
 * unknown witness version) and a P2SH redeem script has at most MAX_P2SH_SIGOPS sigops.
 * spent holds the outputs spent, one per input.
 */
bool AreInputsStandard(const consensus::Transaction& tx, std::span<const consensus::TxOut> spent);

/**
 * BIP-54's legacy sigop count as Core v30's CheckSigopsBIP54: each input's scriptSig counted
 * accurately (CHECKMULTISIG by its key count) plus the spent scriptPubKey's sigops, which for
 * P2SH are those of the redeem script. False when the sum exceeds MAX_TX_LEGACY_SIGOPS. Core's
 * reject: "bad-txns-nonstandard-inputs", "non-witness sigops exceed bip54 limit".
 */
bool CheckSigopsBIP54(const consensus::Transaction& tx, std::span<const consensus::TxOut> spent);

/** Whether any output of tx is dust (Core's HasDust / GetDust non-empty). */
bool HasDust(const consensus::Transaction& tx, consensus::Amount dust_relay_feerate);

/**
 * Core v30's CheckEphemeralSpends: every transaction of package that spends an unconfirmed parent
 * (in package, else found by pool_lookup, which returns null outside the pool) must spend all of
 * that parent's dust outputs, or the dust could stay in the UTXO set for good. Returns the index
 * in package of the first transaction that does not; Core's reject is "missing-ephemeral-spends".
 */
std::optional<size_t>
FindMissingEphemeralSpends(std::span<const consensus::TransactionRef> package, consensus::Amount dust_relay_feerate,
                           const std::function<consensus::TransactionRef(const consensus::Uint256&)>& pool_lookup);

/**
 * Core's IsWitnessStandard: no witness on a non-witness spend, P2WSH within its script and
 * stack limits, no annex, tapscript stack items within their limit, empty witness for P2A.
 */
bool IsWitnessStandard(const consensus::Transaction& tx, std::span<const consensus::TxOut> spent);

/** Core's GetVirtualTransactionSize: max(weight, sigop cost * bytes per sigop), in vbytes rounded up. */
int64_t GetVirtualTransactionSize(int64_t weight, int64_t sigop_cost, int64_t bytes_per_sigop);

} // namespace node::mempool
