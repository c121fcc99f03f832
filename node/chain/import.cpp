// Block files in: -loadblock (Core-format blk files from elsewhere), and -reindex
// (rebuild the block index and chainstate from our own blk files, blocks staying where
// they are). Records are framed as (magic, LE32 length, block); garbage between records
// is skipped by scanning for the next magic, and blocks whose parent is not known yet
// wait in a bounded map until it arrives.
#include "node/chain/chainstate_impl.h"

#include "consensus/limits.h"

#include <cstdio>
#include <cstring>
#include <fstream>

namespace node::chain {

namespace {

/** Blocks whose parent has not been seen yet, keyed by the parent hash. Bounded. */
struct OrphanBlocks {
    static constexpr size_t MAX_BYTES = 256u << 20;
    std::multimap<consensus::Uint256, std::pair<std::shared_ptr<const consensus::Block>, FlatFilePos>> by_parent;
    size_t bytes{0};

    bool Add(std::shared_ptr<const consensus::Block> b, const FlatFilePos& pos, size_t size)
    {
        if (bytes + size > MAX_BYTES) return false;
        bytes += size;
        by_parent.emplace(b->prev_block, std::make_pair(std::move(b), pos));
        return true;
    }
};

/** Progress reporter: a line every few seconds with height, rate and cache use. */
class Progress {
public:
    explicit Progress(std::string what) : m_what(std::move(what)), m_start(std::chrono::steady_clock::now()), m_last(m_start) {}
    void Tick(Chainstate& cs, size_t accepted, bool force = false)
    {
        const auto now = std::chrono::steady_clock::now();
        if (!force && now - m_last < std::chrono::seconds(5)) return;
        m_last = now;
        const double secs = std::chrono::duration<double>(now - m_start).count();
        const TipSnapshot tip = cs.GetTipSnapshot();
        const auto [cache_bytes, cache_entries] = cs.CoinsCacheUsage();
        const BlockIndex* tip_index = cs.Tip();
        CHAIN_LOG("%s: %zu blocks, height=%d progress=%.6f %.1f blocks/s cache=%.1fMiB(%zutxo)\n", m_what.c_str(),
                  accepted, tip.height, cs.GuessVerificationProgress(tip_index), secs > 0 ? accepted / secs : 0.0,
                  cache_bytes / 1048576.0, cache_entries);
    }

private:
    std::string m_what;
    std::chrono::steady_clock::time_point m_start, m_last;
};

} // namespace

size_t Chainstate::LoadExternalBlockFile(const std::filesystem::path& path, const std::atomic<bool>& interrupt)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        CHAIN_LOG("Error: cannot open block file %s\n", path.string().c_str());
        return 0;
    }
    CHAIN_LOG("Importing blocks from %s\n", path.string().c_str());
    const auto& magic = m_params->message_start;
    OrphanBlocks orphans;
    Progress progress("Importing " + path.filename().string());
    size_t accepted = 0;
    std::vector<uint8_t> buf;
    while (!interrupt.load()) {
        // Find the next magic (tolerates padding and garbage between records).
        size_t matched = 0;
        char c;
        while (matched < 4 && in.get(c)) {
            if (static_cast<uint8_t>(c) == magic[matched]) {
                ++matched;
            } else {
                matched = static_cast<uint8_t>(c) == magic[0] ? 1 : 0;
            }
        }
        if (matched < 4) break;
        uint8_t lenbuf[4];
        if (!in.read(reinterpret_cast<char*>(lenbuf), 4)) break;
        const uint32_t len = uint32_t(lenbuf[0]) | uint32_t(lenbuf[1]) << 8 | uint32_t(lenbuf[2]) << 16 |
                             uint32_t(lenbuf[3]) << 24;
        if (len < consensus::BlockHeader::SIZE || len > consensus::MAX_BLOCK_SERIALIZED_SIZE) continue;
        buf.resize(len);
        if (!in.read(reinterpret_cast<char*>(buf.data()), len)) break;
        std::shared_ptr<const consensus::Block> block;
        try {
            consensus::ByteReader r(buf);
            block = std::make_shared<const consensus::Block>(consensus::Block::Deserialize(r));
        } catch (const consensus::DecodeError& e) {
            CHAIN_LOG("Skipping an undecodable block record in %s: %s\n", path.string().c_str(), e.what());
            continue;
        }
        if (!LookupBlockIndex(block->prev_block) && block->GetHash() != m_params->consensus.hash_genesis_block) {
            if (!orphans.Add(block, FlatFilePos{}, len)) CHAIN_LOG("Dropping an out-of-order block: buffer full\n");
            continue;
        }
        std::deque<std::shared_ptr<const consensus::Block>> queue{block};
        while (!queue.empty()) {
            auto b = queue.front();
            queue.pop_front();
            bool is_new = false;
            const consensus::ValidationResult r = ProcessNewBlock(b, &is_new);
            if (is_new && r.IsValid()) ++accepted;
            if (!r.IsValid() && r.GetRejectReason() != "duplicate") {
                CHAIN_LOG("Block %s from %s: %s\n", b->GetHash().GetHex().c_str(), path.string().c_str(),
                          r.ToString().c_str());
            }
            auto range = orphans.by_parent.equal_range(b->GetHash());
            for (auto it = range.first; it != range.second; ++it) queue.push_back(it->second.first);
            orphans.by_parent.erase(range.first, range.second);
        }
        progress.Tick(*this, accepted);
    }
    progress.Tick(*this, accepted, true);
    Flush();
    return accepted;
}

size_t Chainstate::ImportBlocks(const std::vector<std::filesystem::path>& loadblock_files,
                                const std::atomic<bool>& interrupt)
{
    Impl& d = *m_impl;
    d.importing = true;
    size_t total = 0;
    if (d.opts.reindex) {
        // Rebuild the index from our own files; blocks stay where they are.
        CHAIN_LOG("Reindexing block files\n");
        Progress progress("Reindexing");
        std::vector<BlockFileInfo> infos;
        OrphanBlocks orphans;
        for (int file = 0; !interrupt.load(); ++file) {
            const auto path = d.blocks->BlockFilePath(file);
            std::ifstream in(path, std::ios::binary);
            if (!in) break;
            BlockFileInfo info;
            std::vector<uint8_t> buf;
            while (true) {
                uint8_t head[8];
                const std::streamoff record_start = in.tellg();
                if (!in.read(reinterpret_cast<char*>(head), 8)) break;
                if (std::memcmp(head, m_params->message_start.data(), 4) != 0) break; // end of records
                const uint32_t len = uint32_t(head[4]) | uint32_t(head[5]) << 8 | uint32_t(head[6]) << 16 |
                                     uint32_t(head[7]) << 24;
                if (len < consensus::BlockHeader::SIZE || len > consensus::MAX_BLOCK_SERIALIZED_SIZE) break;
                buf.resize(len);
                if (!in.read(reinterpret_cast<char*>(buf.data()), len)) break; // torn record after a crash
                std::shared_ptr<const consensus::Block> block;
                try {
                    consensus::ByteReader r(buf);
                    block = std::make_shared<const consensus::Block>(consensus::Block::Deserialize(r));
                } catch (const consensus::DecodeError&) {
                    break;
                }
                const FlatFilePos pos{file, static_cast<uint32_t>(record_start + 8)};
                info.size = static_cast<uint32_t>(record_start + 8 + len);
                std::deque<std::pair<std::shared_ptr<const consensus::Block>, FlatFilePos>> queue{{block, pos}};
                std::lock_guard lock(d.mutex);
                if (!d.Lookup(block->prev_block) && block->GetHash() != m_params->consensus.hash_genesis_block) {
                    orphans.Add(block, pos, len);
                    continue;
                }
                while (!queue.empty()) {
                    auto [b, p] = queue.front();
                    queue.pop_front();
                    BlockIndex* index = nullptr;
                    bool is_new = false;
                    auto r = d.AcceptBlock(b, &is_new, &p, &index);
                    if (r.IsValid() && is_new) {
                        ++total;
                        if (p.file == file) info.AddBlock(static_cast<uint32_t>(index->height), b->time);
                        r = d.ActivateBestChainLocked(b);
                    }
                    auto range = orphans.by_parent.equal_range(b->GetHash());
                    for (auto it = range.first; it != range.second; ++it) queue.push_back(it->second);
                    orphans.by_parent.erase(range.first, range.second);
                }
            }
            infos.push_back(info);
            // Record what is in this file so new blocks are appended after it.
            {
                std::lock_guard lock(d.mutex);
                d.blocks->LoadFileInfo(infos, file);
                std::vector<std::pair<int, BlockFileInfo>> files;
                for (size_t i = 0; i < infos.size(); ++i) files.emplace_back(static_cast<int>(i), infos[i]);
                d.tree->WriteBatch(files, file, {});
            }
            DeliverEvents();
            progress.Tick(*this, total);
        }
        if (infos.empty()) {
            // No block files at all: start from the genesis block.
            std::lock_guard lock(d.mutex);
            auto genesis = std::make_shared<const consensus::Block>(m_params->GenesisBlock());
            auto r = d.AcceptBlock(genesis, nullptr, nullptr, nullptr);
            if (r.IsValid()) r = d.ActivateBestChainLocked(genesis);
        }
        progress.Tick(*this, total, true);
        if (!interrupt.load()) {
            std::lock_guard lock(d.mutex);
            d.FlushLocked(true);
            d.tree->WriteReindexing(false);
            d.opts.reindex = false;
        }
    } else {
        // -reindex-chainstate, or blocks stored but not yet connected after a crash.
        if (const auto r = ActivateBestChain(); !r.IsValid()) CHAIN_LOG("ActivateBestChain: %s\n", r.ToString().c_str());
    }
    for (const auto& f : loadblock_files) {
        if (interrupt.load()) break;
        total += LoadExternalBlockFile(f, interrupt);
    }
    d.importing = false;
    Flush();
    return total;
}

} // namespace node::chain
