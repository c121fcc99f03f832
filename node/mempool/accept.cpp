// Core's MemPoolAccept, one transaction at a time (packages in accept_package.cpp).
#include "node/mempool/accept.h"
#include "node/mempool/accept_work.h"

#include "consensus/limits.h"
#include "consensus/contextual_check.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/script_error.h"
#include "consensus/serialize.h"
#include "consensus/tx_check.h"
#include "consensus/tx_verify.h"
#include "node/chain/chainstate.h"
#include "node/chain/script_cache.h"
#include "node/mempool/preverify.h"

#include <algorithm>
#include <set>
#include <unordered_set>

namespace node::mempool {

using consensus::Amount;
using consensus::TransactionRef;
using consensus::TxValidationResult;
using consensus::Uint256;
using consensus::ValidationResult;

std::optional<consensus::Coin> PoolCoinsView::GetCoin(const consensus::OutPoint& outpoint) const
{
    TransactionRef ptx = m_pool.Get(outpoint.hash);
    if (!ptx && m_package) {
        if (auto it = m_package->find(outpoint.hash); it != m_package->end()) ptx = it->second;
    }
    if (ptx) {
        if (outpoint.n >= ptx->vout.size()) return std::nullopt;
        return consensus::Coin(ptx->vout[outpoint.n], MEMPOOL_HEIGHT, false);
    }
    return GetChainCoin(outpoint);
}

std::optional<consensus::Coin> PoolCoinsView::GetChainCoin(const consensus::OutPoint& outpoint) const
{
    auto info = m_chain.GetTxOut(outpoint);
    if (!info) return std::nullopt;
    return std::move(info->coin);
}

MempoolAcceptor::MempoolAcceptor(chain::Chainstate& chain, TxMemPool& pool, AcceptOptions options)
    : m_chain(chain), m_pool(pool), m_opts(std::move(options))
{}

bool MempoolAcceptor::PreChecks(Work& w, bool bypass_limits, bool package_feerate, bool allow_replacement)
{
    const consensus::Transaction& tx = *w.tx;
    const Uint256& txid = tx.GetTxid();

    // Context-free consensus checks (Core's CheckTransaction): TX_CONSENSUS.
    if (ValidationResult r = consensus::CheckTransaction(tx); !r.IsValid()) {
        return w.Fail(TxValidationResult::CONSENSUS, r.GetRejectReason(), r.GetDebugMessage());
    }
    if (tx.IsCoinBase()) return w.Fail(TxValidationResult::CONSENSUS, "coinbase");

    std::string reason;
    if (m_opts.require_standard && !IsStandardTx(tx, m_opts.policy, reason)) {
        return w.Fail(TxValidationResult::NOT_STANDARD, reason);
    }
    // Core: a transaction this small (without witness) could be confused with a 64-byte merkle node.
    if (tx.GetStrippedSize() < MIN_STANDARD_TX_NONWITNESS_SIZE) {
        return w.Fail(TxValidationResult::NOT_STANDARD, "tx-size-small");
    }

    // Final in the next block (BIP-113: against the tip's median time past).
    w.tip = m_chain.Tip();
    const int next_height = w.tip->height + 1;
    if (!consensus::IsFinalTx(tx, next_height, w.tip->GetMedianTimePast())) {
        return w.Fail(TxValidationResult::PREMATURE_SPEND, "non-final");
    }

    if (m_pool.ExistsWtxid(tx.GetWtxid())) {
        w.result.kind = AcceptResult::Kind::MEMPOOL_ENTRY;
        w.result.state = ValidationResult::Invalid(TxValidationResult::CONFLICT, "txn-already-in-mempool");
        if (auto e = m_pool.GetEntry(txid)) {
            w.result.base_fee = e->fee;
            w.result.vsize = e->vsize;
        }
        return false;
    }
    if (auto e = m_pool.GetEntry(txid)) {
        w.result.kind = AcceptResult::Kind::DIFFERENT_WITNESS;
        w.result.other_wtxid = e->tx->GetWtxid();
        w.result.state = ValidationResult::Invalid(TxValidationResult::CONFLICT, "txn-same-nonwitness-data-in-mempool");
        return false;
    }

    // Conflicts with pool transactions: every one is replaceable (full RBF, as Core since v28).
    for (const consensus::TxIn& in : tx.vin) {
        if (TransactionRef spender = m_pool.GetSpender(in.prevout)) {
            const Uint256& h = spender->GetTxid();
            // Core's test-accept packages allow no replacement (BIP-125's name stays in the reason).
            if (!allow_replacement) return w.Fail(TxValidationResult::MEMPOOL_POLICY, "bip125-replacement-disallowed");
            if (std::find(w.conflicts.begin(), w.conflicts.end(), h) == w.conflicts.end()) w.conflicts.push_back(h);
        }
    }

    // The coins spent: the pool's outputs, else the UTXO set.
    PoolCoinsView view(m_chain, m_pool, w.package);
    w.coins.reserve(tx.vin.size());
    std::vector<Uint256> missing;
    for (const consensus::TxIn& in : tx.vin) {
        std::optional<consensus::Coin> coin = view.GetCoin(in.prevout);
        if (!coin) {
            if (std::find(missing.begin(), missing.end(), in.prevout.hash) == missing.end()) {
                missing.push_back(in.prevout.hash);
            }
            continue;
        }
        w.coins.push_back(std::move(*coin));
    }
    if (m_chain.FatalErrorOccurred()) {
        w.result.kind = AcceptResult::Kind::INVALID;
        w.result.state = ValidationResult::Error("storage error while reading coins");
        return false;
    }
    if (!missing.empty()) {
        // Core: if any of our outputs is already in the UTXO set, the transaction is known.
        for (uint32_t n = 0; n < tx.vout.size(); ++n) {
            if (view.GetChainCoin(consensus::OutPoint{txid, n})) {
                return w.Fail(TxValidationResult::CONFLICT, "txn-already-known");
            }
        }
        w.result.missing_parents = std::move(missing);
        return w.Fail(TxValidationResult::MISSING_INPUTS, "bad-txns-inputs-missingorspent");
    }

    // BIP-68 relative lock-times against the next block; pool coins count as the next block's.
    {
        std::vector<int> prev_heights(tx.vin.size());
        for (size_t i = 0; i < tx.vin.size(); ++i) {
            prev_heights[i] = w.coins[i].height == MEMPOOL_HEIGHT ? next_height : static_cast<int>(w.coins[i].height);
        }
        const chain::BlockIndex* tip = w.tip;
        const auto locks =
            consensus::CalculateSequenceLocks(tx, tx.version >= 2, prev_heights, next_height, [tip](int h) {
                return tip->GetAncestor(std::min(h, tip->height))->GetMedianTimePast();
            });
        if (!consensus::EvaluateSequenceLocks(next_height, tip->GetMedianTimePast(), locks)) {
            return w.Fail(TxValidationResult::PREMATURE_SPEND, "non-BIP68-final");
        }
    }

    std::vector<const consensus::Coin*> coin_ptrs;
    coin_ptrs.reserve(w.coins.size());
    for (const consensus::Coin& c : w.coins) {
        coin_ptrs.push_back(&c);
        w.spends_coinbase = w.spends_coinbase || c.coinbase;
    }
    // Values, maturity (a pool coin is never a coinbase), fee: consensus.
    if (ValidationResult r = consensus::CheckTxInputs(tx, coin_ptrs, next_height, w.base_fee); !r.IsValid()) {
        const bool premature = r.GetRejectReason() == "bad-txns-premature-spend-of-coinbase";
        return w.Fail(premature ? TxValidationResult::PREMATURE_SPEND : TxValidationResult::CONSENSUS,
                      r.GetRejectReason(), r.GetDebugMessage());
    }

    w.spent_outputs.reserve(w.coins.size());
    for (const consensus::Coin& c : w.coins) w.spent_outputs.push_back(c.out);
    // BIP-54's legacy sigop limit, checked first among the inputs' standardness as Core v30 does.
    if (m_opts.require_standard && !CheckSigopsBIP54(tx, w.spent_outputs)) {
        return w.Fail(TxValidationResult::INPUTS_NOT_STANDARD, "bad-txns-nonstandard-inputs",
                      "non-witness sigops exceed bip54 limit");
    }
    if (m_opts.require_standard && !AreInputsStandard(tx, w.spent_outputs)) {
        return w.Fail(TxValidationResult::INPUTS_NOT_STANDARD, "bad-txns-nonstandard-inputs");
    }
    if (tx.HasWitness() && m_opts.require_standard && !IsWitnessStandard(tx, w.spent_outputs)) {
        return w.Fail(TxValidationResult::WITNESS_MUTATED, "bad-witness-nonstandard");
    }

    w.sigop_cost = consensus::GetTransactionSigOpCost(tx, coin_ptrs, STANDARD_SCRIPT_VERIFY_FLAGS);
    w.weight = consensus::GetTransactionWeight(tx);
    w.vsize = GetVirtualTransactionSize(w.weight, w.sigop_cost, m_opts.policy.bytes_per_sigop);
    w.modified_fee = w.base_fee + m_pool.GetFeeDelta(txid);

    // Ephemeral dust (Core v29's PreCheckEphemeralTx): the one dust output allowed must come with
    // a zero fee, so only a child spending it can get the transaction mined.
    if (m_opts.require_standard && (w.base_fee.sats != 0 || w.modified_fee.sats != 0) &&
        HasDust(tx, m_opts.policy.dust_relay_feerate)) {
        return w.Fail(TxValidationResult::NOT_STANDARD, "dust", "tx with dust output must be 0-fee");
    }
    if (w.sigop_cost > MAX_STANDARD_TX_SIGOPS_COST) {
        return w.Fail(TxValidationResult::NOT_STANDARD, "bad-txns-too-many-sigops", std::to_string(w.sigop_cost));
    }

    // No transaction below -minrelaytxfee, even in a package, except TRUC ones (Core v28-v30's
    // PreChecks): a child could pay for it on entry, but nothing keeps the child there (it may
    // be replaced). Not RECONSIDERABLE, so a package cannot lift it.
    if (!bypass_limits && tx.version != TRUC_VERSION) {
        const Amount relay_min = FeeRate(m_pool.GetOptions().min_relay_feerate).GetFee(w.vsize);
        if (w.modified_fee < relay_min) {
            return w.Fail(TxValidationResult::MEMPOOL_POLICY, "min relay fee not met",
                          std::to_string(w.modified_fee.sats) + " < " + std::to_string(relay_min.sats));
        }
    }
    // Fee floors (Core's CheckFeeRate): the pool's rolling minimum and -minrelaytxfee. Refused
    // only for its fee, a transaction may still get in with a child paying for it.
    if (!bypass_limits && !package_feerate) {
        const Amount pool_min = FeeRate(m_pool.GetMinFee()).GetFee(w.vsize);
        if (pool_min.sats > 0 && w.modified_fee < pool_min) {
            return w.Fail(TxValidationResult::RECONSIDERABLE, "mempool min fee not met",
                          std::to_string(w.modified_fee.sats) + " < " + std::to_string(pool_min.sats));
        }
        const Amount relay_min = FeeRate(m_pool.GetOptions().min_relay_feerate).GetFee(w.vsize);
        if (w.modified_fee < relay_min) {
            return w.Fail(TxValidationResult::RECONSIDERABLE, "min relay fee not met",
                          std::to_string(w.modified_fee.sats) + " < " + std::to_string(relay_min.sats));
        }
    }

    // Package limits. With one direct conflict, its descendants leave with it: count them out of
    // the descendant size limit (Core's maybe_rbf_limits).
    Limits limits = m_pool.GetOptions().limits;
    if (w.conflicts.size() == 1) {
        if (auto c = m_pool.GetEntry(w.conflicts[0])) limits.descendant_size_vbytes += c->size_with_descendants;
    }
    std::string error;
    auto ancestors = m_pool.CalculateAncestors(tx, w.vsize, limits, error);
    if (!ancestors) {
        // Core's CPFP carve-out: one more small child of a single unconfirmed parent.
        if (w.vsize > EXTRA_DESCENDANT_TX_SIZE_LIMIT || tx.version == TRUC_VERSION) {
            return w.Fail(TxValidationResult::MEMPOOL_POLICY, "too-long-mempool-chain", error);
        }
        Limits carve = limits;
        carve.ancestor_count = 2;
        carve.descendant_count += 1;
        carve.descendant_size_vbytes += EXTRA_DESCENDANT_TX_SIZE_LIMIT;
        std::string ignored;
        ancestors = m_pool.CalculateAncestors(tx, w.vsize, carve, ignored);
        if (!ancestors) return w.Fail(TxValidationResult::MEMPOOL_POLICY, "too-long-mempool-chain", error);
    }
    w.ancestors = std::move(*ancestors);

    // BIP-431 (TRUC): version-3 topology and size rules, standard or not (as Core).
    if (auto err = CheckTruc(w)) {
        if (!err->sibling || package_feerate || !allow_replacement) {
            return w.Fail(TxValidationResult::MEMPOOL_POLICY, "TRUC-violation", err->message);
        }
        // Sibling eviction (single transactions only): the parent's other child becomes a
        // conflict, to be replaced under the RBF rules.
        w.conflicts.push_back(*err->sibling);
        w.sibling_eviction = true;
    }

    // A transaction may not spend an output of a transaction it replaces.
    for (const Uint256& a : w.ancestors) {
        if (std::find(w.conflicts.begin(), w.conflicts.end(), a) != w.conflicts.end()) {
            return w.Fail(TxValidationResult::CONSENSUS, "bad-txns-spends-conflicting-tx",
                          txid.GetHex() + " spends conflicting transaction " + a.GetHex());
        }
    }
    return true;
}

bool MempoolAcceptor::ReplacementChecks(Work& w)
{
    if (w.conflicts.empty()) return true;
    const Uint256& txid = w.tx->GetTxid();
    // Core names a failure that sibling eviction caused.
    const std::string suffix = w.sibling_eviction ? " (including sibling eviction)" : "";
    std::vector<Entry> direct;
    for (const Uint256& c : w.conflicts) {
        if (auto e = m_pool.GetEntry(c)) direct.push_back(std::move(*e));
    }

    // The replacement's fee rate beats each direct conflict's (BIP-125 rule 6 as Core applies it).
    const FeeRate new_rate(w.modified_fee, w.vsize);
    for (const Entry& e : direct) {
        const FeeRate old_rate(e.ModifiedFee(), e.vsize);
        if (!(new_rate > old_rate)) {
            return w.Fail(TxValidationResult::RECONSIDERABLE, "insufficient fee" + suffix,
                          "rejecting replacement " + txid.GetHex() + "; new feerate " + new_rate.ToString() +
                              " <= old feerate " + old_rate.ToString());
        }
    }

    // Everything that leaves: each direct conflict with its descendants (at most 100).
    size_t candidates = 0;
    for (const Entry& e : direct) candidates += static_cast<size_t>(e.count_with_descendants);
    if (candidates > MAX_REPLACEMENT_CANDIDATES) {
        return w.Fail(TxValidationResult::MEMPOOL_POLICY, "too many potential replacements" + suffix,
                      "rejecting replacement " + txid.GetHex() + "; too many potential replacements (" +
                          std::to_string(candidates) + " > " + std::to_string(MAX_REPLACEMENT_CANDIDATES) + ")");
    }
    std::set<Uint256> all;
    for (const Entry& e : direct) {
        all.insert(e.Txid());
        for (const Uint256& d : m_pool.GetDescendants(e.Txid())) all.insert(d);
    }
    w.all_conflicting.assign(all.begin(), all.end());

    // BIP-125 rule 2: no new unconfirmed inputs, except outputs the replaced ones spent too.
    std::set<Uint256> parents_of_conflicts;
    for (const Entry& e : direct) {
        for (const consensus::TxIn& in : e.tx->vin) parents_of_conflicts.insert(in.prevout.hash);
    }
    for (size_t i = 0; i < w.tx->vin.size(); ++i) {
        const Uint256& parent = w.tx->vin[i].prevout.hash;
        if (!parents_of_conflicts.count(parent) && m_pool.Exists(parent)) {
            return w.Fail(TxValidationResult::MEMPOOL_POLICY, "replacement-adds-unconfirmed" + suffix,
                          "replacement " + txid.GetHex() + " adds unconfirmed input, idx " + std::to_string(i));
        }
    }

    // Rules 3 and 4: more absolute fee, and the extra pays for the replacement's own relay.
    w.conflicting_fees = Amount{0};
    w.conflicting_vsize = 0;
    for (const Uint256& h : w.all_conflicting) {
        if (auto e = m_pool.GetEntry(h)) {
            w.conflicting_fees += e->ModifiedFee();
            w.conflicting_vsize += e->vsize;
        }
    }
    if (w.modified_fee < w.conflicting_fees) {
        return w.Fail(TxValidationResult::RECONSIDERABLE, "insufficient fee" + suffix,
                      "rejecting replacement " + txid.GetHex() + ", less fees than conflicting txs; " +
                          FormatMoney(w.modified_fee) + " < " + FormatMoney(w.conflicting_fees));
    }
    const Amount additional = w.modified_fee - w.conflicting_fees;
    const Amount needed = FeeRate(m_pool.GetOptions().incremental_relay_feerate).GetFee(w.vsize);
    if (additional < needed) {
        return w.Fail(TxValidationResult::RECONSIDERABLE, "insufficient fee" + suffix,
                      "rejecting replacement " + txid.GetHex() + ", not enough additional fees to relay; " +
                          FormatMoney(additional) + " < " + FormatMoney(needed));
    }
    return true;
}

bool MempoolAcceptor::ScriptChecks(Work& w)
{
    const consensus::Transaction& tx = *w.tx;
    const uint32_t block_flags =
        consensus::GetBlockScriptFlags(w.tip->height + 1, Uint256(), m_chain.Params().consensus);
    chain::ScriptCache& cache = m_chain.GetScriptCache();
    // Verified already under the standard flags, off this thread (ScriptPreverifier): Core's
    // CheckInputScripts consults the script execution cache the same way.
    if (cache.Contains(tx.GetWtxid(), STANDARD_SCRIPT_VERIFY_FLAGS)) {
        cache.Add(tx.GetWtxid(), block_flags);
        return true;
    }
    auto run = [&](uint32_t flags, consensus::ScriptError* err) {
        return VerifyInputScripts(tx, w.spent_outputs, flags, err);
    };
    consensus::ScriptError err = consensus::ScriptError::OK;
    if (!run(STANDARD_SCRIPT_VERIFY_FLAGS, &err)) {
        // Core v30: any script failure is "mempool-script-verify-flag-failed" (peers are not
        // punished for it). Only a missing witness, though, may be a stripped copy of a good one.
        const std::string reason =
            "mempool-script-verify-flag-failed (" + std::string(consensus::ScriptErrorString(err)) + ")";
        using namespace consensus;
        if (!tx.HasWitness() &&
            run(STANDARD_SCRIPT_VERIFY_FLAGS & ~(SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_CLEANSTACK), nullptr) &&
            !run(STANDARD_SCRIPT_VERIFY_FLAGS & ~SCRIPT_VERIFY_CLEANSTACK, nullptr)) {
            return w.Fail(TxValidationResult::WITNESS_STRIPPED, reason);
        }
        return w.Fail(TxValidationResult::NOT_STANDARD, reason);
    }
    // Passing under the standard flags means passing under the next block's (they are a subset:
    // every policy flag only adds failures), so block connection may skip these scripts.
    cache.Add(tx.GetWtxid(), block_flags);
    return true;
}

void MempoolAcceptor::Finalize(Work& w, bool bypass_limits)
{
    for (const Uint256& c : w.conflicts) {
        if (TransactionRef old = m_pool.Get(c)) {
            for (const Uint256& d : m_pool.GetDescendants(c)) {
                if (TransactionRef dt = m_pool.Get(d)) w.result.replaced.push_back(dt);
            }
            w.result.replaced.push_back(old);
            m_pool.RemoveRecursive(c, RemovalReason::REPLACED);
        }
    }
    NewEntry e;
    e.tx = w.tx;
    e.fee = w.base_fee;
    e.vsize = w.vsize;
    e.weight = w.weight;
    e.sigop_cost = w.sigop_cost;
    e.time = w.accept_time;
    e.entry_height = w.tip->height;
    e.spends_coinbase = w.spends_coinbase;
    m_pool.AddUnchecked(e);
    if (!bypass_limits) {
        // Core's LimitMempoolSize: expire, then trim to -maxmempool.
        m_pool.Expire();
        m_pool.TrimToSize(static_cast<size_t>(m_pool.GetOptions().max_size_bytes));
        if (!m_pool.Exists(w.tx->GetTxid())) {
            w.Fail(TxValidationResult::MEMPOOL_POLICY, "mempool full");
        }
    }
}

AcceptResult MempoolAcceptor::Accept(const TransactionRef& tx, int64_t accept_time, bool bypass_limits,
                                     bool test_accept, std::optional<FeeRate> max_feerate, Amount max_fee)
{
    Work w;
    w.tx = tx;
    w.accept_time = accept_time;
    if (!PreChecks(w, bypass_limits, false)) return std::move(w.result);
    // Ephemeral dust: a child of an in-pool parent with dust must spend all of it (Core v30).
    if (m_opts.require_standard && !CheckEphemeralSpends({tx}, nullptr, &w.result.state)) {
        w.result.kind = AcceptResult::Kind::INVALID;
        return std::move(w.result);
    }
    if (!ReplacementChecks(w)) return std::move(w.result);
    // The client's maxfeerate (submitpackage's), on the modified fee rate, before any script.
    if (max_feerate && FeeRate(w.modified_fee, w.vsize) > *max_feerate) {
        w.Fail(TxValidationResult::MEMPOOL_POLICY, "max feerate exceeded");
        return std::move(w.result);
    }
    if (!ScriptChecks(w)) return std::move(w.result);
    if (max_fee.sats > 0 && w.base_fee > max_fee) {
        w.Fail(TxValidationResult::MEMPOOL_POLICY, std::string(MAX_FEE_EXCEEDED));
        return std::move(w.result);
    }
    w.result.kind = AcceptResult::Kind::VALID;
    w.result.state = ValidationResult{};
    w.result.base_fee = w.base_fee;
    w.result.vsize = w.vsize;
    w.result.effective_feerate = FeeRate(w.modified_fee, w.vsize);
    w.result.effective_feerate_wtxids = {tx->GetWtxid()};
    if (test_accept) return std::move(w.result);
    Finalize(w, bypass_limits);
    return std::move(w.result);
}

} // namespace node::mempool
