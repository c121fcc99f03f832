#include "node/mempool/policy.h"

#include "common/solver.h"
#include "consensus/script/script.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace node::mempool {

using consensus::Script;
using consensus::TxOut;

namespace {

/** A witness-v1 program of two bytes 4e73: pay-to-anchor (Core 28's P2A). */
bool IsPayToAnchor(int version, const std::vector<uint8_t>& program)
{
    return version == 1 && program.size() == 2 && program[0] == 0x4e && program[1] == 0x73;
}

/** The stack a push-only scriptSig leaves (nullopt if it fails to run): the P2SH redeem script is its top. */
std::optional<std::vector<std::vector<uint8_t>>> PushedStack(const Script& script_sig)
{
    std::vector<std::vector<uint8_t>> stack;
    consensus::BaseSignatureChecker checker;
    if (!consensus::EvalScript(stack, script_sig, consensus::SCRIPT_VERIFY_NONE, checker,
                               consensus::SigVersion::BASE)) {
        return std::nullopt;
    }
    return stack;
}

} // namespace

consensus::Amount GetDustThreshold(const TxOut& out, consensus::Amount dust_relay_feerate)
{
    // Spending an output costs its own serialized size plus an input's. An unspendable one is never dust.
    if (out.script_pubkey.IsUnspendable()) return consensus::Amount{0};
    const size_t script_len = out.script_pubkey.size();
    int64_t size = 8 + (script_len < 253 ? 1 : script_len <= 0xffff ? 3 : 5) + static_cast<int64_t>(script_len);
    int version = 0;
    std::vector<uint8_t> program;
    if (out.script_pubkey.IsWitnessProgram(version, program)) {
        // outpoint 36, sequence 4, scriptSig length 1, and a witness discounted by 4 (a P2WPKH's ~107 bytes).
        size += 32 + 4 + 1 + (107 / consensus::WITNESS_SCALE_FACTOR) + 4;
    } else {
        size += 32 + 4 + 1 + 107 + 4;
    }
    return FeeRate(dust_relay_feerate).GetFee(size);
}

bool IsDust(const TxOut& out, consensus::Amount dust_relay_feerate)
{
    return out.value < GetDustThreshold(out, dust_relay_feerate);
}

bool IsStandardTx(const consensus::Transaction& tx, const PolicyOptions& options, std::string& reason)
{
    if (tx.version < TX_MIN_STANDARD_VERSION || tx.version > TX_MAX_STANDARD_VERSION) {
        reason = "version";
        return false;
    }
    if (consensus::GetTransactionWeight(tx) > MAX_STANDARD_TX_WEIGHT) {
        reason = "tx-size";
        return false;
    }
    for (const consensus::TxIn& in : tx.vin) {
        // The largest standard P2SH scriptSig: a 15-of-15 CHECKMULTISIG with compressed keys.
        if (in.script_sig.size() > MAX_STANDARD_SCRIPTSIG_SIZE) {
            reason = "scriptsig-size";
            return false;
        }
        if (!in.script_sig.IsPushOnly()) {
            reason = "scriptsig-not-pushonly";
            return false;
        }
    }
    int64_t datacarrier_bytes = 0;
    size_t dust = 0;
    std::vector<std::vector<uint8_t>> solutions;
    for (const TxOut& out : tx.vout) {
        const common::TxoutType type = common::SolveScript(out.script_pubkey, solutions);
        if (type == common::TxoutType::NONSTANDARD) {
            reason = "scriptpubkey";
            return false;
        }
        if (type == common::TxoutType::MULTISIG) {
            // Bare multisig: at most 3 keys (solutions hold m, the keys, n).
            const int m = solutions.front()[0], n = solutions.back()[0];
            if (n < 1 || n > 3 || m < 1 || m > n) {
                reason = "scriptpubkey";
                return false;
            }
            if (!options.permit_bare_multisig) {
                reason = "bare-multisig";
                return false;
            }
        }
        if (type == common::TxoutType::NULL_DATA) {
            // Core v30: any number of OP_RETURN outputs, their scripts within -datacarriersize together.
            datacarrier_bytes += static_cast<int64_t>(out.script_pubkey.size());
            if (!options.datacarrier || datacarrier_bytes > options.max_datacarrier_bytes) {
                reason = "datacarrier";
                return false;
            }
            continue;
        }
        if (IsDust(out, options.dust_relay_feerate)) ++dust;
    }
    // One dust output is allowed (ephemeral dust, Core v29): the acceptance then demands a zero fee.
    if (dust > MAX_DUST_OUTPUTS_PER_TX) {
        reason = "dust";
        return false;
    }
    return true;
}

bool AreInputsStandard(const consensus::Transaction& tx, std::span<const TxOut> spent)
{
    if (tx.IsCoinBase()) return true;
    if (spent.size() != tx.vin.size()) return false; // one spent output per input, never read past
    std::vector<std::vector<uint8_t>> solutions;
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const Script& prev = spent[i].script_pubkey;
        const common::TxoutType type = common::SolveScript(prev, solutions);
        if (type == common::TxoutType::NONSTANDARD || type == common::TxoutType::WITNESS_UNKNOWN) return false;
        if (type == common::TxoutType::SCRIPTHASH) {
            auto stack = PushedStack(tx.vin[i].script_sig);
            if (!stack || stack->empty()) return false;
            const Script redeem(stack->back().begin(), stack->back().end());
            if (redeem.GetSigOpCount(true) > MAX_P2SH_SIGOPS) return false;
        }
    }
    return true;
}

bool CheckSigopsBIP54(const consensus::Transaction& tx, std::span<const TxOut> spent)
{
    if (tx.IsCoinBase() || spent.size() != tx.vin.size()) return true;
    // BIP-54 counts sigops where they may run: in the spending transaction, so the spent
    // scriptPubKey's (and its redeem script's, through GetSigOpCount(script_sig)) count here.
    uint64_t sigops = 0;
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        sigops += tx.vin[i].script_sig.GetSigOpCount(/*accurate=*/true);
        sigops += spent[i].script_pubkey.GetSigOpCount(tx.vin[i].script_sig);
        if (sigops > MAX_TX_LEGACY_SIGOPS) return false;
    }
    return true;
}

bool HasDust(const consensus::Transaction& tx, consensus::Amount dust_relay_feerate)
{
    return std::any_of(tx.vout.begin(), tx.vout.end(),
                       [&](const TxOut& out) { return IsDust(out, dust_relay_feerate); });
}

std::optional<size_t>
FindMissingEphemeralSpends(std::span<const consensus::TransactionRef> package, consensus::Amount dust_relay_feerate,
                           const std::function<consensus::TransactionRef(const consensus::Uint256&)>& pool_lookup)
{
    std::map<consensus::Uint256, consensus::TransactionRef> in_package;
    for (const auto& tx : package) in_package.emplace(tx->GetTxid(), tx);
    for (size_t k = 0; k < package.size(); ++k) {
        const consensus::Transaction& tx = *package[k];
        // The dust outputs of every unconfirmed parent, then crossed off by tx's inputs.
        std::set<consensus::Uint256> parents;
        std::set<consensus::OutPoint> dust;
        for (const consensus::TxIn& in : tx.vin) {
            if (!parents.insert(in.prevout.hash).second) continue;
            consensus::TransactionRef parent;
            if (auto it = in_package.find(in.prevout.hash); it != in_package.end()) {
                parent = it->second;
            } else if (pool_lookup) {
                parent = pool_lookup(in.prevout.hash);
            }
            if (!parent) continue;
            for (uint32_t n = 0; n < parent->vout.size(); ++n) {
                if (IsDust(parent->vout[n], dust_relay_feerate)) dust.insert(consensus::OutPoint(in.prevout.hash, n));
            }
        }
        for (const consensus::TxIn& in : tx.vin) dust.erase(in.prevout);
        if (!dust.empty()) return k;
    }
    return std::nullopt;
}

bool IsWitnessStandard(const consensus::Transaction& tx, std::span<const TxOut> spent)
{
    if (tx.IsCoinBase()) return true;
    if (spent.size() != tx.vin.size()) return false;
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const auto& witness = tx.vin[i].witness.stack;
        if (witness.empty()) continue; // an empty witness cannot be bloated
        Script prev = spent[i].script_pubkey;
        bool p2sh = false;
        if (prev.IsPayToScriptHash()) {
            auto stack = PushedStack(tx.vin[i].script_sig);
            if (!stack || stack->empty()) return false;
            prev = Script(stack->back().begin(), stack->back().end());
            p2sh = true;
        }
        int version = 0;
        std::vector<uint8_t> program;
        // A witness on a spend that is not of a witness program.
        if (!prev.IsWitnessProgram(version, program)) return false;
        // Pay-to-anchor is spent with an empty witness.
        if (IsPayToAnchor(version, program)) return false;
        if (version == 0 && program.size() == consensus::WITNESS_V0_SCRIPTHASH_SIZE) {
            if (witness.back().size() > MAX_STANDARD_P2WSH_SCRIPT_SIZE) return false;
            if (witness.size() - 1 > MAX_STANDARD_P2WSH_STACK_ITEMS) return false;
            for (size_t j = 0; j + 1 < witness.size(); ++j) {
                if (witness[j].size() > MAX_STANDARD_P2WSH_STACK_ITEM_SIZE) return false;
            }
        }
        if (version == 1 && program.size() == 32 && !p2sh) {
            // BIP-341: an annex (a last item starting 0x50 with two or more items) is not standard yet.
            std::span<const std::vector<uint8_t>> stack(witness);
            if (stack.size() >= 2 && !stack.back().empty() && stack.back()[0] == consensus::ANNEX_TAG) return false;
            if (stack.size() >= 2) {
                const auto& control = stack.back();
                stack = stack.first(stack.size() - 2); // without the control block and the script
                if (control.empty()) return false;
                if ((control[0] & consensus::TAPROOT_LEAF_MASK) == consensus::TAPROOT_LEAF_TAPSCRIPT) {
                    for (const auto& item : stack) {
                        if (item.size() > MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE) return false;
                    }
                }
            } else if (stack.empty()) {
                return false;
            }
        }
    }
    return true;
}

int64_t GetVirtualTransactionSize(int64_t weight, int64_t sigop_cost, int64_t bytes_per_sigop)
{
    const int64_t w = std::max(weight, sigop_cost * bytes_per_sigop);
    return (w + consensus::WITNESS_SCALE_FACTOR - 1) / consensus::WITNESS_SCALE_FACTOR;
}

} // namespace node::mempool
