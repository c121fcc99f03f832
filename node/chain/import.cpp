// Block files in: -loadblock (Core-format blk files from elsewhere), and -reindex
// (rebuild the block index and chainstate from our own blk files, blocks staying where
// they are). Both read records with BlockFileReader (garbage between records is skipped
// by scanning for the next magic) and keep blocks that come before their parent in
// BlocksWithUnknownParent (positions only) until the parent arrives, as Core's
// LoadExternalBlockFile does; blk files hold blocks in the order they arrived, so
// children before parents are normal.
#include "node/chain/block_file_reader.h"
#include "node/chain/chainstate_impl.h"

#include "consensus/limits.h"

#include <cstdio>
#include <fstream>
#include <limits>

namespace node::chain {

namespace {

/** Decodes a record's payload as exactly one block; nullptr with why set if it is not one. */
std::shared_ptr<const consensus::Block> DecodeBlock(const std::vector<uint8_t>& bytes, std::string& why)
{
    try {
        consensus::ByteReader r(bytes);
        auto block = std::make_shared<const consensus::Block>(consensus::Block::Deserialize(r));
        if (!r.Empty()) {
            why = "trailing bytes after the block";
            return nullptr;
        }
        return block;
    } catch (const consensus::DecodeError& e) {
        why = e.what();
        return nullptr;
    }
}

/** The block of a record just read, or nullptr after logging and rejecting a record that is not one. */
std::shared_ptr<const consensus::Block> DecodeRecordOrSkip(BlockFileReader& reader, const BlockFileRecord& rec,
                                                           const std::string& where)
{
    std::string why;
    auto block = DecodeBlock(rec.bytes, why);
    if (!block) {
        CHAIN_LOG("Skipping a record at byte %llu of %s that is not a block: %s\n",
                  static_cast<unsigned long long>(rec.pos), where.c_str(), why.c_str());
        reader.Reject();
    }
    return block;
}

/** Remembers a block whose parent is unknown, or says (always) why it is dropped. */
void Defer(BlocksWithUnknownParent& waiting, const consensus::Block& block, const BlockRecordPos& pos,
           const std::string& where)
{
    const consensus::Uint256 hash = block.GetHash();
    if (!waiting.Add(block.prev_block, hash, pos)) {
        CHAIN_LOG("Dropping out-of-order block %s from %s: %zu blocks already wait for their parents\n",
                  hash.GetHex().c_str(), where.c_str(), waiting.Size());
        return;
    }
    util::LogDebug(util::LogCategory::REINDEX, "Out of order block %s, parent %s not known\n", hash.GetHex().c_str(),
                   block.prev_block.GetHex().c_str());
}

/** Logs the blocks whose parent never came (up to 10 by name). */
void LogNeverParented(const BlocksWithUnknownParent& waiting, const std::string& where)
{
    if (waiting.Size() == 0) return;
    CHAIN_LOG("%zu blocks from %s were not imported: their parent was not found\n", waiting.Size(), where.c_str());
    size_t shown = 0;
    for (const auto& [parent, entry] : waiting.Waiting()) {
        if (shown++ == 10) break;
        CHAIN_LOG("Block %s: parent %s not found\n", entry.hash.GetHex().c_str(), parent.GetHex().c_str());
    }
}

/** Progress reporter: a line every few seconds with height, rate and cache use. */
class Progress {
public:
    explicit Progress(std::string what)
        : m_what(std::move(what)), m_start(std::chrono::steady_clock::now()), m_last(m_start)
    {}
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

/** Runs a write through run, or here when there is none. */
void RunWrite(const RunOnOwner& run, const std::function<void()>& write)
{
    if (run) {
        run(write);
    } else {
        write();
    }
}

} // namespace

size_t Chainstate::LoadExternalBlockFile(const std::filesystem::path& path, const std::atomic<bool>& interrupt,
                                         const RunOnOwner& run)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        CHAIN_LOG("Error: cannot open block file %s\n", path.string().c_str());
        return 0;
    }
    CHAIN_LOG("Importing blocks from %s\n", path.string().c_str());
    const std::string where = path.string();
    BlockFileReader reader(in, m_params->message_start);
    BlocksWithUnknownParent waiting;
    Progress progress("Importing " + path.filename().string());
    size_t accepted = 0;
    std::string why;
    while (!interrupt.load()) {
        const auto rec = reader.Next();
        if (!rec) break;
        auto block = DecodeRecordOrSkip(reader, *rec, where);
        if (!block) continue;
        if (block->GetHash() != m_params->consensus.hash_genesis_block && !LookupBlockIndex(block->prev_block)) {
            Defer(waiting, *block, BlockRecordPos{0, rec->pos}, where);
            continue;
        }
        // The block, then every block that was waiting for it (read again from the file).
        std::deque<std::shared_ptr<const consensus::Block>> queue;
        queue.push_back(std::move(block));
        while (!queue.empty()) {
            const std::shared_ptr<const consensus::Block> b = std::move(queue.front());
            queue.pop_front();
            bool is_new = false;
            consensus::ValidationResult r;
            RunWrite(run, [&] { r = ProcessNewBlock(b, &is_new); });
            if (is_new && r.IsValid()) ++accepted;
            if (!r.IsValid() &&
                r.GetBlockResult() != consensus::BlockValidationResult::CACHED_INVALID) { // known invalid: said before
                CHAIN_LOG("Block %s from %s: %s\n", b->GetHash().GetHex().c_str(), where.c_str(), r.ToString().c_str());
            }
            for (const auto& child : waiting.TakeChildren(b->GetHash())) {
                const auto bytes = reader.ReadAt(child.pos.pos);
                auto child_block = bytes ? DecodeBlock(*bytes, why) : nullptr;
                if (!child_block) {
                    CHAIN_LOG("Error: cannot read block %s again from %s\n", child.hash.GetHex().c_str(),
                              where.c_str());
                    continue;
                }
                queue.push_back(std::move(child_block));
            }
        }
        progress.Tick(*this, accepted);
    }
    if (reader.Truncated()) CHAIN_LOG("%s ends inside a block record; that record was skipped\n", where.c_str());
    LogNeverParented(waiting, where);
    progress.Tick(*this, accepted, true);
    RunWrite(run, [&] { Flush(); });
    return accepted;
}

size_t Chainstate::ReindexBlockFiles(const std::atomic<bool>& interrupt, const RunOnOwner& run)
{
    Impl& d = *m_impl;
    CHAIN_LOG("Reindexing block files\n");
    Progress progress("Reindexing");
    BlocksWithUnknownParent waiting;
    size_t total = 0;
    std::string why;
    /** A block to accept, where it is and its size (for its file's info). */
    struct Item {
        std::shared_ptr<const consensus::Block> block;
        FlatFilePos pos;
        uint32_t size;
    };
    for (int file = 0; !interrupt.load(); ++file) {
        const auto path = d.BlockReads().BlockFilePath(file);
        std::ifstream in(path, std::ios::binary);
        if (!in) break;
        const std::string where = path.filename().string();
        CHAIN_LOG("Reindexing block file %s...\n", where.c_str());
        BlockFileReader reader(in, m_params->message_start);
        while (!interrupt.load()) {
            const auto rec = reader.Next();
            if (!rec) break;
            if (rec->pos + rec->bytes.size() > std::numeric_limits<uint32_t>::max()) {
                CHAIN_LOG("Error: %s is larger than 4 GiB; the rest of it is not read\n", where.c_str());
                break;
            }
            auto block = DecodeRecordOrSkip(reader, *rec, where);
            if (!block) continue;
            // Accepted (and connected) on the owner; the next record is read once it ran.
            RunWrite(run, [&] {
                LimitNotificationQueue(); // each record is one step under the owner's lock
                util::LockGuard lock(d.mutex);
                if (block->GetHash() != m_params->consensus.hash_genesis_block && !d.Lookup(block->prev_block)) {
                    Defer(waiting, *block, BlockRecordPos{file, rec->pos}, where);
                    return;
                }
                // The block, then every block that was waiting for it (possibly from an earlier file).
                std::deque<Item> queue;
                queue.push_back(Item{std::move(block), FlatFilePos{file, static_cast<uint32_t>(rec->pos)},
                                     static_cast<uint32_t>(rec->bytes.size())});
                while (!queue.empty()) {
                    Item item = std::move(queue.front());
                    queue.pop_front();
                    BlockIndex* index = nullptr;
                    bool is_new = false;
                    consensus::ValidationResult r = d.AcceptBlock(item.block, &is_new, &item.pos, &index);
                    if (r.IsValid() && is_new) {
                        ++total;
                        // Its own file's info, whichever file is being read now (Core's FindBlockPos with fKnown).
                        d.blockman.NoteKnownBlock(item.pos, item.size, static_cast<uint32_t>(index->height),
                                                  item.block->time);
                        r = d.ActivateBestChainLocked(item.block);
                    }
                    if (!r.IsValid()) {
                        CHAIN_LOG("Block %s in %s: %s\n", item.block->GetHash().GetHex().c_str(),
                                  d.blockman.BlockFilePath(item.pos.file).filename().string().c_str(),
                                  r.ToString().c_str());
                    }
                    for (const auto& child : waiting.TakeChildren(item.block->GetHash())) {
                        const FlatFilePos child_pos{child.pos.file, static_cast<uint32_t>(child.pos.pos)};
                        const auto bytes = d.blockman.ReadRawBlock(child_pos);
                        auto child_block = bytes ? DecodeBlock(*bytes, why) : nullptr;
                        if (!child_block) {
                            CHAIN_LOG("Error: cannot read block %s again from %s\n", child.hash.GetHex().c_str(),
                                      d.blockman.BlockFilePath(child.pos.file).filename().string().c_str());
                            continue;
                        }
                        queue.push_back(Item{std::move(child_block), child_pos, static_cast<uint32_t>(bytes->size())});
                    }
                }
            });
        }
        if (reader.Truncated()) CHAIN_LOG("%s ends inside a block record; that record was skipped\n", where.c_str());
        progress.Tick(*this, total);
    }
    LogNeverParented(waiting, "the block files");
    RunWrite(run, [&] {
        LimitNotificationQueue();
        {
            util::LockGuard lock(d.mutex);
            const BlockIndex* genesis_index = d.Lookup(m_params->consensus.hash_genesis_block);
            if (!genesis_index || !(genesis_index->status & BLOCK_HAVE_DATA)) {
                // The files did not hold the genesis block (or there were none): store it.
                auto genesis = std::make_shared<const consensus::Block>(m_params->GenesisBlock());
                auto r = d.AcceptBlock(genesis, nullptr, nullptr, nullptr);
                if (r.IsValid()) r = d.ActivateBestChainLocked(genesis);
                if (!r.IsValid()) CHAIN_LOG("Error: cannot store the genesis block: %s\n", r.ToString().c_str());
            }
        }
    });
    progress.Tick(*this, total, true);
    if (!interrupt.load()) {
        RunWrite(run, [&] {
            util::LockGuard lock(d.mutex);
            d.FlushLocked(true);
            d.blockman.WriteReindexing(false);
            d.opts.reindex = false;
        });
    }
    return total;
}

size_t Chainstate::ImportBlocks(const std::vector<std::filesystem::path>& loadblock_files,
                                const std::atomic<bool>& interrupt, const RunOnOwner& run)
{
    Impl& d = *m_impl;
    d.importing = true;
    size_t total = 0;
    if (d.opts.reindex) {
        // Rebuild the index from our own files; blocks stay where they are.
        total += ReindexBlockFiles(interrupt, run);
    } else {
        // -reindex-chainstate, or blocks stored but not yet connected after a crash: the
        // catch-up Open() leaves, one bounded step per write, so other writes run between.
        const WriteStep step = ActivateBestChainSteps();
        std::optional<consensus::ValidationResult> r;
        while (!r && !interrupt.load()) RunWrite(run, [&] { r = step(); });
        if (r && !r->IsValid()) CHAIN_LOG("ActivateBestChain: %s\n", r->ToString().c_str());
    }
    for (const auto& f : loadblock_files) {
        if (interrupt.load()) break;
        total += LoadExternalBlockFile(f, interrupt, run);
    }
    d.importing = false;
    RunWrite(run, [&] { Flush(); });
    return total;
}

} // namespace node::chain
