// PeerManager's BIP-152 handlers (peer_manager.h), kept apart from peer_manager.cpp: sendcmpct,
// cmpctblock (header first, then reconstruction through CompactRelay), getblocktxn/blocktxn,
// cmpctblock for getdata, high-bandwidth selection and announcements. As Core's
// net_processing for compact blocks version 2.
#include "node/chain/validation_owner.h"
#include "node/p2p/peer_manager.h"
#include "util/logging.h"

namespace node::p2p {

using chain::BlockIndex;
using util::LogCategory;

namespace {
long long L(net::NodeId id) { return static_cast<long long>(id); }

/** PeerManager::Send's twin (that template lives in peer_manager.cpp). */
template <typename M>
void Push(net::ConnectionManager& connman, net::NodeId id, std::string_view command, const M& msg)
{
    connman.Send(id, command, consensus::SerializeToBytes(msg));
}
} // namespace

void PeerManager::SendCompactNegotiation(net::NodeId id, int32_t peer_version)
{
    // Core, on verack: we speak version 2 and do not (yet) ask for high-bandwidth announcements.
    if (peer_version >= SHORT_IDS_BLOCKS_VERSION)
        Push(m_connman, id, net::msg_type::SENDCMPCT, net::SendCmpctMessage{false, CMPCTBLOCKS_VERSION});
}

void PeerManager::OnSendCmpct(net::NodeId id, consensus::ByteReader& r)
{
    const auto m = net::SendCmpctMessage::Deserialize(r);
    util::LockGuard lock(m_mutex);
    m_compact.OnSendCmpct(id, m.announce, m.version);
}

void PeerManager::MaybeSetHighBandwidth(net::NodeId id, const consensus::Uint256& hash)
{
    // Core: a peer that gave us a new tip (outside the initial download, nothing else in
    // flight) becomes one of our high-bandwidth peers.
    if (m_chain.IsInitialBlockDownload()) return;
    const BlockIndex* tip = m_chain.Tip();
    if (!tip || tip->GetBlockHash() != hash) return;
    std::vector<std::pair<net::NodeId, bool>> sends;
    {
        util::LockGuard lock(m_mutex);
        if (!m_download.NothingElseInFlight(hash)) return;
        sends = m_compact.SelectHighBandwidth(id);
    }
    for (const auto& [peer, announce] : sends) {
        util::LogDebug(LogCategory::NET, "compact blocks: peer=%lld %s high-bandwidth\n", L(peer),
                       announce ? "selected as" : "no longer");
        Push(m_connman, peer, net::msg_type::SENDCMPCT, net::SendCmpctMessage{announce, CMPCTBLOCKS_VERSION});
    }
}

void PeerManager::NewPoWValidBlock(const std::shared_ptr<const consensus::Block>& block, const BlockIndex* index)
{
    // Only a block on top of our tip, outside initial block download (Core's conditions).
    if (m_chain.IsInitialBlockDownload() || m_chain.Tip() != index->prev) return;
    std::vector<net::NodeId> targets;
    std::shared_ptr<const net::HeaderAndShortIDs> cmpct;
    {
        util::LockGuard lock(m_mutex);
        if (m_stopping || index->height <= m_highest_fast_announce) return;
        m_highest_fast_announce = index->height;
        for (auto& [id, p] : m_peers) {
            if (!p.handshake_done || !m_compact.HighBandwidthFrom(id)) continue;
            const BlockIndex* known = m_download.BestKnown(id);
            if (known && known->GetAncestor(index->height) == index) continue; // it has it (e.g. its sender)
            // It must know the parent (it has it, or we announced it), or the header would not connect.
            const auto has_parent = [index](const BlockIndex* b) {
                return b && b->height >= index->prev->height && b->GetAncestor(index->prev->height) == index->prev;
            };
            if (!has_parent(known) && !has_parent(p.best_header_sent)) continue;
            p.best_header_sent = index;
            p.fast_announced = index;
            targets.push_back(id);
        }
        if (targets.empty()) return;
        cmpct = m_compact.CompactFor(*block);
        // Queued under the lock that set best_header_sent, as every header announcement is.
        const auto bytes = consensus::SerializeToBytes(*cmpct);
        for (const net::NodeId id : targets) m_connman.Send(id, net::msg_type::CMPCTBLOCK, bytes);
    }
}

void PeerManager::BlockConnected(const std::shared_ptr<const consensus::Block>& block, const BlockIndex* index)
{
    (void)index;
    // The newest block's cmpctblock, built once for every high-bandwidth announcement.
    util::LockGuard lock(m_mutex);
    if (!m_compact.HighBandwidthFromPeers().empty()) m_compact.CompactFor(*block);
    // Orphans in the block, or spending what it spent, are settled (Core's EraseForBlock).
    m_orphans.EraseForBlock(*block);
    if (m_txrelay) m_txrelay->OnBlockConnected(*block);
    if (m_txrelay && !m_chain.IsInitialBlockDownload()) m_txrelay->OnTipChanged();
}

void PeerManager::BlockDisconnected(const std::shared_ptr<const consensus::Block>& block, const BlockIndex* index)
{
    (void)index;
    // Its transactions may come back in the other branch's blocks (Core's extra transactions).
    util::LockGuard lock(m_mutex);
    for (const auto& tx : block->vtx) m_compact.Extra().Add(tx);
    if (m_txrelay) m_txrelay->OnBlockDisconnected();
    if (m_txrelay && !m_chain.IsInitialBlockDownload()) m_txrelay->OnTipChanged();
}

std::shared_ptr<const net::HeaderAndShortIDs> PeerManager::CompactOf(const BlockIndex* b)
{
    {
        util::LockGuard lock(m_mutex);
        if (m_compact.HighBandwidthFromPeers().empty()) return nullptr; // nobody to announce it to
        if (auto cached = m_compact.Cached(b->GetBlockHash())) return cached;
    }
    auto block = m_chain.ReadBlock(b);
    if (!block) return nullptr;
    util::LockGuard lock(m_mutex);
    return m_compact.CompactFor(*block);
}

bool PeerManager::ServeCompactBlock(net::NodeId id, const BlockIndex* b)
{
    // Core: a cmpctblock for blocks near the tip, the full block (with witnesses) otherwise.
    const BlockIndex* tip = m_chain.Tip();
    if (!tip || b->height < tip->height - MAX_CMPCTBLOCK_DEPTH) return false;
    std::shared_ptr<const net::HeaderAndShortIDs> cmpct;
    {
        util::LockGuard lock(m_mutex);
        cmpct = m_compact.Cached(b->GetBlockHash());
    }
    if (!cmpct) {
        auto block = m_chain.ReadBlock(b);
        if (!block) return false;
        cmpct = std::make_shared<const net::HeaderAndShortIDs>(BuildCompactBlock(*block, RandomNonce()));
    }
    Push(m_connman, id, net::msg_type::CMPCTBLOCK, *cmpct);
    return true;
}

void PeerManager::OnGetBlockTxn(net::NodeId id, consensus::ByteReader& r)
{
    const auto req = net::BlockTransactionsRequest::Deserialize(r);
    const BlockIndex* b = m_chain.LookupBlockIndex(req.block_hash);
    if (!b || !(b->status.load() & chain::BLOCK_HAVE_DATA)) {
        util::LogDebug(LogCategory::NET, "Peer %lld sent us a getblocktxn for a block we don't have\n", L(id));
        return;
    }
    const BlockIndex* tip = m_chain.Tip();
    if (!tip || b->height < tip->height - MAX_BLOCKTXN_DEPTH) {
        // Core: too deep to be worth it, the full block through the getdata path.
        {
            util::LockGuard lock(m_mutex);
            auto it = m_peers.find(id);
            if (it == m_peers.end()) return;
            it->second.getdata_queue.push_back({net::MSG_WITNESS_BLOCK, req.block_hash});
        }
        return ServeGetData(id);
    }
    const auto block = m_chain.ReadBlock(b);
    if (!block) return;
    net::BlockTransactions resp;
    resp.block_hash = req.block_hash;
    for (const uint16_t i : req.indexes) {
        if (i >= block->vtx.size()) return Misbehaving(id, "getblocktxn with out-of-bounds tx indices");
        resp.txn.push_back(block->vtx[i]);
    }
    Push(m_connman, id, net::msg_type::BLOCKTXN, resp);
}

void PeerManager::OnCmpctBlock(net::NodeId id, consensus::ByteReader& r)
{
    if (m_chain.IsImporting()) return;
    auto cmpct = std::make_shared<const net::HeaderAndShortIDs>(net::HeaderAndShortIDs::Deserialize(r));
    // The header first, as a headers message: whether it connects is decided on the owner, in
    // queue order, as the peer's headers message just before it may still be queued there.
    JobQueued(id);
    const auto received = std::chrono::steady_clock::now();
    m_owner.Post([this, cmpct]() { return AcceptIfConnects({cmpct->header}); },
                 [this, id, cmpct, received](const HeadersOutcome& o) {
                     JobDone(id);
                     if (!o.connects) {
                         // Core: it does not connect; ask for the headers between instead of punishing.
                         if (!m_chain.IsInitialBlockDownload()) {
                             NoteUnplacedBlock(id, cmpct->header.GetHash());
                             SendGetHeaders(id, m_chain.BestHeader());
                         }
                         return;
                     }
                     util::LogDebug(LogCategory::BENCH,
                                    "- cmpctblock %s from peer=%lld: header accepted %.2fms after receipt\n",
                                    cmpct->header.GetHash().GetHex().c_str(), L(id), util::MillisSince(received));
                     if (!o.result.IsValid()) return MaybePunish(id, o.result, "header via cmpctblock", true);
                     if (o.last) OnCompactHeaderAccepted(id, *cmpct, o.last);
                 },
                 [this, id] { JobDone(id); }); // a job that throws or is cancelled still frees its slot
}

void PeerManager::NoteUnplacedBlock(net::NodeId id, const consensus::Uint256& hash)
{
    util::LockGuard lock(m_mutex);
    auto it = m_peers.find(id);
    if (it == m_peers.end() || it->second.unplaced_block == hash) return;
    it->second.unplaced_block = hash;
    it->second.unplaced_retries = 0;
}

void PeerManager::AskAgainForUnplaced(net::NodeId id)
{
    std::optional<consensus::Uint256> hash;
    {
        // The block index lookup under m_mutex is the documented lock order (docs/ARCHITECTURE.md).
        util::LockGuard lock(m_mutex);
        auto it = m_peers.find(id);
        if (it == m_peers.end() || !it->second.unplaced_block) return;
        if (m_chain.LookupBlockIndex(*it->second.unplaced_block) ||
            it->second.unplaced_retries >= MAX_UNPLACED_RETRIES) {
            it->second.unplaced_block.reset(); // placed, or given up (e.g. a block that never connects)
            return;
        }
        hash = it->second.unplaced_block;
    }
    if (!SendGetHeaders(id, m_chain.BestHeader())) return; // one unanswered already: its answer comes here
    util::LogDebug(LogCategory::NET, "block %s announced by peer=%lld still unknown: asking for headers again\n",
                   hash->GetHex().c_str(), L(id));
    util::LockGuard lock(m_mutex);
    if (auto it = m_peers.find(id); it != m_peers.end() && it->second.unplaced_block == hash)
        ++it->second.unplaced_retries;
}

void PeerManager::OnCompactHeaderAccepted(net::NodeId id, const net::HeaderAndShortIDs& cmpct, const BlockIndex* index)
{
    const consensus::Uint256 hash = index->GetBlockHash();
    const BlockIndex* tip = m_chain.Tip();
    ReadStatus status = ReadStatus::OK;
    std::vector<uint16_t> missing;
    consensus::Block block;
    bool far = false;
    const auto start = std::chrono::steady_clock::now();
    {
        util::LockGuard lock(m_mutex);
        if (!m_peers.count(id)) return;
        m_download.PeerHas(id, index);
        if (index->status.load() & chain::BLOCK_HAVE_DATA) return; // we have it
        if (!tip || index->chain_work <= tip->chain_work) return;  // not interested
        if (m_compact.Partial(id, hash)) return;                   // already reconstructing it from this peer
        // Core reconstructs only blocks close to the tip; the block download fetches the others.
        far = index->height > tip->height + 2;
        const bool segwit = m_chain.Params().consensus.segwit_height <= index->height;
        const bool room =
            m_download.InFlight(id) < MAX_BLOCKS_IN_TRANSIT_PER_PEER || m_download.IsRequestedFrom(hash, id);
        if (!far && !room) {
            // Core: no room for another block in flight from this peer: the block is used only if
            // every transaction is at hand (nothing asked, nothing marked); else fetched later.
            if (m_compact.RebuildWhole(cmpct, block, segwit) != ReadStatus::OK) far = true;
        } else if (!far) {
            status = m_compact.StartPartial(id, hash, cmpct);
        }
        if (!far && room && status == ReadStatus::OK) {
            const PartialBlock* partial = m_compact.Partial(id, hash);
            missing = partial->MissingIndexes();
            if (missing.empty()) {
                status = partial->Fill(block, {}, segwit);
                m_compact.ErasePartial(id, hash);
                // In flight from this peer until the owner has processed it (ProcessCompactBlock),
                // as Core marks a compact block before reconstructing it: else the block download
                // sees a block the peer has and we lack, and fetches it whole meanwhile.
                if (status == ReadStatus::OK) m_download.MarkRequested(id, index, Clock::now());
            } else {
                m_download.MarkRequested(id, index, Clock::now());
            }
        }
    }
    if (far) return RequestBlocks(id);
    if (status == ReadStatus::INVALID) return Misbehaving(id, "invalid compact block");
    if (status == ReadStatus::FAILED) return RequestFullBlock(id, index);
    if (!missing.empty()) {
        util::LogDebug(LogCategory::NET, "compact block %s from peer=%lld: asking for %zu of %zu transactions\n",
                       hash.GetHex().c_str(), L(id), missing.size(), cmpct.BlockTxCount());
        return Push(m_connman, id, net::msg_type::GETBLOCKTXN, net::BlockTransactionsRequest{hash, std::move(missing)});
    }
    util::LogDebug(LogCategory::NET, "compact block %s from peer=%lld reconstructed whole\n", hash.GetHex().c_str(),
                   L(id));
    util::LogDebug(LogCategory::BENCH, "- cmpctblock %s: reconstructed from the pool in %.2fms\n",
                   hash.GetHex().c_str(), util::MillisSince(start));
    ProcessCompactBlock(id, std::make_shared<const consensus::Block>(std::move(block)));
}

void PeerManager::OnBlockTxn(net::NodeId id, consensus::ByteReader& r)
{
    net::BlockTransactions resp = net::BlockTransactions::Deserialize(r);
    const BlockIndex* index = m_chain.LookupBlockIndex(resp.block_hash);
    ReadStatus status;
    consensus::Block block;
    {
        util::LockGuard lock(m_mutex);
        const PartialBlock* partial = m_compact.Partial(id, resp.block_hash);
        if (!partial || !index) {
            util::LogDebug(LogCategory::NET, "Peer %lld sent us block transactions for block we weren't expecting\n",
                           L(id));
            return;
        }
        status = partial->Fill(block, resp.txn, m_chain.Params().consensus.segwit_height <= index->height);
        m_compact.ErasePartial(id, resp.block_hash);
    }
    if (status == ReadStatus::INVALID) return Misbehaving(id, "invalid compact block/non-matching block transactions");
    if (status == ReadStatus::FAILED) return RequestFullBlock(id, index); // a short id matched the wrong transaction
    ProcessCompactBlock(id, std::make_shared<const consensus::Block>(std::move(block)));
}

void PeerManager::RequestFullBlock(net::NodeId id, const BlockIndex* index)
{
    util::LogDebug(LogCategory::NET, "compact block %s from peer=%lld failed: asking for the full block\n",
                   index->GetBlockHash().GetHex().c_str(), L(id));
    {
        util::LockGuard lock(m_mutex);
        if (!m_peers.count(id)) return;
        m_compact.ErasePartial(id, index->GetBlockHash());
        m_download.MarkRequested(id, index, Clock::now());
    }
    net::InvMessage getdata;
    getdata.items.push_back({net::MSG_WITNESS_BLOCK, index->GetBlockHash()});
    Push(m_connman, id, net::msg_type::GETDATA, getdata);
}

void PeerManager::ProcessCompactBlock(net::NodeId id, std::shared_ptr<const consensus::Block> block)
{
    const consensus::Uint256 hash = block->GetHash();
    JobQueued(id);
    m_owner.PostBlock(block, [this, id, hash](const chain::BlockResult& done) {
        JobDone(id);
        const BlockIndex* index = m_chain.LookupBlockIndex(hash);
        if (consensus::IsMutatedBlock(done.result) && index) {
            // A reconstruction that does not match its commitments (a witness mismatch the
            // merkle check cannot see): not the peer's fault, the full block instead (Core).
            return RequestFullBlock(id, index);
        }
        {
            util::LockGuard lock(m_mutex);
            m_download.Received(hash);
            if (done.result.IsValid() && index) m_download.PeerHas(id, index);
            if (done.result.IsValid()) m_compact.ForgetBlock(hash); // other peers' reconstructions of it
        }
        // Core: a block from a compact block is not punished for its contents, only its header.
        if (done.result.IsInvalid()) MaybePunish(id, done.result, "block via cmpctblock", true);
        if (done.result.IsValid() && done.new_block) MaybeSetHighBandwidth(id, hash);
        RequestBlocksFromAll();
    });
}

} // namespace node::p2p
