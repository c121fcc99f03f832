// Making transactions (Core's wallet/spend.cpp): the fee rate, coin selection over the
// wallet's coins, change, anti-fee-sniping lock time, RBF signalling, signing, and the checks
// before a transaction leaves the wallet; then recording and broadcasting it.
#pragma once

#include "common/feerate.h"
#include "common/signing_provider.h"
#include "consensus/amount.h"
#include "consensus/primitives/transaction.h"
#include "wallet/outputtype.h"

#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace wallet {

class Wallet;
struct InputInfo;

/** One payment (Core's CRecipient). */
struct Recipient {
    consensus::Script script;
    consensus::Amount amount;
    bool subtract_fee{false};
};

/** How to build it (Core's CCoinControl, the parts the RPCs set). */
struct CoinControl {
    std::optional<common::FeeRate> feerate; //!< fee_rate; else estimated for conf_target
    std::optional<int> conf_target;
    bool conservative{false};
    std::optional<OutputType> change_type;
    bool replaceable{true}; //!< BIP-125 signal (Core's default since v28: every wallet transaction)
    std::vector<consensus::OutPoint> preset_inputs;
    /** Core's PreselectedInput::SetSequence: a preset input's own sequence (else the default below). */
    std::map<consensus::OutPoint, uint32_t> preset_sequences;
    bool allow_other_inputs{true};
    bool include_unsafe{false};
    std::optional<uint32_t> locktime;
    /** Core's destChange: change goes to this script (bumpfee keeps the original change's). */
    std::optional<consensus::Script> change_script;
    /** Core's m_min_depth: coins added by selection need this many confirmations (bumpfee: 1, BIP-125 rule 2). */
    int min_depth{0};
    /**
     * Core's PreselectedInput::SetTxOut: the output a preset input spends when it is not among the
     * wallet's available coins (bumpfee: the inputs the transaction being replaced already spends;
     * fundrawtransaction, send, walletcreatefundedpsbt: external inputs, found in the UTXO set or
     * the mempool).
     */
    std::map<consensus::OutPoint, consensus::TxOut> preset_txouts;
    /** Core's PreselectedInput::SetScriptSig/SetScriptWitness: a preset input's own scripts, kept. */
    std::map<consensus::OutPoint, std::pair<consensus::Script, consensus::ScriptWitness>> preset_scripts;
    /** Core's m_external_provider (solving_data): keys and scripts that size external inputs. */
    common::FlatSigningProvider external_provider;
    /** Core's SetInputWeight (input_weights, an input's "weight"): a preset input's weight once signed. */
    std::map<consensus::OutPoint, int64_t> input_weights;
    /** false: the transaction is left unsigned (psbtbumpfee, send with a wallet that cannot sign). */
    bool sign{true};
    std::optional<size_t> change_position; //!< changePosition; else random
    /** Core's m_avoid_address_reuse: coins paid to used addresses are not taken (sendtoaddress avoid_reuse). */
    bool avoid_address_reuse{false};
    /** Core's m_avoid_partial_spends: a script's coins are spent together or not at all. */
    bool avoid_partial_spends{false};
    /**
     * The caller records the transaction in the wallet right after (CommitTransaction, a synced
     * write), before anyone sees it: the change script's record goes into that write's batch
     * (GetNewScript's defer_write) instead of a write of its own (sendtoaddress, sendmany). Not
     * for transactions handed back unrecorded (fundrawtransaction, PSBTs): their change address
     * must be on disk first.
     */
    bool commit_follows{false};
};

/** Why the fee rate is what it is (sendtoaddress verbose's fee_reason, Core's StringForFeeReason). */
struct FeeCalculation {
    common::FeeRate rate;
    std::string reason;
};

struct CreatedTransaction {
    consensus::TransactionRef tx;
    consensus::Amount fee;
    std::optional<size_t> change_pos;
    FeeCalculation fee_calc;
};

/** An RPC error code and Core's message. */
struct SpendError {
    int code{0};
    std::string message;
};

/**
 * Core's CreateTransaction: funds, signs and checks a transaction paying recipients. nullopt
 * with error (Core's code and message) on failure: "Insufficient funds" (-6), "Fee estimation
 * failed. Fallbackfee is disabled. ..." (-4), "Transaction amount too small" (-3), ...
 */
std::optional<CreatedTransaction> CreateTransaction(Wallet& wallet, const std::vector<Recipient>& recipients,
                                                    const CoinControl& control, SpendError& error);

/** What CommitTransaction could not do; true when something failed. */
struct CommitError {
    std::string message;
    bool recorded{false}; //!< true: only the broadcast was refused (the wallet keeps the transaction)
};

/**
 * Core's CommitTransaction: records tx in the wallet (synced) with meta, then broadcasts it.
 * A broadcast refused by the mempool leaves the transaction in the wallet and returns its
 * reason, recorded (Core keeps it too); a storage failure returns the error, not recorded and
 * not broadcast.
 */
std::optional<CommitError> CommitTransaction(Wallet& wallet, const consensus::TransactionRef& tx,
                                             std::map<std::string, std::string> meta);

/** Core's GetMinimumFeeRate: the rate a send uses, and why. */
std::optional<FeeCalculation> GetMinimumFeeRate(const Wallet& wallet, const CoinControl& control, SpendError& error);

/**
 * Core's CalculateMaximumSignedTxSize: the virtual size of tx with placeholder signatures as
 * large as real ones on every input (spent: the output each input spends); -1 if an input is
 * not the wallet's or cannot be solved. With control, an input given a weight counts that
 * weight, and inputs not the wallet's are solved with its external provider (then, for P2TR,
 * as a key-path spend).
 */
int64_t MaximumSignedVsize(const Wallet& wallet, const consensus::MutableTransaction& tx,
                           const std::map<consensus::OutPoint, consensus::TxOut>& spent,
                           const CoinControl* control = nullptr);

/**
 * The virtual size of spending out as an input of ours (Core's CalculateMaximumSignedInputSize,
 * the COutput's input_bytes coin selection uses; -1 if unknown) and out's output type.
 */
InputInfo SpendInfo(const Wallet& wallet, const consensus::TxOut& out);

/** MaximumSignedVsize's weight (-1 likewise): what an unsigned transaction's size limit is checked on. */
int64_t MaximumSignedWeight(const Wallet& wallet, const consensus::MutableTransaction& tx,
                            const std::map<consensus::OutPoint, consensus::TxOut>& spent,
                            const CoinControl* control = nullptr);

/** Core's GetDustThreshold for an output (policy's rule, copied into the wallet: dust at rate). */
consensus::Amount DustThreshold(const consensus::TxOut& out, common::FeeRate rate);

} // namespace wallet
