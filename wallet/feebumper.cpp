#include "wallet/feebumper.h"

#include "common/rpc/protocol.h"
#include "wallet/coinselection.h"
#include "wallet/wallet.h"

#include <algorithm>

namespace wallet {

// ---- The wallet's side of a bump (members of Wallet kept next to their only callers)

bool Wallet::HasWalletSpend(const consensus::Uint256& txid) const
{
    util::LockGuard lock(m_mutex);
    auto it = m_txs.find(txid);
    if (it == m_txs.end()) return false;
    for (uint32_t n = 0; n < it->second.tx->vout.size(); ++n) {
        if (IsSpentLocked(consensus::OutPoint{txid, n})) return true;
    }
    return false;
}

bool Wallet::MarkReplaced(const consensus::Uint256& original, const consensus::Uint256& replacement, std::string& error)
{
    util::LockGuard lock(m_mutex);
    auto it = m_txs.find(original);
    if (it == m_txs.end()) {
        error = "Invalid or non-wallet transaction id";
        return false;
    }
    it->second.meta["replaced_by_txid"] = replacement.GetHex();
    WalletBatch batch;
    StoreTx(it->second, batch);
    return Commit(batch, error);
}

namespace feebumper {

using common::FeeRate;
using consensus::Amount;
using namespace common::rpc;

int RpcCode(Result result)
{
    switch (result) {
    case Result::INVALID_ADDRESS_OR_KEY: return RPC_INVALID_ADDRESS_OR_KEY;
    case Result::INVALID_REQUEST: return RPC_INVALID_REQUEST;
    case Result::INVALID_PARAMETER: return RPC_INVALID_PARAMETER;
    case Result::WALLET_ERROR: return RPC_WALLET_ERROR;
    case Result::OK:
    case Result::MISC_ERROR: break;
    }
    return RPC_MISC_ERROR;
}

namespace {

/** The output txin spends: from the wallet's transactions, else the mempool's or the UTXO set's (Core's findCoins). */
std::optional<consensus::TxOut> SpentOutput(const Wallet& w, const consensus::OutPoint& prevout)
{
    if (auto parent = w.GetTx(prevout.hash); parent && prevout.n < parent->tx->vout.size()) {
        return parent->tx->vout[prevout.n];
    }
    if (auto coin = w.Chain().FindCoin(prevout)) return coin->out;
    return std::nullopt;
}

} // namespace

Result PreconditionChecks(const Wallet& w, const WalletTx& wtx, bool require_mine, std::vector<std::string>& errors)
{
    const consensus::Uint256 txid = wtx.tx->GetTxid();
    if (w.HasWalletSpend(txid)) {
        errors.push_back("Transaction has descendants in the wallet");
        return Result::INVALID_PARAMETER;
    }
    // Descendants the wallet does not know (another wallet spending its output) would be evicted.
    if (w.Chain().HasDescendantsInMempool(txid)) {
        errors.push_back("Transaction has descendants in the mempool");
        return Result::INVALID_PARAMETER;
    }
    if (w.Depth(wtx) != 0) {
        errors.push_back("Transaction has been mined, or is conflicted with a mined transaction");
        return Result::WALLET_ERROR;
    }
    // Full RBF (Core 30): no BIP-125 signal is required of the original.
    if (auto it = wtx.meta.find("replaced_by_txid"); it != wtx.meta.end()) {
        errors.push_back("Cannot bump transaction " + txid.GetHex() + " which was already bumped by transaction " +
                         it->second);
        return Result::WALLET_ERROR;
    }
    if (require_mine) {
        // The fee is known only if every input is the wallet's.
        for (const auto& in : wtx.tx->vin) {
            if (!w.GetOwnedOutput(in.prevout)) {
                errors.push_back("Transaction contains inputs that don't belong to this wallet");
                return Result::WALLET_ERROR;
            }
        }
    }
    return Result::OK;
}

Result CheckFeeRate(const Wallet& w, const std::vector<consensus::OutPoint>& inputs, FeeRate rate, int64_t max_vsize,
                    Amount old_fee, std::vector<std::string>& errors)
{
    // A replacement below the mempool's minimum would not be accepted anyway.
    const FeeRate mempool_min = w.Chain().MempoolMinFee();
    if (rate < mempool_min) {
        errors.push_back("New fee rate (" + common::FormatMoney(rate.SatsPerKvB()) +
                         ") is lower than the minimum fee rate (" + common::FormatMoney(mempool_min.SatsPerKvB()) +
                         ") to get into the mempool -- ");
        return Result::WALLET_ERROR;
    }
    // What raising the inputs' unconfirmed ancestors to the new rate costs is paid too (the
    // original, which spends them, counts as replaced).
    const std::optional<Amount> bump_fee = w.Chain().CalculateCombinedBumpFee(inputs, rate);
    if (!bump_fee) {
        errors.push_back(ERR_BUMP_FEE_CLUSTER);
        return Result::WALLET_ERROR;
    }
    const Amount new_total = rate.GetFee(max_vsize) + *bump_fee;
    // BIP-125 rules 3 and 4: the old fee plus the incremental relay fee for the new size.
    const Amount incremental = w.Chain().RelayIncrementalFee().GetFee(max_vsize);
    const Amount min_total = old_fee + incremental;
    if (new_total < min_total) {
        errors.push_back("Insufficient total fee " + common::FormatMoney(new_total) + ", must be at least " +
                         common::FormatMoney(min_total) + " (oldFee " + common::FormatMoney(old_fee) +
                         " + incrementalFee " + common::FormatMoney(incremental) + ")");
        return Result::INVALID_PARAMETER;
    }
    const Amount required = std::max(w.Chain().RelayMinFee(), w.Fees().min_tx_fee).GetFee(max_vsize);
    if (new_total < required) {
        errors.push_back("Insufficient total fee (cannot be less than required fee " + common::FormatMoney(required) +
                         ")");
        return Result::INVALID_PARAMETER;
    }
    if (new_total > w.Fees().max_tx_fee) {
        errors.push_back("Specified or calculated fee " + common::FormatMoney(new_total) +
                         " is too high (cannot be higher than -maxtxfee " + common::FormatMoney(w.Fees().max_tx_fee) +
                         ")");
        return Result::WALLET_ERROR;
    }
    return Result::OK;
}

FeeRate EstimateFeeRate(const Wallet& w, const consensus::Transaction& original, Amount old_fee,
                        const CoinControl& control)
{
    // The original's rate is rounded down: one sat/kvB more, plus the larger increment.
    const int64_t vsize = (consensus::GetTransactionWeight(original) + 3) / 4;
    Amount rate = FeeRate(old_fee, vsize).SatsPerKvB() + Amount{1};
    rate += std::max(w.Chain().RelayIncrementalFee(), FeeRate(WALLET_INCREMENTAL_RELAY_FEE)).SatsPerKvB();
    SpendError ignored;
    const auto min = GetMinimumFeeRate(w, control, ignored);
    return std::max(FeeRate(rate), min ? min->rate : FeeRate());
}

std::optional<Bump> CreateRateBumpTransaction(Wallet& w, const consensus::Uint256& txid, const CoinControl& control,
                                              bool require_mine, const std::vector<consensus::TxOut>& outputs,
                                              std::optional<uint32_t> original_change_index,
                                              std::vector<std::string>& errors, Result& result)
{
    auto fail = [&](Result r, std::string message) -> std::optional<Bump> {
        errors.push_back(std::move(message));
        result = r;
        return std::nullopt;
    };
    if (!outputs.empty() && original_change_index) {
        return fail(Result::INVALID_PARAMETER,
                    "The options 'outputs' and 'original_change_index' are incompatible. You can only either specify "
                    "a new set of outputs, or designate a change output to be recycled.");
    }
    const auto wtx = w.GetTx(txid);
    if (!wtx) return fail(Result::INVALID_ADDRESS_OR_KEY, "Invalid or non-wallet transaction id");
    if (original_change_index && *original_change_index >= wtx->tx->vout.size()) {
        return fail(Result::INVALID_PARAMETER, "Change position is out of range");
    }

    // Every input of the original is spent again (presets), with the outputs they spend.
    CoinControl bump = control;
    Amount input_value{0};
    for (const auto& in : wtx->tx->vin) {
        auto out = SpentOutput(w, in.prevout);
        if (!out) {
            return fail(Result::MISC_ERROR,
                        in.prevout.hash.GetHex() + ":" + std::to_string(in.prevout.n) + " is already spent");
        }
        input_value += out->value;
        bump.preset_inputs.push_back(in.prevout);
        bump.preset_txouts[in.prevout] = *out;
    }
    result = PreconditionChecks(w, *wtx, require_mine, errors);
    if (result != Result::OK) return std::nullopt;

    Amount output_value{0};
    for (const auto& out : wtx->tx->vout) output_value += out.value;
    Bump made;
    made.old_fee = input_value - output_value;

    // The recipients stay; the change output (the wallet's change script, or the one named)
    // is where the change goes again.
    std::vector<Recipient> recipients;
    Amount new_outputs_value{0};
    const auto& txouts = outputs.empty() ? wtx->tx->vout : outputs;
    for (size_t i = 0; i < txouts.size(); ++i) {
        const consensus::TxOut& out = txouts[i];
        const bool is_change = original_change_index ? *original_change_index == i : w.IsChange(out.script_pubkey);
        if (is_change) {
            bump.change_script = out.script_pubkey;
        } else {
            recipients.push_back({out.script_pubkey, out.value, false});
        }
        new_outputs_value += out.value;
    }
    if (recipients.empty()) {
        // Only change: it pays the fee (subtracted), and no other change is made.
        if (!bump.change_script) {
            return fail(Result::INVALID_PARAMETER,
                        "Unable to create transaction. Transaction must have at least one recipient");
        }
        recipients.push_back({*bump.change_script, new_outputs_value, true});
        bump.change_script.reset();
    }

    if (control.feerate) {
        consensus::MutableTransaction temp(*wtx->tx);
        temp.vout = txouts;
        const int64_t max_vsize = MaximumSignedVsize(w, temp, bump.preset_txouts);
        if (max_vsize < 0) {
            return fail(Result::WALLET_ERROR, "Unable to create transaction. Missing solving data for estimating "
                                              "transaction size");
        }
        result = CheckFeeRate(w, bump.preset_inputs, *control.feerate, max_vsize, made.old_fee, errors);
        if (result != Result::OK) return std::nullopt;
    } else {
        bump.feerate = EstimateFeeRate(w, *wtx->tx, made.old_fee, bump);
    }
    bump.allow_other_inputs = true;
    // BIP-125 rule 2: no new unconfirmed inputs.
    bump.min_depth = 1;

    SpendError error;
    auto created = CreateTransaction(w, recipients, bump, error);
    if (!created) return fail(Result::WALLET_ERROR, "Unable to create transaction. " + error.message);
    made.new_fee = created->fee;
    made.tx = consensus::MutableTransaction(*created->tx);
    result = Result::OK;
    return made;
}

Result CommitBump(Wallet& w, const consensus::Uint256& txid, const consensus::TransactionRef& replacement,
                  std::vector<std::string>& errors, std::optional<std::string>& broadcast_error)
{
    const auto old = w.GetTx(txid);
    if (!old) {
        errors.push_back("Invalid or non-wallet transaction id");
        return Result::MISC_ERROR;
    }
    // Mined or spent while the replacement was made?
    const Result checked = PreconditionChecks(w, *old, /*require_mine=*/false, errors);
    if (checked != Result::OK) return checked;
    std::map<std::string, std::string> meta = old->meta;
    meta["replaces_txid"] = txid.GetHex();
    std::string error;
    if (!w.AddOwnTransaction(replacement, std::move(meta), error)) {
        errors.push_back(error);
        return Result::WALLET_ERROR;
    }
    // Marked before the broadcast: the original is replaced whatever the mempool says now.
    if (!w.MarkReplaced(txid, replacement->GetTxid(), error)) {
        errors.push_back("Created new bumpfee transaction but could not mark the original transaction as replaced");
    }
    broadcast_error = w.Chain().BroadcastTransaction(replacement, Amount{0});
    if (!broadcast_error) w.RefreshInMempool(replacement->GetTxid());
    return Result::OK;
}

} // namespace feebumper
} // namespace wallet
