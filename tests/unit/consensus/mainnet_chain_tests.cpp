// Real mainnet data read at run time from the shared vectors: every block parses,
// re-serializes byte for byte, has a valid merkle root and proof of work, links to its
// parent and passes CheckBlock; the header file's headers hash and link.
#include "vectors.h"

#include "consensus/block_check.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "consensus/serialize.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <iostream>

using namespace consensus;

namespace {

// Runs every check on consecutive blocks; returns how many passed.
size_t CheckChain(const std::vector<std::vector<uint8_t>>& raw, const Uint256& parent_of_first)
{
    const ChainParams& main = Params(ChainType::MAIN);
    Uint256 prev = parent_of_first;
    size_t checked = 0;
    for (size_t i = 0; i < raw.size(); ++i) {
        INFO("block #" << i << " in file");
        ByteReader r(raw[i]);
        const Block block = Block::Deserialize(r);
        REQUIRE(r.Empty());
        REQUIRE(SerializeToBytes(block) == raw[i]);
        bool mutated = true;
        REQUIRE(BlockMerkleRoot(block, &mutated) == block.merkle_root);
        REQUIRE_FALSE(mutated);
        REQUIRE(CheckProofOfWork(block.GetHash(), block.bits, main.consensus));
        REQUIRE(block.prev_block == prev);
        const ValidationResult res = CheckBlock(block, main.consensus);
        INFO(res.ToString());
        REQUIRE(res.IsValid());
        // Pre-segwit blocks carry no witness data, so this holds with or without segwit.
        REQUIRE(CheckWitnessCommitment(block, false).IsValid());
        prev = block.GetHash();
        ++checked;
    }
    return checked;
}

} // namespace

TEST_CASE("Mainnet blocks 1 to 255 parse, round-trip, link and pass CheckBlock", "[chain]")
{
    REQUIRE_VECTOR(path, "mainnet/blocks1-256.bz2");
    const auto raw = testutil::SplitBlkFile(testutil::ReadBz2File(path), Params(ChainType::MAIN).message_start);
    const size_t checked = CheckChain(raw, Params(ChainType::MAIN).genesis.GetHash());
    std::cout << "mainnet/blocks1-256.bz2: checked " << checked << " blocks" << std::endl;
    // Despite its name the file holds 255 blocks: heights 1 to 255, linked from the genesis.
    testutil::RequireCaseCount("mainnet/blocks1-256.bz2", 255, raw.size(), checked);
}

TEST_CASE("Mainnet blocks 0 to 4 start with our genesis block byte for byte", "[chain]")
{
    REQUIRE_VECTOR(path, "mainnet/blk_0_to_4.dat.bz2");
    const auto raw = testutil::SplitBlkFile(testutil::ReadBz2File(path), Params(ChainType::MAIN).message_start);
    REQUIRE(!raw.empty());
    CHECK(raw[0] == SerializeToBytes(Params(ChainType::MAIN).genesis));
    const size_t checked = CheckChain(raw, Uint256());
    std::cout << "mainnet/blk_0_to_4.dat.bz2: checked " << checked << " blocks" << std::endl;
    testutil::RequireCaseCount("mainnet/blk_0_to_4.dat.bz2", 5, raw.size(), checked);
}

TEST_CASE("Mainnet headers 1 to 11 hash, meet their target and link", "[chain]")
{
    REQUIRE_VECTOR(path, "mainnet/blockheaders-mainnet-1-11.txt");
    std::ifstream in(path);
    REQUIRE(in);
    const auto& main = Params(ChainType::MAIN);
    Uint256 prev = main.genesis.GetHash();
    ArithUint256 work = GetBlockProof(main.genesis.bits);
    size_t in_file = 0, checked = 0;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        ++in_file;
        const auto bytes = testutil::ParseHexOrFail(line);
        REQUIRE(bytes.size() == BlockHeader::SIZE);
        ByteReader r(bytes);
        const BlockHeader header = BlockHeader::Deserialize(r);
        REQUIRE(SerializeToBytes(header) == bytes);
        REQUIRE(header.prev_block == prev);
        REQUIRE(CheckBlockHeader(header, main.consensus).IsValid());
        work += GetBlockProof(header.bits);
        prev = header.GetHash();
        ++checked;
    }
    std::cout << "mainnet/blockheaders-mainnet-1-11.txt: checked " << checked << " headers" << std::endl;
    testutil::RequireCaseCount("mainnet/blockheaders-mainnet-1-11.txt", 11, in_file, checked);
    // Block 11's hash, and the chain work of 12 blocks at difficulty 1.
    CHECK(prev.GetHex() == "0000000097be56d606cdd9c54b04d4747e957d3608abe69198c661f2add73073");
    CHECK(work == ArithUint256(0x100010001ULL) * uint32_t{12});
}
