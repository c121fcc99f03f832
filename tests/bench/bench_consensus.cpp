// bench_consensus: the yardsticks (raw libsecp256k1 verification, double SHA-256) and the
// program's main. The other cases live next to it: bench_script.cpp (inputs through the
// interpreter), bench_sighash.cpp (BIP-143/341 signature hashes), bench_block_decode.cpp.
// Results and how to run them: docs/benchmarks.md.

#include "consensus/hash.h"

#include <benchmark/benchmark.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {

/** A signing-capable context for the setup of the yardsticks (never freed; the process ends). */
secp256k1_context* BenchContext()
{
    static secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    return ctx;
}

/** A fixed valid secret key (1, 2, ..., 32 plus salt), so runs are reproducible. */
std::array<uint8_t, 32> FixedSecret(uint8_t salt)
{
    std::array<uint8_t, 32> key{};
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i + 1 + salt);
    return key;
}

/** A fixed 32-byte message. */
std::array<uint8_t, 32> FixedMessage()
{
    std::array<uint8_t, 32> msg{};
    for (size_t i = 0; i < msg.size(); ++i) msg[i] = static_cast<uint8_t>(0xa5 ^ (i * 7));
    return msg;
}

/** One ECDSA key and signature, both parsed and serialized (33-byte key, DER signature). */
struct EcdsaFixture {
    secp256k1_pubkey pubkey;
    secp256k1_ecdsa_signature sig;
    std::array<uint8_t, 33> pubkey_ser{};
    std::vector<uint8_t> sig_der;
    std::array<uint8_t, 32> msg = FixedMessage();

    EcdsaFixture()
    {
        secp256k1_context* ctx = BenchContext();
        const auto seckey = FixedSecret(0);
        if (!secp256k1_ec_pubkey_create(ctx, &pubkey, seckey.data())) std::abort();
        size_t len = pubkey_ser.size();
        secp256k1_ec_pubkey_serialize(ctx, pubkey_ser.data(), &len, &pubkey, SECP256K1_EC_COMPRESSED);
        if (!secp256k1_ecdsa_sign(ctx, &sig, msg.data(), seckey.data(), nullptr, nullptr)) std::abort();
        sig_der.resize(72);
        size_t der_len = sig_der.size();
        if (!secp256k1_ecdsa_signature_serialize_der(ctx, sig_der.data(), &der_len, &sig)) std::abort();
        sig_der.resize(der_len);
    }
};

const EcdsaFixture& Ecdsa()
{
    static const EcdsaFixture f;
    return f;
}

/** One BIP-340 key pair and signature. */
struct SchnorrFixture {
    secp256k1_xonly_pubkey xonly;
    std::array<uint8_t, 32> xonly_ser{};
    std::array<uint8_t, 64> sig{};
    std::array<uint8_t, 32> msg = FixedMessage();

    SchnorrFixture()
    {
        secp256k1_context* ctx = BenchContext();
        const auto seckey = FixedSecret(1);
        secp256k1_keypair keypair;
        if (!secp256k1_keypair_create(ctx, &keypair, seckey.data())) std::abort();
        if (!secp256k1_keypair_xonly_pub(ctx, &xonly, nullptr, &keypair)) std::abort();
        secp256k1_xonly_pubkey_serialize(ctx, xonly_ser.data(), &xonly);
        const std::array<uint8_t, 32> aux{};
        if (!secp256k1_schnorrsig_sign32(ctx, sig.data(), msg.data(), &keypair, aux.data())) std::abort();
    }
};

const SchnorrFixture& Schnorr()
{
    static const SchnorrFixture f;
    return f;
}

// --- yardsticks: libsecp256k1 alone ------------------------------------------------------

/** secp256k1_ecdsa_verify on an already parsed key and signature. */
void BM_Secp256k1EcdsaVerifyPreParsed(benchmark::State& state)
{
    const auto& f = Ecdsa();
    const secp256k1_context* ctx = BenchContext();
    for (auto _ : state) {
        const int ok = secp256k1_ecdsa_verify(ctx, &f.sig, f.msg.data(), &f.pubkey);
        benchmark::DoNotOptimize(ok);
        if (!ok) state.SkipWithError("verify failed");
    }
}
BENCHMARK(BM_Secp256k1EcdsaVerifyPreParsed)->Unit(benchmark::kMicrosecond);

/** What a script check must do at least: parse a 33-byte key and a DER signature, normalize S, verify. */
void BM_Secp256k1EcdsaVerifyWithParse(benchmark::State& state)
{
    const auto& f = Ecdsa();
    const secp256k1_context* ctx = BenchContext();
    for (auto _ : state) {
        secp256k1_pubkey pubkey;
        secp256k1_ecdsa_signature sig;
        int ok = secp256k1_ec_pubkey_parse(ctx, &pubkey, f.pubkey_ser.data(), f.pubkey_ser.size());
        ok = ok && secp256k1_ecdsa_signature_parse_der(ctx, &sig, f.sig_der.data(), f.sig_der.size());
        if (ok) secp256k1_ecdsa_signature_normalize(ctx, &sig, &sig);
        ok = ok && secp256k1_ecdsa_verify(ctx, &sig, f.msg.data(), &pubkey);
        benchmark::DoNotOptimize(ok);
        if (!ok) state.SkipWithError("verify failed");
    }
}
BENCHMARK(BM_Secp256k1EcdsaVerifyWithParse)->Unit(benchmark::kMicrosecond);

/** secp256k1_schnorrsig_verify on an already parsed x-only key. */
void BM_Secp256k1SchnorrVerifyPreParsed(benchmark::State& state)
{
    const auto& f = Schnorr();
    const secp256k1_context* ctx = BenchContext();
    for (auto _ : state) {
        const int ok = secp256k1_schnorrsig_verify(ctx, f.sig.data(), f.msg.data(), f.msg.size(), &f.xonly);
        benchmark::DoNotOptimize(ok);
        if (!ok) state.SkipWithError("verify failed");
    }
}
BENCHMARK(BM_Secp256k1SchnorrVerifyPreParsed)->Unit(benchmark::kMicrosecond);

/** Schnorr verify including the x-only key parse (a square root), as a taproot check does. */
void BM_Secp256k1SchnorrVerifyWithParse(benchmark::State& state)
{
    const auto& f = Schnorr();
    const secp256k1_context* ctx = BenchContext();
    for (auto _ : state) {
        secp256k1_xonly_pubkey xonly;
        int ok = secp256k1_xonly_pubkey_parse(ctx, &xonly, f.xonly_ser.data());
        ok = ok && secp256k1_schnorrsig_verify(ctx, f.sig.data(), f.msg.data(), f.msg.size(), &xonly);
        benchmark::DoNotOptimize(ok);
        if (!ok) state.SkipWithError("verify failed");
    }
}
BENCHMARK(BM_Secp256k1SchnorrVerifyWithParse)->Unit(benchmark::kMicrosecond);

// --- double SHA-256 ----------------------------------------------------------------------

/** consensus::Hash256 over state.range(0) bytes; reported as bytes per second. */
void BM_Hash256(benchmark::State& state)
{
    std::vector<uint8_t> data(static_cast<size_t>(state.range(0)));
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31 + 7);
    for (auto _ : state) {
        auto h = consensus::Hash256(data);
        benchmark::DoNotOptimize(h);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Hash256)->Arg(64)->Arg(1024)->Arg(1 << 20);

} // namespace

BENCHMARK_MAIN();
