// BlockManager: the block index map and its dirty set, loading the index from its database,
// the block and undo files, and writing the index back (synchronously or on the flusher thread).
#include "node/chain/block_manager.h"

#include "node/chain/chain_log.h"

#include "consensus/pow.h"

#include <algorithm>

namespace node::chain {

using consensus::Uint256;

BlockManager::BlockManager(util::SharedMutex& view_mutex, std::function<void()> on_index_write_failure)
    : m_view_mutex(view_mutex), m_on_index_write_failure(std::move(on_index_write_failure))
{}

BlockManager::~BlockManager() { StopFlusher(); }

bool BlockManager::Open(const std::filesystem::path& blocks_dir, const std::array<uint8_t, 4>& magic,
                        size_t index_cache_bytes, bool wipe, leveldb::Env* env, std::string& error)
{
    m_tree = std::make_unique<BlockTreeDB>(blocks_dir / "index", index_cache_bytes, wipe, error, env);
    if (!m_tree->IsOpen()) return false;
    m_blocks = std::make_unique<BlockStore>(blocks_dir, magic);
    return true;
}

BlockManager::LoadResult BlockManager::LoadBlockIndex(std::vector<BlockIndex*>& loaded, std::string& error)
{
    std::vector<DiskBlockIndex> entries;
    if (!m_tree->LoadBlockIndex([&](const DiskBlockIndex& e) { entries.push_back(e); })) {
        error = "Failed to read the block index (a read error or a corrupt record)";
        return LoadResult::STORAGE_ERROR;
    }
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.height < b.height; });
    BlockIndex* best_header = nullptr; // the caller chooses its best header among the valid entries
    for (const auto& e : entries) {
        BlockIndex* b = AddToIndex(e.header, best_header);
        if (b->height != e.height) {
            error = "block index entry " + b->GetBlockHash().GetHex() +
                    " has an inconsistent height; restart with -reindex";
            return LoadResult::FAILED;
        }
        b->status = e.status;
        b->n_tx = e.n_tx;
        b->data_pos = e.data_pos;
        b->undo_pos = e.undo_pos;
    }
    m_dirty.clear();
    loaded.clear();
    loaded.reserve(entries.size());
    for (const auto& e : entries) {
        BlockIndex* b = Lookup(e.header.GetHash());
        if (b->prev && (b->prev->status & BLOCK_FAILED_MASK) && !(b->status & BLOCK_FAILED_MASK)) {
            b->status |= BLOCK_FAILED_CHILD;
            m_dirty.insert(b);
        }
        loaded.push_back(b);
    }
    std::vector<BlockFileInfo> infos;
    int last_file = 0;
    if (!m_tree->ReadFileInfo(infos, last_file)) {
        error = "cannot read block file information; restart with -reindex";
        return LoadResult::FAILED;
    }
    if (!infos.empty()) m_blocks->LoadFileInfo(std::move(infos), std::max(last_file, 0));

    switch (m_tree->ReadReindexing()) {
    case ReadStatus::FAILED: error = "Failed to read the reindexing flag"; return LoadResult::STORAGE_ERROR;
    case ReadStatus::FOUND:
        error = "a previous -reindex did not finish; restart with -reindex";
        return LoadResult::FAILED;
    case ReadStatus::ABSENT: break;
    }
    return LoadResult::OK;
}

bool BlockManager::WriteReindexing(bool reindexing) { return m_tree->WriteReindexing(reindexing); }

// ---------------------------------------------------------------- The index

BlockIndex* BlockManager::Lookup(const Uint256& hash) const
{
    auto it = m_index.find(hash);
    return it == m_index.end() ? nullptr : it->second.get();
}

BlockIndex* BlockManager::AddToIndex(const consensus::BlockHeader& header, BlockIndex*& best_header)
{
    const Uint256 hash = header.GetHash();
    if (BlockIndex* existing = Lookup(hash)) return existing;
    // Readers look entries up under view_mutex shared: the insertion and the entry's
    // immutable fields are published together.
    util::ExclusiveLock view(m_view_mutex);
    auto [it, inserted] = m_index.emplace(hash, std::make_unique<BlockIndex>());
    BlockIndex* index = it->second.get();
    index->phash = &it->first;
    index->version = header.version;
    index->merkle_root = header.merkle_root;
    index->time = header.time;
    index->bits = header.bits;
    index->nonce = header.nonce;
    index->sequence_id = 0;
    if (BlockIndex* prev = Lookup(header.prev_block); prev && !header.prev_block.IsNull()) {
        index->prev = prev;
        index->height = prev->height + 1;
        index->BuildSkip();
        index->time_max = std::max(prev->time_max, index->time);
        index->chain_work = prev->chain_work + consensus::GetBlockProof(index->bits);
    } else {
        index->time_max = index->time;
        index->chain_work = consensus::GetBlockProof(index->bits);
    }
    index->RaiseValidity(BLOCK_VALID_TREE);
    if (!best_header || CandidateOrder()(index, best_header)) best_header = index;
    m_dirty.insert(index);
    return index;
}

void BlockManager::MarkDirty(BlockIndex* index) { m_dirty.insert(index); }

// ---------------------------------------------------------------- Block and undo files

std::optional<FlatFilePos> BlockManager::WriteBlock(const consensus::Block& block, uint32_t height)
{
    return m_blocks->WriteBlock(block, height);
}

std::optional<FlatFilePos> BlockManager::WriteUndo(const BlockUndo& undo, int block_file, const Uint256& prev_hash)
{
    return m_blocks->WriteUndo(undo, block_file, prev_hash);
}

void BlockManager::NoteKnownBlock(const FlatFilePos& pos, uint32_t size, uint32_t height, uint64_t time)
{
    m_blocks->NoteKnownBlock(pos, size, height, time);
}

std::optional<consensus::Block> BlockManager::ReadBlock(const BlockIndex* index) const
{
    if (!index || !(index->status & BLOCK_HAVE_DATA)) return std::nullopt;
    auto block = m_blocks->ReadBlock(index->data_pos);
    if (block && block->GetHash() != index->GetBlockHash()) {
        CHAIN_LOG("ReadBlock: hash mismatch at %d:%u\n", index->data_pos.file, index->data_pos.pos);
        return std::nullopt;
    }
    return block;
}

std::optional<consensus::Block> BlockManager::ReadBlock(const FlatFilePos& pos) const
{
    return m_blocks->ReadBlock(pos);
}

std::optional<std::vector<uint8_t>> BlockManager::ReadRawBlock(const FlatFilePos& pos) const
{
    return m_blocks->ReadRawBlock(pos);
}

std::optional<BlockUndo> BlockManager::ReadUndo(const FlatFilePos& pos, const Uint256& prev_hash) const
{
    return m_blocks->ReadUndo(pos, prev_hash);
}

std::filesystem::path BlockManager::BlockFilePath(int file) const { return m_blocks->BlockFilePath(file); }

uint64_t BlockManager::BlockFilesSize() const
{
    // BlockStore's bookkeeping has its own lock.
    uint64_t total = 0;
    for (const auto& f : m_blocks->GetFileInfo()) total += uint64_t(f.size) + f.undo_size;
    return total;
}

// ---------------------------------------------------------------- Writing the index back

BlockManager::IndexFlushJob BlockManager::MakeIndexFlushJobLocked()
{
    IndexFlushJob job;
    // Taken first: every block and undo record the entries below point at is in a file
    // of this list (or was synced before).
    job.files_to_sync = m_blocks->TakeUnsynced();
    const auto infos = m_blocks->GetFileInfo();
    for (int f : m_blocks->TakeDirtyFiles()) {
        if (f >= 0 && f < static_cast<int>(infos.size())) job.file_infos.emplace_back(f, infos[f]);
    }
    job.last_file = m_blocks->LastFile();
    job.entries.reserve(m_dirty.size());
    for (BlockIndex* b : m_dirty) {
        DiskBlockIndex d;
        d.header = b->GetBlockHeader();
        d.height = b->height;
        d.status = b->status;
        d.n_tx = b->n_tx;
        d.data_pos = b->data_pos;
        d.undo_pos = b->undo_pos;
        job.entries.push_back(d);
    }
    m_dirty.clear();
    return job;
}

bool BlockManager::RunIndexFlushJob(const IndexFlushJob& job)
{
    if (!m_blocks->SyncFiles(job.files_to_sync)) return false;
    if (job.file_infos.empty() && job.entries.empty()) return true;
    return m_tree->WriteBatch(job.file_infos, job.last_file, job.entries);
}

bool BlockManager::FlushIndexLocked()
{
    // A background index flush in progress finishes first, so index writes land in the
    // order they were made.
    if (!WaitForIndexFlush()) return false;
    if (!RunIndexFlushJob(MakeIndexFlushJobLocked())) {
        {
            util::LockGuard fl(m_flush_mutex);
            m_flush_failed = true;
        }
        m_on_index_write_failure();
        return false;
    }
    return true;
}

bool BlockManager::WaitForIndexFlush() const
{
    util::UniqueLock fl(m_flush_mutex);
    m_flush_cv.wait(fl, [this]() REQUIRES(m_flush_mutex) { return !m_flush_job && !m_flush_running; });
    return !m_flush_failed;
}

size_t BlockManager::BackgroundIndexFlushes() const
{
    util::LockGuard fl(m_flush_mutex);
    return m_background_flushes;
}

bool BlockManager::StartIndexFlushLocked(bool& busy)
{
    busy = false;
    {
        util::LockGuard fl(m_flush_mutex);
        if (m_flush_failed) return false;
        // The previous flush is still syncing: these entries stay dirty until the next try.
        if (m_flush_job || m_flush_running) {
            busy = true;
            return true;
        }
    }
    IndexFlushJob job = MakeIndexFlushJobLocked();
    if (job.Empty()) return true;
    {
        util::LockGuard fl(m_flush_mutex);
        if (!m_flusher.joinable()) m_flusher = std::thread([this] { FlusherLoop(); });
        m_flush_job = std::move(job);
    }
    m_flush_cv.notify_all();
    return true;
}

void BlockManager::FlusherLoop()
{
    util::UniqueLock fl(m_flush_mutex);
    while (true) {
        m_flush_cv.wait(fl, [this]() REQUIRES(m_flush_mutex) { return m_flusher_stop || m_flush_job; });
        if (!m_flush_job) return; // stopping, nothing left to do
        const IndexFlushJob job = std::move(*m_flush_job);
        m_flush_job.reset();
        m_flush_running = true;
        fl.Unlock();
        const bool ok = RunIndexFlushJob(job);
        fl.Lock();
        m_flush_running = false;
        if (ok) ++m_background_flushes;
        if (!ok) {
            m_flush_failed = true;
            CHAIN_LOG("Error: writing the block index failed; every later flush fails\n");
            m_on_index_write_failure();
        }
        m_flush_cv.notify_all();
    }
}

void BlockManager::StopFlusher()
{
    {
        util::LockGuard fl(m_flush_mutex);
        m_flusher_stop = true;
    }
    m_flush_cv.notify_all();
    if (m_flusher.joinable()) m_flusher.join();
}

} // namespace node::chain
