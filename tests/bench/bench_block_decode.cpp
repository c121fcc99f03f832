// Block decode throughput: a ~1 MB block of P2WPKH-spending transactions, built in memory,
// decoded with consensus::Block::Deserialize from a ByteReader (which also computes every
// txid and wtxid), and for comparison decoded into MutableTransactions without hashing.

#include "consensus/hash.h"
#include "consensus/primitives/block.h"
#include "consensus/primitives/transaction.h"
#include "consensus/script/script.h"
#include "consensus/serialize.h"

#include <benchmark/benchmark.h>
#include <secp256k1.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <utility>
#include <vector>

namespace {

using namespace consensus;

constexpr size_t TARGET_BLOCK_SIZE = 1'000'000;

/** 32 bytes derived from a counter, to make distinct hashes and keys without an RNG. */
Uint256 Derived(uint32_t n, uint8_t domain)
{
    return Hash256(std::vector<uint8_t>{domain, uint8_t(n), uint8_t(n >> 8), uint8_t(n >> 16), uint8_t(n >> 24)});
}

/** A real compressed key and DER signature (+SIGHASH_ALL) so witness sizes are those of real spends. */
std::pair<std::vector<uint8_t>, std::vector<uint8_t>> SignatureAndKey(secp256k1_context* ctx, uint32_t n)
{
    Uint256 seckey = Derived(n, 1);
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_create(ctx, &pk, seckey.data())) std::abort();
    std::vector<uint8_t> pubkey(33);
    size_t len = pubkey.size();
    secp256k1_ec_pubkey_serialize(ctx, pubkey.data(), &len, &pk, SECP256K1_EC_COMPRESSED);
    const Uint256 msg = Derived(n, 2);
    secp256k1_ecdsa_signature sig;
    if (!secp256k1_ecdsa_sign(ctx, &sig, msg.data(), seckey.data(), nullptr, nullptr)) std::abort();
    std::vector<uint8_t> der(72);
    size_t der_len = der.size();
    secp256k1_ecdsa_signature_serialize_der(ctx, der.data(), &der_len, &sig);
    der.resize(der_len);
    der.push_back(0x01); // SIGHASH_ALL
    return {der, pubkey};
}

Script P2wpkhScript(uint32_t n)
{
    Script s;
    s << OP_0 << std::span<const uint8_t>(Derived(n, 3).data(), 20);
    return s;
}

/** The serialized block: a segwit coinbase, then 1-3-input, 2-output P2WPKH spends up to ~1 MB. */
std::vector<uint8_t> BuildBlock(size_t* tx_count)
{
    secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    Block block;
    block.version = 0x20000000;
    block.prev_block = Derived(0, 4);
    block.merkle_root = Derived(0, 5); // not checked by the decoder
    block.time = 1'700'000'000;
    block.bits = 0x17053894;
    block.nonce = 12345;

    MutableTransaction coinbase;
    TxIn cb_in;
    cb_in.script_sig << std::vector<uint8_t>{0x40, 0x0d, 0x03} << std::vector<uint8_t>(8, 0x11);
    cb_in.witness.stack.push_back(std::vector<uint8_t>(32, 0));
    coinbase.vin.push_back(cb_in);
    coinbase.vout.emplace_back(Amount{625'000'000}, P2wpkhScript(0));
    Script commitment;
    commitment << OP_RETURN << std::vector<uint8_t>(36, 0xaa);
    coinbase.vout.emplace_back(Amount{0}, commitment);
    block.vtx.push_back(MakeTransactionRef(coinbase));

    size_t size = GetBlockTotalSize(block);
    uint32_t key_n = 1;
    for (uint32_t t = 1; size < TARGET_BLOCK_SIZE; ++t) {
        MutableTransaction tx;
        tx.version = 2;
        const unsigned inputs = 1 + t % 3;
        for (unsigned i = 0; i < inputs; ++i) {
            TxIn in;
            in.prevout = OutPoint(Derived(t * 4 + i, 6), i);
            in.sequence = 0xfffffffd;
            auto [sig, pubkey] = SignatureAndKey(ctx, key_n++);
            in.witness.stack = {std::move(sig), std::move(pubkey)};
            tx.vin.push_back(std::move(in));
        }
        tx.vout.emplace_back(Amount{100'000 + t}, P2wpkhScript(2 * t));
        tx.vout.emplace_back(Amount{5'000'000 + t}, P2wpkhScript(2 * t + 1));
        auto ref = MakeTransactionRef(std::move(tx));
        size += ref->GetTotalSize();
        block.vtx.push_back(std::move(ref));
    }
    secp256k1_context_destroy(ctx);
    *tx_count = block.vtx.size();
    std::vector<uint8_t> bytes;
    ByteWriter w(bytes);
    block.Serialize(w);
    return bytes;
}

struct BlockFixture {
    size_t tx_count{0};
    std::vector<uint8_t> bytes = BuildBlock(&tx_count);
};

const BlockFixture& TestBlock()
{
    static const BlockFixture f;
    return f;
}

/** Block::Deserialize of the whole block, including txid/wtxid computation; MB/s of block bytes. */
void BM_BlockDecode(benchmark::State& state)
{
    const auto& f = TestBlock();
    for (auto _ : state) {
        ByteReader r(f.bytes);
        Block block = Block::Deserialize(r);
        benchmark::DoNotOptimize(block.vtx.data());
        if (!r.Empty() || block.vtx.size() != f.tx_count) state.SkipWithError("decode mismatch");
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(f.bytes.size()));
    state.counters["block_bytes"] = static_cast<double>(f.bytes.size());
    state.counters["txs"] = static_cast<double>(f.tx_count);
}
BENCHMARK(BM_BlockDecode)->Unit(benchmark::kMillisecond);

/** The same bytes decoded into MutableTransactions: parsing and allocation only, no hashing. */
void BM_BlockDecodeNoTxHashes(benchmark::State& state)
{
    const auto& f = TestBlock();
    for (auto _ : state) {
        ByteReader r(f.bytes);
        BlockHeader header = BlockHeader::Deserialize(r);
        benchmark::DoNotOptimize(header);
        const size_t n = ReadCount(r, MIN_TRANSACTION_SIZE);
        std::vector<MutableTransaction> txs;
        txs.reserve(n);
        for (size_t i = 0; i < n; ++i) txs.push_back(MutableTransaction::Deserialize(r));
        benchmark::DoNotOptimize(txs.data());
        if (!r.Empty() || txs.size() != f.tx_count) state.SkipWithError("decode mismatch");
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(f.bytes.size()));
}
BENCHMARK(BM_BlockDecodeNoTxHashes)->Unit(benchmark::kMillisecond);

} // namespace
