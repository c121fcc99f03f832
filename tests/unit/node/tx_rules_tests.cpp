// Transaction rules as a block sees them: for each contextual rule a block breaking
// exactly that rule is rejected with Core's reason, and its twin that just satisfies the
// rule (the boundary value) connects. Lock-times (IsFinalTx with BIP-113 median time
// past, BIP-68 relative locks), the script rules blocks enforce (BIP-65, BIP-66, BIP-112,
// BIP-141/143, BIP-147, BIP-341), coinbase maturity and the input/value rules.
#include "chain_builder.h"
#include "tx_spend.h"

#include <catch2/catch.hpp>

using namespace consensus;
using testutil::ChainBuilder;
using testutil::CoinbaseCoin;
using testutil::CoinOf;
using testutil::MakeTx;
using testutil::SignTx;
using testutil::TestKey;
using testutil::Utxo;

namespace {

/** Core's reason for a block whose script check fails (Core 30+), with the script error. */
std::string ScriptFailure(const std::string& error) { return "block-script-verify-flag-failed (" + error + ")"; }

/** Mines txs on the tip (mutate as ChainBuilder::Mine); REQUIREs the block connects. */
void Accept(ChainBuilder& b, const std::vector<TransactionRef>& txs, const std::function<void(Block&)>& mutate = {})
{
    const int height = b.Chain().Height();
    const ValidationResult r = b.Mine(txs, mutate);
    INFO(r.ToString());
    REQUIRE(r.IsValid());
    REQUIRE(b.Chain().Height() == height + 1);
}

/** Mines txs on the tip and CHECKs the block is rejected with reason, the tip unchanged. */
void Reject(ChainBuilder& b, const std::vector<TransactionRef>& txs, const std::string& reason,
            const std::function<void(Block&)>& mutate = {})
{
    const auto* tip = b.Chain().Tip();
    const ValidationResult r = b.Mine(txs, mutate);
    INFO(r.ToString());
    CHECK(r.IsInvalid());
    CHECK(r.GetRejectReason() == reason);
    CHECK(b.Chain().Tip() == tip);
}

/** A block time spacing seconds after the tip's (MakeBlock's default is one second). */
std::function<void(Block&)> Spaced(ChainBuilder& b, int64_t spacing)
{
    const uint32_t t = static_cast<uint32_t>(b.Chain().Tip()->GetBlockTime() + spacing);
    return [t](Block& blk) { blk.time = t; };
}

/** A one-output spend of coin to key's P2WPKH paying fee, with the given fields, signed. */
TransactionRef SpendCoin(const Utxo& coin, const TestKey& key, uint32_t version = 2, uint32_t locktime = 0,
                         uint32_t sequence = 0xfffffffe, Amount fee = Amount{1000})
{
    return SignTx(MakeTx({coin}, {TxOut(coin.txout.value - fee, key.P2WPKH())}, version, locktime, sequence), {coin},
                  key);
}

/** Spends coinbase coin (paying to key) to n outputs paying script each. */
TransactionRef Fund(const Utxo& coin, const TestKey& key, const Script& script, int n)
{
    const Amount each{(coin.txout.value.sats - 10000) / n};
    return SignTx(MakeTx({coin}, std::vector<TxOut>(static_cast<size_t>(n), TxOut(each, script))), {coin}, key);
}

} // namespace

TEST_CASE("bad-txns-nonfinal: a height lock-time must be below the block's height", "[node]")
{
    ChainBuilder b;
    const TestKey k(7);
    REQUIRE(k.P2WPKH() == b.ScriptPubKey());
    b.MineBlocks(101);
    const auto next = static_cast<uint32_t>(b.Chain().Height() + 1);
    // Core's IsFinalTx: final when nLockTime < the block's height.
    Reject(b, {SpendCoin(CoinbaseCoin(b, 1), k, 2, next)}, "bad-txns-nonfinal");
    Accept(b, {SpendCoin(CoinbaseCoin(b, 1), k, 2, next - 1)});
    // A lock-time not yet reached is ignored when every input's sequence is final.
    Reject(b, {SpendCoin(CoinbaseCoin(b, 2), k, 2, next + 1)}, "bad-txns-nonfinal");
    Accept(b, {SpendCoin(CoinbaseCoin(b, 2), k, 2, next + 1, TxIn::SEQUENCE_FINAL)});
}

TEST_CASE("bad-txns-nonfinal: a time lock-time must be below the previous block's median time past (BIP-113)", "[node]")
{
    ChainBuilder b;
    const TestKey k(7);
    b.MineBlocks(101);
    const int64_t mtp = b.Chain().Tip()->GetMedianTimePast();
    REQUIRE(mtp >= LOCKTIME_THRESHOLD);
    const auto lock = static_cast<uint32_t>(mtp);
    // lock == MTP is not yet final, even in a block whose own time is far past the lock:
    // the block's time does not count, the median of the 11 before it does.
    Reject(b, {SpendCoin(CoinbaseCoin(b, 1), k, 2, lock)}, "bad-txns-nonfinal");
    Reject(b, {SpendCoin(CoinbaseCoin(b, 1), k, 2, lock)}, "bad-txns-nonfinal", Spaced(b, 5000));
    // ...nor is a lock between the tip's own time and the MTP.
    REQUIRE(b.Chain().Tip()->GetBlockTime() > mtp + 1);
    Reject(b, {SpendCoin(CoinbaseCoin(b, 1), k, 2, lock + 1)}, "bad-txns-nonfinal", Spaced(b, 5000));
    // lock == MTP - 1 is final, in a block with the smallest time allowed (MTP + 1).
    Accept(b, {SpendCoin(CoinbaseCoin(b, 1), k, 2, lock - 1)},
           [mtp](Block& blk) { blk.time = static_cast<uint32_t>(mtp + 1); });
}

TEST_CASE("BIP-68: a height-based relative lock is met exactly n blocks after the coin's block", "[node]")
{
    ChainBuilder b;
    const TestKey k(7);
    b.MineBlocks(101);
    const auto fund = Fund(CoinbaseCoin(b, 1), k, k.P2WPKH(), 4);
    Accept(b, {fund});
    const int coin_height = b.Chain().Height();
    constexpr uint32_t n = 5;

    // BIP-68 applies to version 2 only; the disable flag (bit 31) turns the lock off.
    Reject(b, {SpendCoin(CoinOf(fund, 1), k, 2, 0, 0xffff)}, "bad-txns-nonfinal");
    Accept(b, {SpendCoin(CoinOf(fund, 1), k, 2, 0, TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG | 0xffff)});
    Reject(b, {SpendCoin(CoinOf(fund, 2), k, 2, 0, 0xffff)}, "bad-txns-nonfinal");
    Accept(b, {SpendCoin(CoinOf(fund, 2), k, 1, 0, 0xffff)});
    b.MineBlocks(coin_height + static_cast<int>(n) - 2 - b.Chain().Height());

    // The block at coin height + n - 1 is one block short; the one at coin height + n is not.
    REQUIRE(b.Chain().Height() + 1 == coin_height + static_cast<int>(n) - 1);
    const auto* tip = b.Chain().Tip();
    const ValidationResult r = b.Mine({SpendCoin(CoinOf(fund, 0), k, 2, 0, n)});
    CHECK(r.GetRejectReason() == "bad-txns-nonfinal");
    CHECK(r.GetDebugMessage().find("contains a non-BIP68-final transaction") != std::string::npos);
    CHECK(b.Chain().Tip() == tip);
    b.MineBlocks(1);
    Accept(b, {SpendCoin(CoinOf(fund, 0), k, 2, 0, n)});
    // The type flag makes the same value a time lock: 5 * 512 s have not passed (one-second blocks).
    Reject(b, {SpendCoin(CoinOf(fund, 3), k, 2, 0, TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | n)}, "bad-txns-nonfinal");
}

TEST_CASE("BIP-68: a time-based relative lock counts 512-second units of median time past from the coin's parent",
          "[node]")
{
    // Every block 512 s after its parent: the MTP before a block at height B is the time of
    // block B-6, and a coin mined at height H counts from the MTP before it (block H-6),
    // so n units are met exactly at B = H + n.
    ChainBuilder b;
    const TestKey k(7);
    for (int i = 0; i < 101; ++i) Accept(b, {}, Spaced(b, 512));
    const auto fund = Fund(CoinbaseCoin(b, 1), k, k.P2WPKH(), 2);
    Accept(b, {fund}, Spaced(b, 512));
    const int coin_height = b.Chain().Height();
    constexpr uint32_t n = 4;
    const uint32_t sequence = TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | n;
    while (b.Chain().Height() + 1 < coin_height + static_cast<int>(n) - 1) Accept(b, {}, Spaced(b, 512));

    // One unit (512 s) short.
    const int64_t coin_time = b.Chain().AtHeight(coin_height - 1)->GetMedianTimePast();
    REQUIRE(b.Chain().Tip()->GetMedianTimePast() - coin_time == (n - 1) * 512);
    Reject(b, {SpendCoin(CoinOf(fund, 0), k, 2, 0, sequence)}, "bad-txns-nonfinal", Spaced(b, 512));
    // Exactly met: the MTP before the block is coin_time + n * 512.
    Accept(b, {}, Spaced(b, 512));
    REQUIRE(b.Chain().Tip()->GetMedianTimePast() - coin_time == n * 512);
    Accept(b, {SpendCoin(CoinOf(fund, 0), k, 2, 0, sequence)}, Spaced(b, 512));
    // Measured in time, not blocks: far more than n blocks later, a lock of n units whose
    // time has not come is still not met (one-second blocks from here).
    for (int i = 0; i < 20; ++i) Accept(b, {});
    const int64_t mtp_units = (b.Chain().Tip()->GetMedianTimePast() - coin_time) / 512;
    Reject(
        b,
        {SpendCoin(CoinOf(fund, 1), k, 2, 0, TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | static_cast<uint32_t>(mtp_units + 1))},
        "bad-txns-nonfinal");
    Accept(b,
           {SpendCoin(CoinOf(fund, 1), k, 2, 0, TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | static_cast<uint32_t>(mtp_units))});
}

TEST_CASE("BIP-112: OP_CHECKSEQUENCEVERIFY in a P2WSH script spent in a block", "[node]")
{
    ChainBuilder b;
    const TestKey k(7);
    b.MineBlocks(101);
    const Script witness_script = Script().PushInt(3) << OP_CHECKSEQUENCEVERIFY << OP_DROP << OP_1;
    const Script spk = testutil::P2WSH(witness_script);
    const auto fund = Fund(CoinbaseCoin(b, 1), k, spk, 3);
    Accept(b, {fund});
    b.MineBlocks(2); // the coin is 3 blocks deep at the next block: BIP-68 allows sequence <= 3
    const auto spend = [&](uint32_t n, uint32_t sequence, uint32_t version) {
        MutableTransaction tx =
            MakeTx({CoinOf(fund, n)}, {TxOut(fund->vout[n].value - Amount{1000}, k.P2WPKH())}, version, 0, sequence);
        tx.vin[0].witness.stack = {witness_script};
        return MakeTransactionRef(std::move(tx));
    };
    // The script asks for 3; the input's sequence says 2 (which BIP-68 itself accepts).
    Reject(b, {spend(0, 2, 2)}, ScriptFailure("Locktime requirement not satisfied"));
    // CSV needs a version 2 transaction.
    Reject(b, {spend(0, 3, 1)}, ScriptFailure("Locktime requirement not satisfied"));
    Accept(b, {spend(0, 3, 2)});
}

TEST_CASE("BIP-65: OP_CHECKLOCKTIMEVERIFY in a P2SH script spent in a block", "[node]")
{
    ChainBuilder b;
    const TestKey k(7);
    b.MineBlocks(101);
    constexpr int64_t lock = 103;
    const Script redeem = Script().PushInt(lock) << OP_CHECKLOCKTIMEVERIFY << OP_DROP << OP_1;
    const auto fund = Fund(CoinbaseCoin(b, 1), k, testutil::P2SH(redeem), 2);
    Accept(b, {fund});
    b.MineBlocks(2);
    REQUIRE(b.Chain().Height() + 1 > lock); // both lock-times below are final for IsFinalTx
    const auto spend = [&](uint32_t n, uint32_t locktime) {
        MutableTransaction tx =
            MakeTx({CoinOf(fund, n)}, {TxOut(fund->vout[n].value - Amount{1000}, k.P2WPKH())}, 2, locktime);
        tx.vin[0].script_sig = Script() << std::vector<uint8_t>(redeem.begin(), redeem.end());
        return MakeTransactionRef(std::move(tx));
    };
    Reject(b, {spend(0, lock - 1)}, ScriptFailure("Locktime requirement not satisfied"));
    Accept(b, {spend(0, lock)});
}

TEST_CASE("BIP-66: a legacy spend with a signature that is not strict DER is rejected", "[node]")
{
    ChainBuilder b;
    const TestKey k(7);
    b.MineBlocks(101);
    const auto fund = Fund(CoinbaseCoin(b, 1), k, k.P2PKH(), 2);
    Accept(b, {fund});
    MutableTransaction tx = MakeTx({CoinOf(fund, 0)}, {TxOut(fund->vout[0].value - Amount{1000}, k.P2WPKH())});
    const auto sig = testutil::SignLegacy(tx, 0, k, k.P2PKH());
    // The same signature with R padded by a zero byte: valid under lax DER parsing.
    MutableTransaction padded = tx;
    padded.vin[0].script_sig = Script() << testutil::PadDerR(sig) << k.pubkey;
    Reject(b, {MakeTransactionRef(padded)}, ScriptFailure("Non-canonical DER signature"));
    tx.vin[0].script_sig = Script() << sig << k.pubkey;
    Accept(b, {MakeTransactionRef(tx)});
}

TEST_CASE("BIP-147: the dummy element of OP_CHECKMULTISIG must be empty in a block", "[node]")
{
    ChainBuilder b;
    const TestKey k(7);
    b.MineBlocks(101);
    const Script witness_script = Script() << OP_1 << k.pubkey << OP_1 << OP_CHECKMULTISIG;
    const auto fund = Fund(CoinbaseCoin(b, 1), k, testutil::P2WSH(witness_script), 2);
    Accept(b, {fund});
    const auto spend = [&](const std::vector<uint8_t>& dummy) {
        MutableTransaction tx = MakeTx({CoinOf(fund, 0)}, {TxOut(fund->vout[0].value - Amount{1000}, k.P2WPKH())});
        const auto sig = testutil::SignWitnessV0(tx, 0, k, witness_script, fund->vout[0].value);
        tx.vin[0].witness.stack = {dummy, sig, witness_script};
        return MakeTransactionRef(std::move(tx));
    };
    // A one-byte dummy passes the script without NULLDUMMY (CHECKMULTISIG pops it unread).
    Reject(b, {spend({0x01})}, ScriptFailure("Dummy CHECKMULTISIG argument must be zero"));
    Accept(b, {spend({})});
}

TEST_CASE("BIP-141/143: witness program spends are checked against the program and the spent amount", "[node]")
{
    ChainBuilder b;
    const TestKey k(7), other(8);
    b.MineBlocks(101);
    const auto fund = Fund(CoinbaseCoin(b, 1), k, k.P2WPKH(), 2);
    const auto legacy = Fund(CoinbaseCoin(b, 2), k, k.P2PKH(), 1);
    Accept(b, {fund, legacy});
    const Utxo coin = CoinOf(fund, 0);
    const MutableTransaction tx = MakeTx({coin}, {TxOut(coin.txout.value - Amount{1000}, k.P2WPKH())});

    SECTION("P2WPKH: a witness with another key fails the program's key hash check")
    {
        MutableTransaction bad = tx;
        bad.vin[0].witness.stack = {testutil::SignWitnessV0(tx, 0, other, other.P2PKH(), coin.txout.value),
                                    other.pubkey};
        Reject(b, {MakeTransactionRef(bad)}, ScriptFailure("Script failed an OP_EQUALVERIFY operation"));
    }
    SECTION("P2WPKH: a witness of other than two items")
    {
        Reject(b, {MakeTransactionRef(tx)}, ScriptFailure("Witness program hash mismatch"));
        MutableTransaction three(*SignTx(tx, {coin}, k));
        three.vin[0].witness.stack.push_back({});
        Reject(b, {MakeTransactionRef(three)}, ScriptFailure("Witness program hash mismatch"));
    }
    SECTION("P2WSH: a witness script that is not the program's, and an empty witness")
    {
        const Script script = Script() << OP_1;
        const auto wsh = Fund(CoinbaseCoin(b, 3), k, testutil::P2WSH(script), 1);
        Accept(b, {wsh});
        MutableTransaction spend = MakeTx({CoinOf(wsh, 0)}, {TxOut(wsh->vout[0].value - Amount{1000}, k.P2WPKH())});
        Reject(b, {MakeTransactionRef(spend)}, ScriptFailure("Witness program was passed an empty witness"));
        spend.vin[0].witness.stack = {Script() << OP_2};
        Reject(b, {MakeTransactionRef(spend)}, ScriptFailure("Witness program hash mismatch"));
        spend.vin[0].witness.stack = {script};
        Accept(b, {MakeTransactionRef(spend)});
    }
    SECTION("BIP-143: a signature over another amount")
    {
        MutableTransaction bad = tx;
        bad.vin[0].witness.stack = {testutil::SignWitnessV0(tx, 0, k, k.P2PKH(), coin.txout.value + Amount{1}),
                                    k.pubkey};
        Reject(b, {MakeTransactionRef(bad)},
               ScriptFailure("Script evaluated without error but finished with a false/empty top stack element"));
    }
    SECTION("a witness on a non-witness (P2PKH) input")
    {
        MutableTransaction bad = MakeTx({CoinOf(legacy, 0)}, {TxOut(legacy->vout[0].value - Amount{1000}, k.P2WPKH())});
        bad.vin[0].script_sig = Script() << testutil::SignLegacy(bad, 0, k, k.P2PKH()) << k.pubkey;
        MutableTransaction good = bad;
        bad.vin[0].witness.stack = {std::vector<uint8_t>{0x01}};
        Reject(b, {MakeTransactionRef(bad)}, ScriptFailure("Witness provided for non-witness script"));
        Accept(b, {MakeTransactionRef(good)});
    }
    // The right witness, signed over the right amount, connects.
    Accept(b, {SignTx(tx, {coin}, k)});
}

TEST_CASE("BIP-341: a taproot key-path spend needs a Schnorr signature over the spent amounts and its hash type",
          "[node]")
{
    ChainBuilder b;
    const TestKey k(7), tr(9);
    b.MineBlocks(101);
    const auto fund = Fund(CoinbaseCoin(b, 1), k, tr.P2TR(), 2);
    Accept(b, {fund});
    const Utxo coin = CoinOf(fund, 0);
    MutableTransaction tx = MakeTx({coin}, {TxOut(coin.txout.value - Amount{1000}, k.P2WPKH())});
    const auto with_sig = [&](std::vector<uint8_t> sig) {
        MutableTransaction t = tx;
        t.vin[0].witness.stack = {std::move(sig)};
        return MakeTransactionRef(std::move(t));
    };

    SECTION("signed over another amount")
    {
        Reject(b,
               {with_sig(
                   testutil::SignTaproot(tx, 0, tr, {TxOut(coin.txout.value + Amount{1}, coin.txout.script_pubkey)}))},
               ScriptFailure("Invalid Schnorr signature"));
    }
    SECTION("signed with SIGHASH_ALL, claiming SIGHASH_NONE")
    {
        auto sig = testutil::SignTaproot(tx, 0, tr, {coin.txout}, SIGHASH_ALL);
        REQUIRE(sig.size() == 65);
        sig.back() = SIGHASH_NONE;
        Reject(b, {with_sig(sig)}, ScriptFailure("Invalid Schnorr signature"));
    }
    SECTION("signed with SIGHASH_DEFAULT, claiming SIGHASH_ALL")
    {
        auto sig = testutil::SignTaproot(tx, 0, tr, {coin.txout}, SIGHASH_DEFAULT);
        sig.push_back(SIGHASH_ALL);
        Reject(b, {with_sig(sig)}, ScriptFailure("Invalid Schnorr signature"));
    }
    SECTION("by another key")
    {
        Reject(b, {with_sig(testutil::SignTaproot(tx, 0, k, {coin.txout}))},
               ScriptFailure("Invalid Schnorr signature"));
    }
    SECTION("with SIGHASH_ALL, correctly")
    {
        Accept(b, {with_sig(testutil::SignTaproot(tx, 0, tr, {coin.txout}, SIGHASH_ALL))});
        CHECK_FALSE(b.Chain().GetTxOut(coin.out));
    }
    // A valid SIGHASH_DEFAULT signature connects (again after the section's block, on the other output).
    const Utxo second = CoinOf(fund, 1);
    tx = MakeTx({second}, {TxOut(second.txout.value - Amount{1000}, k.P2WPKH())});
    Accept(b, {with_sig(testutil::SignTaproot(tx, 0, tr, {second.txout}))});
}

TEST_CASE("bad-txns-premature-spend-of-coinbase: a coinbase is spendable at depth 100, not 99", "[node]")
{
    ChainBuilder b;
    const TestKey k(7);
    b.MineBlocks(99);
    // The block at height 100 would spend the coinbase of block 1 at depth 99.
    Reject(b, {SpendCoin(CoinbaseCoin(b, 1), k)}, "bad-txns-premature-spend-of-coinbase");
    b.MineBlocks(1);
    Accept(b, {SpendCoin(CoinbaseCoin(b, 1), k)});
    // A non-coinbase output is spendable in the very next block, and in its own.
    const auto t = SpendCoin(CoinbaseCoin(b, 2), k);
    const auto child = SpendCoin(CoinOf(t, 0), k);
    Reject(b, {SpendCoin(CoinbaseCoin(b, 3), k)}, "bad-txns-premature-spend-of-coinbase");
    Accept(b, {t, child});
}

TEST_CASE("bad-txns-in-belowout: outputs may equal the inputs but not exceed them", "[node]")
{
    ChainBuilder b;
    const TestKey k(7);
    b.MineBlocks(101);
    const Utxo coin = CoinbaseCoin(b, 1);
    Reject(b, {SpendCoin(coin, k, 2, 0, 0xfffffffe, Amount{-1})}, "bad-txns-in-belowout");
    Accept(b, {SpendCoin(coin, k, 2, 0, 0xfffffffe, Amount{0})});
    // Over two inputs: the sum counts.
    const Utxo c2 = CoinbaseCoin(b, 2), c3 = CoinbaseCoin(b, 3);
    const auto two = [&](Amount out) { return SignTx(MakeTx({c2, c3}, {TxOut(out, k.P2WPKH())}), {c2, c3}, k); };
    Reject(b, {two(c2.txout.value + c3.txout.value + Amount{1})}, "bad-txns-in-belowout");
    Accept(b, {two(c2.txout.value + c3.txout.value)});
}

TEST_CASE("bad-txns-inputs-missingorspent: spent coins, double spends and spends before the coin exists", "[node]")
{
    ChainBuilder b;
    const TestKey k(7);
    b.MineBlocks(101);
    const Utxo coin = CoinbaseCoin(b, 1);
    const auto parent = Fund(coin, k, k.P2WPKH(), 2);
    const auto child = SpendCoin(CoinOf(parent, 0), k);
    // A double spend of one coin inside the block.
    const auto other = SignTx(MakeTx({coin}, {TxOut(coin.txout.value - Amount{5000}, k.P2WPKH())}), {coin}, k);
    Reject(b, {parent, other}, "bad-txns-inputs-missingorspent");
    // A child before its parent: its input does not exist yet where it stands.
    Reject(b, {child, parent}, "bad-txns-inputs-missingorspent");
    // Parent then child, in one block.
    Accept(b, {parent, child});
    // The coin, and the child's input, are spent now.
    Reject(b, {other}, "bad-txns-inputs-missingorspent");
    Reject(b, {SpendCoin(CoinOf(parent, 0), k, 2, 0, 0xfffffffe, Amount{3000})}, "bad-txns-inputs-missingorspent");
    // The parent's other output is not.
    Accept(b, {SpendCoin(CoinOf(parent, 1), k)});
    // bad-txns-inputvalues-outofrange cannot be reached through blocks: every coin comes
    // from a transaction whose outputs passed CheckTransaction, and regtest's whole supply
    // is below MAX_MONEY, so no set of coins sums past it (tx_verify_tests cover it).
}
