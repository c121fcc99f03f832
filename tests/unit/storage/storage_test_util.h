// Helpers for the storage tests: a temporary directory removed at scope exit, an
// in-memory backing coins view that records what it was asked to write, and
// hand-built transactions and blocks.
#pragma once

#include "consensus/primitives/block.h"
#include "node/storage/coins_cache.h"

#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <unistd.h>

namespace storage_test {

/** A fresh directory under the system temp dir, removed (recursively) on destruction. */
class TempDir {
public:
    TempDir()
    {
        static std::atomic<int> counter{0};
        std::random_device rd;
        m_path = std::filesystem::temp_directory_path() / ("minicash_storage_" + std::to_string(::getpid()) + "_" +
                                                           std::to_string(counter++) + "_" + std::to_string(rd()));
        std::filesystem::create_directories(m_path);
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& Path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

/** A hash whose first bytes are a and b (distinct, easy to order). */
inline consensus::Uint256 TestHash(uint8_t a, uint8_t b = 0)
{
    consensus::Uint256 h;
    h.data()[0] = a;
    h.data()[1] = b;
    h.data()[31] = 0x5a;
    return h;
}

/** An unspent coin paying value to a small script whose bytes depend on tag. */
inline consensus::Coin TestCoin(int64_t value, uint32_t height = 1, bool coinbase = false, uint8_t tag = 1)
{
    consensus::Script spk;
    spk << consensus::OP_DUP << std::vector<uint8_t>(20, tag);
    return consensus::Coin(consensus::TxOut(consensus::Amount{value}, spk), height, coinbase);
}

/** In-memory CoinsViewBacked that applies batches and keeps a copy of the last one. */
class MemoryCoinsView : public node::CoinsViewBacked {
public:
    std::optional<consensus::Coin> GetCoin(const consensus::OutPoint& outpoint) const override
    {
        ++lookups;
        auto it = coins.find(outpoint);
        if (it == coins.end()) return std::nullopt;
        return it->second;
    }
    consensus::Uint256 GetBestBlock() const override { return best; }
    bool BatchWrite(node::CoinsMap& map, const consensus::Uint256& best_block) override
    {
        last_batch.clear();
        for (auto& [op, entry] : map) {
            if (!(entry.flags & node::CoinsCacheEntry::DIRTY)) continue;
            last_batch[op] = entry;
            if (entry.coin.IsSpent()) {
                coins.erase(op);
            } else {
                coins[op] = entry.coin;
            }
        }
        best = best_block;
        ++batches;
        return !fail;
    }

    std::map<consensus::OutPoint, consensus::Coin> coins;
    std::map<consensus::OutPoint, node::CoinsCacheEntry> last_batch;
    consensus::Uint256 best;
    mutable int lookups{0};
    int batches{0};
    bool fail{false};
};

/** A coinbase at height with n_out spendable outputs (and an optional OP_RETURN one). */
inline consensus::MutableTransaction TestCoinbase(uint32_t height, int n_out = 1, bool op_return = false)
{
    consensus::MutableTransaction tx;
    tx.vin.resize(1);
    tx.vin[0].script_sig = consensus::Script().PushInt(height).PushInt(7);
    for (int i = 0; i < n_out; ++i) {
        tx.vout.emplace_back(consensus::Amount{50 * consensus::COIN.sats / n_out}, consensus::Script()
                                                                                       << consensus::OP_TRUE);
    }
    if (op_return) tx.vout.emplace_back(consensus::Amount{0}, consensus::Script() << consensus::OP_RETURN);
    return tx;
}

/** A spend of prev:n with n_out outputs and, if witness, a witness stack (segwit serialization). */
inline consensus::MutableTransaction TestSpend(const consensus::Uint256& prev, uint32_t n, int n_out, bool witness,
                                               uint8_t tag)
{
    consensus::MutableTransaction tx;
    tx.vin.resize(1);
    tx.vin[0].prevout = consensus::OutPoint(prev, n);
    tx.vin[0].script_sig = consensus::Script() << std::vector<uint8_t>(10, tag);
    if (witness) tx.vin[0].witness.stack = {std::vector<uint8_t>(33, tag), std::vector<uint8_t>(5, 0x01)};
    for (int i = 0; i < n_out; ++i) {
        consensus::Script spk;
        spk << consensus::OP_0 << std::vector<uint8_t>(20, uint8_t(tag + i));
        tx.vout.emplace_back(consensus::Amount{1000 + i}, spk);
    }
    return tx;
}

/** A block on prev at height with a coinbase and n_spends spends (every other one with a witness). */
inline consensus::Block TestBlock(const consensus::Uint256& prev, uint32_t height, int n_spends)
{
    consensus::Block block;
    block.version = 0x20000000;
    block.prev_block = prev;
    block.time = 1600000000 + height * 600;
    block.bits = 0x207fffff;
    block.nonce = height;
    block.vtx.push_back(consensus::MakeTransactionRef(TestCoinbase(height)));
    for (int i = 0; i < n_spends; ++i) {
        block.vtx.push_back(consensus::MakeTransactionRef(
            TestSpend(TestHash(uint8_t(height), uint8_t(i)), uint32_t(i), 1 + i % 3, i % 2 == 1, uint8_t(height + i))));
    }
    block.merkle_root = block.vtx[0]->GetTxid(); // not checked by storage
    return block;
}

/** Serialized bytes of a block (with witness). */
inline std::vector<uint8_t> BlockBytes(const consensus::Block& block) { return consensus::SerializeToBytes(block); }

} // namespace storage_test
