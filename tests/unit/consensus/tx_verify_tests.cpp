// tx_verify: absolute and BIP-68 relative lock-times, sigop cost of the usual spend
// types, and each of CheckTxInputs' reject reasons, against a small in-memory coin set.
#include "consensus/hash.h"
#include "consensus/limits.h"
#include "consensus/script/interpreter.h"
#include "consensus/tx_check.h"
#include "consensus/tx_verify.h"

#include <catch2/catch.hpp>

#include <limits>
#include <map>

using namespace consensus;

namespace {

// A CoinsView over a std::map, enough for these tests.
class MapCoinsView : public CoinsView {
public:
    std::optional<Coin> GetCoin(const OutPoint& outpoint) const override
    {
        auto it = m_coins.find(outpoint);
        if (it == m_coins.end() || it->second.IsSpent()) return std::nullopt;
        return it->second;
    }
    void Add(const OutPoint& outpoint, Coin coin) { m_coins[outpoint] = std::move(coin); }

private:
    std::map<OutPoint, Coin> m_coins;
};

Uint256 TxHash(uint8_t n)
{
    Uint256 h;
    h.data()[0] = n;
    return h;
}

std::vector<uint8_t> Bytes(size_t n, uint8_t fill) { return std::vector<uint8_t>(n, fill); }

// A 33-byte compressed-looking public key; sigop counting never parses it.
std::vector<uint8_t> PubKey(uint8_t n)
{
    auto key = Bytes(33, n);
    key[0] = 0x02;
    return key;
}

// A 72-byte DER-looking signature placeholder.
std::vector<uint8_t> Sig() { return Bytes(72, 0x30); }

Script P2pkh(const std::vector<uint8_t>& pubkey)
{
    const Uint160 h = Hash160(pubkey);
    return Script() << OP_DUP << OP_HASH160 << std::vector<uint8_t>(h.begin(), h.end()) << OP_EQUALVERIFY
                    << OP_CHECKSIG;
}

Script P2sh(const Script& redeem)
{
    const Uint160 h = Hash160(redeem);
    return Script() << OP_HASH160 << std::vector<uint8_t>(h.begin(), h.end()) << OP_EQUAL;
}

Script P2wpkh(const std::vector<uint8_t>& pubkey)
{
    const Uint160 h = Hash160(pubkey);
    return Script() << OP_0 << std::vector<uint8_t>(h.begin(), h.end());
}

Script P2wsh(const Script& witness_script)
{
    const Uint256 h = Sha256Hash(witness_script);
    return Script() << OP_0 << std::vector<uint8_t>(h.begin(), h.end());
}

Script Multisig2of3() { return Script() << OP_2 << PubKey(1) << PubKey(2) << PubKey(3) << OP_3 << OP_CHECKMULTISIG; }

// One input spending (TxHash(1), 0), one output of value out to an OP_TRUE script.
MutableTransaction Spend(Amount out = Amount{COIN.sats})
{
    MutableTransaction tx;
    tx.vin.resize(1);
    tx.vin[0].prevout = OutPoint(TxHash(1), 0);
    tx.vout.emplace_back(out, Script() << OP_TRUE);
    return tx;
}

// A transaction with the given lock-time and input sequences.
Transaction LockedTx(uint32_t locktime, std::vector<uint32_t> sequences, uint32_t version = 2)
{
    MutableTransaction tx;
    tx.version = version;
    tx.locktime = locktime;
    for (size_t i = 0; i < sequences.size(); ++i) {
        TxIn in;
        in.prevout = OutPoint(TxHash(static_cast<uint8_t>(i + 1)), 0);
        in.sequence = sequences[i];
        tx.vin.push_back(in);
    }
    tx.vout.emplace_back(Amount{1000}, Script() << OP_TRUE);
    return Transaction(tx);
}

constexpr uint32_t NON_FINAL = TxIn::SEQUENCE_FINAL - 1;
constexpr uint32_t TIME_FLAG = TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG;
constexpr uint32_t DISABLE_FLAG = TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG;

// A synthetic chain: the median time past at height h is 1'600'000'000 + 600 * h.
int64_t Mtp(int h) { return 1600000000 + 600 * static_cast<int64_t>(h); }

std::string Reason(const ValidationResult& r) { return r.IsValid() ? "valid" : r.GetRejectReason(); }

} // namespace

// ---- IsFinalTx ----

TEST_CASE("IsFinalTx treats a zero lock-time as final", "[consensus]")
{
    CHECK(IsFinalTx(LockedTx(0, {NON_FINAL}), 0, 0));
    CHECK(IsFinalTx(LockedTx(0, {0}), 1, 1));
}

TEST_CASE("IsFinalTx compares a height lock-time with the block height", "[consensus]")
{
    const Transaction tx = LockedTx(100, {NON_FINAL});
    CHECK(IsFinalTx(tx, 101, 0));
    CHECK_FALSE(IsFinalTx(tx, 100, 0)); // the lock-time is the last invalid height
    CHECK_FALSE(IsFinalTx(tx, 99, 0));
    // A height lock-time ignores the block time, however large.
    CHECK_FALSE(IsFinalTx(tx, 100, 4000000000));
}

TEST_CASE("IsFinalTx compares a time lock-time with the block time", "[consensus]")
{
    const uint32_t t = LOCKTIME_THRESHOLD + 1000;
    const Transaction tx = LockedTx(t, {NON_FINAL});
    CHECK(IsFinalTx(tx, 0, t + 1));
    CHECK_FALSE(IsFinalTx(tx, 0, t));
    CHECK_FALSE(IsFinalTx(tx, 0, t - 1));
    // A time lock-time ignores the height, however large.
    CHECK_FALSE(IsFinalTx(tx, 2000000000, t));
}

TEST_CASE("IsFinalTx treats LOCKTIME_THRESHOLD itself as a time", "[consensus]")
{
    const Transaction at = LockedTx(LOCKTIME_THRESHOLD, {NON_FINAL});
    CHECK_FALSE(IsFinalTx(at, LOCKTIME_THRESHOLD + 1, 0));
    CHECK(IsFinalTx(at, 0, LOCKTIME_THRESHOLD + 1));
    const Transaction below = LockedTx(LOCKTIME_THRESHOLD - 1, {NON_FINAL});
    CHECK(IsFinalTx(below, LOCKTIME_THRESHOLD, 0));
    CHECK_FALSE(IsFinalTx(below, 0, 4000000000));
}

TEST_CASE("IsFinalTx accepts an unreached lock-time when every sequence is final", "[consensus]")
{
    CHECK(IsFinalTx(LockedTx(100, {TxIn::SEQUENCE_FINAL}), 50, 0));
    CHECK(IsFinalTx(LockedTx(100, {TxIn::SEQUENCE_FINAL, TxIn::SEQUENCE_FINAL}), 50, 0));
    CHECK_FALSE(IsFinalTx(LockedTx(100, {TxIn::SEQUENCE_FINAL, NON_FINAL}), 50, 0));
    CHECK(IsFinalTx(LockedTx(LOCKTIME_THRESHOLD + 5, {TxIn::SEQUENCE_FINAL}), 0, LOCKTIME_THRESHOLD));
}

// ---- BIP-68 sequence locks ----

TEST_CASE("CalculateSequenceLocks gives the last invalid height of a height-based lock", "[consensus]")
{
    const Transaction tx = LockedTx(0, {10});
    std::vector<int> heights{100};
    const auto locks = CalculateSequenceLocks(tx, true, heights, 200, Mtp);
    CHECK(locks.first == 109);
    CHECK(locks.second == -1);
    CHECK(heights == std::vector<int>{100});
    // Ten confirmations: the coin's block plus nine more, so the first valid block is 110.
    CHECK(EvaluateSequenceLocks(110, Mtp(109), locks));
    CHECK_FALSE(EvaluateSequenceLocks(109, Mtp(108), locks));
}

TEST_CASE("CalculateSequenceLocks measures a time-based lock from the MTP before the coin's block", "[consensus]")
{
    const Transaction tx = LockedTx(0, {TIME_FLAG | 3});
    std::vector<int> heights{100};
    std::vector<int> asked;
    const auto mtp_at = [&](int h) {
        asked.push_back(h);
        return Mtp(h);
    };
    const auto locks = CalculateSequenceLocks(tx, true, heights, 200, mtp_at);
    CHECK(asked == std::vector<int>{99});
    CHECK(locks.first == -1);
    CHECK(locks.second == Mtp(99) + 3 * 512 - 1);
    CHECK(EvaluateSequenceLocks(200, Mtp(99) + 3 * 512, locks));
    CHECK_FALSE(EvaluateSequenceLocks(200, Mtp(99) + 3 * 512 - 1, locks));
}

TEST_CASE("CalculateSequenceLocks uses the genesis MTP for a coin at height zero", "[consensus]")
{
    const Transaction tx = LockedTx(0, {TIME_FLAG | 1});
    std::vector<int> heights{0};
    std::vector<int> asked;
    const auto locks = CalculateSequenceLocks(tx, true, heights, 10, [&](int h) {
        asked.push_back(h);
        return Mtp(h);
    });
    CHECK(asked == std::vector<int>{0});
    CHECK(locks.second == Mtp(0) + 511);
}

TEST_CASE("CalculateSequenceLocks takes the strictest lock of all inputs", "[consensus]")
{
    const Transaction tx = LockedTx(0, {5, 20, TIME_FLAG | 2, TIME_FLAG | 1, 1});
    std::vector<int> heights{100, 90, 50, 60, 300};
    const auto locks = CalculateSequenceLocks(tx, true, heights, 400, Mtp);
    CHECK(locks.first == 300); // max(104, 109, 300)
    CHECK(locks.second == std::max(Mtp(49) + 1023, Mtp(59) + 511));
}

TEST_CASE("CalculateSequenceLocks ignores sequence bits outside the mask and type flag", "[consensus]")
{
    // Bits 16..21 and 23..30 carry no meaning; only the low 16 bits count.
    const Transaction tx = LockedTx(0, {0x00010005u | (1u << 30), TIME_FLAG | 0x00ff0002u});
    std::vector<int> heights{10, 10};
    const auto locks = CalculateSequenceLocks(tx, true, heights, 400, Mtp);
    CHECK(locks.first == 14);
    CHECK(locks.second == Mtp(9) + 2 * 512 - 1);
}

TEST_CASE("CalculateSequenceLocks skips inputs with the disable flag and zeroes their height", "[consensus]")
{
    const Transaction tx = LockedTx(0, {DISABLE_FLAG | 50, DISABLE_FLAG | TIME_FLAG | 50, 3});
    std::vector<int> heights{100, 100, 100};
    bool asked = false;
    const auto locks = CalculateSequenceLocks(tx, true, heights, 200, [&](int h) {
        asked = true;
        return Mtp(h);
    });
    CHECK_FALSE(asked);
    CHECK(heights == std::vector<int>{0, 0, 100});
    CHECK(locks == std::make_pair(102, int64_t{-1}));

    const Transaction final_tx = LockedTx(0, {TxIn::SEQUENCE_FINAL});
    std::vector<int> one{100};
    CHECK(CalculateSequenceLocks(final_tx, true, one, 200, Mtp) == std::make_pair(-1, int64_t{-1}));
    CHECK(one == std::vector<int>{0});
}

TEST_CASE("CalculateSequenceLocks ignores version 1 transactions and unenforced BIP-68", "[consensus]")
{
    const Transaction v1 = LockedTx(0, {10, TIME_FLAG | 10}, 1);
    std::vector<int> heights{100, 100};
    CHECK(CalculateSequenceLocks(v1, true, heights, 101, Mtp) == std::make_pair(-1, int64_t{-1}));
    CHECK(heights == std::vector<int>{100, 100});

    const Transaction v2 = LockedTx(0, {10, TIME_FLAG | 10});
    CHECK(CalculateSequenceLocks(v2, false, heights, 101, Mtp) == std::make_pair(-1, int64_t{-1}));

    // The version is unsigned: a "negative" version 0xffffffff is >= 2 and enforces BIP-68.
    const Transaction big = LockedTx(0, {10}, 0xffffffff);
    CHECK(CalculateSequenceLocks(big, true, heights = {100}, 101, Mtp).first == 109);
}

TEST_CASE("CalculateSequenceLocks allows a zero relative lock in the coin's own block", "[consensus]")
{
    // Sequence 0 is "no delay": the lock is coin_height - 1, satisfied at coin_height.
    const Transaction tx = LockedTx(0, {0, TIME_FLAG | 0});
    std::vector<int> heights{150, 150};
    const auto locks = CalculateSequenceLocks(tx, true, heights, 150, Mtp);
    CHECK(locks.first == 149);
    CHECK(locks.second == Mtp(149) - 1);
    CHECK(EvaluateSequenceLocks(150, Mtp(149), locks));
}

TEST_CASE("EvaluateSequenceLocks fails when the lock height or time is not yet passed", "[consensus]")
{
    CHECK(EvaluateSequenceLocks(0, 0, {-1, -1}));
    CHECK(EvaluateSequenceLocks(101, 5001, {100, 5000}));
    CHECK_FALSE(EvaluateSequenceLocks(100, 5001, {100, 5000})); // height equal
    CHECK_FALSE(EvaluateSequenceLocks(101, 5000, {100, 5000})); // time equal
    CHECK_FALSE(EvaluateSequenceLocks(99, 9999, {100, -1}));
    CHECK_FALSE(EvaluateSequenceLocks(9999, 4999, {-1, 5000}));
}

TEST_CASE("CalculateSequenceLocks fails closed when prev_heights does not match the inputs", "[consensus]")
{
    const Transaction tx = LockedTx(0, {1, 1});
    std::vector<int> heights{1};
    const auto locks = CalculateSequenceLocks(tx, true, heights, 100, Mtp);
    CHECK_FALSE(EvaluateSequenceLocks(1000000, 4000000000, locks));
}

// ---- Sigop cost ----

TEST_CASE("GetTransactionSigOpCost counts a P2PKH spend's legacy sigops four times", "[consensus]")
{
    MapCoinsView view;
    view.Add(OutPoint(TxHash(1), 0), Coin(TxOut(Amount{COIN.sats}, P2pkh(PubKey(1))), 10, false));
    auto mtx = Spend();
    mtx.vin[0].script_sig = Script() << Sig() << PubKey(1);
    mtx.vout[0].script_pubkey = P2pkh(PubKey(2)); // the new output's CHECKSIG counts too
    const Transaction tx(mtx);
    CHECK(GetLegacySigOpCount(tx) == 1);
    CHECK(GetP2SHSigOpCount(tx, view) == 0);
    CHECK(GetTransactionSigOpCost(tx, view, MANDATORY_SCRIPT_VERIFY_FLAGS) == 4);
    CHECK(GetTransactionSigOpCost(tx, view, SCRIPT_VERIFY_NONE) == 4);
}

TEST_CASE("GetTransactionSigOpCost counts a P2SH multisig redeem script accurately", "[consensus]")
{
    const Script redeem = Multisig2of3();
    MapCoinsView view;
    view.Add(OutPoint(TxHash(1), 0), Coin(TxOut(Amount{COIN.sats}, P2sh(redeem)), 10, false));
    auto mtx = Spend();
    mtx.vin[0].script_sig = Script() << OP_0 << Sig() << Sig() << std::vector<uint8_t>(redeem.begin(), redeem.end());
    const Transaction tx(mtx);
    CHECK(GetLegacySigOpCount(tx) == 0); // pushes only: the redeem script is data here
    CHECK(GetP2SHSigOpCount(tx, view) == 3);
    CHECK(GetTransactionSigOpCost(tx, view, MANDATORY_SCRIPT_VERIFY_FLAGS) == 12);
    // Before BIP-16 the redeem script is not counted.
    CHECK(GetTransactionSigOpCost(tx, view, SCRIPT_VERIFY_NONE) == 0);
}

TEST_CASE("GetTransactionSigOpCost counts a P2WPKH spend as one witness sigop", "[consensus]")
{
    MapCoinsView view;
    view.Add(OutPoint(TxHash(1), 0), Coin(TxOut(Amount{COIN.sats}, P2wpkh(PubKey(1))), 10, false));
    auto mtx = Spend();
    mtx.vin[0].witness.stack = {Sig(), PubKey(1)};
    const Transaction tx(mtx);
    CHECK(GetP2SHSigOpCount(tx, view) == 0);
    CHECK(GetTransactionSigOpCost(tx, view, MANDATORY_SCRIPT_VERIFY_FLAGS) == 1);
    CHECK(GetTransactionSigOpCost(tx, view, SCRIPT_VERIFY_P2SH) == 0); // no witness flag, no witness sigops
}

TEST_CASE("GetTransactionSigOpCost counts a P2WSH multisig witness script accurately", "[consensus]")
{
    const Script ws = Multisig2of3();
    MapCoinsView view;
    view.Add(OutPoint(TxHash(1), 0), Coin(TxOut(Amount{COIN.sats}, P2wsh(ws)), 10, false));
    auto mtx = Spend();
    mtx.vin[0].witness.stack = {{}, Sig(), Sig(), std::vector<uint8_t>(ws.begin(), ws.end())};
    const Transaction tx(mtx);
    CHECK(GetTransactionSigOpCost(tx, view, MANDATORY_SCRIPT_VERIFY_FLAGS) == 3);
}

TEST_CASE("GetTransactionSigOpCost counts a P2SH-wrapped P2WPKH spend as one witness sigop", "[consensus]")
{
    const Script program = P2wpkh(PubKey(1));
    MapCoinsView view;
    view.Add(OutPoint(TxHash(1), 0), Coin(TxOut(Amount{COIN.sats}, P2sh(program)), 10, false));
    auto mtx = Spend();
    mtx.vin[0].script_sig = Script() << std::vector<uint8_t>(program.begin(), program.end());
    mtx.vin[0].witness.stack = {Sig(), PubKey(1)};
    const Transaction tx(mtx);
    CHECK(GetP2SHSigOpCount(tx, view) == 0);
    CHECK(GetTransactionSigOpCost(tx, view, MANDATORY_SCRIPT_VERIFY_FLAGS) == 1);
}

TEST_CASE("GetTransactionSigOpCost sums the sigops of several inputs", "[consensus]")
{
    const Script redeem = Multisig2of3();
    const Script ws = Multisig2of3();
    MapCoinsView view;
    view.Add(OutPoint(TxHash(1), 0), Coin(TxOut(Amount{1000}, P2pkh(PubKey(1))), 10, false));
    view.Add(OutPoint(TxHash(2), 0), Coin(TxOut(Amount{1000}, P2sh(redeem)), 10, false));
    view.Add(OutPoint(TxHash(3), 0), Coin(TxOut(Amount{1000}, P2wpkh(PubKey(1))), 10, false));
    view.Add(OutPoint(TxHash(4), 0), Coin(TxOut(Amount{1000}, P2wsh(ws)), 10, false));
    MutableTransaction mtx;
    mtx.vin.resize(4);
    for (uint8_t i = 0; i < 4; ++i) mtx.vin[i].prevout = OutPoint(TxHash(i + 1), 0);
    mtx.vin[0].script_sig = Script() << Sig() << PubKey(1);
    mtx.vin[1].script_sig = Script() << OP_0 << Sig() << Sig() << std::vector<uint8_t>(redeem.begin(), redeem.end());
    mtx.vin[2].witness.stack = {Sig(), PubKey(1)};
    mtx.vin[3].witness.stack = {{}, Sig(), Sig(), std::vector<uint8_t>(ws.begin(), ws.end())};
    mtx.vout.emplace_back(Amount{3000}, P2pkh(PubKey(9)));
    const Transaction tx(mtx);
    // Legacy: output CHECKSIG 1 -> 4; P2SH: 3 -> 12; witness: 1 + 3.
    CHECK(GetTransactionSigOpCost(tx, view, MANDATORY_SCRIPT_VERIFY_FLAGS) == 4 + 12 + 1 + 3);
}

TEST_CASE("GetTransactionSigOpCost counts only legacy sigops of a coinbase", "[consensus]")
{
    MapCoinsView view;
    MutableTransaction mtx;
    mtx.vin.resize(1);
    mtx.vin[0].script_sig = Script() << OP_CHECKSIG << OP_1;
    mtx.vout.emplace_back(Amount{50 * COIN.sats}, P2pkh(PubKey(1)));
    mtx.vout.emplace_back(Amount{0}, Script() << OP_CHECKMULTISIG); // counts 20 when inaccurate
    const Transaction tx(mtx);
    REQUIRE(tx.IsCoinBase());
    CHECK(GetP2SHSigOpCount(tx, view) == 0);
    CHECK(GetTransactionSigOpCost(tx, view, MANDATORY_SCRIPT_VERIFY_FLAGS) == (1 + 1 + 20) * WITNESS_SCALE_FACTOR);
}

// ---- CheckTxInputs ----

TEST_CASE("CheckTxInputs accepts a funded spend and reports its fee", "[consensus]")
{
    MapCoinsView view;
    view.Add(OutPoint(TxHash(1), 0), Coin(TxOut(Amount{3 * COIN.sats}, Script() << OP_TRUE), 10, false));
    view.Add(OutPoint(TxHash(2), 0), Coin(TxOut(Amount{2 * COIN.sats}, Script() << OP_TRUE), 10, false));
    auto mtx = Spend(Amount{4 * COIN.sats});
    mtx.vin.emplace_back();
    mtx.vin[1].prevout = OutPoint(TxHash(2), 0);
    Amount fee{-7};
    const ValidationResult r = CheckTxInputs(Transaction(mtx), view, 11, fee);
    CHECK(r.IsValid());
    CHECK(fee == COIN);

    // Spending exactly the inputs leaves a zero fee.
    mtx.vout[0].value = Amount{5 * COIN.sats};
    CHECK(CheckTxInputs(Transaction(mtx), view, 11, fee).IsValid());
    CHECK(fee == Amount{0});
}

TEST_CASE("CheckTxInputs rejects a missing or spent input before anything else", "[consensus]")
{
    MapCoinsView view;
    // The first input is an immature coinbase; the second is missing: missing wins.
    view.Add(OutPoint(TxHash(1), 0), Coin(TxOut(Amount{COIN.sats}, Script() << OP_TRUE), 100, true));
    view.Add(OutPoint(TxHash(2), 0), Coin()); // spent (null output)
    auto mtx = Spend();
    mtx.vin.emplace_back();
    mtx.vin[1].prevout = OutPoint(TxHash(2), 0);
    Amount fee{-7};
    const ValidationResult r = CheckTxInputs(Transaction(mtx), view, 101, fee);
    CHECK(r.IsInvalid());
    CHECK(r.GetRejectReason() == "bad-txns-inputs-missingorspent");
    CHECK(r.GetTxResult() == TxValidationResult::MISSING_INPUTS);
    CHECK(r.GetBlockResult() == BlockValidationResult::UNSET);
    CHECK(fee == Amount{-7});

    mtx.vin[1].prevout = OutPoint(TxHash(3), 0); // never existed
    CHECK(Reason(CheckTxInputs(Transaction(mtx), view, 101, fee)) == "bad-txns-inputs-missingorspent");
}

TEST_CASE("CheckTxInputs lets a coinbase output be spent after exactly 100 blocks", "[consensus]")
{
    MapCoinsView view;
    view.Add(OutPoint(TxHash(1), 0), Coin(TxOut(Amount{50 * COIN.sats}, Script() << OP_TRUE), 1000, true));
    const Transaction tx(Spend());
    Amount fee;
    CHECK(Reason(CheckTxInputs(tx, view, 1000 + COINBASE_MATURITY, fee)) == "valid");
    CHECK(fee == Amount{49 * COIN.sats});
    const ValidationResult early = CheckTxInputs(tx, view, 1000 + COINBASE_MATURITY - 1, fee);
    CHECK(Reason(early) == "bad-txns-premature-spend-of-coinbase");
    CHECK(early.GetDebugMessage() == "tried to spend coinbase at depth 99");
    CHECK(early.GetTxResult() == TxValidationResult::PREMATURE_SPEND);
    CHECK(Reason(CheckTxInputs(tx, view, 1000, fee)) == "bad-txns-premature-spend-of-coinbase");
    // A spend height below the coin's height is a negative depth, still premature.
    CHECK(Reason(CheckTxInputs(tx, view, 5, fee)) == "bad-txns-premature-spend-of-coinbase");

    // A non-coinbase output has no maturity.
    MapCoinsView plain;
    plain.Add(OutPoint(TxHash(1), 0), Coin(TxOut(Amount{50 * COIN.sats}, Script() << OP_TRUE), 1000, false));
    CHECK(Reason(CheckTxInputs(tx, plain, 1000, fee)) == "valid");
}

TEST_CASE("CheckTxInputs rejects input values outside the money range", "[consensus]")
{
    const auto view_with = [](Amount a, Amount b) {
        MapCoinsView v;
        v.Add(OutPoint(TxHash(1), 0), Coin(TxOut(a, Script() << OP_TRUE), 10, false));
        v.Add(OutPoint(TxHash(2), 0), Coin(TxOut(b, Script() << OP_TRUE), 10, false));
        return v;
    };
    auto mtx = Spend(Amount{0});
    mtx.vin.emplace_back();
    mtx.vin[1].prevout = OutPoint(TxHash(2), 0);
    const Transaction tx(mtx);
    Amount fee;
    // Each value and the running sum must stay within [0, MAX_MONEY].
    CHECK(Reason(CheckTxInputs(tx, view_with(MAX_MONEY, Amount{0}), 11, fee)) == "valid");
    CHECK(Reason(CheckTxInputs(tx, view_with(Amount{-2}, Amount{5}), 11, fee)) == "bad-txns-inputvalues-outofrange");
    CHECK(Reason(CheckTxInputs(tx, view_with(MAX_MONEY + Amount{1}, Amount{0}), 11, fee)) ==
          "bad-txns-inputvalues-outofrange");
    CHECK(Reason(CheckTxInputs(tx, view_with(MAX_MONEY, Amount{1}), 11, fee)) == "bad-txns-inputvalues-outofrange");
    CHECK(Reason(CheckTxInputs(tx, view_with(Amount{1}, Amount{std::numeric_limits<int64_t>::max()}), 11, fee)) ==
          "bad-txns-inputvalues-outofrange");
}

TEST_CASE("CheckTxInputs checks maturity and value range input by input", "[consensus]")
{
    // Input 0 has an out-of-range value, input 1 is an immature coinbase: input 0 is reported.
    MapCoinsView view;
    // (-1 would be the null output of a spent coin, so use -2.)
    view.Add(OutPoint(TxHash(1), 0), Coin(TxOut(Amount{-2}, Script() << OP_TRUE), 10, false));
    view.Add(OutPoint(TxHash(2), 0), Coin(TxOut(Amount{COIN.sats}, Script() << OP_TRUE), 10, true));
    auto mtx = Spend(Amount{0});
    mtx.vin.emplace_back();
    mtx.vin[1].prevout = OutPoint(TxHash(2), 0);
    Amount fee;
    CHECK(Reason(CheckTxInputs(Transaction(mtx), view, 11, fee)) == "bad-txns-inputvalues-outofrange");
    std::swap(mtx.vin[0], mtx.vin[1]);
    CHECK(Reason(CheckTxInputs(Transaction(mtx), view, 11, fee)) == "bad-txns-premature-spend-of-coinbase");
}

TEST_CASE("CheckTxInputs rejects outputs worth more than the inputs", "[consensus]")
{
    MapCoinsView view;
    view.Add(OutPoint(TxHash(1), 0), Coin(TxOut(Amount{COIN.sats}, Script() << OP_TRUE), 10, false));
    Amount fee{-7};
    const ValidationResult r = CheckTxInputs(Transaction(Spend(COIN + Amount{1})), view, 11, fee);
    CHECK(Reason(r) == "bad-txns-in-belowout");
    CHECK(r.GetDebugMessage() == "value in (100000000) < value out (100000001)");
    CHECK(r.GetTxResult() == TxValidationResult::CONSENSUS);
    CHECK(fee == Amount{-7});
}

TEST_CASE("CheckTxInputs refuses a negative output that skipped CheckTransaction", "[consensus]")
{
    // A fee outside the money range needs a negative output, which CheckTransaction rejects
    // first; as in Core, summing such outputs throws instead of producing a fee.
    MapCoinsView view;
    view.Add(OutPoint(TxHash(1), 0), Coin(TxOut(MAX_MONEY, Script() << OP_TRUE), 10, false));
    Amount fee{-7};
    CHECK_THROWS_AS(CheckTxInputs(Transaction(Spend(Amount{-1})), view, 11, fee), std::runtime_error);
    CHECK(fee == Amount{-7});
}
