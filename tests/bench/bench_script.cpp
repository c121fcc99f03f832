// One real signed input verified through consensus::VerifyScript: a P2WPKH spend (BIP-143
// sighash, ECDSA) and a taproot key-path spend (BIP-341 sighash, Schnorr). Compare with the
// raw libsecp256k1 yardsticks in bench_consensus.cpp; the goal is at most 1.1x.
// Keys and signatures are made with libsecp256k1 directly, not with consensus signing code.

#include "consensus/hash.h"
#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/pubkey.h"
#include "consensus/script/script.h"

#include <benchmark/benchmark.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace {

using namespace consensus;

secp256k1_context* SignContext()
{
    static secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    return ctx;
}

std::array<uint8_t, 32> FixedSecret(uint8_t salt)
{
    std::array<uint8_t, 32> key{};
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i + 1 + salt);
    return key;
}

[[noreturn]] void SetupFailed(const char* what)
{
    std::fprintf(stderr, "bench_script setup failed: %s\n", what);
    std::abort();
}

/** A one-input, one-output transaction spending a previous output that is not in any chain. */
MutableTransaction OneInputSpend(const Script& pay_to)
{
    MutableTransaction mtx;
    mtx.version = 2;
    TxIn in;
    in.prevout = OutPoint(Hash256(std::vector<uint8_t>{1, 2, 3}), 1);
    in.sequence = 0xfffffffd;
    mtx.vin.push_back(in);
    mtx.vout.emplace_back(Amount{90'000}, pay_to);
    mtx.locktime = 0;
    return mtx;
}

/** A P2WPKH spend signed with ECDSA, plus everything a checker needs. */
struct P2wpkhFixture {
    Amount amount{100'000};
    Script script_pubkey;
    std::vector<uint8_t> pubkey;  // 33-byte compressed key
    std::vector<uint8_t> sig_der; // DER signature without the hash type byte
    Uint256 sighash;
    std::unique_ptr<Transaction> tx;
    PrecomputedTransactionData txdata;
    std::unique_ptr<TransactionSignatureChecker> checker;

    P2wpkhFixture()
    {
        secp256k1_context* ctx = SignContext();
        const auto seckey = FixedSecret(2);
        secp256k1_pubkey pk;
        if (!secp256k1_ec_pubkey_create(ctx, &pk, seckey.data())) SetupFailed("pubkey");
        pubkey.resize(33);
        size_t pk_len = pubkey.size();
        secp256k1_ec_pubkey_serialize(ctx, pubkey.data(), &pk_len, &pk, SECP256K1_EC_COMPRESSED);

        const Uint160 keyhash = Hash160(pubkey);
        script_pubkey << OP_0 << keyhash.Span();
        Script script_code;
        script_code << OP_DUP << OP_HASH160 << keyhash.Span() << OP_EQUALVERIFY << OP_CHECKSIG;

        MutableTransaction mtx = OneInputSpend(script_pubkey);
        PrecomputedTransactionData unsigned_data;
        unsigned_data.Init(mtx, std::vector<TxOut>{TxOut(amount, script_pubkey)}, /*force=*/true);
        sighash = SignatureHash(script_code, mtx, 0, SIGHASH_ALL, amount, SigVersion::WITNESS_V0, &unsigned_data);

        secp256k1_ecdsa_signature sig;
        if (!secp256k1_ecdsa_sign(ctx, &sig, sighash.data(), seckey.data(), nullptr, nullptr)) SetupFailed("sign");
        sig_der.resize(72);
        size_t der_len = sig_der.size();
        secp256k1_ecdsa_signature_serialize_der(ctx, sig_der.data(), &der_len, &sig);
        sig_der.resize(der_len);
        std::vector<uint8_t> sig_with_type = sig_der;
        sig_with_type.push_back(SIGHASH_ALL);

        mtx.vin[0].witness.stack = {sig_with_type, pubkey};
        tx = std::make_unique<Transaction>(std::move(mtx));
        txdata.Init(*tx, std::vector<TxOut>{TxOut(amount, script_pubkey)});
        checker = std::make_unique<TransactionSignatureChecker>(tx.get(), 0, amount, txdata,
                                                                MissingDataBehavior::ASSERT_FAIL);
    }
};

const P2wpkhFixture& P2wpkh()
{
    static const P2wpkhFixture f;
    return f;
}

/** A taproot key-path spend (no script tree) signed with BIP-340 Schnorr, SIGHASH_DEFAULT. */
struct TaprootFixture {
    Amount amount{100'000};
    Script script_pubkey;
    std::array<uint8_t, 32> output_key{};
    std::vector<uint8_t> sig; // 64 bytes, SIGHASH_DEFAULT
    Uint256 sighash;
    std::unique_ptr<Transaction> tx;
    PrecomputedTransactionData txdata;
    std::unique_ptr<TransactionSignatureChecker> checker;

    TaprootFixture()
    {
        secp256k1_context* ctx = SignContext();
        const auto seckey = FixedSecret(3);
        secp256k1_keypair keypair;
        if (!secp256k1_keypair_create(ctx, &keypair, seckey.data())) SetupFailed("keypair");
        secp256k1_xonly_pubkey internal;
        if (!secp256k1_keypair_xonly_pub(ctx, &internal, nullptr, &keypair)) SetupFailed("xonly");
        std::array<uint8_t, 32> internal_ser{};
        secp256k1_xonly_pubkey_serialize(ctx, internal_ser.data(), &internal);

        const auto tweaked = TweakXOnly(internal_ser, nullptr);
        if (!tweaked) SetupFailed("TweakXOnly");
        output_key = tweaked->first;
        script_pubkey << OP_1 << std::span<const uint8_t>(output_key);

        // Tweak the secret the same way and check that both sides agree on the output key.
        const Uint256 tweak = ComputeTapTweakHash(internal_ser, nullptr);
        if (!secp256k1_keypair_xonly_tweak_add(ctx, &keypair, tweak.data())) SetupFailed("tweak");
        secp256k1_xonly_pubkey tweaked_pub;
        if (!secp256k1_keypair_xonly_pub(ctx, &tweaked_pub, nullptr, &keypair)) SetupFailed("xonly2");
        std::array<uint8_t, 32> tweaked_ser{};
        secp256k1_xonly_pubkey_serialize(ctx, tweaked_ser.data(), &tweaked_pub);
        if (tweaked_ser != output_key) SetupFailed("TweakXOnly disagrees with libsecp256k1");

        MutableTransaction mtx = OneInputSpend(script_pubkey);
        PrecomputedTransactionData unsigned_data;
        unsigned_data.Init(mtx, std::vector<TxOut>{TxOut(amount, script_pubkey)}, /*force=*/true);
        ScriptExecutionData execdata;
        execdata.m_annex_init = true;
        execdata.m_annex_present = false;
        if (!SignatureHashSchnorr(sighash, execdata, mtx, 0, SIGHASH_DEFAULT, SigVersion::TAPROOT, unsigned_data,
                                  MissingDataBehavior::FAIL)) {
            SetupFailed("SignatureHashSchnorr");
        }
        sig.resize(64);
        const std::array<uint8_t, 32> aux{};
        if (!secp256k1_schnorrsig_sign32(ctx, sig.data(), sighash.data(), &keypair, aux.data())) SetupFailed("sign");

        mtx.vin[0].witness.stack = {sig};
        tx = std::make_unique<Transaction>(std::move(mtx));
        txdata.Init(*tx, std::vector<TxOut>{TxOut(amount, script_pubkey)});
        checker = std::make_unique<TransactionSignatureChecker>(tx.get(), 0, amount, txdata,
                                                                MissingDataBehavior::ASSERT_FAIL);
    }
};

const TaprootFixture& Taproot()
{
    static const TaprootFixture f;
    return f;
}

template <typename Fixture>
void RunVerify(benchmark::State& state, const Fixture& f)
{
    const TxIn& in = f.tx->vin[0];
    ScriptError err = ScriptError::OK;
    if (!VerifyScript(in.script_sig, f.script_pubkey, &in.witness, MANDATORY_SCRIPT_VERIFY_FLAGS, *f.checker, &err)) {
        state.SkipWithError(("VerifyScript failed: " + std::string(ScriptErrorName(err))).c_str());
        return;
    }
    for (auto _ : state) {
        const bool ok =
            VerifyScript(in.script_sig, f.script_pubkey, &in.witness, MANDATORY_SCRIPT_VERIFY_FLAGS, *f.checker, &err);
        benchmark::DoNotOptimize(ok);
    }
}

/** One P2WPKH input: witness program match, BIP-143 sighash, DER parse, key parse, ECDSA verify. */
void BM_VerifyScriptP2wpkh(benchmark::State& state) { RunVerify(state, P2wpkh()); }
BENCHMARK(BM_VerifyScriptP2wpkh)->Unit(benchmark::kMicrosecond);

/** One taproot key-path input: BIP-341 sighash, x-only key parse, Schnorr verify. */
void BM_VerifyScriptTaprootKeyPath(benchmark::State& state) { RunVerify(state, Taproot()); }
BENCHMARK(BM_VerifyScriptTaprootKeyPath)->Unit(benchmark::kMicrosecond);

// --- paired comparisons ----------------------------------------------------------------
// On a shared, busy machine separate benchmarks drift apart by more than the 10% we want to
// see. These run the raw libsecp256k1 check and VerifyScript on the very same key, signature
// and message in alternating batches, each timed with the thread's CPU clock, and report the
// ratio of the sums. Batches rotate order every iteration so neither side always runs first.

constexpr int BATCH = 8;

double ThreadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <typename F>
double TimeBatch(F&& f)
{
    const double start = ThreadCpuSeconds();
    for (int i = 0; i < BATCH; ++i) f();
    return ThreadCpuSeconds() - start;
}

/** Runs three timed batches per iteration in rotating order and reports per-call times and ratios. */
template <typename ScriptCheck, typename RawParse, typename RawPre>
void RunPaired(benchmark::State& state, ScriptCheck&& script, RawParse&& raw_parse, RawPre&& raw_pre)
{
    double t_script = 0, t_parse = 0, t_pre = 0;
    int64_t n = 0;
    for (auto _ : state) {
        switch (n++ % 3) {
        case 0:
            t_script += TimeBatch(script);
            t_parse += TimeBatch(raw_parse);
            t_pre += TimeBatch(raw_pre);
            break;
        case 1:
            t_parse += TimeBatch(raw_parse);
            t_pre += TimeBatch(raw_pre);
            t_script += TimeBatch(script);
            break;
        default:
            t_pre += TimeBatch(raw_pre);
            t_script += TimeBatch(script);
            t_parse += TimeBatch(raw_parse);
            break;
        }
    }
    const double calls = static_cast<double>(n) * BATCH;
    if (calls == 0) return;
    state.counters["script_us"] = t_script / calls * 1e6;
    state.counters["raw_parse_us"] = t_parse / calls * 1e6;
    state.counters["raw_preparsed_us"] = t_pre / calls * 1e6;
    state.counters["ratio_vs_parse"] = t_script / t_parse;
    state.counters["ratio_vs_preparsed"] = t_script / t_pre;
}

/** P2WPKH through VerifyScript vs secp256k1 ECDSA on the same key/signature/sighash. */
void BM_PairedP2wpkhVsEcdsa(benchmark::State& state)
{
    const auto& f = P2wpkh();
    const secp256k1_context* ctx = SignContext();
    const TxIn& in = f.tx->vin[0];
    secp256k1_pubkey pre_key;
    secp256k1_ecdsa_signature pre_sig;
    if (!secp256k1_ec_pubkey_parse(ctx, &pre_key, f.pubkey.data(), f.pubkey.size()) ||
        !secp256k1_ecdsa_signature_parse_der(ctx, &pre_sig, f.sig_der.data(), f.sig_der.size())) {
        state.SkipWithError("parse failed");
        return;
    }
    bool all_ok = true;
    RunPaired(
        state,
        [&] {
            ScriptError err;
            all_ok &= VerifyScript(in.script_sig, f.script_pubkey, &in.witness, MANDATORY_SCRIPT_VERIFY_FLAGS,
                                   *f.checker, &err);
        },
        [&] {
            secp256k1_pubkey key;
            secp256k1_ecdsa_signature sig;
            int ok = secp256k1_ec_pubkey_parse(ctx, &key, f.pubkey.data(), f.pubkey.size());
            ok = ok && secp256k1_ecdsa_signature_parse_der(ctx, &sig, f.sig_der.data(), f.sig_der.size());
            if (ok) secp256k1_ecdsa_signature_normalize(ctx, &sig, &sig);
            all_ok &= ok && secp256k1_ecdsa_verify(ctx, &sig, f.sighash.data(), &key);
        },
        [&] { all_ok &= secp256k1_ecdsa_verify(ctx, &pre_sig, f.sighash.data(), &pre_key) == 1; });
    if (!all_ok) state.SkipWithError("a verification failed");
}
BENCHMARK(BM_PairedP2wpkhVsEcdsa)->Unit(benchmark::kMicrosecond);

/** Taproot key path through VerifyScript vs secp256k1 Schnorr on the same key/signature/sighash. */
void BM_PairedTaprootVsSchnorr(benchmark::State& state)
{
    const auto& f = Taproot();
    const secp256k1_context* ctx = SignContext();
    const TxIn& in = f.tx->vin[0];
    secp256k1_xonly_pubkey pre_key;
    if (!secp256k1_xonly_pubkey_parse(ctx, &pre_key, f.output_key.data())) {
        state.SkipWithError("parse failed");
        return;
    }
    bool all_ok = true;
    RunPaired(
        state,
        [&] {
            ScriptError err;
            all_ok &= VerifyScript(in.script_sig, f.script_pubkey, &in.witness, MANDATORY_SCRIPT_VERIFY_FLAGS,
                                   *f.checker, &err);
        },
        [&] {
            secp256k1_xonly_pubkey key;
            int ok = secp256k1_xonly_pubkey_parse(ctx, &key, f.output_key.data());
            all_ok &= ok && secp256k1_schnorrsig_verify(ctx, f.sig.data(), f.sighash.data(), 32, &key);
        },
        [&] { all_ok &= secp256k1_schnorrsig_verify(ctx, f.sig.data(), f.sighash.data(), 32, &pre_key) == 1; });
    if (!all_ok) state.SkipWithError("a verification failed");
}
BENCHMARK(BM_PairedTaprootVsSchnorr)->Unit(benchmark::kMicrosecond);

} // namespace
