// bench_node_connect: block connection throughput of the chainstate, by hand (not a test,
// not Google Benchmark). Results and how to run it: docs/benchmarks.md, section "Node".
//
//   bench_node_connect --generate --chain=FILE [--spend-blocks=200] [--inputs=2000]
//                      [--inputs-per-tx=2] [--mixed] [--recent]
//       Builds a regtest chain and writes it to FILE in blk format (chain_file.h). Funding
//       blocks whose coinbases each create 20,000 P2WPKH outputs, 100 empty blocks for
//       coinbase maturity, then --spend-blocks blocks of --inputs P2WPKH inputs each
//       (transactions of --inputs-per-tx inputs, 2 or 1, and 2 outputs, BIP-143 ECDSA
//       signatures made with consensus::SignEcdsa over 16 keys). --mixed: the funding outputs (so the inputs) take
//       five types in turn: P2PKH, P2WPKH, P2SH-P2WPKH, P2TR key path (BIP-341 sighash,
//       BIP-340 signature with the tweaked key) and P2WSH 2-of-3 multisig. --recent: block
//       times start an hour ago instead of at the genesis time, so a node holding the chain
//       is out of initial block download (and serves headers to peers) for a day.
//
//   bench_node_connect --yardstick [--par=1]
//       Only the raw libsecp256k1 rates of step 2 below (8 passes), for the benchmarks that
//       drive a minicashd process (tests/bench/mempool_accept.py).
//
//   bench_node_connect --chain=FILE [--par=1] [--dbcache=64] [--workdir=DIR]
//                      [--dbbatchsize=BYTES] [--no-reindex] [--keep] [--no-yardstick]
//       1. Opens a fresh chainstate (par, dbcache MiB) in a new directory under --workdir,
//          connects the funding and maturity blocks ("setup"), then times ProcessNewBlock
//          on every spending block. Blocks are read and decoded one at a time outside the
//          timed calls, so the process never holds the whole chain in memory.
//       2. Between those blocks (outside the timing) it samples two raw libsecp256k1
//          rates, one pass of 256 verifications each, on 1 thread and on --par threads at
//          once: libsecp256k1's own ecdsa_verify benchmark (parse the compressed key and
//          the DER signature, verify) and secp256k1_ecdsa_verify alone on pre-parsed
//          data. Interleaving makes both sides see the same CPU speed, which drifts on a VM.
//          --no-yardstick samples only before the first spending block (for profiling the
//          connect alone; its ratios are then not comparable).
//       3. Closes it and times -reindex-chainstate: Chainstate::Open with
//          reindex_chainstate=true plus ImportBlocks, which reconnects every block from
//          the stored blk files. Checks the UTXO set hash matches the one after step 1.
//       4. Reports the peak RSS (getrusage ru_maxrss) after each phase.
//       Run each --dbcache/--par combination as its own process so the RSS is its own.

#include "consensus/block_check.h"
#include "consensus/contextual_check.h"
#include "consensus/hash.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "consensus/primitives/block.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/key.h"
#include "consensus/serialize.h"
#include "node/chain/chainstate.h"
#include "util/logging.h"
#include "chain_file.h"

#include <secp256k1.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

using namespace consensus;
using bench::BlockFileReader;
using bench::BlockFileWriter;
using bench::ChainInfo;
using bench::ReadInfo;
using bench::WriteInfo;

namespace {

constexpr int NUM_KEYS = 16;
constexpr int FUNDING_OUTPUTS = 20000; // P2WPKH outputs per funding coinbase (~2.5 MWU)
constexpr int MATURITY_BLOCKS = 100;   // empty blocks between funding and spending
constexpr int64_t FEE_PER_TX = 2000;

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double ThreadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/** User + system CPU time of the whole process (all threads). */
double ProcessCpuSeconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

double PeakRssMiB()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_maxrss) / 1024.0; // Linux: KiB
}

[[noreturn]] void Die(const std::string& msg) { bench::BenchDie(msg); }

// ------------------------------------------------------------------------- keys

struct Keys {
    std::array<std::array<uint8_t, 32>, NUM_KEYS> secret{};
    std::array<std::vector<uint8_t>, NUM_KEYS> pubkey;
    std::array<Script, NUM_KEYS> spk;         // OP_0 <hash160>
    std::array<Script, NUM_KEYS> script_code; // BIP-143 P2PKH-style script code
    // --mixed: the other output types of each key (P2WSH: 2-of-3 of keys k, k+1, k+2).
    std::array<Script, NUM_KEYS> p2pkh, p2sh_p2wpkh, p2tr, p2wsh, multisig;
    std::array<std::array<uint8_t, 32>, NUM_KEYS> taproot_secret{}; // the BIP-341 tweaked key

    Keys()
    {
        for (int k = 0; k < NUM_KEYS; ++k) {
            for (size_t i = 0; i < 32; ++i) secret[k][i] = static_cast<uint8_t>(0x40 + 3 * i + 17 * k);
            auto pub = PubKeyFromSecret(secret[k], true);
            if (!pub) Die("bad key");
            pubkey[k] = *pub;
            const Uint160 h = Hash160(pubkey[k]);
            const std::vector<uint8_t> hv(h.begin(), h.end());
            spk[k] << OP_0 << hv;
            script_code[k] << OP_DUP << OP_HASH160 << hv << OP_EQUALVERIFY << OP_CHECKSIG;
            p2pkh[k] = script_code[k];
            const Uint160 rh = Hash160(spk[k]);
            p2sh_p2wpkh[k] << OP_HASH160 << std::vector<uint8_t>(rh.begin(), rh.end()) << OP_EQUAL;
            const auto tweaked = TweakSecretForTaproot(secret[k], nullptr);
            const auto xonly = tweaked ? XOnlyFromSecret(*tweaked) : std::nullopt;
            if (!xonly) Die("bad taproot key");
            taproot_secret[k] = *tweaked;
            p2tr[k] << OP_1 << std::vector<uint8_t>(xonly->begin(), xonly->end());
        }
        for (int k = 0; k < NUM_KEYS; ++k) {
            multisig[k] << OP_2 << pubkey[k] << pubkey[(k + 1) % NUM_KEYS] << pubkey[(k + 2) % NUM_KEYS] << OP_3
                        << OP_CHECKMULTISIG;
            const Uint256 wh = Sha256Hash(multisig[k]);
            p2wsh[k] << OP_0 << std::vector<uint8_t>(wh.begin(), wh.end());
        }
    }
};

/** --mixed: the input types, in the order the funding outputs take them. */
enum class InputType { P2WPKH, P2PKH, P2SH_P2WPKH, P2TR, P2WSH_MULTISIG };
constexpr int NUM_TYPES = 5;
constexpr const char* TYPE_NAMES[NUM_TYPES] = {"P2WPKH", "P2PKH", "P2SH-P2WPKH", "P2TR", "P2WSH-2of3"};

// ------------------------------------------------------------------------- generation

struct Utxo {
    OutPoint outpoint;
    Amount value;
    int key{0};
    InputType type{InputType::P2WPKH};
};

class Generator {
public:
    Generator(const ChainParams& params, bool mixed, bool recent) : m_params(params), m_mixed(mixed)
    {
        const Block& genesis = params.GenesisBlock();
        m_prev_hash = genesis.GetHash();
        m_prev_time = recent ? static_cast<uint32_t>(std::time(nullptr) - 3600) : genesis.time;
        m_bits = genesis.bits;
    }

    /** A solved block at the next height with a coinbase paying outputs (split of subsidy + fees). */
    Block MakeBlock(std::vector<TransactionRef> txs, Amount fees, int coinbase_outputs, std::vector<Utxo>* funded)
    {
        const int height = ++m_height;
        Block block;
        block.version = 0x20000000;
        block.prev_block = m_prev_hash;
        block.time = ++m_prev_time; // strictly increasing, so always above the median time past
        block.bits = m_bits;
        MutableTransaction cb;
        cb.vin.resize(1);
        cb.vin[0].script_sig.PushInt(height);
        cb.vin[0].script_sig << std::vector<uint8_t>{0x6d, 0x63, 0x62, 0x6e}; // "mcbn": scriptSig >= 2 bytes
        const Amount reward = consensus::GetBlockSubsidy(height, m_params.consensus) + fees;
        const int64_t each = reward.sats / coinbase_outputs;
        for (int i = 0; i < coinbase_outputs; ++i)
            cb.vout.emplace_back(Amount{each}, OutputScript(i % NUM_KEYS, TypeOf(i)));
        block.vtx.push_back(MakeTransactionRef(std::move(cb)));
        for (auto& tx : txs) block.vtx.push_back(std::move(tx));
        GenerateCoinbaseCommitment(block); // adds an output: take the txid afterwards
        block.merkle_root = BlockMerkleRoot(block);
        while (!CheckProofOfWork(block.GetHash(), block.bits, m_params.consensus)) ++block.nonce;
        m_prev_hash = block.GetHash();
        if (funded) {
            const Uint256 txid = block.vtx[0]->GetTxid();
            for (int i = 0; i < coinbase_outputs; ++i) {
                funded->push_back(
                    Utxo{OutPoint(txid, static_cast<uint32_t>(i)), Amount{each}, i % NUM_KEYS, TypeOf(i)});
            }
        }
        return block;
    }

    /** A transaction spending ins to two P2WPKH outputs, every input signed (BIP-143, SIGHASH_ALL). */
    TransactionRef Spend(const Utxo* ins, int n, int out_key, Amount& fee)
    {
        MutableTransaction tx;
        tx.version = 2;
        Amount total;
        std::vector<TxOut> spent;
        for (int i = 0; i < n; ++i) {
            TxIn in;
            in.prevout = ins[i].outpoint;
            in.sequence = 0xfffffffe;
            tx.vin.push_back(in);
            total += ins[i].value;
            spent.emplace_back(ins[i].value, OutputScript(ins[i].key, ins[i].type));
        }
        fee = Amount{FEE_PER_TX};
        const int64_t half = (total.sats - FEE_PER_TX) / 2;
        tx.vout.emplace_back(Amount{half}, m_keys.spk[out_key % NUM_KEYS]);
        tx.vout.emplace_back(Amount{total.sats - FEE_PER_TX - half}, m_keys.spk[(out_key + 1) % NUM_KEYS]);
        PrecomputedTransactionData txdata;
        txdata.Init(tx, std::move(spent), true);
        for (int i = 0; i < n; ++i) SignInput(tx, i, ins[i], txdata);
        return MakeTransactionRef(std::move(tx));
    }

    /** Inputs per type spent so far (--mixed). */
    const std::array<uint64_t, NUM_TYPES>& TypeCounts() const { return m_type_counts; }

private:
    /** The type of the i-th funding output: all P2WPKH, or the five in turn with --mixed. */
    InputType TypeOf(int i) const
    {
        return m_mixed ? static_cast<InputType>(i / NUM_KEYS % NUM_TYPES) : InputType::P2WPKH;
    }

    const Script& OutputScript(int k, InputType type) const
    {
        switch (type) {
        case InputType::P2PKH: return m_keys.p2pkh[k];
        case InputType::P2SH_P2WPKH: return m_keys.p2sh_p2wpkh[k];
        case InputType::P2TR: return m_keys.p2tr[k];
        case InputType::P2WSH_MULTISIG: return m_keys.p2wsh[k];
        case InputType::P2WPKH: break;
        }
        return m_keys.spk[k];
    }

    std::vector<uint8_t> SignEcdsaInput(const MutableTransaction& tx, int i, int k, const Script& code, Amount value,
                                        SigVersion sigversion, const PrecomputedTransactionData& txdata) const
    {
        const Uint256 sighash =
            SignatureHash(code, tx, static_cast<unsigned>(i), SIGHASH_ALL, value, sigversion, &txdata);
        auto sig = SignEcdsa(m_keys.secret[k], sighash);
        if (!sig) Die("signing failed");
        sig->push_back(SIGHASH_ALL);
        return *sig;
    }

    /** Signs input i by its type, with the consensus sighash code (SIGHASH_ALL / SIGHASH_DEFAULT). */
    void SignInput(MutableTransaction& tx, int i, const Utxo& in, const PrecomputedTransactionData& txdata)
    {
        const int k = in.key;
        TxIn& txin = tx.vin[static_cast<size_t>(i)];
        ++m_type_counts[static_cast<size_t>(in.type)];
        switch (in.type) {
        case InputType::P2WPKH:
            txin.witness.stack = {
                SignEcdsaInput(tx, i, k, m_keys.script_code[k], in.value, SigVersion::WITNESS_V0, txdata),
                m_keys.pubkey[k]};
            return;
        case InputType::P2PKH:
            txin.script_sig = Script();
            txin.script_sig << SignEcdsaInput(tx, i, k, m_keys.p2pkh[k], in.value, SigVersion::BASE, txdata)
                            << m_keys.pubkey[k];
            return;
        case InputType::P2SH_P2WPKH: {
            txin.script_sig = Script();
            txin.script_sig << std::vector<uint8_t>(m_keys.spk[k].begin(), m_keys.spk[k].end());
            txin.witness.stack = {
                SignEcdsaInput(tx, i, k, m_keys.script_code[k], in.value, SigVersion::WITNESS_V0, txdata),
                m_keys.pubkey[k]};
            return;
        }
        case InputType::P2TR: {
            ScriptExecutionData execdata;
            execdata.m_annex_init = true;
            execdata.m_annex_present = false;
            Uint256 hash;
            if (!SignatureHashSchnorr(hash, execdata, tx, static_cast<uint32_t>(i), SIGHASH_DEFAULT,
                                      SigVersion::TAPROOT, txdata, MissingDataBehavior::FAIL)) {
                Die("taproot sighash failed");
            }
            const std::array<uint8_t, 32> aux{};
            const auto sig = SignSchnorr(m_keys.taproot_secret[k], hash.Span(), aux);
            if (!sig) Die("schnorr signing failed");
            txin.witness.stack = {std::vector<uint8_t>(sig->begin(), sig->end())};
            return;
        }
        case InputType::P2WSH_MULTISIG: {
            // Two of the three keys (k and k+1), in the script's key order; the dummy element first.
            const Script& ws = m_keys.multisig[k];
            const Uint256 sighash =
                SignatureHash(ws, tx, static_cast<unsigned>(i), SIGHASH_ALL, in.value, SigVersion::WITNESS_V0, &txdata);
            std::vector<std::vector<uint8_t>> stack{{}};
            for (const int signer : {k, (k + 1) % NUM_KEYS}) {
                auto sig = SignEcdsa(m_keys.secret[signer], sighash);
                if (!sig) Die("signing failed");
                sig->push_back(SIGHASH_ALL);
                stack.push_back(std::move(*sig));
            }
            stack.emplace_back(ws.begin(), ws.end());
            txin.witness.stack = std::move(stack);
            return;
        }
        }
    }

public:
private:
    const ChainParams& m_params;
    const bool m_mixed;
    std::array<uint64_t, NUM_TYPES> m_type_counts{};
    Keys m_keys;
    Uint256 m_prev_hash;
    uint32_t m_prev_time{0};
    uint32_t m_bits{0};
    int m_height{0};
};

int Generate(const std::filesystem::path& chain, int spend_blocks, int inputs_per_block, int inputs_per_tx, bool mixed,
             bool recent)
{
    const ChainParams& params = Params(ChainType::REGTEST);
    if (inputs_per_tx < 1 || inputs_per_tx > 2) Die("--inputs-per-tx must be 1 or 2");
    if (inputs_per_block % inputs_per_tx != 0) Die("--inputs must be a multiple of --inputs-per-tx");
    const uint64_t needed = static_cast<uint64_t>(spend_blocks) * static_cast<uint64_t>(inputs_per_block);
    const int funding_blocks = static_cast<int>((needed + FUNDING_OUTPUTS - 1) / FUNDING_OUTPUTS);
    const auto t0 = Clock::now();
    Generator gen(params, mixed, recent);
    BlockFileWriter out(chain, params.message_start);
    std::vector<Utxo> utxos;
    utxos.reserve(static_cast<size_t>(funding_blocks) * FUNDING_OUTPUTS);
    for (int i = 0; i < funding_blocks; ++i) out.Write(gen.MakeBlock({}, Amount{}, FUNDING_OUTPUTS, &utxos));
    for (int i = 0; i < MATURITY_BLOCKS; ++i) out.Write(gen.MakeBlock({}, Amount{}, 1, nullptr));
    size_t next = 0;
    uint64_t inputs = 0;
    int64_t max_weight = 0;
    for (int b = 0; b < spend_blocks; ++b) {
        std::vector<TransactionRef> txs;
        Amount fees;
        for (int t = 0; t < inputs_per_block / inputs_per_tx; ++t) {
            Amount fee;
            txs.push_back(gen.Spend(&utxos[next], inputs_per_tx, t, fee));
            next += static_cast<size_t>(inputs_per_tx);
            inputs += static_cast<uint64_t>(inputs_per_tx);
            fees += fee;
        }
        const Block block = gen.MakeBlock(std::move(txs), fees, 1, nullptr);
        max_weight = std::max<int64_t>(max_weight, GetBlockWeight(block));
        out.Write(block);
        if ((b + 1) % 20 == 0) {
            std::fprintf(stderr, "generated %d/%d spending blocks (%.0f s)\n", b + 1, spend_blocks,
                         Seconds(Clock::now() - t0));
        }
    }
    WriteInfo(chain, ChainInfo{funding_blocks + MATURITY_BLOCKS, spend_blocks, inputs});
    std::printf("generated %s: %d funding + %d maturity + %d spending blocks, %" PRIu64
                " %s inputs, %.1f MB, max block weight %" PRId64 ", %.1f s\n",
                chain.string().c_str(), funding_blocks, MATURITY_BLOCKS, spend_blocks, inputs,
                mixed ? "mixed" : "P2WPKH", out.Bytes() / 1e6, max_weight, Seconds(Clock::now() - t0));
    if (mixed) {
        for (int t = 0; t < NUM_TYPES; ++t)
            std::printf("  %s: %" PRIu64 " inputs\n", TYPE_NAMES[t], gen.TypeCounts()[static_cast<size_t>(t)]);
    }
    return 0;
}

// ------------------------------------------------------------------------- raw ECDSA yardstick

/**
 * Two yardsticks on the same 256 (key, signature, message) triples:
 * - WITH_PARSE is libsecp256k1's own "ecdsa_verify" benchmark (its bench_verify): parse the
 *   33-byte compressed key and the DER signature, then verify. Every script check has to do
 *   this much, since keys and signatures arrive serialized.
 * - PRE_PARSED is secp256k1_ecdsa_verify alone on parsed data: the stricter bound.
 */
enum class RawMode { WITH_PARSE, PRE_PARSED };

/** Verifications done and the wall and CPU seconds they took. */
struct RawSample {
    double n{0}, wall{0}, cpu{0};
};

struct RawEcdsa {
    secp256k1_context* ctx{nullptr};
    std::vector<secp256k1_pubkey> pubkeys;
    std::vector<secp256k1_ecdsa_signature> sigs;
    std::vector<std::array<uint8_t, 32>> msgs;
    std::vector<std::vector<uint8_t>> pubkey_bytes;
    std::vector<std::vector<uint8_t>> sig_der;

    RawEcdsa()
    {
        ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
        const Keys keys;
        constexpr int N = 256;
        for (int i = 0; i < N; ++i) {
            std::array<uint8_t, 32> msg{};
            for (size_t j = 0; j < 32; ++j) msg[j] = static_cast<uint8_t>(i * 31 + j * 7 + 1);
            const int k = i % NUM_KEYS;
            secp256k1_pubkey pk;
            if (!secp256k1_ec_pubkey_parse(ctx, &pk, keys.pubkey[k].data(), keys.pubkey[k].size())) Die("parse");
            // Signed through the same code path as the chain (low-S DER), then parsed once.
            Uint256 h;
            std::memcpy(h.begin(), msg.data(), 32);
            auto der = SignEcdsa(keys.secret[k], h);
            secp256k1_ecdsa_signature sig;
            if (!der || !secp256k1_ecdsa_signature_parse_der(ctx, &sig, der->data(), der->size())) Die("sig");
            pubkeys.push_back(pk);
            sigs.push_back(sig);
            msgs.push_back(msg);
            pubkey_bytes.push_back(keys.pubkey[k]);
            sig_der.push_back(*der);
        }
    }
    ~RawEcdsa() { secp256k1_context_destroy(ctx); }

    /** Verifies in a loop for about secs seconds on one thread; returns verifications done. */
    bool VerifyOne(size_t i, RawMode mode) const
    {
        if (mode == RawMode::PRE_PARSED) return secp256k1_ecdsa_verify(ctx, &sigs[i], msgs[i].data(), &pubkeys[i]);
        secp256k1_pubkey pk;
        secp256k1_ecdsa_signature sig;
        return secp256k1_ec_pubkey_parse(ctx, &pk, pubkey_bytes[i].data(), pubkey_bytes[i].size()) &&
               secp256k1_ecdsa_signature_parse_der(ctx, &sig, sig_der[i].data(), sig_der[i].size()) &&
               secp256k1_ecdsa_verify(ctx, &sig, msgs[i].data(), &pk);
    }

    /** One pass over the triples on this thread, added to the sample. */
    void Pass(RawMode mode, RawSample& sample) const
    {
        const double cpu0 = ThreadCpuSeconds();
        const auto start = Clock::now();
        for (size_t i = 0; i < pubkeys.size(); ++i) {
            if (!VerifyOne(i, mode)) Die("raw verify failed");
        }
        sample.n += static_cast<double>(pubkeys.size());
        sample.wall += Seconds(Clock::now() - start);
        sample.cpu += ThreadCpuSeconds() - cpu0;
    }

    /** One pass on each of `threads` threads at once; the wall time is the whole group's. */
    void PassN(int threads, RawMode mode, RawSample& sample) const
    {
        const auto start = Clock::now();
        std::vector<std::thread> ts;
        std::vector<RawSample> each(threads);
        for (int t = 0; t < threads; ++t) ts.emplace_back([&, t] { Pass(mode, each[t]); });
        for (auto& t : ts) t.join();
        sample.wall += Seconds(Clock::now() - start);
        for (const auto& e : each) {
            sample.n += e.n;
            sample.cpu += e.cpu;
        }
    }
};

// ------------------------------------------------------------------------- connect

struct Options {
    std::filesystem::path chain;
    std::filesystem::path workdir;
    int par{1};
    size_t dbcache_mib{64};
    size_t dbbatchsize{node::CoinsViewDB::DEFAULT_BATCH_BYTES}; // -dbbatchsize
    bool reindex{true};
    bool keep{false};
    bool yardstick{true}; // --no-yardstick: no raw samples between blocks (for profiling the connect alone)
};

std::unique_ptr<node::chain::Chainstate> OpenChainstate(const Options& o, const std::filesystem::path& dir,
                                                        bool reindex_chainstate)
{
    node::chain::ChainstateOptions opts;
    opts.data_dir = dir;
    opts.params = &Params(ChainType::REGTEST);
    opts.dbcache_bytes = o.dbcache_mib << 20;
    opts.coins_batch_bytes = o.dbbatchsize;
    opts.par = o.par;
    opts.reindex_chainstate = reindex_chainstate;
    std::string error;
    auto cs = node::chain::Chainstate::Open(opts, error);
    if (!cs) Die("Chainstate::Open: " + error);
    return cs;
}

void Submit(node::chain::Chainstate& cs, const std::shared_ptr<const Block>& block, int expect_height)
{
    const ValidationResult r = cs.ProcessNewBlock(block);
    if (!r.IsValid() || cs.Height() != expect_height) {
        Die("block at height " + std::to_string(expect_height) + " not connected: " + r.ToString());
    }
}

/** One yardstick's rates, sampled between the connected blocks. */
struct RawRates {
    RawSample one;  // 1 thread
    RawSample many; // par threads at once
    double Wall1() const { return one.n / one.wall; }
    double Cpu1() const { return one.n / one.cpu; }
    double WallN(int par) const { return par > 1 ? many.n / many.wall : Wall1(); }
};

void SampleRaw(const RawEcdsa& raw, int par, RawMode mode, RawRates& rates)
{
    raw.Pass(mode, rates.one);
    if (par > 1) raw.PassN(par, mode, rates.many);
}

void PrintRaw(const char* name, const RawRates& r, int par)
{
    std::printf("raw %s, 1 thread: %.0f/s wall (%.1f us), %.0f per thread-CPU-second (%.1f us)\n", name, r.Wall1(),
                1e6 / r.Wall1(), r.Cpu1(), 1e6 / r.Cpu1());
    if (par > 1) std::printf("raw %s, %d threads at once: %.0f/s wall\n", name, par, r.WallN(par));
}

void PrintRatios(const char* name, const RawRates& r, int par, double rate, double cpu_rate)
{
    std::printf("ratio vs %s: wall vs 1-thread x par (%.0f/s) %.3f", name, r.Wall1() * par, rate / (r.Wall1() * par));
    if (par > 1) {
        std::printf("; wall vs measured on %d threads (%.0f/s) %.3f", par, r.WallN(par), rate / r.WallN(par));
    }
    std::printf("; CPU (inputs per process-CPU-second vs raw per thread-CPU-second) %.3f\n", cpu_rate / r.Cpu1());
}

int Connect(const Options& o)
{
    const ChainParams& params = Params(ChainType::REGTEST);
    const ChainInfo info = ReadInfo(o.chain);
    const double rss_start = PeakRssMiB();

    const RawEcdsa raw;
    RawRates with_parse, pre_parsed;

    const std::filesystem::path dir = o.workdir / ("connect-par" + std::to_string(o.par) + "-dbcache" +
                                                   std::to_string(o.dbcache_mib) + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::string log_error;
    if (!util::GetLogger().OpenDebugLog(dir / "debug.log", log_error)) Die(log_error);

    auto cs = OpenChainstate(o, dir, false);
    BlockFileReader reader(o.chain, params.message_start);

    // Setup: funding and maturity blocks (outputs created, nothing spent).
    const auto setup_start = Clock::now();
    for (int h = 1; h <= info.setup_blocks; ++h) {
        auto block = reader.Next();
        if (!block) Die("chain file ends early");
        Submit(*cs, block, h);
    }
    const double setup_secs = Seconds(Clock::now() - setup_start);
    const double rss_setup = PeakRssMiB();

    // Timed: the spending blocks, one ProcessNewBlock each; decoding and freeing the
    // block and the raw samples are outside the timing (wall and CPU).
    double connect_secs = 0, outside_cpu = 0;
    const double cpu_start = ProcessCpuSeconds();
    for (int i = 0; i < info.spend_blocks; ++i) {
        double d0 = ThreadCpuSeconds();
        auto block = reader.Next();
        outside_cpu += ThreadCpuSeconds() - d0;
        if (!block) Die("chain file ends early");
        const auto t0 = Clock::now();
        Submit(*cs, block, info.setup_blocks + 1 + i);
        connect_secs += Seconds(Clock::now() - t0);
        d0 = ProcessCpuSeconds();
        block.reset();
        // The yardsticks, sampled between blocks so both see the same machine: the CPU
        // speed of a shared VM drifts by 10-20% within a minute.
        if (o.yardstick || i == 0) {
            if (i % 2 == 0) SampleRaw(raw, o.par, RawMode::WITH_PARSE, with_parse);
            SampleRaw(raw, o.par, RawMode::PRE_PARSED, pre_parsed);
            if (i % 2 == 1) SampleRaw(raw, o.par, RawMode::WITH_PARSE, with_parse);
        }
        outside_cpu += ProcessCpuSeconds() - d0;
    }
    const double connect_cpu = ProcessCpuSeconds() - cpu_start - outside_cpu;
    const auto [cache_bytes, cache_entries] = cs->CoinsCacheUsage();
    const auto f0 = Clock::now();
    if (!cs->Flush()) Die("flush failed");
    const double flush_secs = Seconds(Clock::now() - f0);
    const double rss_connect = PeakRssMiB();

    const auto stats = cs->GetUtxoStats();
    if (!stats) Die("GetUtxoStats failed");
    const double inputs = static_cast<double>(info.spend_inputs);
    const double rate = inputs / connect_secs;
    const double cpu_rate = inputs / connect_cpu;

    std::printf("bench_node_connect: par=%d dbcache=%zuMiB dbbatchsize=%zu chain=%s\n", o.par, o.dbcache_mib,
                o.dbbatchsize, o.chain.string().c_str());
    PrintRaw("libsecp256k1 bench_verify (key parse + DER parse + verify)", with_parse, o.par);
    PrintRaw("secp256k1_ecdsa_verify (pre-parsed)", pre_parsed, o.par);
    std::printf("setup: %d blocks (funding + maturity) in %.2f s\n", info.setup_blocks, setup_secs);
    std::printf("connect: %d blocks, %" PRIu64 " spending inputs in %.2f s wall (ProcessNewBlock only), %.2f s CPU\n",
                info.spend_blocks, info.spend_inputs, connect_secs, connect_cpu);
    std::printf("connect rate: %.0f inputs/s wall, %.0f inputs per CPU-second\n", rate, cpu_rate);
    PrintRatios("bench_verify", with_parse, o.par, rate, cpu_rate);
    PrintRatios("pre-parsed verify", pre_parsed, o.par, rate, cpu_rate);
    std::printf("coins cache before the final flush: %.1f MiB, %zu entries; final flush %.2f s\n",
                static_cast<double>(cache_bytes) / 1048576.0, cache_entries, flush_secs);
    std::printf("utxo set: %" PRIu64 " txouts, hash %s\n", stats->txouts, stats->hash_serialized.GetHex().c_str());
    std::printf("peak RSS: %.1f MiB at start, %.1f MiB after setup, %.1f MiB after connect\n", rss_start, rss_setup,
                rss_connect);
    std::fflush(stdout);

    if (o.reindex) {
        const int tip = cs->Height();
        cs.reset(); // flushes and closes
        const auto r0 = Clock::now();
        const double rcpu0 = ProcessCpuSeconds();
        cs = OpenChainstate(o, dir, true);
        const std::atomic<bool> interrupt{false};
        cs->ImportBlocks({}, interrupt);
        const double reindex_secs = Seconds(Clock::now() - r0);
        const double reindex_cpu = ProcessCpuSeconds() - rcpu0;
        if (cs->Height() != tip) Die("reindex-chainstate ended at height " + std::to_string(cs->Height()));
        const auto stats2 = cs->GetUtxoStats();
        if (!stats2 || stats2->hash_serialized != stats->hash_serialized) Die("UTXO set differs after reindex");
        std::printf("reindex-chainstate: %d blocks (%" PRIu64 " spending inputs) in %.2f s wall, %.2f s CPU "
                    "(Open + ImportBlocks, incl. final flush): %.0f inputs/s overall; utxo hash matches\n",
                    tip, info.spend_inputs, reindex_secs, reindex_cpu, inputs / reindex_secs);
        std::printf("peak RSS: %.1f MiB after reindex-chainstate\n", PeakRssMiB());
    }
    cs.reset();
    util::GetLogger().Close();
    if (!o.keep) std::filesystem::remove_all(dir);
    return 0;
}

/** --yardstick: the raw libsecp256k1 rates alone, for benchmarks that run the node as a process. */
int Yardstick(int par, int passes)
{
    const RawEcdsa raw;
    RawRates with_parse, pre_parsed;
    for (int i = 0; i < passes; ++i) {
        SampleRaw(raw, par, RawMode::WITH_PARSE, with_parse);
        SampleRaw(raw, par, RawMode::PRE_PARSED, pre_parsed);
    }
    PrintRaw("libsecp256k1 bench_verify (key parse + DER parse + verify)", with_parse, par);
    PrintRaw("secp256k1_ecdsa_verify (pre-parsed)", pre_parsed, par);
    std::printf("SUMMARY yardstick par=%d bench_verify_1=%.0f bench_verify_par=%.0f preparsed_1=%.0f\n", par,
                with_parse.Wall1(), with_parse.WallN(par), pre_parsed.Wall1());
    return 0;
}

bool Flag(const char* arg, const char* name, std::string& value)
{
    const size_t n = std::strlen(name);
    if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
    value = arg + n + 1;
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    Options o;
    o.workdir = std::filesystem::temp_directory_path() / "minicash-bench-node";
    bool generate = false, mixed = false, recent = false, yardstick = false;
    int spend_blocks = 200, inputs = 2000, inputs_per_tx = 2;
    for (int i = 1; i < argc; ++i) {
        std::string v;
        if (std::strcmp(argv[i], "--generate") == 0) {
            generate = true;
        } else if (std::strcmp(argv[i], "--mixed") == 0) {
            mixed = true;
        } else if (std::strcmp(argv[i], "--recent") == 0) {
            recent = true;
        } else if (std::strcmp(argv[i], "--no-reindex") == 0) {
            o.reindex = false;
        } else if (std::strcmp(argv[i], "--no-yardstick") == 0) {
            o.yardstick = false;
        } else if (std::strcmp(argv[i], "--yardstick") == 0) {
            yardstick = true;
        } else if (std::strcmp(argv[i], "--keep") == 0) {
            o.keep = true;
        } else if (Flag(argv[i], "--chain", v)) {
            o.chain = v;
        } else if (Flag(argv[i], "--workdir", v)) {
            o.workdir = v;
        } else if (Flag(argv[i], "--par", v)) {
            o.par = std::max(1, std::atoi(v.c_str()));
        } else if (Flag(argv[i], "--dbcache", v)) {
            o.dbcache_mib = static_cast<size_t>(std::max(1, std::atoi(v.c_str())));
        } else if (Flag(argv[i], "--dbbatchsize", v)) {
            o.dbbatchsize = static_cast<size_t>(std::max(0LL, std::atoll(v.c_str())));
        } else if (Flag(argv[i], "--spend-blocks", v)) {
            spend_blocks = std::max(1, std::atoi(v.c_str()));
        } else if (Flag(argv[i], "--inputs", v)) {
            inputs = std::max(1, std::atoi(v.c_str()));
        } else if (Flag(argv[i], "--inputs-per-tx", v)) {
            inputs_per_tx = std::atoi(v.c_str());
        } else {
            std::fprintf(
                stderr,
                "usage: %s --generate --chain=FILE [--spend-blocks=200] [--inputs=2000] [--inputs-per-tx=2] [--mixed] "
                "[--recent]\n"
                "       %s --chain=FILE [--par=1] [--dbcache=64] [--workdir=DIR] [--dbbatchsize=BYTES] "
                "[--no-reindex] [--keep] [--no-yardstick]\n"
                "       %s --yardstick [--par=1]\n",
                argv[0], argv[0], argv[0]);
            return 2;
        }
    }
    if (yardstick) return Yardstick(o.par, 8);
    if (o.chain.empty()) o.chain = o.workdir / "chain.blk";
    if (generate) {
        std::filesystem::create_directories(std::filesystem::absolute(o.chain).parent_path());
        util::GetLogger().DisableBuffering();
        return Generate(o.chain, spend_blocks, inputs, inputs_per_tx, mixed, recent);
    }
    return Connect(o);
}
