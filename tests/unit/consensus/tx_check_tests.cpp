// CheckTransaction: each of Core's reject reasons from a constructed transaction, and
// legacy sigop counting.
#include "consensus/limits.h"
#include "consensus/tx_check.h"

#include <catch2/catch.hpp>

using namespace consensus;

namespace {

Uint256 Hash(uint8_t n)
{
    Uint256 h;
    h.data()[0] = n;
    return h;
}

// A well-formed one-input, one-output spend.
MutableTransaction ValidSpend()
{
    MutableTransaction tx;
    tx.vin.resize(1);
    tx.vin[0].prevout = OutPoint(Hash(1), 0);
    tx.vout.emplace_back(Amount{COIN.sats}, Script() << OP_TRUE);
    return tx;
}

MutableTransaction Coinbase(size_t script_sig_len)
{
    MutableTransaction tx;
    tx.vin.resize(1);
    tx.vin[0].script_sig = Script(std::vector<uint8_t>(script_sig_len, 0x51));
    tx.vout.emplace_back(Amount{50 * COIN.sats}, Script() << OP_TRUE);
    return tx;
}

std::string Reason(const MutableTransaction& tx)
{
    const ValidationResult r = CheckTransaction(Transaction(tx));
    // Every context-free transaction failure is a consensus failure (Core's TX_CONSENSUS).
    CHECK(r.GetTxResult() == (r.IsValid() ? TxValidationResult::UNSET : TxValidationResult::CONSENSUS));
    CHECK(r.GetBlockResult() == BlockValidationResult::UNSET);
    return r.IsValid() ? "valid" : r.GetRejectReason();
}

} // namespace

TEST_CASE("CheckTransaction accepts a well-formed spend and coinbase", "[consensus]")
{
    CHECK(Reason(ValidSpend()) == "valid");
    CHECK(Reason(Coinbase(2)) == "valid");
    CHECK(Reason(Coinbase(100)) == "valid");
    auto two = ValidSpend();
    two.vout.emplace_back(MAX_MONEY - COIN, Script());
    CHECK(Reason(two) == "valid");
    auto zero = ValidSpend();
    zero.vout[0].value = Amount{0};
    CHECK(Reason(zero) == "valid");
}

TEST_CASE("CheckTransaction rejects a transaction without inputs", "[consensus]")
{
    auto tx = ValidSpend();
    tx.vin.clear();
    CHECK(Reason(tx) == "bad-txns-vin-empty");
    tx.vout.clear(); // inputs are checked first
    CHECK(Reason(tx) == "bad-txns-vin-empty");
}

TEST_CASE("CheckTransaction rejects a transaction without outputs", "[consensus]")
{
    auto tx = ValidSpend();
    tx.vout.clear();
    CHECK(Reason(tx) == "bad-txns-vout-empty");
}

TEST_CASE("CheckTransaction rejects a transaction whose stripped size exceeds the block weight", "[consensus]")
{
    auto tx = ValidSpend();
    tx.vout[0].script_pubkey = Script(std::vector<uint8_t>(MAX_BLOCK_WEIGHT / WITNESS_SCALE_FACTOR, OP_NOP));
    CHECK(Reason(tx) == "bad-txns-oversize");
    // Witness data does not count towards this limit.
    auto wit = ValidSpend();
    wit.vin[0].witness.stack.push_back(std::vector<uint8_t>(MAX_BLOCK_WEIGHT / WITNESS_SCALE_FACTOR, 0));
    CHECK(Reason(wit) == "valid");
}

TEST_CASE("CheckTransaction rejects negative and too large output values", "[consensus]")
{
    auto neg = ValidSpend();
    neg.vout[0].value = Amount{-1};
    CHECK(Reason(neg) == "bad-txns-vout-negative");
    auto large = ValidSpend();
    large.vout[0].value = MAX_MONEY + Amount{1};
    CHECK(Reason(large) == "bad-txns-vout-toolarge");
    auto max = ValidSpend();
    max.vout[0].value = MAX_MONEY;
    CHECK(Reason(max) == "valid");
}

TEST_CASE("CheckTransaction rejects outputs whose total exceeds MAX_MONEY", "[consensus]")
{
    auto tx = ValidSpend();
    tx.vout[0].value = MAX_MONEY;
    tx.vout.emplace_back(Amount{1}, Script());
    CHECK(Reason(tx) == "bad-txns-txouttotal-toolarge");
    // A large total is reported even if a later output is negative.
    tx.vout.emplace_back(Amount{-1}, Script());
    CHECK(Reason(tx) == "bad-txns-txouttotal-toolarge");
}

TEST_CASE("CheckTransaction rejects an input spent twice", "[consensus]")
{
    auto tx = ValidSpend();
    tx.vin.push_back(tx.vin[0]);
    tx.vin[1].script_sig = Script() << OP_1; // different scriptSig, same outpoint
    CHECK(Reason(tx) == "bad-txns-inputs-duplicate");
    auto other = ValidSpend();
    other.vin.push_back(other.vin[0]);
    other.vin[1].prevout.n = 1; // same txid, other index: fine
    CHECK(Reason(other) == "valid");
    // Many inputs with a duplicate far apart.
    auto many = ValidSpend();
    for (uint8_t i = 2; i < 200; ++i) {
        TxIn in;
        in.prevout = OutPoint(Hash(i), i);
        many.vin.push_back(in);
    }
    CHECK(Reason(many) == "valid");
    many.vin.push_back(many.vin[57]);
    CHECK(Reason(many) == "bad-txns-inputs-duplicate");
}

TEST_CASE("CheckTransaction rejects a coinbase scriptSig outside 2..100 bytes", "[consensus]")
{
    CHECK(Reason(Coinbase(0)) == "bad-cb-length");
    CHECK(Reason(Coinbase(1)) == "bad-cb-length");
    CHECK(Reason(Coinbase(101)) == "bad-cb-length");
}

TEST_CASE("CheckTransaction rejects a null prevout outside a coinbase", "[consensus]")
{
    auto tx = ValidSpend();
    TxIn null_in; // default prevout is null
    tx.vin.push_back(null_in);
    CHECK(Reason(tx) == "bad-txns-prevout-null");
    // Two null inputs are a duplicate first.
    auto two = Coinbase(5);
    two.vin.push_back(two.vin[0]);
    CHECK(Reason(two) == "bad-txns-inputs-duplicate");
}

TEST_CASE("GetLegacySigOpCount counts scriptSig and scriptPubKey sigops inaccurately", "[consensus]")
{
    auto tx = ValidSpend();
    tx.vin[0].script_sig = Script() << OP_CHECKSIG << OP_CHECKSIGVERIFY;
    tx.vout[0].script_pubkey = Script() << OP_1 << OP_1 << OP_CHECKMULTISIG; // counts 20 without accuracy
    tx.vout.emplace_back(Amount{1}, Script() << OP_DUP << OP_HASH160 << OP_CHECKSIG);
    CHECK(GetLegacySigOpCount(Transaction(tx)) == 2 + 20 + 1);
    // Sigops inside pushed data do not count.
    auto pushed = ValidSpend();
    pushed.vout[0].script_pubkey = Script() << std::vector<uint8_t>{OP_CHECKSIG, OP_CHECKSIG};
    CHECK(GetLegacySigOpCount(Transaction(pushed)) == 0);
}
