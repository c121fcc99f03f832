// importdescriptors' storage (Wallet::ImportDescriptor), listdescriptors' private forms, and the
// PSBT flow between a watch-only wallet and a signer (CreateTransaction unsigned, FillPsbt)
// against a fake chain.
#include "fake_chain.h"

#include "common/descriptor.h"
#include "common/psbt.h"
#include "wallet/psbt.h"
#include "wallet/spend.h"
#include "wallet/wallet.h"
#include "wallet/walletdb.h"

#include <catch2/catch.hpp>

#include <unistd.h>

using namespace wallet;
using consensus::Amount;
using wallet_test::FakeChain;
using wallet_test::TempDir;

namespace {

struct Fixture {
    FakeChain chain;
    TempDir dir;
    WalletEnv env;
    std::shared_ptr<Wallet> signer;
    std::shared_ptr<Wallet> watch;
    Fixture()
    {
        env.chain = &chain;
        env.keypool = 20;
        env.fees.fallback_fee = common::FeeRate(Amount{2000});
        env.fatal_error = [](const std::string& e) { FAIL("fatal: " << e); };
        chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}));
        std::string error;
        signer = Wallet::Create(env, "signer", dir.path / "signer", CreateOptions{}, error);
        REQUIRE(signer);
        REQUIRE(Wallet::AttachChain(signer, error));
        CreateOptions watch_only;
        watch_only.disable_private_keys = true;
        watch_only.blank = true;
        watch = Wallet::Create(env, "watch", dir.path / "watch", watch_only, error);
        REQUIRE(watch);
        REQUIRE(Wallet::AttachChain(watch, error));
    }
    /** signer's public descriptors into watch, as importdescriptors does with listdescriptors' output. */
    void ImportPublic(int32_t range_end = 20)
    {
        for (const auto& [d, active] : signer->Descriptors()) {
            std::string error;
            auto parsed = common::ParseDescriptor(d.descriptor, chain.Params(), error, true);
            REQUIRE(parsed);
            ImportedDescriptor imp;
            imp.desc = *parsed;
            imp.timestamp = d.creation_time;
            imp.next_index = d.next_index;
            imp.range_end = range_end;
            imp.internal = d.internal;
            imp.active = active;
            std::vector<std::string> warnings;
            REQUIRE(watch->ImportDescriptor(imp, warnings, error));
        }
    }
    consensus::Script NewScript(Wallet& w, OutputType t = OutputType::BECH32)
    {
        std::string error;
        auto s = w.GetNewScript(t, "", false, error);
        REQUIRE(s);
        return *s;
    }
};

Amount Btc(int64_t n) { return Amount{n * consensus::COIN.sats}; }

/** A payment of value to script from an outpoint outside the wallets (the fake chain checks no signatures). */
consensus::TransactionRef Pay(const consensus::Script& to, Amount value)
{
    consensus::MutableTransaction tx;
    consensus::TxIn in;
    in.prevout = consensus::OutPoint(consensus::Uint256::FromHex(std::string(63, '0') + "7").value(), 3);
    tx.vin.push_back(in);
    tx.vout.push_back(consensus::TxOut{value, to});
    return consensus::MakeTransactionRef(tx);
}

} // namespace

TEST_CASE("Imported public descriptors watch the signer's scripts, become active, and persist", "[wallet][psbtw]")
{
    Fixture f;
    const consensus::Script paid = f.NewScript(*f.signer);
    f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}), {Pay(paid, Btc(3))});
    f.ImportPublic();
    CHECK(f.watch->IsMine(paid));
    CHECK_FALSE(f.watch->HasFlag(WALLET_FLAG_BLANK_WALLET));
    // The rescan (as importdescriptors makes) finds the payment made before the import.
    CHECK(f.watch->GetBalances().trusted == Amount{0});
    std::string error;
    REQUIRE(f.watch->ScanBlocks(0, std::nullopt, error));
    CHECK(f.watch->GetBalances().trusted == Btc(3));
    // Active: the next addresses are the signer's (same next index).
    CHECK(f.NewScript(*f.watch, OutputType::BECH32M) == f.NewScript(*f.signer, OutputType::BECH32M));
    // Public descriptors hold no secrets; the signer's have them.
    for (const auto& [d, active] : f.watch->Descriptors()) CHECK_FALSE(f.watch->PrivateDescriptor(d.descriptor));
    for (const auto& [d, active] : f.signer->Descriptors()) {
        auto priv = f.signer->PrivateDescriptor(d.descriptor);
        REQUIRE(priv);
        CHECK(priv->find("tprv") != std::string::npos);
        auto parsed = common::ParseDescriptor(*priv, f.chain.Params(), error, true);
        REQUIRE(parsed);
        CHECK(parsed->ToNormalizedString() == d.descriptor); // the master key's form normalizes to the account xpub
    }
    // Reloaded, the watch-only wallet has the same descriptors, active set and scripts.
    const auto before = f.watch->Descriptors();
    f.watch->Disconnect();
    f.watch.reset();
    auto again = Wallet::Load(f.env, "watch", f.dir.path / "watch", error);
    REQUIRE(again);
    const auto after = again->Descriptors();
    REQUIRE(after.size() == before.size());
    for (size_t i = 0; i < after.size(); ++i) {
        CHECK(after[i].first.descriptor == before[i].first.descriptor);
        CHECK(after[i].first.range_end == before[i].first.range_end);
        CHECK(after[i].second == before[i].second);
    }
    CHECK(again->IsMine(paid));
}

TEST_CASE("Importing a descriptor again extends its range, never shrinks it; importing it inactive deactivates it",
          "[wallet][psbtw]")
{
    Fixture f;
    f.ImportPublic(/*range_end=*/20);
    // Index 60 is beyond the range and the lookahead (keypool 20).
    std::string error;
    std::optional<std::pair<WalletDescriptor, bool>> bech32;
    for (const auto& e : f.signer->Descriptors()) {
        if (e.first.type == OutputType::BECH32 && !e.first.internal) bech32 = e;
    }
    REQUIRE(bech32);
    auto parsed = common::ParseDescriptor(bech32->first.descriptor, f.chain.Params(), error, true);
    REQUIRE(parsed);
    const auto far = parsed->Expand(60, error);
    REQUIRE(far);
    CHECK_FALSE(f.watch->IsMine(*far));
    ImportedDescriptor imp;
    imp.desc = *parsed;
    imp.range_end = 100;
    imp.active = true;
    std::vector<std::string> warnings;
    REQUIRE(f.watch->ImportDescriptor(imp, warnings, error));
    CHECK(f.watch->IsMine(*far));
    CHECK(f.watch->Descriptors().size() == 8); // updated, not added
    // A smaller range later is refused with Core's message (CanUpdateToWalletDescriptor), and
    // so is a later start; the range stays.
    imp.range_end = 10;
    CHECK_FALSE(f.watch->ImportDescriptor(imp, warnings, error));
    CHECK(error == "new range must include current range = [0,99]");
    imp.range_end = 100;
    imp.range_start = 1;
    imp.next_index = 1;
    CHECK_FALSE(f.watch->ImportDescriptor(imp, warnings, error));
    CHECK(error == "new range must include current range = [0,99]");
    imp.range_start = 0;
    imp.next_index = 0;
    for (const auto& [d, active] : f.watch->Descriptors()) {
        if (d.descriptor == bech32->first.descriptor) CHECK(d.range_end == 100);
    }
    // Imported as inactive: no bech32 receiving address any more.
    imp.active = false;
    REQUIRE(f.watch->ImportDescriptor(imp, warnings, error));
    CHECK_FALSE(f.watch->GetNewScript(OutputType::BECH32, "", false, error));
    CHECK(f.watch->GetNewScript(OutputType::BECH32, "", true, error)); // change is another descriptor
}

TEST_CASE("A watch-only wallet funds a PSBT, the signer completes it", "[wallet][psbtw]")
{
    Fixture f;
    const consensus::Script paid = f.NewScript(*f.signer);
    f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}), {Pay(paid, Btc(5))});
    f.ImportPublic();
    std::string error;
    REQUIRE(f.watch->ScanBlocks(0, std::nullopt, error));
    std::vector<uint8_t> program{0x00, 0x14};
    program.resize(22, 7);
    const consensus::Script dest{program};
    CoinControl control;
    control.feerate = common::FeeRate(Amount{5000});
    SpendError spend_error;
    // Signing needs keys the watch-only wallet does not have...
    CHECK_FALSE(CreateTransaction(*f.watch, {{dest, Btc(2)}}, control, spend_error));
    CHECK(spend_error.message == "Signing transaction failed");
    // ...but sizing does not: the public descriptors give the placeholder signatures.
    control.sign = false;
    auto created = CreateTransaction(*f.watch, {{dest, Btc(2)}}, control, spend_error);
    REQUIRE(created);
    REQUIRE(created->change_pos);
    CHECK(created->tx->vin.size() == 1);
    CHECK(created->tx->vin[0].script_sig.empty());
    CHECK(created->tx->vin[0].witness.stack.empty());

    common::Psbt psbt(consensus::MutableTransaction(*created->tx));
    bool complete = true;
    FillPsbtOptions options;
    REQUIRE(FillPsbt(*f.watch, psbt, options, complete) == common::PsbtError::OK);
    CHECK_FALSE(complete);
    CHECK(psbt.inputs[0].non_witness_utxo); // the wallet's transaction
    CHECK_FALSE(psbt.inputs[0].hd_keypaths.empty());
    CHECK_FALSE(psbt.outputs[*created->change_pos].hd_keypaths.empty()); // the change is ours
    CHECK(psbt.inputs[0].partial_sigs.empty());

    common::Psbt without_paths(consensus::MutableTransaction(*created->tx));
    options.bip32derivs = false;
    options.sign = false;
    REQUIRE(FillPsbt(*f.signer, without_paths, options, complete) == common::PsbtError::OK);
    CHECK(without_paths.inputs[0].hd_keypaths.empty());
    CHECK(without_paths.inputs[0].partial_sigs.empty());

    options = FillPsbtOptions{};
    REQUIRE(FillPsbt(*f.signer, psbt, options, complete) == common::PsbtError::OK);
    CHECK(complete);
    const auto txdata = common::PrecomputePsbtData(psbt);
    CHECK(common::PsbtInputSignedAndVerified(psbt, 0, &txdata));
    consensus::MutableTransaction final_tx;
    CHECK(common::FinalizeAndExtractPsbt(psbt, final_tx));
    CHECK(final_tx.GetTxid() == created->tx->GetTxid());

    // A sighash that contradicts the PSBT's is refused.
    common::Psbt mismatched(consensus::MutableTransaction(*created->tx));
    mismatched.inputs[0].sighash_type = consensus::SIGHASH_NONE;
    options.sighash = consensus::SIGHASH_ALL;
    CHECK(FillPsbt(*f.signer, mismatched, options, complete) == common::PsbtError::SIGHASH_MISMATCH);
}

TEST_CASE("Funding keeps preset inputs, the change position and change address asked for", "[wallet][psbtw]")
{
    Fixture f;
    const consensus::Script a = f.NewScript(*f.signer);
    const consensus::Script b = f.NewScript(*f.signer);
    f.chain.Mine(consensus::Script(std::vector<uint8_t>{0x51}), {Pay(a, Btc(1)), Pay(b, Btc(4))});
    const consensus::Script dest = f.NewScript(*f.signer, OutputType::LEGACY);
    const consensus::Script change = f.NewScript(*f.signer, OutputType::BECH32M);
    CoinControl control;
    control.sign = false;
    control.feerate = common::FeeRate(Amount{3000});
    for (const auto& c : f.signer->AvailableCoins(0, 9999999, true)) {
        if (c.txout.script_pubkey == a) control.preset_inputs.push_back(c.outpoint);
    }
    REQUIRE(control.preset_inputs.size() == 1);
    control.allow_other_inputs = false;
    control.change_position = 0;
    control.change_script = change;
    SpendError error;
    auto created = CreateTransaction(*f.signer, {{dest, Amount{50'000'000}}}, control, error);
    INFO(error.message);
    REQUIRE(created);
    REQUIRE(created->tx->vin.size() == 1);
    CHECK(created->tx->vin[0].prevout == control.preset_inputs[0]);
    REQUIRE(created->change_pos == size_t{0});
    CHECK(created->tx->vout[0].script_pubkey == change);
    // The preset coin alone cannot pay 2 BTC and no other may be added.
    CHECK_FALSE(CreateTransaction(*f.signer, {{dest, Btc(2)}}, control, error));
    control.change_position = 5;
    control.allow_other_inputs = true;
    CHECK_FALSE(CreateTransaction(*f.signer, {{dest, Btc(2)}}, control, error));
    CHECK(error.message == "Transaction change output index out of range");
}

TEST_CASE("A descriptor record with an import's range decodes, and one without reads as before", "[wallet][psbtw]")
{
    WalletDescriptor d;
    d.descriptor = "wpkh(x)";
    d.next_index = 3;
    d.type = OutputType::BECH32;
    const std::string old_form = EncodeDescriptor(d);
    CHECK(DecodeDescriptor(old_form).range_end == 0);
    d.range_end = 500;
    const std::string with_range = EncodeDescriptor(d);
    CHECK(with_range.size() == old_form.size() + 4);
    CHECK(DecodeDescriptor(with_range).range_end == 500);
    CHECK_THROWS_AS(DecodeDescriptor(with_range + "x"), consensus::DecodeError);
}
