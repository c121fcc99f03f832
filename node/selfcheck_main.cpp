// minicash-selfcheck: checks the consensus library on this machine. It rebuilds every
// network's genesis block and compares its hash with the network's parameters, then
// optionally validates Core-format block files (magic, length, block) given on the
// command line: parse, re-serialize, proof of work, merkle root, CheckBlock, linkage.
#include "consensus/block_check.h"
#include "consensus/hex.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "consensus/serialize.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

using namespace consensus;

namespace {

bool CheckGenesisBlocks()
{
    bool ok = true;
    for (ChainType chain :
         {ChainType::MAIN, ChainType::TESTNET, ChainType::TESTNET4, ChainType::SIGNET, ChainType::REGTEST}) {
        const ChainParams& params = Params(chain);
        const Block& genesis = params.GenesisBlock();
        const Uint256 hash = genesis.GetHash();
        const ValidationResult res = CheckBlock(genesis, params.consensus);
        const bool good = hash == params.consensus.hash_genesis_block && res.IsValid();
        std::printf("%-9s genesis %s %s\n", ChainTypeToString(chain).c_str(), hash.GetHex().c_str(),
                    good ? "ok" : ("FAIL " + res.ToString()).c_str());
        ok = ok && good;
    }
    return ok;
}

/** Validates every block record in a blk file; returns false on the first bad block. */
bool CheckBlockFile(const std::string& path, const ChainParams& params)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot open %s\n", path.c_str());
        return false;
    }
    const std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto start = std::chrono::steady_clock::now();
    ByteReader reader(data);
    Uint256 prev = params.consensus.hash_genesis_block;
    size_t count = 0;
    while (reader.Remaining() >= 8) {
        auto magic = reader.ReadSpan(4);
        if (std::memcmp(magic.data(), params.message_start.data(), 4) != 0) {
            if (std::all_of(magic.begin(), magic.end(), [](uint8_t b) { return b == 0; })) break; // preallocated tail
            std::fprintf(stderr, "%s: bad magic at offset %zu\n", path.c_str(), reader.Position() - 4);
            return false;
        }
        const uint32_t len = ReadLE32(reader);
        if (len < BlockHeader::SIZE || len > reader.Remaining()) {
            std::fprintf(stderr, "%s: bad record length %u\n", path.c_str(), len);
            return false;
        }
        const auto record = reader.ReadSpan(len);
        try {
            ByteReader br(record);
            const Block block = Block::Deserialize(br);
            if (!br.Empty()) throw DecodeError("trailing bytes after block");
            std::vector<uint8_t> again;
            ByteWriter w(again);
            block.Serialize(w);
            const bool same = again.size() == record.size() && std::equal(again.begin(), again.end(), record.begin());
            const Uint256 hash = block.GetHash();
            if (hash == params.consensus.hash_genesis_block) continue; // the genesis record, if present
            const ValidationResult res = CheckBlock(block, params.consensus);
            if (!same || !res.IsValid() || block.prev_block != prev) {
                std::fprintf(stderr, "block %s: %s\n", hash.GetHex().c_str(),
                             !same            ? "does not re-serialize identically"
                             : !res.IsValid() ? res.ToString().c_str()
                                              : "does not link to the previous block");
                return false;
            }
            prev = hash;
            ++count;
        } catch (const DecodeError& e) {
            std::fprintf(stderr, "%s: undecodable block: %s\n", path.c_str(), e.what());
            return false;
        }
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s: %zu blocks valid and linked, tip %s (%.3f s)\n", path.c_str(), count, prev.GetHex().c_str(), secs);
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    ChainType chain = ChainType::MAIN;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "-h" || arg == "-help" || arg == "--help") {
            std::printf("Usage: minicash-selfcheck [-chain=<main|test|testnet4|signet|regtest>] [blkfile ...]\n"
                        "Checks every network's genesis block, then validates the given Core-format block files\n"
                        "(uncompressed blk*.dat: magic, length, block) in order from the chain's genesis.\n");
            return 0;
        }
        if (arg.rfind("-chain=", 0) == 0) {
            const auto c = ChainTypeFromString(arg.substr(7));
            if (!c) {
                std::fprintf(stderr, "Error: unknown chain '%s'\n", arg.substr(7).c_str());
                return 1;
            }
            chain = *c;
        } else if (!arg.empty() && arg[0] == '-') {
            std::fprintf(stderr, "Error: unknown option '%s' (see -help)\n", arg.c_str());
            return 1;
        } else {
            files.push_back(arg);
        }
    }
    bool ok = CheckGenesisBlocks();
    for (const auto& f : files) ok = CheckBlockFile(f, Params(chain)) && ok;
    std::printf("%s\n", ok ? "self-check passed" : "self-check FAILED");
    return ok ? 0 : 1;
}
