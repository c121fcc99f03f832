// Core's package acceptance for submitpackage (validation.cpp's AcceptPackage): a child with
// its unconfirmed parents. Each transaction is tried alone first; those refused only for their
// fee, with the child that pays for them, are then judged together at the package fee rate.
#include "node/mempool/accept.h"
#include "node/mempool/accept_work.h"

#include "consensus/primitives/transaction.h"
#include "node/chain/chainstate.h"

#include <algorithm>
#include <set>

namespace node::mempool {

using consensus::Amount;
using consensus::TransactionRef;
using consensus::TxValidationResult;
using consensus::Uint256;
using consensus::ValidationResult;

namespace {

ValidationResult PackageInvalid(std::string reason)
{
    // Core's PackageValidationResult::PCKG_POLICY has no TxValidationResult; MEMPOOL_POLICY stands in.
    return ValidationResult::Invalid(TxValidationResult::MEMPOOL_POLICY, std::move(reason));
}

/** Core's IsWellFormedPackage: its size, no duplicates, parents first, no two spending one output. */
std::optional<std::string> CheckWellFormed(const std::vector<TransactionRef>& txs)
{
    if (txs.size() > MAX_PACKAGE_COUNT) return "package-too-many-transactions";
    int64_t weight = 0;
    for (const auto& tx : txs) weight += consensus::GetTransactionWeight(*tx);
    // One transaction's own weight is judged by its standardness, not here.
    if (txs.size() > 1 && weight > MAX_PACKAGE_WEIGHT) return "package-too-large";
    std::set<Uint256> later; // this transaction and the ones after it
    for (const auto& tx : txs) later.insert(tx->GetTxid());
    if (later.size() != txs.size()) return "package-contains-duplicates";
    // Sorted: no transaction spends itself or one that comes after it.
    for (const auto& tx : txs) {
        for (const auto& in : tx->vin) {
            if (later.count(in.prevout.hash)) return "package-not-sorted";
        }
        later.erase(tx->GetTxid());
    }
    // No two transactions spend the same output. A transaction's inputs are added together, so
    // one spending an output twice is left to CheckTransaction (bad-txns-inputs-duplicate); one
    // without inputs cannot be told apart from another (Core's IsConsistentPackage).
    std::set<consensus::OutPoint> spent;
    for (const auto& tx : txs) {
        if (tx->vin.empty()) return "conflict-in-package";
        for (const auto& in : tx->vin) {
            if (spent.count(in.prevout)) return "conflict-in-package";
        }
        for (const auto& in : tx->vin) spent.insert(in.prevout);
    }
    return std::nullopt;
}

} // namespace

bool IsChildWithParentsTree(const std::vector<TransactionRef>& txs)
{
    if (txs.size() < 2) return false;
    std::set<Uint256> child_inputs;
    for (const auto& in : txs.back()->vin) child_inputs.insert(in.prevout.hash);
    std::set<Uint256> parents;
    for (size_t i = 0; i + 1 < txs.size(); ++i) {
        if (!child_inputs.count(txs[i]->GetTxid())) return false;
        parents.insert(txs[i]->GetTxid());
    }
    for (size_t i = 0; i + 1 < txs.size(); ++i) {
        for (const auto& in : txs[i]->vin) {
            if (parents.count(in.prevout.hash)) return false;
        }
    }
    return true;
}

namespace {

/**
 * Core's CheckPackageLimits (v28-v30): the package counted as one transaction of its total
 * count and size against the ancestor and descendant limits, with the in-pool ancestors of all
 * its transactions together. Core's message (prefixed "possibly " past the first checks), or none.
 */
std::optional<std::string> CheckPackageLimits(const TxMemPool& pool, const std::vector<TransactionRef>& txs,
                                              int64_t total_vsize)
{
    const Limits& limits = pool.GetOptions().limits;
    const auto count = static_cast<int64_t>(txs.size());
    if (count > limits.ancestor_count) {
        return "package count " + std::to_string(count) +
               " exceeds ancestor count limit [limit: " + std::to_string(limits.ancestor_count) + "]";
    }
    if (count > limits.descendant_count) {
        return "package count " + std::to_string(count) +
               " exceeds descendant count limit [limit: " + std::to_string(limits.descendant_count) + "]";
    }
    if (total_vsize > limits.ancestor_size_vbytes) {
        return "package size " + std::to_string(total_vsize) +
               " exceeds ancestor size limit [limit: " + std::to_string(limits.ancestor_size_vbytes) + "]";
    }
    if (total_vsize > limits.descendant_size_vbytes) {
        return "package size " + std::to_string(total_vsize) +
               " exceeds descendant size limit [limit: " + std::to_string(limits.descendant_size_vbytes) + "]";
    }
    // The package's in-pool parents.
    std::set<Uint256> staged;
    for (const auto& tx : txs) {
        for (const auto& in : tx->vin) {
            if (!pool.Exists(in.prevout.hash)) continue;
            staged.insert(in.prevout.hash);
            if (static_cast<int64_t>(staged.size()) + count > limits.ancestor_count) {
                return "too many unconfirmed parents [limit: " + std::to_string(limits.ancestor_count) + "]";
            }
        }
    }
    // Every ancestor, each checked as Core's CalculateAncestorsAndCheckLimits does for one entry.
    std::set<Uint256> ancestors;
    int64_t size_with_ancestors = total_vsize;
    while (!staged.empty()) {
        const Uint256 txid = *staged.begin();
        staged.erase(staged.begin());
        const auto e = pool.GetEntry(txid);
        if (!e) continue;
        ancestors.insert(txid);
        size_with_ancestors += e->vsize;
        if (e->size_with_descendants + total_vsize > limits.descendant_size_vbytes) {
            return "possibly exceeds descendant size limit for tx " + txid.GetHex() +
                   " [limit: " + std::to_string(limits.descendant_size_vbytes) + "]";
        }
        if (e->count_with_descendants + count > limits.descendant_count) {
            return "possibly too many descendants for tx " + txid.GetHex() +
                   " [limit: " + std::to_string(limits.descendant_count) + "]";
        }
        if (size_with_ancestors > limits.ancestor_size_vbytes) {
            return "possibly exceeds ancestor size limit [limit: " + std::to_string(limits.ancestor_size_vbytes) + "]";
        }
        for (const Uint256& parent : e->parents) {
            if (!ancestors.count(parent)) staged.insert(parent);
            if (static_cast<int64_t>(staged.size() + ancestors.size()) + count > limits.ancestor_count) {
                return "possibly too many unconfirmed ancestors [limit: " + std::to_string(limits.ancestor_count) + "]";
            }
        }
    }
    return std::nullopt;
}

/** Well-formed, then Core's IsChildWithParentsTree: submitpackage's shape, or why not. */
std::optional<std::string> CheckShape(const std::vector<TransactionRef>& txs)
{
    if (auto err = CheckWellFormed(txs)) return err;
    if (txs.size() == 1) return std::nullopt;
    // Child with parents: every other transaction is a parent of the last, and none of them
    // depends on another (a tree of depth one).
    const auto& child = txs.back();
    std::set<Uint256> child_inputs;
    for (const auto& in : child->vin) child_inputs.insert(in.prevout.hash);
    std::set<Uint256> parents;
    for (size_t i = 0; i + 1 < txs.size(); ++i) {
        if (!child_inputs.count(txs[i]->GetTxid())) return "package-not-child-with-parents";
        parents.insert(txs[i]->GetTxid());
    }
    for (size_t i = 0; i + 1 < txs.size(); ++i) {
        for (const auto& in : txs[i]->vin) {
            if (parents.count(in.prevout.hash)) return "package-not-child-with-parents-tree";
        }
    }
    return std::nullopt;
}

} // namespace

PackageResult MempoolAcceptor::AcceptPackage(const std::vector<TransactionRef>& txs, int64_t accept_time,
                                             std::optional<FeeRate> max_feerate)
{
    PackageResult out;
    if (txs.empty()) {
        out.state = PackageInvalid("package-empty");
        return out;
    }
    if (auto err = CheckShape(txs)) {
        out.state = PackageInvalid(*err);
        out.policy_failure = true;
        return out;
    }
    // Alone first (Core's "subpackage" of one): what gets in on its own fee is done.
    std::vector<size_t> pending; // indexes refused for their fee or for a missing in-package parent
    std::map<Uint256, AcceptResult> results;
    std::string package_reason = "transaction failed"; // Core's package_msg when one fails
    std::optional<ValidationResult> package_failure;   // a failure of the package as a whole
    std::optional<ValidationResult> rbf_failure;       // its replacement refused (Core's PCKG_POLICY)
    std::optional<ValidationResult> limits_failure;    // over the package limits (Core's PCKG_POLICY)
    bool quit_early = false;                           // one failed for a reason a package cannot change
    for (size_t i = 0; i < txs.size(); ++i) {
        AcceptResult r = Accept(txs[i], accept_time, /*bypass_limits=*/false, /*test_accept=*/false, max_feerate);
        const TxValidationResult code = r.state.GetTxResult();
        if (r.kind == AcceptResult::Kind::INVALID) {
            const bool retry = txs.size() > 1 && (code == TxValidationResult::RECONSIDERABLE ||
                                                  code == TxValidationResult::MISSING_INPUTS);
            if (retry) {
                pending.push_back(i);
            } else {
                quit_early = true;
            }
        }
        results[txs[i]->GetWtxid()] = std::move(r);
    }
    if (pending.size() == 1 && !quit_early) {
        // One left (the others got in alone): judged alone again, now that its parents are in the
        // pool, as Core's AcceptSubPackage judges a subpackage of one; its own result stands
        // (no package fee rate, and a replacement by the usual rules, not package RBF).
        const TransactionRef& tx = txs[pending.front()];
        results[tx->GetWtxid()] = Accept(tx, accept_time, /*bypass_limits=*/false, /*test_accept=*/false, max_feerate);
        pending.clear();
    }
    if (!pending.empty() && !quit_early) {
        // Together: every pending transaction checked with the others' outputs available and
        // without its own fee floor, then the floors applied to the sum (Core's package fee rate).
        std::map<Uint256, TransactionRef> package;
        for (size_t i : pending) package.emplace(txs[i]->GetTxid(), txs[i]);
        std::vector<Work> works(pending.size());
        std::vector<TransactionRef> judged;
        for (size_t i : pending) judged.push_back(txs[i]);
        // Core's order: every PreChecks, the package's TRUC rules, its fee rate, the ephemeral
        // dust's spends, then the scripts.
        bool ok = true;
        bool rbf = false; // a transaction conflicts with the pool: package RBF
        Amount fees{0};
        int64_t vsize = 0;
        for (size_t k = 0; k < pending.size() && ok; ++k) {
            Work& w = works[k];
            w.tx = txs[pending[k]];
            w.accept_time = accept_time;
            w.package = &package;
            ok = PreChecks(w, /*bypass_limits=*/false, /*package_feerate=*/true);
            // The client's maxfeerate: each transaction's own rate, not the package's (Core).
            if (ok && max_feerate && FeeRate(w.modified_fee, w.vsize) > *max_feerate) {
                w.Fail(TxValidationResult::MEMPOOL_POLICY, "max feerate exceeded");
                ok = false;
            }
            if (ok && !w.conflicts.empty()) rbf = true;
            fees += w.modified_fee;
            vsize += w.vsize;
            if (!ok) results[w.tx->GetWtxid()] = w.result;
        }
        // A failure of the package as a whole: every transaction judged here gets its state.
        if (ok) {
            for (const Work& w : works) {
                if (auto err = CheckPackageTruc(w, judged)) {
                    package_failure =
                        ValidationResult::Invalid(TxValidationResult::MEMPOOL_POLICY, "TRUC-violation", *err);
                    ok = false;
                    break;
                }
            }
        }
        std::optional<ValidationResult> fee_failure;
        if (ok) {
            const Amount pool_min = FeeRate(m_pool.GetMinFee()).GetFee(vsize);
            const Amount relay_min = FeeRate(m_pool.GetOptions().min_relay_feerate).GetFee(vsize);
            if (pool_min.sats > 0 && fees < pool_min) {
                fee_failure =
                    ValidationResult::Invalid(TxValidationResult::RECONSIDERABLE, "mempool min fee not met",
                                              std::to_string(fees.sats) + " < " + std::to_string(pool_min.sats));
            } else if (fees < relay_min) {
                fee_failure =
                    ValidationResult::Invalid(TxValidationResult::RECONSIDERABLE, "min relay fee not met",
                                              std::to_string(fees.sats) + " < " + std::to_string(relay_min.sats));
            }
        }
        if (ok && !fee_failure && works.size() > 1) {
            // Core's PackageMempoolChecks: the package's limits as a whole (a package rule).
            if (auto err = CheckPackageLimits(m_pool, judged, vsize)) {
                limits_failure =
                    ValidationResult::Invalid(TxValidationResult::MEMPOOL_POLICY, "package-mempool-limits", *err);
                ok = false;
            }
        }
        if (ok && !fee_failure && rbf) {
            // Core's PackageRBFChecks: the individual results stay, the package carries why.
            rbf_failure = CheckPackageReplacement(works, fees, vsize);
            if (rbf_failure) ok = false;
        }
        if (ok && !fee_failure && m_opts.require_standard) {
            // The one that leaves a parent's dust unspent is refused; the package is "unspent-dust".
            size_t failed = 0;
            ValidationResult state;
            if (!CheckEphemeralSpends(judged, &failed, &state)) {
                AcceptResult& r = results[judged[failed]->GetWtxid()];
                r = AcceptResult{};
                r.kind = AcceptResult::Kind::INVALID;
                r.state = state;
                package_reason = "unspent-dust";
                ok = false;
            }
        }
        for (size_t k = 0; k < works.size() && ok && !fee_failure; ++k) {
            ok = ScriptChecks(works[k]);
            if (!ok) results[works[k].tx->GetWtxid()] = works[k].result;
        }
        if (package_failure) {
            for (const Work& w : works) {
                AcceptResult& r = results[w.tx->GetWtxid()];
                r.kind = AcceptResult::Kind::INVALID;
                r.state = *package_failure;
            }
        }
        if (ok && !fee_failure) {
            std::vector<Uint256> wtxids;
            for (const Work& w : works) wtxids.push_back(w.tx->GetWtxid());
            const FeeRate package_rate(fees, vsize);
            for (Work& w : works) {
                Finalize(w, /*bypass_limits=*/true);
                w.result.kind = AcceptResult::Kind::VALID;
                w.result.state = ValidationResult{};
                w.result.base_fee = w.base_fee;
                w.result.vsize = w.vsize;
                w.result.effective_feerate = package_rate;
                w.result.effective_feerate_wtxids = wtxids;
                results[w.tx->GetWtxid()] = w.result;
            }
            // Trimming waits until the whole package is in (Core's LimitMempoolSize after it).
            m_pool.Expire();
            m_pool.TrimToSize(static_cast<size_t>(m_pool.GetOptions().max_size_bytes));
            for (Work& w : works) {
                if (!m_pool.Exists(w.tx->GetTxid())) {
                    AcceptResult& r = results[w.tx->GetWtxid()];
                    r.kind = AcceptResult::Kind::INVALID;
                    r.state = ValidationResult::Invalid(TxValidationResult::MEMPOOL_POLICY, "mempool full");
                }
            }
        } else if (fee_failure) {
            for (Work& w : works) {
                AcceptResult& r = results[w.tx->GetWtxid()];
                r.kind = AcceptResult::Kind::INVALID;
                r.state = *fee_failure;
            }
        }
    }
    bool all_ok = true;
    for (const auto& tx : txs) {
        const AcceptResult& r = results[tx->GetWtxid()];
        if (r.kind == AcceptResult::Kind::INVALID) all_ok = false;
        out.results.emplace_back(tx->GetWtxid(), r);
    }
    if (!package_failure) package_failure = limits_failure ? limits_failure : rbf_failure;
    if (package_failure) {
        out.state = *package_failure;
        out.policy_failure = true;
    } else {
        out.state = all_ok ? ValidationResult{} : PackageInvalid(package_reason);
    }
    return out;
}

PackageResult MempoolAcceptor::TestAcceptPackage(const std::vector<TransactionRef>& txs, int64_t accept_time)
{
    PackageResult out;
    // A rule of packages broken: no transaction is judged.
    auto package_failure = [&out](ValidationResult state) {
        out.state = std::move(state);
        out.policy_failure = true;
        out.results.clear();
        return out;
    };
    // One transaction failed: its result, those judged before it, none for the rest (Core's
    // "transaction failed", so that no script is checked after a cheap failure).
    auto tx_failure = [&out](const Work& w) {
        AcceptResult r = w.result;
        // Already in the pool counts as a failure here (a test package may not contain it).
        r.kind = AcceptResult::Kind::INVALID;
        out.results.emplace_back(w.tx->GetWtxid(), std::move(r));
        out.state = PackageInvalid("transaction failed");
        return out;
    };
    if (txs.empty()) return package_failure(PackageInvalid("package-empty"));
    if (auto err = CheckWellFormed(txs)) return package_failure(PackageInvalid(*err));

    // Every transaction's PreChecks first, each at its own fee rate, no replacement; a later one
    // may spend the outputs of an earlier one (sorted, so never of a later one).
    std::map<Uint256, TransactionRef> earlier;
    std::vector<Work> works(txs.size());
    for (size_t i = 0; i < txs.size(); ++i) {
        Work& w = works[i];
        w.tx = txs[i];
        w.accept_time = accept_time;
        w.package = &earlier;
        if (!PreChecks(w, /*bypass_limits=*/false, /*package_feerate=*/false, /*allow_replacement=*/false)) {
            return tx_failure(w);
        }
        earlier.emplace(txs[i]->GetTxid(), txs[i]);
    }
    // BIP-431 with the in-package parents counted (Core's PackageTRUCChecks): a package rule.
    for (const Work& w : works) {
        if (auto err = CheckPackageTruc(w, txs)) {
            return package_failure(
                ValidationResult::Invalid(TxValidationResult::MEMPOOL_POLICY, "TRUC-violation", *err));
        }
    }
    // The ancestor and descendant limits for the package as a whole (a package rule).
    int64_t total_vsize = 0;
    for (const Work& w : works) total_vsize += w.vsize;
    if (auto err = CheckPackageLimits(m_pool, txs, total_vsize)) {
        return package_failure(
            ValidationResult::Invalid(TxValidationResult::MEMPOOL_POLICY, "package-mempool-limits", *err));
    }
    // Ephemeral dust: a child leaving its parent's dust unspent fails, and the package with it.
    if (m_opts.require_standard) {
        size_t failed = 0;
        ValidationResult state;
        if (!CheckEphemeralSpends(txs, &failed, &state)) {
            AcceptResult r;
            r.kind = AcceptResult::Kind::INVALID;
            r.state = state;
            out.results.emplace_back(txs[failed]->GetWtxid(), std::move(r));
            out.state = PackageInvalid("unspent-dust");
            return out;
        }
    }
    // Scripts last, in order: those that pass before a failure keep their result.
    for (Work& w : works) {
        if (!ScriptChecks(w)) return tx_failure(w);
        AcceptResult& r = w.result;
        r.kind = AcceptResult::Kind::VALID;
        r.state = ValidationResult{};
        r.base_fee = w.base_fee;
        r.vsize = w.vsize;
        r.effective_feerate = FeeRate(w.modified_fee, w.vsize);
        r.effective_feerate_wtxids = {w.tx->GetWtxid()};
        out.results.emplace_back(w.tx->GetWtxid(), r);
    }
    out.state = ValidationResult{};
    return out;
}

} // namespace node::mempool
