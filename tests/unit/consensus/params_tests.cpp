// Network parameters: genesis blocks built from their real coinbases hash to the
// well-known values; names, ports, prefixes and the signet message start are Core's.
#include "consensus/hex.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "consensus/serialize.h"

#include <catch2/catch.hpp>

using namespace consensus;

namespace {

struct GenesisCase {
    ChainType chain;
    std::string hash;
    std::string merkle_root;
};

const std::vector<GenesisCase> GENESIS = {
    {ChainType::MAIN, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"},
    {ChainType::TESTNET, "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"},
    {ChainType::TESTNET4, "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
     "7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e"},
    {ChainType::SIGNET, "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"},
    {ChainType::REGTEST, "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
     "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"},
};

} // namespace

TEST_CASE("Every network's genesis block hashes to its well-known value", "[consensus]")
{
    for (const auto& g : GENESIS) {
        INFO(ChainTypeToString(g.chain));
        const ChainParams& p = Params(g.chain);
        CHECK(p.genesis.GetHash().GetHex() == g.hash);
        CHECK(p.genesis.merkle_root.GetHex() == g.merkle_root);
        CHECK(BlockMerkleRoot(p.genesis) == p.genesis.merkle_root);
        CHECK(p.consensus.hash_genesis_block == p.genesis.GetHash());
        CHECK(p.genesis.prev_block.IsNull());
        CHECK(p.genesis.version == 1);
        REQUIRE(p.genesis.vtx.size() == 1);
        CHECK(p.genesis.vtx[0]->IsCoinBase());
        CHECK(p.genesis.vtx[0]->vout[0].value == Amount{50 * COIN.sats});
        CHECK(CheckProofOfWork(p.genesis.GetHash(), p.genesis.bits, p.consensus));
    }
}

TEST_CASE("Mainnet's genesis coinbase carries the Times headline and Satoshi's key", "[consensus]")
{
    const auto& tx = *Params(ChainType::MAIN).genesis.vtx[0];
    CHECK(tx.GetTxid().GetHex() == "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
    CHECK(HexStr(tx.vin[0].script_sig) ==
          "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66"
          "207365636f6e64206261696c6f757420666f722062616e6b73");
    CHECK(tx.vout[0].script_pubkey.size() == 67);
    // The serialized genesis block is 285 bytes.
    CHECK(SerializeToBytes(Params(ChainType::MAIN).genesis).size() == 285);
}

TEST_CASE("Chain type names round-trip and match Core's", "[consensus]")
{
    const std::vector<std::pair<ChainType, std::string>> names = {{ChainType::MAIN, "main"},
                                                                  {ChainType::TESTNET, "test"},
                                                                  {ChainType::TESTNET4, "testnet4"},
                                                                  {ChainType::SIGNET, "signet"},
                                                                  {ChainType::REGTEST, "regtest"}};
    for (const auto& [chain, name] : names) {
        CHECK(ChainTypeToString(chain) == name);
        CHECK(ChainTypeFromString(name) == chain);
        CHECK(Params(chain).chain_type == chain);
    }
    CHECK_FALSE(ChainTypeFromString("testnet"));
    CHECK_FALSE(ChainTypeFromString(""));
    CHECK_FALSE(ChainTypeFromString("Main"));
}

TEST_CASE("Networks have Core's ports, message starts, HRPs and data folders", "[consensus]")
{
    struct Expect {
        ChainType chain;
        uint16_t p2p, rpc;
        std::string magic, hrp, dir;
        uint8_t pubkey_prefix;
    };
    const std::vector<Expect> expect = {
        {ChainType::MAIN, 8333, 8332, "f9beb4d9", "bc", "", 0},
        {ChainType::TESTNET, 18333, 18332, "0b110907", "tb", "testnet3", 111},
        {ChainType::TESTNET4, 48333, 48332, "1c163f28", "tb", "testnet4", 111},
        {ChainType::SIGNET, 38333, 38332, "0a03cf40", "tb", "signet", 111},
        {ChainType::REGTEST, 18444, 18443, "fabfb5da", "bcrt", "regtest", 111},
    };
    for (const auto& e : expect) {
        INFO(ChainTypeToString(e.chain));
        const auto& p = Params(e.chain);
        CHECK(p.default_port == e.p2p);
        CHECK(p.default_rpc_port == e.rpc);
        CHECK(HexStr(p.message_start) == e.magic);
        CHECK(p.bech32_hrp == e.hrp);
        CHECK(p.data_dir_name == e.dir);
        CHECK(p.Base58Prefix(Base58Type::PUBKEY_ADDRESS) == std::vector<uint8_t>{e.pubkey_prefix});
    }
    CHECK(HexStr(Params(ChainType::MAIN).Base58Prefix(Base58Type::EXT_PUBLIC_KEY)) == "0488b21e");
    CHECK(HexStr(Params(ChainType::MAIN).Base58Prefix(Base58Type::EXT_SECRET_KEY)) == "0488ade4");
    CHECK(HexStr(Params(ChainType::TESTNET).Base58Prefix(Base58Type::EXT_PUBLIC_KEY)) == "043587cf");
    CHECK(Params(ChainType::MAIN).Base58Prefix(Base58Type::SCRIPT_ADDRESS) == std::vector<uint8_t>{5});
    CHECK(Params(ChainType::MAIN).Base58Prefix(Base58Type::SECRET_KEY) == std::vector<uint8_t>{128});
}

TEST_CASE("Consensus parameters carry the historical activation heights and exceptions", "[consensus]")
{
    const auto& main = Params(ChainType::MAIN).consensus;
    CHECK(main.subsidy_halving_interval == 210000);
    CHECK(main.bip34_height == 227931);
    CHECK(main.bip65_height == 388381);
    CHECK(main.bip66_height == 363725);
    CHECK(main.csv_height == 419328);
    CHECK(main.segwit_height == 481824);
    CHECK(main.taproot_height == 709632);
    CHECK(main.coinbase_maturity == 100);
    CHECK(main.DifficultyAdjustmentInterval() == 2016);
    CHECK(main.script_flag_exceptions.size() == 2);
    CHECK(main.IsBip30Exception(91842,
                                *Uint256::FromHex("00000000000a4d0a398161ffc163c503763b1f4360639393e0e4c8e300e0caec")));
    CHECK(main.IsBip30Exception(91880,
                                *Uint256::FromHex("00000000000743f190a18c5577a3c2d2a1f610ae9601ac046a38084ccb7cd721")));
    CHECK_FALSE(main.IsBip30Exception(
        91881, *Uint256::FromHex("00000000000743f190a18c5577a3c2d2a1f610ae9601ac046a38084ccb7cd721")));
    CHECK_FALSE(main.pow_allow_min_difficulty_blocks);
    CHECK_FALSE(main.enforce_bip94);

    const auto& reg = Params(ChainType::REGTEST).consensus;
    CHECK(reg.subsidy_halving_interval == 150);
    CHECK(reg.taproot_height == 0);
    CHECK(reg.segwit_height == 0);
    CHECK(reg.pow_no_retargeting);
    CHECK(reg.bip30_exceptions.empty());

    CHECK(Params(ChainType::TESTNET4).consensus.enforce_bip94);
    CHECK(Params(ChainType::TESTNET).consensus.pow_allow_min_difficulty_blocks);
    CHECK(Params(ChainType::SIGNET).consensus.signet_blocks);
    CHECK(HexStr(Params(ChainType::SIGNET).consensus.signet_challenge).substr(0, 6) == "512103");
}

TEST_CASE("A custom signet derives its message start from its challenge", "[consensus]")
{
    const std::vector<uint8_t> challenge = {0x51}; // OP_TRUE
    const ChainParams p = CreateSignetParams(challenge);
    CHECK(p.message_start == SignetMessageStart(challenge));
    CHECK(p.message_start != Params(ChainType::SIGNET).message_start);
    // The genesis block is the same for every signet.
    CHECK(p.genesis.GetHash() == Params(ChainType::SIGNET).genesis.GetHash());
    CHECK(p.consensus.signet_challenge == challenge);
}

TEST_CASE("Params returns the same object on every call", "[consensus]")
{
    CHECK(&Params(ChainType::MAIN) == &Params(ChainType::MAIN));
    CHECK(&Params(ChainType::SIGNET) != &Params(ChainType::TESTNET4));
}
