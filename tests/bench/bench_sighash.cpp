// Signature hashing of a 1,000-input transaction: BIP-143 (segwit v0) and BIP-341 (taproot),
// per input with the shared hashes precomputed once, and the PrecomputedTransactionData::Init
// cost on its own and amortized over all inputs. The counter "per_input" is the time per input.

#include "consensus/hash.h"
#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/script.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace {

using namespace consensus;

constexpr unsigned INPUTS = 1000;

/** Bytes 0..n-1 derived from a seed, to make distinct keys and hashes without an RNG. */
std::vector<uint8_t> Seeded(uint32_t seed, size_t n)
{
    std::vector<uint8_t> out(n);
    Uint256 h = Hash256(std::vector<uint8_t>{uint8_t(seed), uint8_t(seed >> 8), uint8_t(seed >> 16), 0x5a});
    for (size_t i = 0; i < n; ++i) out[i] = h.data()[i % 32] ^ static_cast<uint8_t>(i / 32);
    return out;
}

/** A 1,000-input, 2-output transaction and the outputs it spends (P2WPKH and P2TR flavours). */
struct BigTxFixture {
    std::unique_ptr<Transaction> tx;
    std::vector<TxOut> spent_p2wpkh;
    std::vector<TxOut> spent_p2tr;
    Script script_code; // BIP-143 scriptCode of a P2WPKH input
    Amount amount{50'000};

    BigTxFixture()
    {
        MutableTransaction mtx;
        mtx.version = 2;
        for (unsigned i = 0; i < INPUTS; ++i) {
            TxIn in;
            in.prevout = OutPoint(Hash256(Seeded(i, 32)), i % 4);
            in.sequence = 0xfffffffd;
            // Witness contents do not enter either sighash; sizes are those of real spends.
            in.witness.stack = {std::vector<uint8_t>(72, 0x30), std::vector<uint8_t>(33, 0x02)};
            mtx.vin.push_back(in);

            Script p2wpkh;
            p2wpkh << OP_0 << Seeded(i + INPUTS, 20);
            spent_p2wpkh.emplace_back(amount, p2wpkh);
            Script p2tr;
            p2tr << OP_1 << Seeded(i + 2 * INPUTS, 32);
            spent_p2tr.emplace_back(amount, p2tr);
        }
        Script pay1, pay2;
        pay1 << OP_0 << Seeded(7 * INPUTS, 20);
        pay2 << OP_1 << Seeded(8 * INPUTS, 32);
        mtx.vout.emplace_back(Amount{40'000'000}, pay1);
        mtx.vout.emplace_back(Amount{9'000'000}, pay2);
        mtx.locktime = 800'000;
        tx = std::make_unique<Transaction>(std::move(mtx));
        script_code << OP_DUP << OP_HASH160 << Seeded(1, 20) << OP_EQUALVERIFY << OP_CHECKSIG;
    }
};

const BigTxFixture& BigTx()
{
    static const BigTxFixture f;
    return f;
}

void ReportPerInput(benchmark::State& state)
{
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * INPUTS);
    state.counters["per_input"] =
        benchmark::Counter(INPUTS, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void HashAllBip143(const BigTxFixture& f, const PrecomputedTransactionData& txdata)
{
    for (unsigned i = 0; i < INPUTS; ++i) {
        Uint256 h = SignatureHash(f.script_code, *f.tx, i, SIGHASH_ALL, f.amount, SigVersion::WITNESS_V0, &txdata);
        benchmark::DoNotOptimize(h);
    }
}

bool HashAllBip341(const BigTxFixture& f, const PrecomputedTransactionData& txdata)
{
    bool ok = true;
    for (unsigned i = 0; i < INPUTS; ++i) {
        ScriptExecutionData execdata;
        execdata.m_annex_init = true;
        execdata.m_annex_present = false;
        Uint256 h;
        ok &= SignatureHashSchnorr(h, execdata, *f.tx, i, SIGHASH_DEFAULT, SigVersion::TAPROOT, txdata,
                                   MissingDataBehavior::FAIL);
        benchmark::DoNotOptimize(h);
    }
    return ok;
}

/** BIP-143 sighash of every input, shared hashes precomputed outside the timed loop. */
void BM_SighashBip143PerInput(benchmark::State& state)
{
    const auto& f = BigTx();
    PrecomputedTransactionData txdata;
    txdata.Init(*f.tx, std::vector<TxOut>(f.spent_p2wpkh));
    for (auto _ : state) HashAllBip143(f, txdata);
    ReportPerInput(state);
}
BENCHMARK(BM_SighashBip143PerInput)->Unit(benchmark::kMicrosecond);

/** BIP-143: PrecomputedTransactionData::Init plus every input's sighash (Init amortized). */
void BM_SighashBip143WithInit(benchmark::State& state)
{
    const auto& f = BigTx();
    std::optional<PrecomputedTransactionData> txdata;
    for (auto _ : state) {
        // Freeing the previous data and copying the outputs Init consumes are not counted.
        state.PauseTiming();
        txdata.reset();
        std::vector<TxOut> spent(f.spent_p2wpkh);
        state.ResumeTiming();
        txdata.emplace();
        txdata->Init(*f.tx, std::move(spent));
        HashAllBip143(f, *txdata);
    }
    ReportPerInput(state);
}
BENCHMARK(BM_SighashBip143WithInit)->Unit(benchmark::kMicrosecond);

/** BIP-341 sighash (key path, SIGHASH_DEFAULT) of every input, shared hashes precomputed. */
void BM_SighashBip341PerInput(benchmark::State& state)
{
    const auto& f = BigTx();
    PrecomputedTransactionData txdata;
    txdata.Init(*f.tx, std::vector<TxOut>(f.spent_p2tr));
    if (!HashAllBip341(f, txdata)) {
        state.SkipWithError("SignatureHashSchnorr failed");
        return;
    }
    for (auto _ : state) benchmark::DoNotOptimize(HashAllBip341(f, txdata));
    ReportPerInput(state);
}
BENCHMARK(BM_SighashBip341PerInput)->Unit(benchmark::kMicrosecond);

/** BIP-341: Init (with all 1,000 spent outputs) plus every input's sighash. */
void BM_SighashBip341WithInit(benchmark::State& state)
{
    const auto& f = BigTx();
    std::optional<PrecomputedTransactionData> txdata;
    for (auto _ : state) {
        state.PauseTiming();
        txdata.reset();
        std::vector<TxOut> spent(f.spent_p2tr);
        state.ResumeTiming();
        txdata.emplace();
        txdata->Init(*f.tx, std::move(spent));
        benchmark::DoNotOptimize(HashAllBip341(f, *txdata));
    }
    ReportPerInput(state);
}
BENCHMARK(BM_SighashBip341WithInit)->Unit(benchmark::kMicrosecond);

/** PrecomputedTransactionData::Init alone for the 1,000-input tx spending P2WPKH outputs. */
void BM_PrecomputeInitBip143(benchmark::State& state)
{
    const auto& f = BigTx();
    std::optional<PrecomputedTransactionData> txdata;
    for (auto _ : state) {
        state.PauseTiming();
        txdata.reset();
        std::vector<TxOut> spent(f.spent_p2wpkh);
        state.ResumeTiming();
        txdata.emplace();
        txdata->Init(*f.tx, std::move(spent));
        benchmark::DoNotOptimize(txdata->hashPrevouts);
    }
}
BENCHMARK(BM_PrecomputeInitBip143)->Unit(benchmark::kMicrosecond);

/** PrecomputedTransactionData::Init alone for the 1,000-input tx spending P2TR outputs. */
void BM_PrecomputeInitBip341(benchmark::State& state)
{
    const auto& f = BigTx();
    std::optional<PrecomputedTransactionData> txdata;
    for (auto _ : state) {
        state.PauseTiming();
        txdata.reset();
        std::vector<TxOut> spent(f.spent_p2tr);
        state.ResumeTiming();
        txdata.emplace();
        txdata->Init(*f.tx, std::move(spent));
        benchmark::DoNotOptimize(txdata->m_spent_scripts_single_hash);
    }
}
BENCHMARK(BM_PrecomputeInitBip341)->Unit(benchmark::kMicrosecond);

} // namespace
