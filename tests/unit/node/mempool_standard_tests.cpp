// Standardness as pure functions (node/mempool/policy.h): Core v30's IsStandardTx reasons, dust
// thresholds per output type, AreInputsStandard, CheckSigopsBIP54, IsWitnessStandard and the
// sigop-adjusted virtual size, at their boundaries. Unsigned transactions: policy checks no
// signatures. (Ported from the unmerged wip-policy branch's policy tests onto main's API.)
#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/script.h"
#include "node/mempool/policy.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

using consensus::Amount;
using consensus::MutableTransaction;
using consensus::OutPoint;
using consensus::Script;
using consensus::Transaction;
using consensus::TxOut;
using namespace node::mempool;

namespace {

std::vector<uint8_t> Bytes(size_t n, uint8_t fill = 0x11) { return std::vector<uint8_t>(n, fill); }

consensus::Uint256 H(unsigned n)
{
    char buf[65];
    std::snprintf(buf, sizeof(buf), "%064x", n);
    return *consensus::Uint256::FromHex(buf);
}

Script P2PKH()
{
    Script s;
    s << consensus::OP_DUP << consensus::OP_HASH160 << Bytes(20) << consensus::OP_EQUALVERIFY << consensus::OP_CHECKSIG;
    return s;
}
Script P2SH()
{
    Script s;
    s << consensus::OP_HASH160 << Bytes(20) << consensus::OP_EQUAL;
    return s;
}
Script Witness(consensus::Opcode version, size_t program)
{
    Script s;
    s << version << Bytes(program);
    return s;
}
Script P2WPKH() { return Witness(consensus::OP_0, 20); }
Script P2WSH() { return Witness(consensus::OP_0, 32); }
Script P2TR() { return Witness(consensus::OP_1, 32); }
Script P2A()
{
    Script s;
    s << consensus::OP_1 << std::vector<uint8_t>{0x4e, 0x73};
    return s;
}
Script P2PK()
{
    auto key = Bytes(33);
    key[0] = 0x02;
    Script s;
    s << key << consensus::OP_CHECKSIG;
    return s;
}
/** Bare m-of-n multisig with compressed keys. */
Script Multisig(int m, int n)
{
    Script s;
    s.PushInt(m);
    for (int i = 0; i < n; ++i) {
        auto key = Bytes(33, static_cast<uint8_t>(i + 1));
        key[0] = 0x02;
        s << key;
    }
    s.PushInt(n);
    s << consensus::OP_CHECKMULTISIG;
    return s;
}
Script OpReturn(size_t data_size)
{
    Script s;
    s << consensus::OP_RETURN;
    if (data_size > 0) s << Bytes(data_size);
    return s;
}

/** A version-2 transaction with one input per prevout (empty scriptSig) and the given outputs. */
MutableTransaction MakeTx(const std::vector<OutPoint>& prevouts, const std::vector<TxOut>& outs, uint32_t version = 2)
{
    MutableTransaction mtx;
    mtx.version = version;
    for (const auto& p : prevouts) {
        consensus::TxIn in;
        in.prevout = p;
        mtx.vin.push_back(in);
    }
    mtx.vout = outs;
    return mtx;
}

std::string Reason(const MutableTransaction& mtx, const PolicyOptions& opts = {})
{
    std::string reason;
    const bool ok = IsStandardTx(Transaction(mtx), opts, reason);
    return ok ? std::string("standard") : reason;
}
MutableTransaction Standard() { return MakeTx({OutPoint(H(1), 0)}, {TxOut(Amount{10'000}, P2WPKH())}); }

} // namespace

TEST_CASE("dust thresholds at 3000 sat/kvB per output type, exactly at the threshold", "[node][mempool_policy]")
{
    struct Case {
        const char* name;
        Script script;
        int64_t threshold;
    };
    const std::vector<Case> cases = {
        {"p2pkh", P2PKH(), 546},   // (34 + 148) * 3
        {"p2sh", P2SH(), 540},     // (32 + 148) * 3
        {"p2pk", P2PK(), 576},     // (44 + 148) * 3
        {"p2wpkh", P2WPKH(), 294}, // (31 + 67) * 3: the witness discounted
        {"p2wsh", P2WSH(), 330},   // (43 + 67) * 3
        {"p2tr", P2TR(), 330},
        {"p2a", P2A(), 240}, // (13 + 67) * 3
        {"multisig-1-of-1", Multisig(1, 1), (8 + 1 + 37 + 148) * 3},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        CHECK(GetDustThreshold(TxOut(Amount{0}, c.script), DUST_RELAY_TX_FEE) == Amount{c.threshold});
        CHECK_FALSE(IsDust(TxOut(Amount{c.threshold}, c.script), DUST_RELAY_TX_FEE));
        CHECK(IsDust(TxOut(Amount{c.threshold - 1}, c.script), DUST_RELAY_TX_FEE));
    }
    // Unspendable: never dust.
    CHECK(GetDustThreshold(TxOut(Amount{0}, OpReturn(10)), DUST_RELAY_TX_FEE) == Amount{0});
    CHECK_FALSE(IsDust(TxOut(Amount{0}, OpReturn(10)), DUST_RELAY_TX_FEE));
    // Another rate, rounded up; a zero rate makes nothing dust.
    CHECK(GetDustThreshold(TxOut(Amount{0}, P2PKH()), Amount{1000}) == Amount{182});
    CHECK(GetDustThreshold(TxOut(Amount{0}, P2WPKH()), Amount{1}) == Amount{1});
    CHECK(GetDustThreshold(TxOut(Amount{0}, P2WPKH()), Amount{0}) == Amount{0});
}

TEST_CASE("IsStandardTx: version 1..3", "[node][mempool_policy]")
{
    auto tx = Standard();
    CHECK(Reason(tx) == "standard");
    for (uint32_t v : {0u, 4u, 0xffffffffu}) {
        tx.version = v;
        CHECK(Reason(tx) == "version");
    }
    for (uint32_t v : {1u, 2u, 3u}) {
        tx.version = v;
        CHECK(Reason(tx) == "standard");
    }
}

TEST_CASE("IsStandardTx: weight up to MAX_STANDARD_TX_WEIGHT (tx-size)", "[node][mempool_policy]")
{
    auto tx = Standard();
    tx.vin[0].witness.stack = {Bytes(300'000)};
    const int64_t w = consensus::GetTransactionWeight(Transaction(tx));
    tx.vin[0].witness.stack = {Bytes(static_cast<size_t>(300'000 + (MAX_STANDARD_TX_WEIGHT - w)))};
    REQUIRE(consensus::GetTransactionWeight(Transaction(tx)) == MAX_STANDARD_TX_WEIGHT);
    CHECK(Reason(tx) == "standard");
    tx.vin[0].witness.stack[0].push_back(0);
    CHECK(Reason(tx) == "tx-size");
}

TEST_CASE("IsStandardTx: scriptSig at most 1650 bytes and push-only", "[node][mempool_policy]")
{
    auto tx = Standard();
    tx.vin[0].script_sig = Script();
    tx.vin[0].script_sig << Bytes(1647); // PUSHDATA2: 3 + 1647
    REQUIRE(tx.vin[0].script_sig.size() == MAX_STANDARD_SCRIPTSIG_SIZE);
    CHECK(Reason(tx) == "standard");
    tx.vin[0].script_sig = Script();
    tx.vin[0].script_sig << Bytes(1648);
    CHECK(Reason(tx) == "scriptsig-size");
    tx.vin[0].script_sig = Script();
    tx.vin[0].script_sig << consensus::OP_NOP;
    CHECK(Reason(tx) == "scriptsig-not-pushonly");
}

TEST_CASE("IsStandardTx: output templates (scriptpubkey, bare-multisig)", "[node][mempool_policy]")
{
    auto tx = Standard();
    for (const auto& s : {P2PKH(), P2SH(), P2PK(), P2WPKH(), P2WSH(), P2TR(), P2A(), Multisig(1, 3), Multisig(3, 3)}) {
        tx.vout = {TxOut(Amount{10'000}, s)};
        CHECK(Reason(tx) == "standard");
    }
    // Unknown witness versions stay standard to pay to.
    tx.vout = {TxOut(Amount{10'000}, Witness(consensus::OP_2, 32))};
    CHECK(Reason(tx) == "standard");
    Script nonstandard;
    nonstandard << consensus::OP_NOP;
    for (const auto& s : {nonstandard, Multisig(1, 4), Multisig(4, 3)}) {
        tx.vout = {TxOut(Amount{10'000}, s)};
        CHECK(Reason(tx) == "scriptpubkey");
    }
    tx.vout = {TxOut(Amount{10'000}, Multisig(1, 2))};
    PolicyOptions no_bare;
    no_bare.permit_bare_multisig = false;
    CHECK(Reason(tx, no_bare) == "bare-multisig");
    CHECK(Reason(tx) == "standard");
}

TEST_CASE("IsStandardTx: OP_RETURN outputs share one -datacarriersize budget", "[node][mempool_policy]")
{
    auto tx = Standard();
    PolicyOptions opts;
    opts.max_datacarrier_bytes = 83;
    // 40 + 43 = 83 bytes of scriptPubKey over two outputs.
    tx.vout = {TxOut(Amount{0}, OpReturn(38)), TxOut(Amount{0}, OpReturn(41)), TxOut(Amount{10'000}, P2WPKH())};
    REQUIRE(tx.vout[0].script_pubkey.size() + tx.vout[1].script_pubkey.size() == 83);
    CHECK(Reason(tx, opts) == "standard");
    tx.vout[1].script_pubkey = OpReturn(42);
    CHECK(Reason(tx, opts) == "datacarrier");
    // The default: 100,000 bytes, several outputs allowed.
    tx.vout = {TxOut(Amount{0}, OpReturn(50'000)), TxOut(Amount{0}, OpReturn(49'000))};
    CHECK(Reason(tx) == "standard");
    // -datacarrier=0: not even a bare OP_RETURN.
    PolicyOptions off;
    off.datacarrier = false;
    tx.vout = {TxOut(Amount{0}, OpReturn(0))};
    CHECK(Reason(tx, off) == "datacarrier");
    CHECK(Reason(tx) == "standard");
}

TEST_CASE("IsStandardTx: one dust output is allowed (ephemeral dust), two are not", "[node][mempool_policy]")
{
    auto tx = Standard();
    tx.vout = {TxOut(Amount{293}, P2WPKH()), TxOut(Amount{10'000}, P2WPKH())};
    CHECK(Reason(tx) == "standard");
    tx.vout.push_back(TxOut(Amount{545}, P2PKH()));
    CHECK(Reason(tx) == "dust");
    tx.vout.back().value = Amount{546};
    CHECK(Reason(tx) == "standard");
    // -dustrelayfee=0: nothing is dust.
    tx.vout = {TxOut(Amount{0}, P2WPKH()), TxOut(Amount{0}, P2TR())};
    PolicyOptions opts;
    opts.dust_relay_feerate = Amount{0};
    CHECK(Reason(tx, opts) == "standard");
    CHECK(Reason(tx) == "dust");
}

TEST_CASE("AreInputsStandard: nonstandard and unknown-witness spends, P2SH redeem sigops", "[node][mempool_policy]")
{
    auto mtx = Standard();
    auto check = [&](const Script& spk) {
        const std::vector<TxOut> spent{TxOut(Amount{1000}, spk)};
        return AreInputsStandard(Transaction(mtx), spent);
    };
    CHECK(check(P2WPKH()));
    CHECK(check(P2PKH()));
    CHECK(check(Multisig(1, 5))); // spending bare multisig is not limited here
    Script nonstandard;
    nonstandard << consensus::OP_NOP;
    CHECK_FALSE(check(nonstandard));
    CHECK_FALSE(check(Witness(consensus::OP_2, 32)));
    // P2SH: the redeem script (last push) may hold up to 15 sigops.
    Script redeem;
    for (int i = 0; i < 15; ++i) redeem << consensus::OP_CHECKSIG;
    mtx.vin[0].script_sig = Script();
    mtx.vin[0].script_sig << std::vector<uint8_t>(redeem.begin(), redeem.end());
    CHECK(check(P2SH()));
    redeem << consensus::OP_CHECKSIG;
    mtx.vin[0].script_sig = Script();
    mtx.vin[0].script_sig << std::vector<uint8_t>(redeem.begin(), redeem.end());
    CHECK_FALSE(check(P2SH()));
    // No redeem script at all.
    mtx.vin[0].script_sig = Script();
    CHECK_FALSE(check(P2SH()));
    // One spent output per input, or not standard (never a read past the end).
    CHECK_FALSE(AreInputsStandard(Transaction(mtx), std::span<const TxOut>()));
    CHECK_FALSE(IsWitnessStandard(Transaction(mtx), std::span<const TxOut>()));
}

TEST_CASE("CheckSigopsBIP54: at most 2500 legacy sigops over the inputs", "[node][mempool_policy]")
{
    Script redeem;
    for (unsigned i = 0; i < MAX_P2SH_SIGOPS; ++i) redeem << consensus::OP_CHECKSIG;
    Script sig;
    sig << std::vector<uint8_t>(redeem.begin(), redeem.end());
    auto build = [&](unsigned inputs) {
        std::vector<OutPoint> prevouts;
        for (unsigned i = 0; i < inputs; ++i) prevouts.emplace_back(H(1), i);
        auto mtx = MakeTx(prevouts, {TxOut(Amount{10'000}, P2WPKH())});
        for (auto& in : mtx.vin) in.script_sig = sig;
        return mtx;
    };
    std::vector<TxOut> spent(200, TxOut(Amount{1000}, P2SH()));
    // 166 * 15 = 2490 fits; 167 * 15 = 2505 does not.
    CHECK(CheckSigopsBIP54(Transaction(build(166)), std::span(spent).first(166)));
    CHECK_FALSE(CheckSigopsBIP54(Transaction(build(167)), std::span(spent).first(167)));
    // A bare script's own sigops count too: exactly 2500 passes, 2501 fails.
    Script bare;
    for (int i = 0; i < 2500; ++i) bare << consensus::OP_CHECKSIG;
    auto one = MakeTx({OutPoint(H(1), 0)}, {TxOut(Amount{10'000}, P2WPKH())});
    std::vector<TxOut> spent_bare{TxOut(Amount{1000}, bare)};
    CHECK(CheckSigopsBIP54(Transaction(one), spent_bare));
    spent_bare[0].script_pubkey << consensus::OP_CHECKSIG;
    CHECK_FALSE(CheckSigopsBIP54(Transaction(one), spent_bare));
    // The scriptSig's own sigops count (accurately), even unexecuted ones.
    spent_bare[0].script_pubkey = P2WPKH();
    one.vin[0].script_sig = Script();
    for (int i = 0; i < 2501; ++i) one.vin[0].script_sig << consensus::OP_CHECKSIG;
    CHECK_FALSE(CheckSigopsBIP54(Transaction(one), spent_bare));
}

TEST_CASE("IsWitnessStandard: P2WSH limits, witness on non-witness or P2A spends", "[node][mempool_policy]")
{
    auto mtx = Standard();
    std::vector<TxOut> spent{TxOut(Amount{1000}, P2WSH())};
    auto check = [&] { return IsWitnessStandard(Transaction(mtx), spent); };
    auto& wit = mtx.vin[0].witness.stack;
    wit = {Bytes(80), Bytes(MAX_STANDARD_P2WSH_SCRIPT_SIZE)};
    CHECK(check());
    wit.back().push_back(0);
    CHECK_FALSE(check()); // script over 3600
    wit = std::vector<std::vector<uint8_t>>(MAX_STANDARD_P2WSH_STACK_ITEMS, Bytes(80));
    wit.push_back(Bytes(10));
    CHECK(check());
    wit.insert(wit.begin(), Bytes(1));
    CHECK_FALSE(check()); // 101 items
    wit = {Bytes(81), Bytes(10)};
    CHECK_FALSE(check()); // item over 80
    // P2SH-P2WSH: the redeem script is the witness program.
    spent[0].script_pubkey = P2SH();
    mtx.vin[0].script_sig = Script();
    {
        const Script prog = P2WSH();
        mtx.vin[0].script_sig << std::vector<uint8_t>(prog.begin(), prog.end());
    }
    CHECK_FALSE(check());
    wit = {Bytes(80), Bytes(10)};
    CHECK(check());
    mtx.vin[0].script_sig = Script();
    // A witness on a legacy spend, or on a P2A spend.
    spent[0].script_pubkey = P2PKH();
    CHECK_FALSE(check());
    spent[0].script_pubkey = P2A();
    CHECK_FALSE(check());
    wit.clear();
    CHECK(check()); // no witness: nothing to bloat
    // P2WPKH: no P2WSH limits apply.
    spent[0].script_pubkey = P2WPKH();
    wit = {Bytes(100), Bytes(33)};
    CHECK(check());
}

TEST_CASE("IsWitnessStandard: taproot annex and tapscript stack items", "[node][mempool_policy]")
{
    auto mtx = Standard();
    std::vector<TxOut> spent{TxOut(Amount{1000}, P2TR())};
    auto check = [&] { return IsWitnessStandard(Transaction(mtx), spent); };
    auto& wit = mtx.vin[0].witness.stack;
    wit = {Bytes(64)};
    CHECK(check()); // key path
    wit = {Bytes(64), {consensus::ANNEX_TAG, 0x01}};
    CHECK_FALSE(check()); // annex
    std::vector<uint8_t> control(33, 0x01);
    control[0] = consensus::TAPROOT_LEAF_TAPSCRIPT;
    wit = {Bytes(80), Bytes(200), control};
    CHECK(check());
    wit = {Bytes(81), Bytes(200), control};
    CHECK_FALSE(check());
    control[0] = 0xc2; // an unknown leaf version: no tapscript limits
    wit = {Bytes(81), Bytes(200), control};
    CHECK(check());
    wit = {Bytes(1), Bytes(10), {}};
    CHECK_FALSE(check()); // empty control block
}

TEST_CASE("GetVirtualTransactionSize: weight or sigops at bytes-per-sigop, rounded up", "[node][mempool_policy]")
{
    CHECK(GetVirtualTransactionSize(1000, 0, DEFAULT_BYTES_PER_SIGOP) == 250);
    CHECK(GetVirtualTransactionSize(1001, 0, DEFAULT_BYTES_PER_SIGOP) == 251);
    CHECK(GetVirtualTransactionSize(400, 100, DEFAULT_BYTES_PER_SIGOP) == 500);
    CHECK(GetVirtualTransactionSize(400, 100, 0) == 100);
}
