// Hostile input to the transaction and block decoders: truncation at every offset,
// non-canonical CompactSize, huge claimed counts, a superfluous witness flag and random
// garbage must all throw DecodeError quickly and never crash or allocate hugely.
#include "vectors.h"

#include "consensus/block_check.h"
#include "consensus/hex.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/serialize.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>

using namespace consensus;

namespace {

// Decodes a whole transaction; false if bytes are left over.
bool DecodeTx(std::span<const uint8_t> bytes, TxWitness mode = TxWitness::WITH)
{
    ByteReader r(bytes);
    (void)Transaction::Deserialize(r, mode);
    return r.Empty();
}

bool DecodeBlock(std::span<const uint8_t> bytes)
{
    ByteReader r(bytes);
    (void)Block::Deserialize(r);
    return r.Empty();
}

// A segwit spend with two inputs, two outputs and a multi-item witness.
MutableTransaction SegwitTx()
{
    MutableTransaction tx;
    tx.vin.resize(2);
    tx.vin[0].prevout.hash.data()[0] = 1;
    tx.vin[0].script_sig = Script() << std::vector<uint8_t>(30, 0xab);
    tx.vin[0].witness.stack = {std::vector<uint8_t>(72, 0x30), std::vector<uint8_t>(33, 0x02)};
    tx.vin[1].prevout.hash.data()[0] = 2;
    tx.vin[1].prevout.n = 7;
    tx.vout.emplace_back(Amount{12345}, Script() << OP_DUP << OP_HASH160 << std::vector<uint8_t>(20, 1));
    tx.vout.emplace_back(Amount{0}, Script(std::vector<uint8_t>(300, OP_NOP)));
    tx.locktime = 500000;
    return tx;
}

Block SegwitBlock()
{
    Block block;
    block.version = 0x20000000;
    block.bits = 0x207fffff;
    MutableTransaction cb;
    cb.vin.resize(1);
    cb.vin[0].script_sig = Script() << std::vector<uint8_t>{1, 2, 3};
    cb.vout.emplace_back(Amount{50 * COIN.sats}, Script() << OP_TRUE);
    block.vtx = {MakeTransactionRef(std::move(cb)), MakeTransactionRef(SegwitTx())};
    (void)GenerateCoinbaseCommitment(block);
    block.merkle_root = BlockMerkleRoot(block);
    return block;
}

void RequireEveryTruncationThrows(const std::vector<uint8_t>& full, bool is_block)
{
    REQUIRE((is_block ? DecodeBlock(full) : DecodeTx(full)));
    for (size_t len = 0; len < full.size(); ++len) {
        INFO("truncated to " << len << " of " << full.size() << " bytes");
        const std::span<const uint8_t> prefix(full.data(), len);
        if (is_block) {
            REQUIRE_THROWS_AS(DecodeBlock(prefix), DecodeError);
        } else {
            REQUIRE_THROWS_AS(DecodeTx(prefix), DecodeError);
        }
    }
}

std::vector<uint8_t> Hex(const std::string& h) { return testutil::ParseHexOrFail(h); }

} // namespace

TEST_CASE("A transaction truncated at any byte throws DecodeError", "[decode]")
{
    RequireEveryTruncationThrows(SerializeToBytes(Transaction(SegwitTx())), false);
    RequireEveryTruncationThrows(SerializeToBytes(*Params(ChainType::MAIN).genesis.vtx[0]), false);
}

TEST_CASE("A block truncated at any byte throws DecodeError", "[decode]")
{
    RequireEveryTruncationThrows(SerializeToBytes(SegwitBlock()), true);
    RequireEveryTruncationThrows(SerializeToBytes(Params(ChainType::TESTNET4).genesis), true);
    std::vector<uint8_t> header_only = SerializeToBytes(Params(ChainType::MAIN).genesis.Header());
    CHECK_THROWS_AS(DecodeBlock(header_only), DecodeError);
}

TEST_CASE("Non-canonical CompactSize encodings throw DecodeError", "[decode]")
{
    const std::vector<std::string> bad = {
        "fdfc00",              // 252 in three bytes
        "fd0000",              // 0 in three bytes
        "feffff0000",          // 0xffff in five bytes
        "ff ffffffff00000000", // 0xffffffff in nine bytes (space removed below)
    };
    for (auto h : bad) {
        h.erase(std::remove(h.begin(), h.end(), ' '), h.end());
        INFO(h);
        const auto bytes = Hex(h);
        ByteReader r(bytes);
        CHECK_THROWS_AS(ReadCompactSize(r), DecodeError);
    }
    // Canonical boundaries decode.
    for (const auto& [h, v] : std::vector<std::pair<std::string, uint64_t>>{
             {"fc", 252}, {"fdfd00", 253}, {"fdffff", 0xffff}, {"fe00000100", 0x10000}}) {
        const auto bytes = Hex(h);
        ByteReader r(bytes);
        CHECK(ReadCompactSize(r) == v);
    }
    // Above MAX_SIZE.
    const auto big = Hex("fe01000002");
    ByteReader r(big);
    CHECK_THROWS_AS(ReadCompactSize(r), DecodeError);
    // Inside a transaction: the input count 1 written as fd0100.
    CHECK_THROWS_AS(DecodeTx(Hex("01000000"
                                 "fd0100" +
                                 std::string(72, '0') +
                                 "00"
                                 "ffffffff"
                                 "00"
                                 "00000000")),
                    DecodeError);
}

TEST_CASE("Huge claimed element counts throw DecodeError without allocating", "[decode]")
{
    const auto start = std::chrono::steady_clock::now();
    const std::vector<std::string> hostile = {
        "01000000"
        "fe00000002", // 32M inputs claimed, none present
        "01000000"
        "feffffff01", // just under MAX_SIZE inputs
        "01000000"
        "ffffffffffffffffff", // 2^64-1 inputs
        "01000000"
        "00"
        "01"
        "fe00000002", // segwit: 32M inputs
        "01000000"
        "01" +
            std::string(72, '0') + "fe00000001", // scriptSig of 16 MB claimed
        "01000000"
        "0001"
        "01" +
            std::string(72, '0') +
            "00"
            "ffffffff"
            "00"
            "fe00000002", // 32M witness items
        "01000000"
        "0001"
        "01" +
            std::string(72, '0') +
            "00"
            "ffffffff"
            "00"
            "01"
            "fe00000002", // 32 MB item
    };
    for (const auto& h : hostile) {
        INFO(h);
        CHECK_THROWS_AS(DecodeTx(Hex(h)), DecodeError);
    }
    // A block header followed by a claim of 2^25 transactions.
    auto block = SerializeToBytes(Params(ChainType::MAIN).genesis.Header());
    for (uint8_t b : Hex("fe00000002")) block.push_back(b);
    CHECK_THROWS_AS(DecodeBlock(block), DecodeError);
    block.resize(BlockHeader::SIZE);
    for (uint8_t b : Hex("ffffffffffffffffff")) block.push_back(b);
    CHECK_THROWS_AS(DecodeBlock(block), DecodeError);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(elapsed < std::chrono::seconds(2));
}

TEST_CASE("A superfluous or unknown witness flag throws DecodeError", "[decode]")
{
    // Marker and flag, one input, one output, an empty witness: the witness is superfluous.
    const std::string in = "01" + std::string(64, '1') +
                           "00000000"
                           "00"
                           "ffffffff";
    const std::string out = "01"
                            "0000000000000000"
                            "00";
    CHECK_THROWS_AS(DecodeTx(Hex("02000000"
                                 "0001" +
                                 in + out +
                                 "00"
                                 "00000000")),
                    DecodeError);
    // Unknown flag bits.
    CHECK_THROWS_AS(DecodeTx(Hex("02000000"
                                 "0002" +
                                 in + out + "00000000")),
                    DecodeError);
    CHECK_THROWS_AS(DecodeTx(Hex("02000000"
                                 "0003" +
                                 in + out +
                                 "0101ff"
                                 "00000000")),
                    DecodeError);
    // The same with a non-empty witness decodes.
    CHECK(DecodeTx(Hex("02000000"
                       "0001" +
                       in + out +
                       "0101ff"
                       "00000000")));
    // Without witness support the marker reads as zero inputs, then a bogus output count.
    CHECK_FALSE(DecodeTx(Hex("02000000"
                             "0001" +
                             in + out +
                             "0101ff"
                             "00000000"),
                         TxWitness::WITHOUT));
}

TEST_CASE("Random garbage either decodes or throws DecodeError, never crashes", "[decode]")
{
    std::mt19937 rng(20240503);
    size_t decoded = 0;
    size_t rejected = 0;
    const auto try_all = [&](const std::vector<uint8_t>& bytes) {
        for (int kind = 0; kind < 2; ++kind) {
            try {
                if (kind == 0) {
                    (void)DecodeTx(bytes);
                } else {
                    (void)DecodeBlock(bytes);
                }
                ++decoded;
            } catch (const DecodeError&) {
                ++rejected;
            }
        }
    };
    for (int i = 0; i < 3000; ++i) {
        std::vector<uint8_t> bytes(rng() % 400);
        for (auto& b : bytes) b = static_cast<uint8_t>(rng());
        // Bias some inputs towards plausible structure: small counts after the version.
        if (bytes.size() > 6 && i % 3 == 0) {
            bytes[4] = static_cast<uint8_t>(rng() % 3);
            bytes[5] = static_cast<uint8_t>(rng() % 3);
        }
        REQUIRE_NOTHROW(try_all(bytes));
    }
    // Mutations of a valid segwit block: flip, insert and delete bytes.
    const auto valid = SerializeToBytes(SegwitBlock());
    for (int i = 0; i < 3000; ++i) {
        std::vector<uint8_t> bytes = valid;
        const size_t pos = rng() % bytes.size();
        switch (i % 3) {
        case 0: bytes[pos] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 1: bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(pos), static_cast<uint8_t>(rng())); break;
        default: bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(pos)); break;
        }
        REQUIRE_NOTHROW(try_all(bytes));
    }
    std::cout << "decode fuzz: " << decoded << " decoded, " << rejected << " rejected" << std::endl;
    CHECK(rejected > 0);
}

TEST_CASE("SerializeToBytes (sized first, then written in place) equals appending serialization", "[decode]")
{
    const Block block = SegwitBlock();
    std::vector<uint8_t> appended;
    ByteWriter w(appended);
    block.Serialize(w);
    const std::vector<uint8_t> sized = SerializeToBytes(block);
    CHECK(sized == appended);
    CHECK(sized.size() == SerializedSize(block));
    // The round trip reproduces the block.
    ByteReader r(sized);
    CHECK(Block::Deserialize(r).GetHash() == block.GetHash());

    // Sizes counted while hashing equal what serialization writes.
    CHECK(GetBlockTotalSize(block) == sized.size());
    SizeCounter stripped;
    block.Serialize(stripped, TxWitness::WITHOUT);
    CHECK(GetBlockStrippedSize(block) == stripped.Size());
    CHECK(GetBlockStrippedSize(block) < GetBlockTotalSize(block));
    for (const auto& tx : block.vtx) {
        SizeCounter with, without;
        tx->Serialize(with, TxWitness::WITH);
        tx->Serialize(without, TxWitness::WITHOUT);
        CHECK(tx->GetTotalSize() == with.Size());
        CHECK(tx->GetStrippedSize() == without.Size());
    }

    std::vector<uint8_t> small(10);
    SpanWriter sw(small);
    CHECK_THROWS_AS(block.Serialize(sw), std::logic_error);
}
