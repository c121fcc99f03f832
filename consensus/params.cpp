#include "consensus/params.h"

#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/merkle.h"
#include "consensus/script/interpreter.h"

#include <stdexcept>

namespace consensus {

bool ConsensusParams::IsBip30Exception(int height, const Uint256& hash) const
{
    for (const auto& ex : bip30_exceptions) {
        if (ex.height == height && ex.hash == hash) return true;
    }
    return false;
}

namespace {

Uint256 HashFromHex(std::string_view hex)
{
    auto h = Uint256::FromHex(hex);
    if (!h) throw std::logic_error("bad built-in hash constant");
    return *h;
}

std::vector<uint8_t> BytesFromHex(std::string_view hex)
{
    auto b = TryParseHex(hex);
    if (!b) throw std::logic_error("bad built-in hex constant");
    return *b;
}

// Satoshi's coinbase message and output key, shared by main, testnet3, signet and regtest.
constexpr std::string_view SATOSHI_MESSAGE = "The Times 03/Jan/2009 Chancellor on brink of second bailout for banks";
constexpr std::string_view SATOSHI_PUBKEY =
    "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f";

// BIP-325's default signet challenge: a 1-of-2 multisig.
constexpr std::string_view DEFAULT_SIGNET_CHALLENGE =
    "512103ad5e0edad18cb1f0fc0d28a3d4f1f3e445640337489abb10404f2d1e086be430210359ef5021964fe22d6f8e05b2463c9540ce96883fe3b278760f048f5189f2e6c452ae";

Block SatoshiGenesis(uint32_t time, uint32_t nonce, uint32_t bits)
{
    Script out;
    out << BytesFromHex(SATOSHI_PUBKEY) << OP_CHECKSIG;
    return CreateGenesisBlock(SATOSHI_MESSAGE, out, time, nonce, bits, 1, Amount{50 * COIN.sats});
}

void SetTestnetPrefixes(ChainParams& p)
{
    p.base58_prefixes = {std::vector<uint8_t>{111}, std::vector<uint8_t>{196}, std::vector<uint8_t>{239},
                         std::vector<uint8_t>{0x04, 0x35, 0x87, 0xCF}, std::vector<uint8_t>{0x04, 0x35, 0x83, 0x94}};
}

/**
 * Sets a network's BIP-9 deployments as Core's kernel/chainparams.cpp: testdummy on bit 28
 * (never started except on regtest), taproot on bit 2.
 */
void SetDeployments(ConsensusParams& c, int threshold, int window, int64_t dummy_start, Bip9Deployment taproot)
{
    c.rule_change_activation_threshold = threshold;
    c.miner_confirmation_window = window;
    c.Deployment(DeploymentPos::TESTDUMMY) = Bip9Deployment{28, dummy_start, Bip9Deployment::NO_TIMEOUT, 0};
    c.Deployment(DeploymentPos::TAPROOT) = taproot;
}

constexpr Bip9Deployment TAPROOT_ALWAYS{2, Bip9Deployment::ALWAYS_ACTIVE, Bip9Deployment::NO_TIMEOUT, 0};

// A function, not a global, so Params() is safe to call during other files' static initialisation.
Uint256 PowLimitMain() { return HashFromHex("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"); }

ChainParams MakeMain()
{
    ChainParams p;
    p.chain_type = ChainType::MAIN;
    auto& c = p.consensus;
    c.subsidy_halving_interval = 210000;
    // BIP-16 exception: a block that violates P2SH rules, validated without flags.
    c.script_flag_exceptions.emplace(HashFromHex("00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22"),
                                     SCRIPT_VERIFY_NONE);
    // Taproot exception: a block with an invalid taproot spend mined before activation.
    c.script_flag_exceptions.emplace(HashFromHex("0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad"),
                                     SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS);
    c.bip34_height = 227931;
    c.bip34_hash = HashFromHex("000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8");
    c.bip65_height = 388381;
    c.bip66_height = 363725;
    c.csv_height = 419328;
    c.segwit_height = 481824;
    c.taproot_height = 709632;
    // Taproot's Speedy Trial (BIP-341 deployment): April 24th to August 11th 2021, active from 709632.
    SetDeployments(c, 1815, 2016, Bip9Deployment::NEVER_ACTIVE, Bip9Deployment{2, 1619222400, 1628640000, 709632});
    // BIP-30: these two blocks' coinbases overwrote unspent earlier coinbases with the same txid.
    c.bip30_exceptions = {{91842, HashFromHex("00000000000a4d0a398161ffc163c503763b1f4360639393e0e4c8e300e0caec")},
                          {91880, HashFromHex("00000000000743f190a18c5577a3c2d2a1f610ae9601ac046a38084ccb7cd721")}};
    c.pow_limit = PowLimitMain();
    p.message_start = {0xf9, 0xbe, 0xb4, 0xd9};
    p.default_port = 8333;
    p.default_rpc_port = 8332;
    p.genesis = SatoshiGenesis(1231006505, 2083236893, 0x1d00ffff);
    p.bech32_hrp = "bc";
    p.base58_prefixes = {std::vector<uint8_t>{0}, std::vector<uint8_t>{5}, std::vector<uint8_t>{128},
                         std::vector<uint8_t>{0x04, 0x88, 0xB2, 0x1E}, std::vector<uint8_t>{0x04, 0x88, 0xAD, 0xE4}};
    p.data_dir_name = "";
    p.chain_tx_data = {1704194835, 946728933, 6.569290261471664};
    return p;
}

ChainParams MakeTestnet3()
{
    ChainParams p;
    p.chain_type = ChainType::TESTNET;
    auto& c = p.consensus;
    c.script_flag_exceptions.emplace(HashFromHex("00000000dd30457c001f4095d208cc1296b0eed002427aa599874af7a432b105"),
                                     SCRIPT_VERIFY_NONE);
    c.bip34_height = 21111;
    c.bip34_hash = HashFromHex("0000000023b3a96d3484e5abb3755c413e7d41500f8e2a5c3f0dd01299cd8ef8");
    c.bip65_height = 581885;
    c.bip66_height = 330776;
    c.csv_height = 770112;
    c.segwit_height = 834624;
    // Taproot activated on testnet3 through BIP-9 signalling (Core tracks it as a versionbits
    // deployment, not a constant); this is the observed activation height, a period boundary.
    c.taproot_height = 2011968;
    SetDeployments(c, 1512, 2016, Bip9Deployment::NEVER_ACTIVE, Bip9Deployment{2, 1619222400, 1628640000, 0});
    c.pow_limit = PowLimitMain();
    c.pow_allow_min_difficulty_blocks = true;
    p.message_start = {0x0b, 0x11, 0x09, 0x07};
    p.default_port = 18333;
    p.default_rpc_port = 18332;
    p.genesis = SatoshiGenesis(1296688602, 414098458, 0x1d00ffff);
    p.bech32_hrp = "tb";
    SetTestnetPrefixes(p);
    p.data_dir_name = "testnet3";
    p.chain_tx_data = {1703579240, 67845391, 1.464436832560951};
    return p;
}

ChainParams MakeTestnet4()
{
    ChainParams p;
    p.chain_type = ChainType::TESTNET4;
    auto& c = p.consensus;
    c.bip34_height = 1;
    c.bip65_height = 1;
    c.bip66_height = 1;
    c.csv_height = 1;
    c.segwit_height = 1;
    c.taproot_height = 0;
    SetDeployments(c, 1512, 2016, Bip9Deployment::NEVER_ACTIVE, TAPROOT_ALWAYS);
    c.pow_limit = PowLimitMain();
    c.pow_allow_min_difficulty_blocks = true;
    c.enforce_bip94 = true;
    p.message_start = {0x1c, 0x16, 0x3f, 0x28};
    p.default_port = 48333;
    p.default_rpc_port = 48332;
    // Testnet4's genesis commits to a mainnet block hash and pays to an unspendable 33-byte zero key.
    Script out;
    out << std::vector<uint8_t>(33, 0) << OP_CHECKSIG;
    p.genesis = CreateGenesisBlock("03/May/2024 000000000000000000001ebd58c244970b3aa9d783bb001011fbe8ea8e98e00e", out,
                                   1714777860, 393743547, 0x1d00ffff, 1, Amount{50 * COIN.sats});
    p.bech32_hrp = "tb";
    SetTestnetPrefixes(p);
    p.data_dir_name = "testnet4";
    p.chain_tx_data = {1723651702, 757229, 0.01570402633472492};
    return p;
}

ChainParams MakeRegtest()
{
    ChainParams p;
    p.chain_type = ChainType::REGTEST;
    auto& c = p.consensus;
    c.subsidy_halving_interval = 150;
    c.bip34_height = 1;
    c.bip65_height = 1;
    c.bip66_height = 1;
    c.csv_height = 1;
    c.segwit_height = 0;
    c.taproot_height = 0;
    // As Core's regtest: testdummy starts at once and never times out; 108 of 144 blocks lock it in.
    SetDeployments(c, 108, 144, 0, TAPROOT_ALWAYS);
    c.pow_limit = HashFromHex("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    c.pow_target_timespan = 24 * 60 * 60; // one day: 144-block periods, as in current Core
    c.pow_allow_min_difficulty_blocks = true;
    c.pow_no_retargeting = true;
    p.message_start = {0xfa, 0xbf, 0xb5, 0xda};
    p.default_port = 18444;
    p.default_rpc_port = 18443;
    p.genesis = SatoshiGenesis(1296688602, 2, 0x207fffff);
    p.bech32_hrp = "bcrt";
    SetTestnetPrefixes(p);
    p.data_dir_name = "regtest";
    return p;
}

ChainParams Finish(ChainParams p)
{
    p.consensus.hash_genesis_block = p.genesis.GetHash();
    return p;
}

} // namespace

std::array<uint8_t, 4> SignetMessageStart(const std::vector<uint8_t>& challenge)
{
    // Core hashes the challenge serialized as a byte vector, i.e. with its CompactSize length.
    std::vector<uint8_t> ser;
    ByteWriter w(ser);
    WriteBytes(w, challenge);
    const Uint256 h = Hash256(ser);
    return {h.data()[0], h.data()[1], h.data()[2], h.data()[3]};
}

ChainParams CreateSignetParams(const std::vector<uint8_t>& challenge)
{
    ChainParams p;
    p.chain_type = ChainType::SIGNET;
    auto& c = p.consensus;
    c.signet_blocks = true;
    c.signet_challenge = challenge;
    c.bip34_height = 1;
    c.bip65_height = 1;
    c.bip66_height = 1;
    c.csv_height = 1;
    c.segwit_height = 1;
    c.taproot_height = 0;
    SetDeployments(c, 1815, 2016, Bip9Deployment::NEVER_ACTIVE, TAPROOT_ALWAYS);
    c.pow_limit = HashFromHex("00000377ae000000000000000000000000000000000000000000000000000000");
    p.message_start = SignetMessageStart(challenge);
    p.default_port = 38333;
    p.default_rpc_port = 38332;
    p.genesis = SatoshiGenesis(1598918400, 52613770, 0x1e0377ae);
    p.bech32_hrp = "tb";
    SetTestnetPrefixes(p);
    p.data_dir_name = "signet";
    return Finish(std::move(p));
}

Block CreateGenesisBlock(std::string_view message, const Script& output_script, uint32_t time, uint32_t nonce,
                         uint32_t bits, int32_t version, Amount reward)
{
    MutableTransaction tx;
    tx.version = 1;
    tx.vin.resize(1);
    // 486604799 = 0x1d00ffff pushed as a 4-byte number, then the number 4 as a 1-byte push.
    const std::vector<uint8_t> bits_push = {0xff, 0xff, 0x00, 0x1d};
    const std::vector<uint8_t> four_push = {0x04};
    tx.vin[0].script_sig << bits_push << four_push
                         << std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(message.data()), message.size());
    tx.vout.emplace_back(reward, output_script);

    Block genesis;
    genesis.version = version;
    genesis.time = time;
    genesis.bits = bits;
    genesis.nonce = nonce;
    genesis.vtx.push_back(MakeTransactionRef(std::move(tx)));
    genesis.merkle_root = BlockMerkleRoot(genesis);
    return genesis;
}

const ChainParams& Params(ChainType chain)
{
    // Function-local statics: built once, thread-safe initialisation (C++11 magic statics).
    switch (chain) {
    case ChainType::MAIN: {
        static const ChainParams main = Finish(MakeMain());
        return main;
    }
    case ChainType::TESTNET: {
        static const ChainParams test = Finish(MakeTestnet3());
        return test;
    }
    case ChainType::TESTNET4: {
        static const ChainParams test4 = Finish(MakeTestnet4());
        return test4;
    }
    case ChainType::SIGNET: {
        static const ChainParams signet = [] {
            ChainParams p = CreateSignetParams(BytesFromHex(DEFAULT_SIGNET_CHALLENGE));
            p.chain_tx_data = {1706331472, 2425380, 0.008277759863833788};
            return p;
        }();
        return signet;
    }
    case ChainType::REGTEST: {
        static const ChainParams regtest = Finish(MakeRegtest());
        return regtest;
    }
    }
    throw std::invalid_argument("unknown chain type");
}

} // namespace consensus
