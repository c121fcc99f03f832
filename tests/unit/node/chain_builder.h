// A regtest chain builder for in-process chainstate tests: a temporary datadir, a
// chainstate, a P2WPKH key that coinbases pay to, and helpers to build, sign, mutate and
// submit blocks on any parent.
#pragma once

#include "consensus/params.h"
#include "consensus/primitives/block.h"
#include "consensus/validation_result.h"
#include "node/chain/chainstate.h"

#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

namespace testutil {

/** A unique temporary directory, removed with its contents on destruction. */
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::filesystem::path& Path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

/**
 * Chainstate::Open, then the catch-up the daemon runs on its validation owner afterwards
 * (ActivateBestChain); nullptr with error set if either fails.
 */
std::unique_ptr<node::chain::Chainstate> OpenAndCatchUp(const node::chain::ChainstateOptions& options,
                                                        std::string& error);
/**
 * Opens a regtest chainstate (one script thread) on an existing directory, and catches it up; e.g. a copy
 * of a builder's datadir taken as a crash would leave it; REQUIREs that it opens.
 */
std::unique_ptr<node::chain::Chainstate> OpenRegtestChainstate(const std::filesystem::path& dir,
                                                               bool reindex_chainstate = false);
/** The same with options changed by configure, and no REQUIRE: nullptr with error set if Open fails. */
std::unique_ptr<node::chain::Chainstate>
TryOpenRegtestChainstate(const std::filesystem::path& dir,
                         const std::function<void(node::chain::ChainstateOptions&)>& configure, std::string& error);

class ChainBuilder {
public:
    /**
     * Opens a regtest chainstate in a fresh temporary directory with par script threads;
     * params (default regtest's) must outlive the builder; configure may change the
     * options before the first Open.
     */
    explicit ChainBuilder(int par = 2, const consensus::ChainParams* params = nullptr,
                          const std::function<void(node::chain::ChainstateOptions&)>& configure = {});
    ~ChainBuilder();

    node::chain::Chainstate& Chain() { return *m_chain; }
    /** The chainstate's data directory. */
    const std::filesystem::path& Dir() const { return m_dir.Path(); }
    /** Closes (flushing) and reopens the chainstate on the same directory. */
    void Reopen(const node::chain::ChainstateOptions* options = nullptr);

    /** A solved block on prev paying the subsidy (plus fees) to our key; mutate lets a test break a rule before solving. */
    consensus::Block MakeBlock(const node::chain::BlockIndex* prev,
                               const std::vector<consensus::TransactionRef>& txs = {},
                               const std::function<void(consensus::Block&)>& mutate = {}, bool fix_merkle = true);
    /** Builds on the tip and submits. */
    consensus::ValidationResult Mine(const std::vector<consensus::TransactionRef>& txs = {},
                                     const std::function<void(consensus::Block&)>& mutate = {}, bool fix_merkle = true);
    /** Submits a block. */
    consensus::ValidationResult Submit(const consensus::Block& block);
    /** Mines n empty blocks on the tip; REQUIREs each is accepted. */
    void MineBlocks(int n);

    /** A transaction spending our P2WPKH outputs (signed, BIP-143) to outputs of value each paying to our key. */
    consensus::TransactionRef Spend(const std::vector<std::pair<consensus::OutPoint, consensus::Amount>>& inputs,
                                    const std::vector<consensus::Amount>& outputs);
    /** Outpoint of the coinbase of the active block at height, and its value. */
    std::pair<consensus::OutPoint, consensus::Amount> CoinbaseAt(int height);

    const consensus::Script& ScriptPubKey() const { return m_spk; }
    /** Solves proof of work by incrementing the nonce. */
    static void Solve(consensus::Block& block, const consensus::ConsensusParams& params);

    /** Like Spend, but to any outputs (e.g. P2SH or P2WSH scripts a test then spends itself). */
    consensus::TransactionRef SpendTo(const std::vector<std::pair<consensus::OutPoint, consensus::Amount>>& inputs,
                                      const std::vector<consensus::TxOut>& outputs);

private:
    const consensus::ChainParams* m_params;
    TempDir m_dir;
    std::unique_ptr<node::chain::Chainstate> m_chain;
    node::chain::ChainstateOptions m_options;
    std::array<uint8_t, 32> m_key{};
    std::vector<uint8_t> m_pubkey;
    consensus::Script m_spk;
    uint32_t m_extra{0};
};

} // namespace testutil
