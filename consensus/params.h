// Per-network parameters: consensus rules (activation heights, proof-of-work limits,
// historical exceptions) and chain identity (genesis block, message start, ports,
// address prefixes). Values follow Bitcoin Core's kernel/chainparams.cpp.
#pragma once

#include "consensus/amount.h"
#include "consensus/primitives/block.h"
#include "consensus/uint256.h"
#include "util/chaintype.h"

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace consensus {

/** The networks minicash knows (util/chaintype.h, so argument parsing can name them). */
using util::ChainType;
using util::ChainTypeFromString;
using util::ChainTypeToString;

/** A block that is exempt from a rule: its height and hash. */
struct BlockRef {
    int height{0};
    Uint256 hash;
};

/** BIP-9 deployments tracked by the version bits state machine (consensus/versionbits.h), as Core's DeploymentPos. */
enum class DeploymentPos : size_t {
    TESTDUMMY = 0, // the test deployment Core keeps on every network (bit 28; only regtest starts it)
    TAPROOT = 1,   // BIP-341/342; always active on the newer networks and regtest
};
constexpr size_t MAX_VERSION_BITS_DEPLOYMENTS = 2;

/**
 * One BIP-9 deployment's parameters (BIP-9 "Parameters", with BIP-341's Speedy Trial
 * min_activation_height). Special start times as Core: ALWAYS_ACTIVE makes the state ACTIVE
 * at every block, NEVER_ACTIVE makes it FAILED and disables the deployment.
 */
struct Bip9Deployment {
    static constexpr int64_t NO_TIMEOUT = std::numeric_limits<int64_t>::max();
    static constexpr int64_t ALWAYS_ACTIVE = -1;
    static constexpr int64_t NEVER_ACTIVE = -2;

    /** Bit position (0..28) signalled in the block version. */
    int bit{28};
    /** Median time past from which the bit has its meaning. */
    int64_t start_time{NEVER_ACTIVE};
    /** Median time past at which an unlocked deployment fails. */
    int64_t timeout{NO_TIMEOUT};
    /** A LOCKED_IN deployment becomes ACTIVE no earlier than this height. */
    int min_activation_height{0};
};

/** Consensus rules that differ between networks. Plain immutable data once built. */
struct ConsensusParams {
    /** The genesis block's hash. */
    Uint256 hash_genesis_block;
    /** Blocks between subsidy halvings (210000; regtest 150). */
    int subsidy_halving_interval{210000};
    /**
     * Blocks validated with other script flags than their height implies: the BIP-16
     * exception (no flags) and mainnet's taproot exception (P2SH|WITNESS only).
     * Values are ScriptVerifyFlags bits (see script/interpreter.h).
     */
    std::map<Uint256, uint32_t> script_flag_exceptions;
    /** BIP-34 (height in coinbase) activation height and the block at that height. */
    int bip34_height{0};
    Uint256 bip34_hash;
    /** BIP-65 (CHECKLOCKTIMEVERIFY) activation height. */
    int bip65_height{0};
    /** BIP-66 (strict DER signatures) activation height. */
    int bip66_height{0};
    /** BIP-68/112/113 (CSV, relative lock-times, median-time-past) activation height. */
    int csv_height{0};
    /** BIP-141/143/147 (segwit) activation height. */
    int segwit_height{0};
    /**
     * Height from which taproot (BIP-341/342) was enforced on this network, for display
     * (getdeploymentinfo-style reporting) only. Validation never uses it: as in Core, every
     * block is checked with P2SH, WITNESS and TAPROOT except the script_flag_exceptions.
     * Mainnet's is the activation height; testnet3's is a best-known value (Core keeps no
     * constant there: taproot was a BIP-9 deployment on testnet3).
     */
    int taproot_height{0};
    /** BIP-30 exemptions: the two mainnet blocks whose coinbases duplicate earlier ones. */
    std::vector<BlockRef> bip30_exceptions;
    /** Highest target (lowest difficulty) a block may have. */
    Uint256 pow_limit;
    /** Seconds per retarget period (two weeks). */
    int64_t pow_target_timespan{14 * 24 * 60 * 60};
    /** Target seconds between blocks (ten minutes). */
    int64_t pow_target_spacing{10 * 60};
    /** Testnets: a block more than 20 minutes after its parent may use the minimum difficulty. */
    bool pow_allow_min_difficulty_blocks{false};
    /** Regtest: difficulty never changes. */
    bool pow_no_retargeting{false};
    /** BIP-94 (testnet4): retarget from the period's first block and forbid the time-warp. */
    bool enforce_bip94{false};
    /** Blocks before a coinbase output may be spent. */
    int coinbase_maturity{100};
    /** Signet (BIP-325): blocks must carry a solution to this challenge script. */
    bool signet_blocks{false};
    std::vector<uint8_t> signet_challenge;

    /** BIP-9: blocks of a period that must signal to lock a deployment in (1815 of 2016 on mainnet). */
    int rule_change_activation_threshold{1815};
    /** BIP-9: blocks per signalling period (2016; 144 on regtest). */
    int miner_confirmation_window{2016};
    /** BIP-9 deployments, indexed by DeploymentPos. */
    std::array<Bip9Deployment, MAX_VERSION_BITS_DEPLOYMENTS> deployments{};

    const Bip9Deployment& Deployment(DeploymentPos pos) const { return deployments[static_cast<size_t>(pos)]; }
    Bip9Deployment& Deployment(DeploymentPos pos) { return deployments[static_cast<size_t>(pos)]; }

    /** Blocks per retarget period (2016; 144 on regtest). */
    int64_t DifficultyAdjustmentInterval() const { return pow_target_timespan / pow_target_spacing; }
    /** True if the block at height with this hash is exempt from BIP-30. */
    bool IsBip30Exception(int height, const Uint256& hash) const;
};

/** Base58 prefix kinds, indexing ChainParams::base58_prefixes. */
enum class Base58Type { PUBKEY_ADDRESS, SCRIPT_ADDRESS, SECRET_KEY, EXT_PUBLIC_KEY, EXT_SECRET_KEY };

/**
 * Transaction-count statistics of a network at a known time, for estimating sync progress
 * (Core's ChainTxData; the values are the ones Bitcoin Core ships, taken from its
 * `getchaintxstats 4096` at a recent block). All zero on regtest and custom signets.
 */
struct ChainTxData {
    int64_t time{0};      // UNIX time of the last known transaction count
    uint64_t tx_count{0}; // transactions from genesis up to that time
    double tx_rate{0.0};  // estimated transactions per second after that time
};

/** Everything that identifies one network. Obtain the singletons from Params(). */
struct ChainParams {
    ChainType chain_type{ChainType::MAIN};
    ConsensusParams consensus;
    /** The 4 bytes that start every P2P message (and every record in blk*.dat). */
    std::array<uint8_t, 4> message_start{};
    uint16_t default_port{0};
    uint16_t default_rpc_port{0};
    Block genesis;
    /** BIP-173 human-readable part of segwit addresses. */
    std::string bech32_hrp;
    /** Base58Check version bytes, indexed by Base58Type. */
    std::array<std::vector<uint8_t>, 5> base58_prefixes;
    /** Sub-folder of the data directory ("" for mainnet). */
    std::string data_dir_name;
    /** For GuessVerificationProgress. */
    ChainTxData chain_tx_data;

    const std::vector<uint8_t>& Base58Prefix(Base58Type t) const { return base58_prefixes[static_cast<size_t>(t)]; }
    const Block& GenesisBlock() const { return genesis; }
};

/** The parameters of a network: process-wide immutable singletons, safe from any thread. */
const ChainParams& Params(ChainType chain);

/**
 * Builds signet parameters for a custom challenge (BIP-325); the default signet's
 * parameters come from Params(ChainType::SIGNET). The message start is derived from it.
 */
ChainParams CreateSignetParams(const std::vector<uint8_t>& challenge);

/**
 * Builds a genesis block the way all Bitcoin networks do: one coinbase whose scriptSig
 * pushes 486604799, the byte 4 and the message, paying reward to output_script.
 */
Block CreateGenesisBlock(std::string_view message, const Script& output_script, uint32_t time, uint32_t nonce,
                         uint32_t bits, int32_t version, Amount reward);

/** BIP-325: message start = first 4 bytes of double-SHA256 of the length-prefixed challenge. */
std::array<uint8_t, 4> SignetMessageStart(const std::vector<uint8_t>& challenge);

} // namespace consensus
