// Core's JSON renderings of scripts and transactions (common/rpc/tx_json, common/rpc/rawtx):
// asm strings, scriptPubKey objects, a real mainnet transaction, spent coins, and hex decoding
// of transactions.
#include "consensus/hex.h"
#include "consensus/params.h"
#include "common/descriptor_util.h"
#include "common/rpc/rawtx.h"
#include "common/rpc/tx_json.h"
#include "common/sign.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace consensus;
using namespace common::rpc;
using namespace common;

namespace {

Script S(const std::string& hex)
{
    auto b = TryParseHex(hex);
    REQUIRE(b);
    return Script(*b);
}

std::vector<std::string> Keys(const Json& obj)
{
    std::vector<std::string> keys;
    for (const auto& [k, v] : obj.items()) keys.push_back(k);
    return keys;
}

// Mainnet block 170, transaction 1: the first bitcoin payment (Satoshi to Hal Finney).
const std::string TX170 =
    "0100000001c997a5e56e104102fa209c6a852dd90660a20b2d9c352423edce25857fcd3704000000004847304402204e45e16932b8af"
    "514961a1d3a1a25fdf3f4f7732e9d624c6c61548ab5fb8cd410220181522ec8eca07de4860a4acdd12909d831cc56cbbac4622082221a8"
    "768d1d0901ffffffff0200ca9a3b00000000434104ae1a62fe09c5f51b13905f07f06b99a2f7159b2225f374cd378d71302fa28414e7aab"
    "37397f554a7df5f142c21c1b7303b8a0626f1baded5c72a704f7e6cd84cac00286bee0000000043410411db93e1dcdb8a016b49840f8c"
    "53bc1eb68a382e97b1482ecad7b148a6909a5cb2e0eaddfb84ccf9744464f82e160bfa9b8b64f9d4c03f999b8643f656b412a3ac0000"
    "0000";

} // namespace

TEST_CASE("ScriptToAsmStr follows Core's formatting rules", "[rpc]")
{
    CHECK(ScriptToAsmStr(S("76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac")) ==
          "OP_DUP OP_HASH160 77bff20c60e522dfaa3350c39b030a5d004e839a OP_EQUALVERIFY OP_CHECKSIG");
    CHECK(ScriptToAsmStr(S("0051604f")) == "0 1 16 -1");
    CHECK(ScriptToAsmStr(S("02e803")) == "1000"); // pushes of <= 4 bytes are numbers
    CHECK(ScriptToAsmStr(S("0100")) == "0");      // even non-minimal ones
    CHECK(ScriptToAsmStr(S("0181")) == "-1");
    CHECK(ScriptToAsmStr(S("04ffffff7f")) == "2147483647");
    CHECK(ScriptToAsmStr(S("050102030405")) == "0102030405"); // longer pushes are hex
    CHECK(ScriptToAsmStr(S("6a0b68656c6c6f20776f726c64")) == "OP_RETURN 68656c6c6f20776f726c64");
    CHECK(ScriptToAsmStr(S("b1b2ba")) == "OP_CHECKLOCKTIMEVERIFY OP_CHECKSEQUENCEVERIFY OP_CHECKSIGADD");
    CHECK(ScriptToAsmStr(S("bbff")) == "OP_UNKNOWN OP_INVALIDOPCODE");
    CHECK(ScriptToAsmStr(S("4c")) == "[error]");
    CHECK(ScriptToAsmStr(S("5102ab")) == "1 [error]");
    CHECK(ScriptToAsmStr(S("")) == "");
}

TEST_CASE("ScriptToAsmStr decodes signature hash types only when asked", "[rpc]")
{
    const std::string sig = "304402204e45e16932b8af514961a1d3a1a25fdf3f4f7732e9d624c6c61548ab5fb8cd410220181522ec8eca"
                            "07de4860a4acdd12909d831cc56cbbac4622082221a8768d1d09";
    const Script script_sig = S("47" + sig + "01");
    CHECK(ScriptToAsmStr(script_sig, true) == sig + "[ALL]");
    CHECK(ScriptToAsmStr(script_sig, false) == sig + "01");
    CHECK(ScriptToAsmStr(S("47" + sig + "83"), true) == sig + "[SINGLE|ANYONECANPAY]");
    CHECK(ScriptToAsmStr(S("47" + sig + "04"), true) == sig + "04"); // undefined hash type
    CHECK(SighashToStr(0x81) == "ALL|ANYONECANPAY");
    CHECK(SighashToStr(0x00) == "");
}

TEST_CASE("ScriptPubKeyToJson lists asm, desc, hex, address and type in Core's order", "[rpc]")
{
    const auto& main = Params(ChainType::MAIN);
    const Json p2pkh = ScriptPubKeyToJson(S("76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac"), main);
    CHECK(Keys(p2pkh) == std::vector<std::string>{"asm", "desc", "hex", "address", "type"});
    CHECK(p2pkh["address"] == "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2");
    CHECK(p2pkh["type"] == "pubkeyhash");
    CHECK(p2pkh["desc"] == AddDescriptorChecksum("addr(1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2)"));

    const Json nulldata = ScriptPubKeyToJson(S("6a0b68656c6c6f20776f726c64"), main);
    CHECK(Keys(nulldata) == std::vector<std::string>{"asm", "desc", "hex", "type"});
    CHECK(nulldata["type"] == "nulldata");

    // decodescript's form: no hex.
    const Json ds = ScriptToJson(S("0014751e76e8199196d454941c45d1b3a323f1433bd6"), main, false, true);
    CHECK(Keys(ds) == std::vector<std::string>{"asm", "desc", "address", "type"});
    CHECK(ds["asm"] == "0 751e76e8199196d454941c45d1b3a323f1433bd6");
    CHECK(ds["address"] == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
}

TEST_CASE("TxToJson renders mainnet block 170's payment like Core", "[rpc]")
{
    const auto& main = Params(ChainType::MAIN);
    auto mtx = DecodeHexTx(TX170);
    REQUIRE(mtx);
    const Transaction tx(*mtx);
    const Json j = TxToJson(tx, main);
    CHECK(Keys(j) == std::vector<std::string>{"txid", "hash", "version", "size", "vsize", "weight", "locktime", "vin",
                                              "vout", "hex"});
    CHECK(j["txid"] == "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16");
    CHECK(j["hash"] == j["txid"]);
    CHECK(j["version"] == 1);
    CHECK(j["size"] == 275);
    CHECK(j["vsize"] == 275);
    CHECK(j["weight"] == 1100);
    CHECK(j["locktime"] == 0);
    REQUIRE(j["vin"].size() == 1);
    const Json& in = j["vin"][0];
    CHECK(Keys(in) == std::vector<std::string>{"txid", "vout", "scriptSig", "sequence"});
    CHECK(in["txid"] == "0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9");
    CHECK(in["vout"] == 0);
    CHECK(in["sequence"] == 4294967295u);
    CHECK(in["scriptSig"]["asm"] ==
          "304402204e45e16932b8af514961a1d3a1a25fdf3f4f7732e9d624c6c61548ab5fb8cd410220181522ec8eca07de4860a4acdd1290"
          "9d831cc56cbbac4622082221a8768d1d09[ALL]");
    REQUIRE(j["vout"].size() == 2);
    CHECK(WriteJson(j["vout"][0]["value"]) == "10.00000000");
    CHECK(WriteJson(j["vout"][1]["value"]) == "40.00000000");
    CHECK(j["vout"][1]["n"] == 1);
    const Json& spk = j["vout"][0]["scriptPubKey"];
    CHECK(Keys(spk) == std::vector<std::string>{"asm", "desc", "hex", "type"}); // bare pubkey: no address
    CHECK(spk["type"] == "pubkey");
    CHECK(spk["asm"] ==
          "04ae1a62fe09c5f51b13905f07f06b99a2f7159b2225f374cd378d71302fa28414e7aab37397f554a7df5f142c21c1b7303b8a0626"
          "f1baded5c72a704f7e6cd84c OP_CHECKSIG");
    CHECK(spk["desc"] ==
          AddDescriptorChecksum("pk(04ae1a62fe09c5f51b13905f07f06b99a2f7159b2225f374cd378d71302fa28414e7aab37397f554a"
                                "7df5f142c21c1b7303b8a0626f1baded5c72a704f7e6cd84c)"));
    CHECK(j["hex"] == TX170);
    // decoderawtransaction's form and a block hash.
    const Json k = TxToJson(tx, main, Uint256::ONE, false);
    CHECK(Keys(k).back() == "blockhash");
}

TEST_CASE("TxToJson shows coinbase inputs and witnesses", "[rpc]")
{
    MutableTransaction mtx;
    mtx.vin.resize(1);
    mtx.vin[0].script_sig = S("03a08601");
    mtx.vin[0].witness.stack.push_back(std::vector<uint8_t>(32, 0));
    mtx.vout.emplace_back(Amount(5000000000), S("51"));
    const Json j = TxToJson(Transaction(mtx), Params(ChainType::REGTEST));
    const Json& in = j["vin"][0];
    CHECK(Keys(in) == std::vector<std::string>{"coinbase", "txinwitness", "sequence"});
    CHECK(in["coinbase"] == "03a08601");
    CHECK(in["txinwitness"][0] == std::string(64, '0'));
    CHECK(j["hash"] != j["txid"]);
    CHECK(j["vsize"] < j["size"]);
}

TEST_CASE("DecodeHexTx accepts either serialization like Core", "[rpc]")
{
    CHECK_FALSE(DecodeHexTx(""));
    CHECK_FALSE(DecodeHexTx("zz"));
    CHECK_FALSE(DecodeHexTx(TX170 + "00")); // trailing bytes
    // No inputs and one output: only the legacy decoding consumes everything.
    MutableTransaction mtx;
    mtx.vout.emplace_back(Amount(100000000), S("0014751e76e8199196d454941c45d1b3a323f1433bd6"));
    std::vector<uint8_t> bytes;
    ByteWriter w(bytes);
    mtx.Serialize(w, TxWitness::WITHOUT);
    auto decoded = DecodeHexTx(HexStr(bytes));
    REQUIRE(decoded);
    CHECK(decoded->vin.empty());
    REQUIRE(decoded->vout.size() == 1);
    CHECK(decoded->vout[0].value == Amount(100000000));
    CHECK_FALSE(DecodeHexTx(HexStr(bytes), false, true));
}

TEST_CASE("TxToJson adds the fee and each input's prevout from the spent coins", "[rpc]")
{
    const auto& main = Params(ChainType::MAIN);
    auto mtx = DecodeHexTx(TX170);
    REQUIRE(mtx);
    const Transaction tx(*mtx);
    // Block 9's coinbase output, which block 170's payment spends (a bare pubkey), here worth
    // 50.001 BTC so that the fee is not zero.
    const Script spk = S("410411db93e1dcdb8a016b49840f8c53bc1eb68a382e97b1482ecad7b148a6909a5cb2e0eaddfb84ccf9744464f8"
                         "2e160bfa9b8b64f9d4c03f999b8643f656b412a3ac");
    const std::vector<Coin> spent{Coin(TxOut(Amount(5000100000), spk), 9, true)};

    const Json details = TxToJson(tx, main, {}, false, &spent, TxVerbosity::SHOW_DETAILS);
    CHECK(Keys(details).back() == "fee");
    CHECK(WriteJson(details["fee"]) == "0.00100000"); // 50.001 in, 10 + 40 out
    CHECK_FALSE(details["vin"][0].contains("prevout"));

    const Json prev = TxToJson(tx, main, {}, false, &spent, TxVerbosity::SHOW_DETAILS_AND_PREVOUT);
    const Json& in = prev["vin"][0];
    CHECK(Keys(in) == std::vector<std::string>{"txid", "vout", "scriptSig", "prevout", "sequence"});
    CHECK(in["prevout"]["generated"] == true);
    CHECK(in["prevout"]["height"] == 9);
    CHECK(WriteJson(in["prevout"]["value"]) == "50.00100000");
    CHECK(in["prevout"]["scriptPubKey"]["type"] == "pubkey");

    // Coins that do not match the inputs one to one are not used.
    const std::vector<Coin> wrong(2, spent[0]);
    const Json none = TxToJson(tx, main, {}, false, &wrong, TxVerbosity::SHOW_DETAILS_AND_PREVOUT);
    CHECK_FALSE(none.contains("fee"));
    CHECK_FALSE(none["vin"][0].contains("prevout"));
}
