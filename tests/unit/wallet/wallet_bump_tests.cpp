// Fee bumping (wallet/feebumper) against a fake chain: the replacement spends every original
// input and keeps the recipients, the change pays the extra fee (or a new confirmed coin does),
// the new fee-rate rules (BIP-125 rules 3 and 4, Core's default bump), the preconditions, and
// the replaced_by_txid / replaces_txid bookkeeping.
#include "fake_chain.h"

#include "common/sign.h"
#include "consensus/script/interpreter.h"
#include "wallet/coinselection.h"
#include "wallet/feebumper.h"
#include "wallet/spend.h"
#include "wallet/wallet.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <set>

using namespace wallet;
using common::FeeRate;
using consensus::Amount;
using wallet_test::FakeChain;
using wallet_test::TempDir;

namespace {

Amount Btc(int64_t n) { return Amount{n * consensus::COIN.sats}; }

const consensus::Script OTHER(std::vector<uint8_t>{0x51});

/** A wallet owning `coins` mature 50 BTC coinbases, and a send of `amount` at 2 sat/vB to an outside script. */
struct Fixture {
    FakeChain chain;
    TempDir dir;
    WalletEnv env;
    std::shared_ptr<Wallet> w;
    consensus::Script payee;
    explicit Fixture(int coins = 1)
    {
        env.chain = &chain;
        env.keypool = 20;
        env.fatal_error = [](const std::string&) {};
        chain.Mine(OTHER);
        std::string error;
        w = Wallet::Create(env, "w", dir.path / "w", CreateOptions{}, error);
        REQUIRE(w);
        REQUIRE(Wallet::AttachChain(w, error));
        for (int i = 0; i < coins; ++i) chain.Mine(NewScript());
        for (int i = 0; i < 100; ++i) chain.Mine(OTHER);
        // A payee outside the wallet: a P2WPKH script of another key.
        payee = consensus::Script(std::vector<uint8_t>{0x00, 0x14});
        payee.resize(22, 0x42);
    }
    consensus::Script NewScript()
    {
        std::string error;
        auto s = w->GetNewScript(OutputType::BECH32, "", false, error);
        REQUIRE(s);
        return *s;
    }
    /** Sends amount to payee at rate (sat/kvB), committed (the fake chain takes it into its mempool). */
    CreatedTransaction Send(Amount amount, Amount rate = Amount{2000})
    {
        CoinControl control;
        control.feerate = FeeRate(rate);
        SpendError error;
        auto created = CreateTransaction(*w, {{payee, amount, false}}, control, error);
        INFO(error.message);
        REQUIRE(created);
        REQUIRE_FALSE(CommitTransaction(*w, created->tx, {}));
        return *created;
    }
    std::optional<feebumper::Bump> Bump(const consensus::Uint256& txid, std::optional<Amount> rate,
                                        std::vector<std::string>& errors, feebumper::Result& result)
    {
        CoinControl control;
        if (rate) control.feerate = FeeRate(*rate);
        return feebumper::CreateRateBumpTransaction(*w, txid, control, /*require_mine=*/true, {}, std::nullopt, errors,
                                                    result);
    }
};

int64_t Vsize(const consensus::Transaction& tx) { return (consensus::GetTransactionWeight(tx) + 3) / 4; }

std::optional<size_t> FindOutput(const consensus::Transaction& tx, const consensus::Script& s)
{
    for (size_t i = 0; i < tx.vout.size(); ++i) {
        if (tx.vout[i].script_pubkey == s) return i;
    }
    return std::nullopt;
}

} // namespace

TEST_CASE("A send reads the scripts of the coins it selects only, and signs every input", "[wallet]")
{
    Fixture f(3);
    auto coins = [&](bool with_scripts) { return f.w->AvailableCoins(0, 9999999, false, false, true, with_scripts); };
    // Input sizes not measured yet: every coin comes with its script.
    for (const WalletCoin& c : coins(false)) CHECK_FALSE(c.txout.script_pubkey.empty());
    f.Send(Btc(1)); // sizes every coin it considers
    // Measured now: without scripts the coins keep their values, and only the unmeasured (the new
    // change) carry a script.
    const std::vector<WalletCoin> bare = coins(false), full = coins(true);
    REQUIRE(bare.size() == full.size());
    std::set<consensus::OutPoint> scriptless;
    for (size_t i = 0; i < bare.size(); ++i) {
        CHECK(bare[i].outpoint == full[i].outpoint);
        CHECK(bare[i].txout.value == full[i].txout.value);
        CHECK_FALSE(full[i].txout.script_pubkey.empty());
        CHECK(bare[i].txout.script_pubkey.empty() == full[i].input.has_value());
        if (bare[i].txout.script_pubkey.empty()) scriptless.insert(bare[i].outpoint);
    }
    CHECK(scriptless.size() >= 2);
    // A send that needs two of them finds their scripts again and signs them: every input verifies.
    const CreatedTransaction sent = f.Send(Btc(90));
    const consensus::Transaction& tx = *sent.tx;
    REQUIRE(tx.vin.size() >= 2);
    std::vector<consensus::TxOut> spent;
    bool any_scriptless = false;
    for (const auto& in : tx.vin) {
        any_scriptless |= scriptless.contains(in.prevout);
        auto out = f.w->GetOwnedOutput(in.prevout);
        REQUIRE(out);
        spent.push_back(*out);
    }
    CHECK(any_scriptless);
    consensus::PrecomputedTransactionData txdata;
    txdata.Init(tx, std::vector<consensus::TxOut>(spent));
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const consensus::TransactionSignatureChecker checker(&tx, static_cast<unsigned>(i), spent[i].value, txdata,
                                                             consensus::MissingDataBehavior::FAIL);
        CHECK(consensus::VerifyScript(tx.vin[i].script_sig, spent[i].script_pubkey, &tx.vin[i].witness,
                                      common::SIGNING_VERIFY_FLAGS, checker));
    }
}

TEST_CASE("A given external input with an empty output script keeps it, beside the wallet's script-less coins",
          "[wallet]")
{
    Fixture f(2);
    f.Send(Btc(1)); // the wallet's coins are measured: later sends list them without scripts
    // An output with an empty scriptPubKey (consensus allows it; OP_1 spends it), given by the caller.
    const consensus::Block block = f.chain.Mine(consensus::Script());
    const consensus::OutPoint external{block.vtx[0]->GetTxid(), 0};
    CoinControl control;
    control.feerate = FeeRate(Amount{2000});
    control.preset_inputs = {external};
    control.preset_txouts[external] = block.vtx[0]->vout[0];
    control.input_weights[external] = 4 * (32 + 4 + 1 + 1 + 4) + 1; // an OP_1 scriptSig
    control.sign = false;
    SpendError error;
    // More than the external output holds: a wallet coin, listed without its script, joins it.
    auto created = CreateTransaction(*f.w, {{f.payee, Btc(60), false}}, control, error);
    INFO(error.message);
    REQUIRE(created);
    const consensus::Transaction& tx = *created->tx;
    REQUIRE(tx.vin.size() == 2);
    CHECK((tx.vin[0].prevout == external || tx.vin[1].prevout == external));
}

TEST_CASE("A bump spends every original input, keeps the payment and takes the extra fee from the change",
          "[wallet][bump]")
{
    Fixture f;
    const auto sent = f.Send(Btc(1));
    REQUIRE(sent.change_pos);
    const consensus::Script change_script = sent.tx->vout[*sent.change_pos].script_pubkey;
    std::vector<std::string> errors;
    feebumper::Result result{};
    auto bump = f.Bump(sent.tx->GetTxid(), std::nullopt, errors, result);
    INFO((errors.empty() ? "" : errors.front()));
    REQUIRE(bump);
    const consensus::Transaction tx(bump->tx);
    // Every input of the original again (so the two always conflict), nothing else needed here.
    REQUIRE(tx.vin.size() == sent.tx->vin.size());
    for (const auto& in : sent.tx->vin) {
        CHECK(std::any_of(tx.vin.begin(), tx.vin.end(), [&](const auto& i) { return i.prevout == in.prevout; }));
    }
    // The payment is unchanged; the change goes to the same script, reduced by the extra fee.
    const auto pay = FindOutput(tx, f.payee);
    REQUIRE(pay);
    CHECK(tx.vout[*pay].value == Btc(1));
    const auto change = FindOutput(tx, change_script);
    REQUIRE(change);
    CHECK(tx.vout.size() == 2);
    CHECK(bump->old_fee == sent.fee);
    CHECK(tx.vout[*change].value == sent.tx->vout[*sent.change_pos].value - (bump->new_fee - bump->old_fee));
    // Core's default: the old rate + 1 sat/kvB + max(incremental relay fee, 5 sat/vB).
    const Amount old_rate = FeeRate(sent.fee, Vsize(*sent.tx)).SatsPerKvB();
    CHECK(FeeRate(bump->new_fee, Vsize(tx)).SatsPerKvB() >=
          old_rate + Amount{1} + feebumper::WALLET_INCREMENTAL_RELAY_FEE);
    CHECK(bump->new_fee >= bump->old_fee + FeeRate(Amount{5000}).GetFee(Vsize(tx)));
    CHECK(tx.vin[0].sequence == 0xfffffffd);
}

TEST_CASE("A given fee rate must pay the old fee plus the incremental relay fee for the new size", "[wallet][bump]")
{
    Fixture f;
    const auto sent = f.Send(Btc(1), Amount{2000});
    const auto txid = sent.tx->GetTxid();
    std::vector<std::string> errors;
    feebumper::Result result{};
    // The fake chain's incremental relay fee is 100 sat/kvB: 2.05 sat/vB adds only half of it.
    CHECK_FALSE(f.Bump(txid, Amount{2050}, errors, result));
    CHECK(result == feebumper::Result::INVALID_PARAMETER);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].rfind("Insufficient total fee ", 0) == 0);
    CHECK(errors[0].find("(oldFee " + common::FormatMoney(sent.fee) + " + incrementalFee ") != std::string::npos);
    // Below the mempool's minimum: refused before anything else.
    errors.clear();
    CHECK_FALSE(f.Bump(txid, Amount{50}, errors, result));
    CHECK(result == feebumper::Result::WALLET_ERROR);
    CHECK(errors.at(0).rfind("New fee rate (0.0000005) is lower than the minimum fee rate (0.000001) to get into the "
                             "mempool",
                             0) == 0);
    // A full increment more (with room for the rounding up of both fees) is enough, and the fee
    // is then that rate for the new size.
    errors.clear();
    auto bump = f.Bump(txid, Amount{2200}, errors, result);
    INFO((errors.empty() ? "" : errors.front()));
    REQUIRE(bump);
    // (for the size with placeholder signatures, which a real signature may undercut by a byte)
    const int64_t vsize = Vsize(consensus::Transaction(bump->tx));
    CHECK(bump->new_fee >= FeeRate(Amount{2200}).GetFee(vsize));
    INFO(bump->new_fee.sats << " for " << vsize);
    CHECK(bump->new_fee <= FeeRate(Amount{2200}).GetFee(vsize + 1));
    // Above -maxtxfee: refused with Core's message.
    errors.clear();
    CHECK_FALSE(f.Bump(txid, Amount{100'000'000}, errors, result));
    CHECK(result == feebumper::Result::WALLET_ERROR);
    CHECK(errors.at(0).find("is too high (cannot be higher than -maxtxfee 0.10)") != std::string::npos);
}

TEST_CASE("Spending an unconfirmed coin pays what bumping its ancestors costs, as does bumping that spend",
          "[wallet][bump]")
{
    Fixture f;
    const auto first = f.Send(Btc(1));
    REQUIRE(first.change_pos);
    const consensus::OutPoint change(first.tx->GetTxid(), static_cast<uint32_t>(*first.change_pos));
    // The chain says the change's transaction lacks 3,000 sat of the new rate.
    f.chain.bump_fees[change] = Amount{3000};
    const auto second = f.Send(Btc(2));
    REQUIRE(second.tx->vin.size() == 1);
    CHECK(second.tx->vin[0].prevout == change);
    const int64_t vsize = Vsize(*second.tx);
    INFO(second.fee.sats << " for " << vsize);
    CHECK(second.fee >= FeeRate(Amount{2000}).GetFee(vsize) + Amount{3000});
    CHECK(second.fee <= FeeRate(Amount{2000}).GetFee(vsize + 1) + Amount{3000});

    // Bumping the second spends the change again: the new fee covers the ancestors too.
    std::vector<std::string> errors;
    feebumper::Result result{};
    auto bump = f.Bump(second.tx->GetTxid(), Amount{5000}, errors, result);
    INFO((errors.empty() ? "" : errors.front()));
    REQUIRE(bump);
    const int64_t bump_vsize = Vsize(consensus::Transaction(bump->tx));
    CHECK(bump->new_fee >= FeeRate(Amount{5000}).GetFee(bump_vsize) + Amount{3000});
    CHECK(bump->new_fee <= FeeRate(Amount{5000}).GetFee(bump_vsize + 1) + Amount{3000});

    // A mempool that cannot tell: Core's error, for a send and for a bump with a given rate.
    f.chain.enormous_cluster = true;
    CoinControl control;
    control.feerate = FeeRate(Amount{2000});
    SpendError error;
    CHECK_FALSE(CreateTransaction(*f.w, {{f.payee, Btc(1), false}}, control, error));
    CHECK(error.message == ERR_BUMP_FEE_CLUSTER);
    errors.clear();
    CHECK_FALSE(f.Bump(second.tx->GetTxid(), Amount{5000}, errors, result));
    CHECK(result == feebumper::Result::WALLET_ERROR);
    CHECK(errors.at(0) == ERR_BUMP_FEE_CLUSTER);
}

TEST_CASE("A bump whose change cannot pay the extra fee adds a confirmed coin and keeps the old ones", "[wallet][bump]")
{
    Fixture f(1);
    // Almost all of the one 50 BTC coin goes to the payee: about 0.0004 BTC of change or none.
    const auto sent = f.Send(Amount{50 * consensus::COIN.sats - 40'000});
    REQUIRE(sent.tx->vin.size() == 1);
    // Then a second coin arrives and matures (the send stays in the mempool).
    f.chain.Mine(f.NewScript());
    for (int i = 0; i < 100; ++i) f.chain.Mine(OTHER);
    std::vector<std::string> errors;
    feebumper::Result result{};
    // 100 sat/vB on ~140 vbytes needs more than the change holds.
    auto bump = f.Bump(sent.tx->GetTxid(), Amount{400'000}, errors, result);
    INFO((errors.empty() ? "" : errors.front()));
    REQUIRE(bump);
    const consensus::Transaction tx(bump->tx);
    CHECK(tx.vin.size() == 2);
    CHECK(
        std::any_of(tx.vin.begin(), tx.vin.end(), [&](const auto& i) { return i.prevout == sent.tx->vin[0].prevout; }));
    const auto pay = FindOutput(tx, f.payee);
    REQUIRE(pay);
    CHECK(tx.vout[*pay].value == sent.tx->vout[*FindOutput(*sent.tx, f.payee)].value);
}

TEST_CASE("Only an unconfirmed, unspent, not yet bumped wallet transaction can be bumped", "[wallet][bump]")
{
    Fixture f;
    std::vector<std::string> errors;
    feebumper::Result result{};
    CHECK_FALSE(f.Bump(consensus::Uint256(), std::nullopt, errors, result));
    CHECK(result == feebumper::Result::INVALID_ADDRESS_OR_KEY);
    CHECK(errors.at(0) == "Invalid or non-wallet transaction id");

    const auto sent = f.Send(Btc(1));
    const auto txid = sent.tx->GetTxid();

    // Bumped once: committed, both sides marked; a second bump of the original is refused.
    errors.clear();
    auto bump = f.Bump(txid, std::nullopt, errors, result);
    REQUIRE(bump);
    const auto replacement = consensus::MakeTransactionRef(bump->tx);
    std::optional<std::string> broadcast_error;
    REQUIRE(feebumper::CommitBump(*f.w, txid, replacement, errors, broadcast_error) == feebumper::Result::OK);
    CHECK_FALSE(broadcast_error);
    f.chain.RemoveFromMempool(txid); // the node's mempool drops the replaced one
    CHECK(f.w->GetTx(txid)->meta.at("replaced_by_txid") == replacement->GetTxid().GetHex());
    CHECK(f.w->GetTx(replacement->GetTxid())->meta.at("replaces_txid") == txid.GetHex());
    errors.clear();
    CHECK_FALSE(f.Bump(txid, std::nullopt, errors, result));
    CHECK(result == feebumper::Result::WALLET_ERROR);
    CHECK(errors.at(0) == "Cannot bump transaction " + txid.GetHex() + " which was already bumped by transaction " +
                              replacement->GetTxid().GetHex());

    // A wallet transaction spending the replacement's change: "descendants in the wallet".
    const auto change_pos =
        FindOutput(*replacement, replacement->vout[0].script_pubkey == f.payee ? replacement->vout[1].script_pubkey
                                                                               : replacement->vout[0].script_pubkey);
    REQUIRE(change_pos);
    CoinControl child_control;
    child_control.feerate = FeeRate(Amount{3000});
    child_control.preset_inputs = {consensus::OutPoint{replacement->GetTxid(), static_cast<uint32_t>(*change_pos)}};
    child_control.allow_other_inputs = false;
    SpendError spend_error;
    auto child = CreateTransaction(*f.w, {{f.payee, Btc(1), false}}, child_control, spend_error);
    INFO(spend_error.message);
    REQUIRE(child);
    REQUIRE_FALSE(CommitTransaction(*f.w, child->tx, {}));
    errors.clear();
    CHECK_FALSE(f.Bump(replacement->GetTxid(), std::nullopt, errors, result));
    CHECK(result == feebumper::Result::INVALID_PARAMETER);
    CHECK(errors.at(0) == "Transaction has descendants in the wallet");

    // Mined: refused.
    f.chain.Mine(OTHER, {replacement, child->tx});
    errors.clear();
    CHECK_FALSE(f.Bump(child->tx->GetTxid(), std::nullopt, errors, result));
    CHECK(result == feebumper::Result::WALLET_ERROR);
    CHECK(errors.at(0) == "Transaction has been mined, or is conflicted with a mined transaction");
    // The original is now conflicted by a block: refused the same way (it was also bumped already).
    CHECK(f.w->Depth(*f.w->GetTx(txid)) < 0);
}

TEST_CASE("A transaction with an input that is not the wallet's is not bumped (require_mine)", "[wallet][bump]")
{
    Fixture f;
    const auto sent = f.Send(Btc(1));
    // A transaction paying the wallet from an outside coin.
    consensus::MutableTransaction in_tx;
    consensus::TxIn in;
    in.prevout = consensus::OutPoint{consensus::Uint256(), 7};
    in_tx.vin.push_back(in);
    in_tx.vout.push_back(consensus::TxOut{Btc(2), f.NewScript()});
    const auto incoming = consensus::MakeTransactionRef(in_tx);
    f.chain.AddToMempool(incoming);
    std::vector<std::string> errors;
    feebumper::Result result{};
    CHECK_FALSE(f.Bump(incoming->GetTxid(), std::nullopt, errors, result));
    CHECK(result == feebumper::Result::MISC_ERROR);
    CHECK(errors.at(0) == consensus::Uint256().GetHex() + ":7 is already spent");
    (void)sent;
}
