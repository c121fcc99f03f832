#include "chain_builder.h"
#include "consensus/contextual_check.h"

#include "consensus/block_check.h"
#include "consensus/hash.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/key.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <random>

using namespace consensus;

namespace testutil {

TempDir::TempDir()
{
    static std::atomic<int> counter{0};
    std::random_device rd;
    m_path = std::filesystem::temp_directory_path() /
             ("minicash-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(m_path);
}

TempDir::~TempDir()
{
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

std::unique_ptr<node::chain::Chainstate> OpenAndCatchUp(const node::chain::ChainstateOptions& options,
                                                        std::string& error)
{
    auto cs = node::chain::Chainstate::Open(options, error);
    if (!cs) return nullptr;
    // The catch-up the daemon's validation owner runs after Open (a crash's last blocks,
    // the whole chain on -reindex-chainstate).
    if (const auto r = cs->ActivateBestChain(); !r.IsValid()) {
        error = "cannot activate the best chain: " + r.ToString();
        return nullptr;
    }
    return cs;
}

std::unique_ptr<node::chain::Chainstate>
TryOpenRegtestChainstate(const std::filesystem::path& dir,
                         const std::function<void(node::chain::ChainstateOptions&)>& configure, std::string& error)
{
    node::chain::ChainstateOptions opts;
    opts.data_dir = dir;
    opts.params = &Params(ChainType::REGTEST);
    opts.par = 1;
    if (configure) configure(opts);
    return OpenAndCatchUp(opts, error);
}

std::unique_ptr<node::chain::Chainstate> OpenRegtestChainstate(const std::filesystem::path& dir,
                                                               bool reindex_chainstate)
{
    std::string error;
    auto cs = TryOpenRegtestChainstate(
        dir, [&](node::chain::ChainstateOptions& o) { o.reindex_chainstate = reindex_chainstate; }, error);
    INFO(error);
    REQUIRE(cs);
    return cs;
}

ChainBuilder::ChainBuilder(int par, const ChainParams* params,
                           const std::function<void(node::chain::ChainstateOptions&)>& configure)
    : m_params(params ? params : &Params(ChainType::REGTEST))
{
    m_key.fill(0);
    m_key[31] = 7;
    m_pubkey = *PubKeyFromSecret(m_key, true);
    const Uint160 h = Hash160(m_pubkey);
    m_spk << OP_0 << std::vector<uint8_t>(h.begin(), h.end());
    m_options.data_dir = m_dir.Path();
    m_options.params = m_params;
    m_options.dbcache_bytes = 16u << 20;
    m_options.par = par;
    if (configure) configure(m_options);
    std::string error;
    m_chain = OpenAndCatchUp(m_options, error);
    INFO(error);
    REQUIRE(m_chain);
}

ChainBuilder::~ChainBuilder() = default;

void ChainBuilder::Reopen(const node::chain::ChainstateOptions* options)
{
    m_chain.reset();
    if (options) {
        m_options = *options;
        m_options.data_dir = m_dir.Path();
        m_options.params = m_params;
    }
    std::string error;
    m_chain = OpenAndCatchUp(m_options, error);
    INFO(error);
    REQUIRE(m_chain);
}

void ChainBuilder::Solve(Block& block, const ConsensusParams& params)
{
    while (!CheckProofOfWork(block.GetHash(), block.bits, params)) ++block.nonce;
}

Block ChainBuilder::MakeBlock(const node::chain::BlockIndex* prev, const std::vector<TransactionRef>& txs,
                              const std::function<void(Block&)>& mutate, bool fix_merkle)
{
    const auto& params = *m_params;
    const int height = prev->height + 1;
    Amount fees;
    // Fees: inputs are our own P2WPKH outputs; look their values up in the UTXO set or in earlier txs here.
    for (const auto& tx : txs) {
        Amount in;
        for (const auto& i : tx->vin) {
            if (auto c = m_chain->GetTxOut(i.prevout)) {
                in += c->coin.out.value;
            } else {
                for (const auto& t : txs) {
                    if (t->GetTxid() == i.prevout.hash && i.prevout.n < t->vout.size())
                        in += t->vout[i.prevout.n].value;
                }
            }
        }
        if (in > tx->GetValueOut()) fees += in - tx->GetValueOut();
    }
    Block block;
    block.version = 0x20000000;
    block.prev_block = prev->GetBlockHash();
    block.time = static_cast<uint32_t>(std::max<int64_t>(prev->GetMedianTimePast() + 1, prev->time + 1));
    block.bits = prev->bits;
    MutableTransaction cb;
    cb.vin.resize(1);
    cb.vin[0].script_sig.PushInt(height);
    cb.vin[0].script_sig.PushInt(++m_extra); // distinct coinbases on competing forks
    cb.vout.emplace_back(consensus::GetBlockSubsidy(height, params.consensus) + fees, m_spk);
    block.vtx.push_back(MakeTransactionRef(std::move(cb)));
    for (const auto& tx : txs) block.vtx.push_back(tx);
    GenerateCoinbaseCommitment(block);
    block.merkle_root = BlockMerkleRoot(block);
    if (mutate) {
        mutate(block);
        if (fix_merkle) block.merkle_root = BlockMerkleRoot(block);
    }
    Solve(block, params.consensus);
    return block;
}

ValidationResult ChainBuilder::Submit(const Block& block)
{
    return m_chain->ProcessNewBlock(std::make_shared<const Block>(block));
}

ValidationResult ChainBuilder::Mine(const std::vector<TransactionRef>& txs, const std::function<void(Block&)>& mutate,
                                    bool fix_merkle)
{
    return Submit(MakeBlock(m_chain->Tip(), txs, mutate, fix_merkle));
}

void ChainBuilder::MineBlocks(int n)
{
    for (int i = 0; i < n; ++i) {
        const ValidationResult r = Mine();
        INFO(r.ToString());
        REQUIRE(r.IsValid());
    }
}

TransactionRef ChainBuilder::Spend(const std::vector<std::pair<OutPoint, Amount>>& inputs,
                                   const std::vector<Amount>& outputs)
{
    std::vector<TxOut> outs;
    for (const Amount& v : outputs) outs.emplace_back(v, m_spk);
    return SpendTo(inputs, outs);
}

std::pair<OutPoint, Amount> ChainBuilder::CoinbaseAt(int height)
{
    const auto* index = m_chain->AtHeight(height);
    REQUIRE(index);
    auto block = m_chain->ReadBlock(index);
    REQUIRE(block);
    return {OutPoint(block->vtx[0]->GetTxid(), 0), block->vtx[0]->vout[0].value};
}

TransactionRef ChainBuilder::SpendTo(const std::vector<std::pair<OutPoint, Amount>>& inputs,
                                     const std::vector<TxOut>& outputs)
{
    MutableTransaction tx;
    tx.version = 2;
    for (const auto& [op, v] : inputs) {
        TxIn in;
        in.prevout = op;
        in.sequence = 0xfffffffe;
        tx.vin.push_back(in);
    }
    tx.vout = outputs;
    std::vector<TxOut> spent;
    for (const auto& [op, v] : inputs) spent.emplace_back(v, m_spk);
    PrecomputedTransactionData txdata;
    txdata.Init(tx, std::vector<TxOut>(spent), true);
    Script code;
    const Uint160 h = Hash160(m_pubkey);
    code << OP_DUP << OP_HASH160 << std::vector<uint8_t>(h.begin(), h.end()) << OP_EQUALVERIFY << OP_CHECKSIG;
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const Uint256 sighash = SignatureHash(code, tx, static_cast<unsigned>(i), SIGHASH_ALL, inputs[i].second,
                                              SigVersion::WITNESS_V0, &txdata);
        std::vector<uint8_t> sig = *SignEcdsa(m_key, sighash);
        sig.push_back(SIGHASH_ALL);
        tx.vin[i].witness.stack = {sig, m_pubkey};
    }
    return MakeTransactionRef(std::move(tx));
}

} // namespace testutil
