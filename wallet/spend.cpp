#include "wallet/spend.h"

#include "common/rpc/protocol.h"
#include "common/sign.h"
#include "common/solver.h"
#include "consensus/serialize.h"
#include "wallet/coinselection.h"
#include "wallet/wallet.h"

#include <algorithm>
#include <set>

namespace wallet {

using common::FeeRate;
using consensus::Amount;
using namespace common::rpc;

namespace {

/** Core's MAX_STANDARD_TX_WEIGHT (policy). */
constexpr int64_t MAX_TX_WEIGHT = 400'000;

/** The type of output script s, as coin selection groups coins. */
OutputType TypeOf(const consensus::Script& s)
{
    std::vector<std::vector<uint8_t>> sol;
    switch (common::SolveScript(s, sol)) {
    case common::TxoutType::PUBKEYHASH:
    case common::TxoutType::PUBKEY: return OutputType::LEGACY;
    case common::TxoutType::SCRIPTHASH: return OutputType::P2SH_SEGWIT;
    case common::TxoutType::WITNESS_V0_KEYHASH:
    case common::TxoutType::WITNESS_V0_SCRIPTHASH: return OutputType::BECH32;
    case common::TxoutType::WITNESS_V1_TAPROOT: return OutputType::BECH32M;
    default: return OutputType::UNKNOWN;
    }
}

/**
 * Signs input i of tx with placeholder signatures (sizes as the real ones at most): with what the
 * wallet knows of spk, else with external (solving data given for inputs not the wallet's).
 */
bool DummySign(const Wallet& w, consensus::MutableTransaction& tx, size_t i, const consensus::Script& spk,
               const common::FlatSigningProvider* external = nullptr)
{
    auto sign_with = [&](const common::SigningProvider& provider) {
        common::SignatureData sig;
        if (!common::ProduceSignature(provider, common::DummySignatureCreator(), spk, sig)) return false;
        common::UpdateInput(tx.vin[i], sig);
        return true;
    };
    if (auto provider = w.GetProvider(spk, /*with_private=*/false); provider && sign_with(*provider)) return true;
    if (!external) return false;
    if (sign_with(*external)) return true;
    // An external P2TR output with nothing known of it is sized as a key-path spend (Core infers
    // rawtr() for it): one signature, with a sighash byte at most (BIP-341).
    int version = 0;
    std::vector<uint8_t> program;
    if (!spk.IsWitnessProgram(version, program) || version != 1 || program.size() != 32) return false;
    tx.vin[i].script_sig = consensus::Script();
    tx.vin[i].witness.stack.assign(1, std::vector<uint8_t>(65));
    return true;
}

/**
 * The weight a given input weight already holds once its input is in the transaction: the
 * outpoint, an empty scriptSig's length, the sequence (41 bytes, times 4) and its witness's item
 * count (Core's least input weight, 165).
 */
constexpr int64_t MIN_INPUT_WEIGHT = (32 + 4 + 1 + 4) * 4 + 1;

/** Core's GetVirtualTransactionSize of a weight (no sigops): rounded up. */
int VsizeOfWeight(int64_t weight) { return static_cast<int>((weight + 3) / 4); }

/** The virtual size of spending out, signed as DummySign signs it (-1 if it cannot), and out's type. */
InputInfo MeasureSpend(const Wallet& w, const consensus::TxOut& out, const common::FlatSigningProvider* external)
{
    InputInfo info;
    info.type = TypeOf(out.script_pubkey);
    consensus::MutableTransaction tx;
    tx.vin.resize(1);
    if (!DummySign(w, tx, 0, out.script_pubkey, external)) return info;
    // One input's share: its weight (with the witness-count byte the segwit marker makes room for).
    const consensus::Transaction empty{consensus::MutableTransaction{}};
    info.vsize = VsizeOfWeight(consensus::GetTransactionWeight(consensus::Transaction(tx)) -
                               consensus::GetTransactionWeight(empty));
    return info;
}

/** Core's COutPoint::ToString, as its preset-input errors name an input: "COutPoint(<txid, 10 digits>, n)". */
std::string OutPointString(const consensus::OutPoint& op)
{
    return "COutPoint(" + op.hash.GetHex().substr(0, 10) + ", " + std::to_string(op.n) + ")";
}

/** Core's change type choice: the wallet's type matching a taproot or segwit recipient, else bech32. */
OutputType ChangeType(const CoinControl& control, const std::vector<Recipient>& recipients)
{
    if (control.change_type) return *control.change_type;
    bool any_tr = false, all_tr = true;
    for (const auto& r : recipients) {
        const bool tr = TypeOf(r.script) == OutputType::BECH32M;
        any_tr |= tr;
        all_tr &= tr;
    }
    // Core: if every recipient is taproot, change is taproot too; otherwise the default (bech32).
    return any_tr && all_tr ? OutputType::BECH32M : OutputType::BECH32;
}

/** Core's anti-fee-sniping lock time (DiscourageFeeSniping): the tip's height, sometimes a little less. */
uint32_t AntiFeeSniping(const Wallet& w, std::mt19937_64& rng)
{
    common::interfaces::Chain& chain = w.Chain();
    const auto tip = chain.GetTip();
    if (!tip || chain.IsInitialBlockDownload()) return 0;
    uint32_t height = static_cast<uint32_t>(tip->height);
    if (std::uniform_int_distribution<int>(0, 9)(rng) == 0) {
        height = height - std::min<uint32_t>(height, std::uniform_int_distribution<uint32_t>(0, 99)(rng));
    }
    return height;
}

} // namespace

InputInfo SpendInfo(const Wallet& w, const consensus::TxOut& out)
{
    return w.CachedInputInfo(out.script_pubkey, [&]() { return MeasureSpend(w, out, nullptr); });
}

int64_t MaximumSignedWeight(const Wallet& w, const consensus::MutableTransaction& tx,
                            const std::map<consensus::OutPoint, consensus::TxOut>& spent, const CoinControl* control)
{
    consensus::MutableTransaction sized = tx;
    std::vector<int64_t> given_weights;
    for (size_t i = 0; i < sized.vin.size(); ++i) {
        sized.vin[i].script_sig = consensus::Script();
        sized.vin[i].witness = consensus::ScriptWitness();
        if (control) {
            if (auto weight = control->input_weights.find(sized.vin[i].prevout);
                weight != control->input_weights.end()) {
                given_weights.push_back(weight->second);
                continue;
            }
        }
        auto it = spent.find(sized.vin[i].prevout);
        if (it == spent.end() ||
            !DummySign(w, sized, i, it->second.script_pubkey, control ? &control->external_provider : nullptr)) {
            return -1;
        }
    }
    const consensus::Transaction signed_tx(sized);
    int64_t sized_weight = consensus::GetTransactionWeight(signed_tx);
    // A weighted input may be a segwit one: without another witness, the transaction's marker and
    // flag and every input's witness item count are added, so the size is never short.
    if (!given_weights.empty() && !signed_tx.HasWitness()) {
        sized_weight += 2 + static_cast<int64_t>(sized.vin.size());
    }
    for (const int64_t weight : given_weights) sized_weight += weight - MIN_INPUT_WEIGHT;
    return sized_weight;
}

int64_t MaximumSignedVsize(const Wallet& w, const consensus::MutableTransaction& tx,
                           const std::map<consensus::OutPoint, consensus::TxOut>& spent, const CoinControl* control)
{
    const int64_t weight = MaximumSignedWeight(w, tx, spent, control);
    return weight < 0 ? -1 : VsizeOfWeight(weight);
}

Amount DustThreshold(const consensus::TxOut& out, FeeRate rate)
{
    if (out.script_pubkey.IsUnspendable()) return Amount{0};
    size_t size = consensus::SerializedSize(out);
    int version = 0;
    std::vector<uint8_t> program;
    // Spending it later: a segwit input is 32 + 4 + 1 + 107 / 4 + 4 virtual bytes, others 32 + 4 + 1 + 107 + 4.
    size += out.script_pubkey.IsWitnessProgram(version, program) ? 32 + 4 + 1 + 107 / 4 + 4 : 32 + 4 + 1 + 107 + 4;
    return rate.GetFee(static_cast<int64_t>(size));
}

std::optional<FeeCalculation> GetMinimumFeeRate(const Wallet& w, const CoinControl& control, SpendError& error)
{
    // Core's precedence: an explicit fee_rate, then conf_target, then settxfee, then -txconfirmtarget.
    const FeeSettings& s = w.Fees();
    common::interfaces::Chain& chain = w.Chain();
    FeeCalculation calc;
    if (control.feerate) {
        calc = {*control.feerate, "PayTxFee set"};
    } else if (!control.conf_target && w.PayTxFee() > FeeRate()) {
        calc = {w.PayTxFee(), "PayTxFee set"};
    } else {
        const int target = control.conf_target.value_or(s.confirm_target);
        const auto est = chain.EstimateSmartFee(target, control.conservative);
        if (est.feerate) {
            calc = {*est.feerate,
                    control.conservative ? "Conservative Double Target longer horizon" : "Target 85% Threshold"};
        } else if (s.fallback_fee > FeeRate()) {
            calc = {s.fallback_fee, "Fallback fee"};
        } else {
            error = {RPC_WALLET_ERROR,
                     "Fee estimation failed. Fallbackfee is disabled. Wait a few blocks or enable -fallbackfee."};
            return std::nullopt;
        }
        // Estimates and the fallback obey the mempool's minimum.
        if (calc.rate < chain.MempoolMinFee()) calc = {chain.MempoolMinFee(), "Mempool Min Fee"};
    }
    // Never below the required rate (-mintxfee and the relay minimum).
    const FeeRate required = std::max(chain.RelayMinFee(), s.min_tx_fee);
    if (calc.rate < required) calc = {required, "Minimum Required Fee"};
    return calc;
}

std::optional<CreatedTransaction> CreateTransaction(Wallet& w, const std::vector<Recipient>& recipients,
                                                    const CoinControl& control, SpendError& error)
{
    if (recipients.empty()) {
        error = {RPC_INVALID_PARAMETER, "Transaction must have at least one recipient"};
        return std::nullopt;
    }
    Amount recipients_sum{0};
    size_t subtract_count = 0;
    for (const auto& r : recipients) {
        if (r.amount < Amount{0}) {
            error = {RPC_WALLET_ERROR, "Transaction amounts must not be negative"};
            return std::nullopt;
        }
        recipients_sum += r.amount;
        subtract_count += r.subtract_fee ? 1 : 0;
    }
    auto fee_calc = GetMinimumFeeRate(w, control, error);
    if (!fee_calc) return std::nullopt;
    const FeeSettings& settings = w.Fees();
    // Core never raises a fee rate the user gave: below the required rate it is an error.
    if (control.feerate && fee_calc->rate > *control.feerate) {
        auto sat_vb = [](FeeRate r) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.3f sat/vB", static_cast<double>(r.SatsPerKvB().sats) / 1000.0);
            return std::string(buf);
        };
        error = {RPC_WALLET_ERROR, "Fee rate (" + sat_vb(*control.feerate) +
                                       ") is lower than the minimum fee rate setting (" + sat_vb(fee_calc->rate) + ")"};
        return std::nullopt;
    }
    std::random_device rd;
    std::mt19937_64 rng(static_cast<uint64_t>(rd()) << 32 | rd());

    consensus::MutableTransaction tx;
    tx.version = 2;
    tx.locktime = control.locktime.value_or(AntiFeeSniping(w, rng));
    for (const auto& r : recipients) {
        const consensus::TxOut out{r.amount, r.script};
        if (!r.subtract_fee && r.amount < DustThreshold(out, w.Chain().RelayDustFee())) {
            error = {RPC_WALLET_ERROR, "Transaction amount too small"};
            return std::nullopt;
        }
        tx.vout.push_back(out);
    }

    // The change script is reserved only if change is made (below); its size counts now.
    // A change address given (changeAddress) is sized as what it is.
    const OutputType given_type = control.change_script ? TypeOf(*control.change_script) : OutputType::UNKNOWN;
    const OutputType change_type = given_type != OutputType::UNKNOWN ? given_type : ChangeType(control, recipients);
    CoinSelectionParams params;
    params.m_effective_feerate = fee_calc->rate;
    params.m_long_term_feerate = settings.consolidate_fee;
    params.m_discard_feerate = std::max(settings.discard_fee, w.Chain().RelayDustFee());
    const consensus::Script change_proto =
        control.change_script                    ? *control.change_script
        : change_type == OutputType::LEGACY      ? consensus::Script(std::vector<uint8_t>(25))
        : change_type == OutputType::P2SH_SEGWIT ? consensus::Script(std::vector<uint8_t>(23))
        : change_type == OutputType::BECH32M     ? consensus::Script(std::vector<uint8_t>(34))
                                                 : consensus::Script(std::vector<uint8_t>(22));
    params.change_output_size = consensus::SerializedSize(consensus::TxOut{Amount{0}, change_proto});
    params.change_spend_size = change_type == OutputType::LEGACY        ? 148
                               : change_type == OutputType::P2SH_SEGWIT ? 91
                               : change_type == OutputType::BECH32M     ? 58
                                                                        : 68;
    size_t outputs_size = 0;
    for (const auto& o : tx.vout) outputs_size += consensus::SerializedSize(o);
    params.tx_noinputs_size = 10 + consensus::CompactSizeLen(tx.vout.size()) + outputs_size;
    params.m_subtract_fee_outputs = subtract_count > 0;
    params.m_include_unsafe_inputs = control.include_unsafe;
    params.m_avoid_partial_spends = control.avoid_partial_spends;
    params.m_allow_other_inputs = control.allow_other_inputs;
    params.m_spend_zero_conf_change = settings.spend_zero_conf_change;
    // Change below the dust threshold at the discard rate is not worth making.
    consensus::Script change_like = change_proto;
    if (change_type == OutputType::BECH32)
        change_like = consensus::Script(std::vector<uint8_t>{0x00, 0x14}), change_like.resize(22);
    SetChangeParams(params, recipients_sum, recipients.size(),
                    DustThreshold(consensus::TxOut{Amount{0}, change_like}, params.m_discard_feerate), rng);

    // The coins: the wallet's spendable ones, each with its input size and effective value, made
    // as the wallet hands them over (no list in between: a wallet of 10,000 coins does this on
    // every send).
    std::vector<COutput> available, presets;
    const std::set<consensus::OutPoint> preset_set(control.preset_inputs.begin(), control.preset_inputs.end());
    // The fee to spend a coin, by its size: a wallet's coins have a few sizes, so the fee is
    // computed again only when the size differs from the coin before's (FeeRate::GetFee divides).
    int fee_size = -1;
    Amount size_fee{0};
    auto spend_fee = [&](int vsize) {
        if (vsize < 0) return Amount{0}; // unknown size: charged nothing, as COutput does
        if (vsize != fee_size) {
            fee_size = vsize;
            size_fee = params.m_effective_feerate.GetFee(vsize);
        }
        return size_fee;
    };
    // Builds the coin in place at `into`'s end.
    auto place = [&](std::vector<COutput>& into, WalletCoin& c, InputInfo info) {
        // A preset's given weight counts over the computed size (Core's FetchSelectedInputs).
        if (auto weight = control.input_weights.find(c.outpoint); weight != control.input_weights.end()) {
            if (preset_set.contains(c.outpoint)) info.vsize = VsizeOfWeight(weight->second);
        }
        COutput& o = into.emplace_back(c.outpoint, std::move(c.txout), c.depth, info.vsize, /*solvable=*/true, c.safe,
                                       c.time, c.from_me, spend_fee(info.vsize));
        o.type = info.type;
    };
    // Coins whose input size the wallet has not measured yet are measured after the visit (it
    // holds the wallet's lock), in their places.
    std::vector<std::pair<std::vector<COutput>*, size_t>> unsized_at;
    std::vector<WalletCoin> unsized;
    // The places in `available` of its unconfirmed coins (asked about below), noted on the way.
    std::vector<size_t> unconfirmed_at;
    // Without their scripts unless grouped by script (avoid_partial_spends): the selected ones get
    // theirs below.
    w.VisitAvailableCoins(control.min_depth, 9999999, /*include_unsafe=*/true, /*include_locked=*/false,
                          /*allow_used=*/!control.avoid_address_reuse, /*with_scripts=*/control.avoid_partial_spends,
                          [&](size_t most, WalletCoin&& c) {
                              if (available.capacity() == 0) available.reserve(most);
                              auto& into = preset_set.contains(c.outpoint) ? presets : available;
                              if (&into == &available && c.depth == 0) unconfirmed_at.push_back(available.size());
                              if (c.input) {
                                  place(into, c, *c.input);
                                  return;
                              }
                              unsized_at.emplace_back(&into, into.size());
                              WalletCoin placeholder = c; // place() takes its output; c is measured later
                              place(into, placeholder, InputInfo{});
                              unsized.push_back(std::move(c));
                          });
    std::vector<COutput> measured; // the rare coin measured now, then moved over its placeholder
    for (size_t i = 0; i < unsized.size(); ++i) {
        auto [into, at] = unsized_at[i];
        place(measured, unsized[i], SpendInfo(w, unsized[i].txout));
        (*into)[at] = std::move(measured.back());
    }
    // The other presets (Core's FetchSelectedInputs): outputs given with them (spent already by the
    // transaction a replacement replaces, or external inputs), else the wallet's own that selection
    // may not take (locked ones). Sized by a given weight, else as the wallet or the solving data
    // sign them.
    for (const auto& op : control.preset_inputs) {
        const bool found =
            std::any_of(presets.begin(), presets.end(), [&](const COutput& c) { return c.outpoint == op; });
        if (found) continue;
        const auto given = control.preset_txouts.find(op);
        const std::optional<consensus::TxOut> txout =
            given != control.preset_txouts.end() ? std::optional(given->second) : w.GetOwnedOutput(op);
        if (!txout) {
            error = {RPC_WALLET_ERROR, "Not found pre-selected input " + OutPointString(op)};
            return std::nullopt;
        }
        InputInfo info = SpendInfo(w, *txout);
        if (info.vsize < 0) info = MeasureSpend(w, *txout, &control.external_provider);
        if (auto weight = control.input_weights.find(op); weight != control.input_weights.end()) {
            info.vsize = VsizeOfWeight(weight->second);
        }
        if (info.vsize < 0) {
            error = {RPC_WALLET_ERROR, "Not solvable pre-selected input " + OutPointString(op)};
            return std::nullopt;
        }
        const auto wtx = w.GetTx(op.hash);
        COutput o(op, *txout, wtx ? std::max(0, w.Depth(*wtx)) : 0, info.vsize, /*solvable=*/true,
                  /*safe=*/true, wtx ? wtx->time_smart : 0, /*from_me=*/wtx.has_value(), params.m_effective_feerate);
        o.type = info.type;
        presets.push_back(std::move(o));
    }
    // Unconfirmed coins (Core's AvailableCoins, FetchSelectedInputs and GroupOutputs): their
    // mempool ancestry for the eligibility filters, and what raising their low-fee ancestors to
    // this transaction's rate costs, charged to the coin so the new transaction pays for them.
    // Unsafe coins (unconfirmed from others) only when they may be spent, as Core's AvailableCoins
    // leaves them out before it asks: a stranger's huge cluster must not stop every send.
    std::vector<COutput*> asked;
    std::vector<consensus::OutPoint> unconfirmed;
    for (size_t at : unconfirmed_at) {
        COutput& c = available[at];
        if (!c.safe && !control.include_unsafe) continue;
        asked.push_back(&c);
        unconfirmed.push_back(c.outpoint);
    }
    for (COutput& c : presets) {
        if (c.depth != 0) continue;
        asked.push_back(&c);
        unconfirmed.push_back(c.outpoint);
    }
    if (!unconfirmed.empty()) {
        const auto bump_fees = w.Chain().CalculateIndividualBumpFees(unconfirmed, params.m_effective_feerate);
        if (!bump_fees) {
            error = {RPC_WALLET_ERROR, ERR_BUMP_FEE_CLUSTER};
            return std::nullopt;
        }
        for (size_t i = 0; i < asked.size(); ++i) {
            const auto& info = (*bump_fees)[i];
            asked[i]->ApplyBumpFee(info.bump_fee);
            asked[i]->ancestors = static_cast<size_t>(info.ancestor_count);
            asked[i]->descendants = static_cast<size_t>(info.descendant_count);
        }
        params.combined_bump_fee = [&w,
                                    rate = params.m_effective_feerate](const std::vector<consensus::OutPoint>& ops) {
            return w.Chain().CalculateCombinedBumpFee(ops, rate);
        };
    }
    const Amount target = recipients_sum + (params.m_subtract_fee_outputs
                                                ? Amount{0}
                                                : fee_calc->rate.GetFee(static_cast<int64_t>(params.tx_noinputs_size)));
    std::string select_error;
    auto selection = SelectCoins(std::move(available), presets, target, params, rng, select_error);
    if (!selection) {
        error = {select_error == ERR_INSUFFICIENT_FUNDS ? RPC_WALLET_INSUFFICIENT_FUNDS : RPC_WALLET_ERROR,
                 select_error};
        return std::nullopt;
    }
    // The selected coins that came without their scripts (AvailableCoins) get them back: no
    // wallet coin's script is empty (raw() refuses an empty one). An output the caller gave may
    // have an empty script (consensus allows it): it keeps what the caller gave.
    for (const auto& in : selection->GetInputSet()) {
        if (!in->txout.script_pubkey.empty()) continue;
        if (auto given = control.preset_txouts.find(in->outpoint); given != control.preset_txouts.end()) {
            in->txout = given->second;
            continue;
        }
        const std::optional<consensus::TxOut> out = w.GetOwnedOutput(in->outpoint);
        if (!out) {
            error = {RPC_WALLET_ERROR, "Not found selected input " + OutPointString(in->outpoint)};
            return std::nullopt;
        }
        in->txout = *out;
    }
    for (const auto& in : selection->GetShuffledInputVector(rng)) {
        consensus::TxIn txin;
        txin.prevout = in->outpoint;
        // Every wallet transaction signals replaceability (BIP-125) unless asked not to, and
        // enables the lock time either way; a preset input may carry its own sequence.
        const auto given = control.preset_sequences.find(in->outpoint);
        txin.sequence = given != control.preset_sequences.end() ? given->second
                        : control.replaceable                   ? 0xfffffffd
                                                                : 0xfffffffe;
        // A preset input's own scripts stay (Core: a caller may fund a transaction signed in part).
        if (auto scripts = control.preset_scripts.find(in->outpoint); scripts != control.preset_scripts.end()) {
            txin.script_sig = scripts->second.first;
            txin.witness = scripts->second.second;
        }
        tx.vin.push_back(txin);
    }
    Amount change = selection->GetChange(params.min_viable_change, params.m_change_fee);
    std::optional<size_t> change_pos;
    // Core's ReserveDestination: a change script taken for a transaction that is not made after
    // all goes back, so a failed send does not use up a change address.
    struct ChangeReservation {
        Wallet& w;
        OutputType type;
        std::optional<consensus::Script> script;
        ~ChangeReservation()
        {
            if (script) w.ReturnChangeScript(type, *script);
        }
    } reservation{w, change_type, std::nullopt};
    if (change > Amount{0}) {
        std::string change_error;
        auto script = control.change_script ? control.change_script
                                            : w.GetNewScript(change_type, "", /*internal=*/true, change_error,
                                                             /*defer_write=*/control.commit_follows);
        if (!script) {
            error = {RPC_WALLET_KEYPOOL_RAN_OUT,
                     "Transaction needs a change address, but we can't generate it. " + change_error};
            return std::nullopt;
        }
        if (!control.change_script) reservation.script = script;
        if (control.change_position && *control.change_position > tx.vout.size()) {
            error = {RPC_WALLET_ERROR, "Transaction change output index out of range"};
            return std::nullopt;
        }
        change_pos = control.change_position ? *control.change_position
                                             : std::uniform_int_distribution<size_t>(0, tx.vout.size())(rng);
        tx.vout.insert(tx.vout.begin() + static_cast<std::ptrdiff_t>(*change_pos), consensus::TxOut{change, *script});
    }

    // The fee the final size needs (placeholder signatures as large as real ones; an input with a
    // given weight counts that weight, as Core's CalculateMaximumSignedTxSize).
    std::map<consensus::OutPoint, consensus::TxOut> spent;
    for (const auto& in : selection->GetInputSet()) spent.emplace(in->outpoint, in->txout);
    const int64_t sized_weight = MaximumSignedWeight(w, tx, spent, &control);
    if (sized_weight < 0) {
        error = {RPC_WALLET_ERROR, "Missing solving data for estimating transaction size"};
        return std::nullopt;
    }
    const int64_t vsize = VsizeOfWeight(sized_weight);
    // The rate for its size, and what bumping the unconfirmed coins' ancestors costs (Core's nFeeRet).
    const Amount fee_needed = fee_calc->rate.GetFee(vsize) + selection->GetTotalBumpFees();
    const Amount selected = selection->GetSelectedValue();
    Amount fee = selected - recipients_sum - change;
    if (params.m_subtract_fee_outputs && fee < fee_needed) {
        // The recipients who pay the fee share it; the first of them pays the remainder.
        const Amount to_reduce = fee_needed - fee;
        const int64_t share = to_reduce.sats / static_cast<int64_t>(subtract_count);
        bool first = true;
        size_t r = 0;
        for (size_t i = 0; i < tx.vout.size(); ++i) {
            if (change_pos && i == *change_pos) continue;
            const Recipient& rec = recipients[r++];
            if (!rec.subtract_fee) continue;
            Amount cut{share};
            if (first) cut += Amount{to_reduce.sats % static_cast<int64_t>(subtract_count)};
            first = false;
            tx.vout[i].value -= cut;
            if (tx.vout[i].value < DustThreshold(tx.vout[i], w.Chain().RelayDustFee())) {
                error = {RPC_WALLET_ERROR,
                         tx.vout[i].value < Amount{0}
                             ? "The transaction amount is too small to pay the fee"
                             : "The transaction amount is too small to send after the fee has been deducted"};
                return std::nullopt;
            }
        }
        fee = fee_needed;
    }
    if (fee < fee_needed) {
        // The selection pays for the final size (placeholder signatures are as large as real
        // ones); anything else is a bug, as Core says.
        error = {RPC_WALLET_ERROR, "Fee needed > fee paid"};
        return std::nullopt;
    }
    if (change_pos && fee > fee_needed) {
        // Selection's size estimate was larger than the final one: the change gets the difference
        // (Core does the same), so the fee is the rate for the final size.
        tx.vout[*change_pos].value += fee - fee_needed;
        fee = fee_needed;
    }
    if (fee > settings.max_tx_fee) {
        error = {RPC_WALLET_ERROR, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)"};
        return std::nullopt;
    }

    // Sign with the keys of the coins spent.
    common::FlatSigningProvider provider;
    std::map<consensus::OutPoint, consensus::Coin> coins;
    for (const auto& [op, out] : spent) {
        if (auto p = w.GetProvider(out.script_pubkey, /*with_private=*/true)) provider.Merge(*p);
        coins.emplace(op, consensus::Coin(out, 0, false));
    }
    std::map<int, std::string> input_errors;
    if (control.sign && !common::SignTransaction(tx, provider, coins, consensus::SIGHASH_DEFAULT, input_errors)) {
        error = {RPC_WALLET_ERROR, "Signing transaction failed"};
        return std::nullopt;
    }
    // Unsigned, it is judged by its size with placeholder signatures.
    if ((control.sign ? consensus::GetTransactionWeight(consensus::Transaction(tx)) : sized_weight) > MAX_TX_WEIGHT) {
        error = {RPC_WALLET_ERROR, "Transaction too large"};
        return std::nullopt;
    }
    reservation.script.reset(); // made: the change script is kept (Core's KeepDestination)
    CreatedTransaction created;
    created.tx = consensus::MakeTransactionRef(std::move(tx));
    created.fee = fee;
    created.change_pos = change_pos;
    created.fee_calc = *fee_calc;
    return created;
}

std::optional<CommitError> CommitTransaction(Wallet& w, const consensus::TransactionRef& tx,
                                             std::map<std::string, std::string> meta)
{
    std::string error;
    if (!w.AddOwnTransaction(tx, std::move(meta), error)) return CommitError{error, /*recorded=*/false};
    // The wallet's lock is not held here: the node judges the transaction on its own thread.
    auto broadcast_error = w.Chain().BroadcastTransaction(tx, Amount{0});
    // As Core, the wallet counts its transaction as in the mempool from the moment the pool
    // takes it, not when the notification arrives: the next send may spend its change.
    if (!broadcast_error) {
        w.RefreshInMempool(tx->GetTxid());
        return std::nullopt;
    }
    return CommitError{*broadcast_error, /*recorded=*/true};
}

} // namespace wallet
