// The node's message handler (peer_manager.h).
#include "node/p2p/peer_manager.h"

#include "node/chain/validation_owner.h"
#include "node/p2p/peer_policy.h"
#include "util/logging.h"
#include "util/version.h"

#include <ctime>
#include <random>
#include <utility>

namespace node::p2p {

using chain::BlockIndex;
using consensus::BlockValidationResult;
using util::LogCategory;

namespace {

uint64_t RandomU64()
{
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return rng();
}

/** The services we offer: Core's defaults for a full node with witness support. */
constexpr uint64_t OUR_SERVICES = net::NODE_NETWORK | net::NODE_WITNESS | net::NODE_NETWORK_LIMITED;

} // namespace

PeerManager::PeerManager(chain::Chainstate& chainstate, chain::ValidationOwner& owner, net::ConnectionManager& connman)
    : m_chain(chainstate), m_owner(owner), m_connman(connman), m_local_nonce_seed(RandomU64()), m_download(chainstate),
      m_orphans([] {
          return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
      })
{
    m_chain.AddListener(this, chain::Delivery::ASYNC);
    m_chain.SetNewPoWValidBlockHook([this](const std::shared_ptr<const consensus::Block>& block,
                                           const BlockIndex* index) { NewPoWValidBlock(block, index); });
    m_timer = std::thread([this] { TimerLoop(); });
}

PeerManager::~PeerManager() { Stop(); }

uint64_t PeerManager::RandomNonce() { return RandomU64(); }

void PeerManager::Stop()
{
    {
        util::LockGuard lock(m_mutex);
        if (m_stopping) return;
        m_stopping = true;
    }
    m_cv.notify_all();
    if (m_timer.joinable()) m_timer.join();
    m_chain.SetNewPoWValidBlockHook(nullptr); // waits for a call in progress
    m_chain.RemoveListener(this);
}

template <typename M>
void PeerManager::Send(net::NodeId id, std::string_view command, const M& msg)
{
    m_connman.Send(id, command, consensus::SerializeToBytes(msg));
}

void PeerManager::InitializePeer(const net::PeerAddress& peer)
{
    {
        util::LockGuard lock(m_mutex);
        m_peers[peer.id].addr = peer;
        m_download.AddPeer(peer.id);
        m_compact.AddPeer(peer.id, peer.type == net::ConnectionType::INBOUND);
        if (m_txrelay) {
            TxRelayPeerInfo info;
            info.inbound = peer.type == net::ConnectionType::INBOUND;
            info.block_relay_only = peer.type == net::ConnectionType::BLOCK_RELAY;
            info.relay_permission = net::HasPermission(peer.permissions, net::NetPermissionFlags::RELAY);
            info.mempool_permission = net::HasPermission(peer.permissions, net::NetPermissionFlags::MEMPOOL);
            info.noban = net::HasPermission(peer.permissions, net::NetPermissionFlags::NOBAN);
            m_txrelay->AddPeer(peer.id, info, TxNow());
        }
    }
    if (m_addr_relay) m_addr_relay.load()->AddPeer(peer.id, peer.type, peer.addr);
    // The connecting side speaks first (Core: outbound peers get our version at once).
    if (peer.type != net::ConnectionType::INBOUND) SendVersion(peer.id, peer);
}

void PeerManager::SendVersion(net::NodeId id, const net::PeerAddress& addr)
{
    net::VersionMessage v;
    v.version = PROTOCOL_VERSION;
    v.services = OUR_SERVICES;
    v.time = static_cast<int64_t>(std::time(nullptr));
    if (auto s = net::ParseService(addr.addr, 0)) v.addr_recv = *s;
    v.nonce = RandomU64() ^ m_local_nonce_seed;
    v.user_agent = util::UserAgent();
    v.start_height = m_chain.Height();
    {
        util::LockGuard lock(m_mutex);
        // Without a pool (or to a block-relay-only peer), as -blocksonly: no transaction announcements.
        v.relay = m_txrelay != nullptr && addr.type != net::ConnectionType::BLOCK_RELAY;
        auto it = m_peers.find(id);
        if (it == m_peers.end()) return;
        it->second.sent_version = true;
        it->second.version_nonce = v.nonce;
    }
    Send(id, net::msg_type::VERSION, v);
}

void PeerManager::FinalizePeer(net::NodeId peer, const std::string& reason)
{
    util::LogDebug(LogCategory::NET, "disconnected peer=%lld: %s\n", static_cast<long long>(peer), reason.c_str());
    {
        util::LockGuard lock(m_mutex);
        m_peers.erase(peer);
        m_download.RemovePeer(peer);
        m_compact.RemovePeer(peer);
        if (m_txrelay) m_txrelay->RemovePeer(peer);
        m_orphans.EraseForPeer(peer);
        m_orphans.LimitOrphans(); // one peer fewer: the weight allowed shrinks by its reservation (Core v30)
    }
    if (m_addr_relay) m_addr_relay.load()->RemovePeer(peer);
    RequestBlocksFromAll(); // its blocks in flight go to others
}

void PeerManager::ProcessMessage(net::NodeId id, const std::string& command, std::vector<uint8_t>&& payload)
{
    consensus::ByteReader r(payload);
    bool got_version, handshake_done;
    {
        util::LockGuard lock(m_mutex);
        auto it = m_peers.find(id);
        if (it == m_peers.end()) return;
        got_version = it->second.got_version;
        handshake_done = it->second.handshake_done;
    }
    try {
        if (command == net::msg_type::VERSION) return OnVersion(id, r);
        if (!got_version) {
            // Core ignores (and logs) anything before version.
            util::LogDebug(LogCategory::NET,
                           "non-version message before version handshake. Message \"%s\" from peer=%lld\n",
                           command.c_str(), static_cast<long long>(id));
            return;
        }
        if (command == net::msg_type::VERACK) return OnVerack(id);
        if (command == net::msg_type::WTXIDRELAY || command == net::msg_type::SENDADDRV2) {
            // BIP-339/155: only between version and verack; Core disconnects otherwise.
            if (handshake_done) return DisconnectPeer(id, command + " received after verack");
            util::LockGuard lock(m_mutex);
            auto& p = m_peers[id];
            (command == net::msg_type::WTXIDRELAY ? p.wtxid_relay : p.addrv2) = true;
            if (command == net::msg_type::WTXIDRELAY && m_txrelay) m_txrelay->SetWtxidRelay(id);
            return;
        }
        if (!handshake_done) {
            util::LogDebug(LogCategory::NET, "ignoring %s before verack from peer=%lld\n", command.c_str(),
                           static_cast<long long>(id));
            return;
        }
        if (command == net::msg_type::PING) {
            const auto ping = net::PingMessage::Deserialize(r);
            return Send(id, net::msg_type::PONG, ping);
        }
        if (command == net::msg_type::PONG) {
            const auto pong = net::PingMessage::Deserialize(r);
            std::optional<std::chrono::microseconds> min_ping;
            {
                util::LockGuard lock(m_mutex);
                Peer& p = m_peers[id];
                if (p.ping_start && pong.nonce == p.ping_nonce) {
                    const auto rtt = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - *p.ping_start);
                    p.last_ping_time = rtt;
                    if (!p.min_ping_time || rtt < *p.min_ping_time) p.min_ping_time = rtt;
                    p.ping_start.reset();
                    min_ping = p.min_ping_time;
                }
            }
            if (min_ping)
                m_connman.UpdateEvictionInfo(id, [&](net::PeerEvictionInfo& e) { e.min_ping_us = min_ping->count(); });
            return;
        }
        if (command == net::msg_type::SENDHEADERS) {
            util::LockGuard lock(m_mutex);
            m_peers[id].prefers_headers = true;
            return;
        }
        if (command == net::msg_type::HEADERS) return OnHeaders(id, r);
        if (command == net::msg_type::BLOCK) return OnBlock(id, r);
        if (command == net::msg_type::GETHEADERS) return OnGetHeaders(id, r, false);
        if (command == net::msg_type::GETBLOCKS) return OnGetHeaders(id, r, true);
        if (command == net::msg_type::GETDATA) return OnGetData(id, r);
        if (command == net::msg_type::INV) return OnInv(id, r);
        if (m_addr_relay && (command == net::msg_type::ADDR || command == net::msg_type::ADDRV2)) {
            auto m = command == net::msg_type::ADDR ? net::AddrMessage::DeserializeV1(r)
                                                    : net::AddrMessage::DeserializeV2(r);
            return m_addr_relay.load()->OnAddr(id, std::move(m));
        }
        if (m_addr_relay && command == net::msg_type::GETADDR) return m_addr_relay.load()->OnGetAddr(id);
        if (command == net::msg_type::SENDCMPCT) return OnSendCmpct(id, r);
        if (command == net::msg_type::CMPCTBLOCK) return OnCmpctBlock(id, r);
        if (command == net::msg_type::BLOCKTXN) return OnBlockTxn(id, r);
        if (command == net::msg_type::GETBLOCKTXN) return OnGetBlockTxn(id, r);
        if (command == net::msg_type::TX) return OnTx(id, r);
        if (command == net::msg_type::NOTFOUND) return OnNotFound(id, r);
        if (command == net::msg_type::FEEFILTER) return OnFeeFilter(id, r);
        if (command == net::msg_type::MEMPOOL) return OnMempool(id);
        // Everything else (transactions: the next part) is ignored, as
        // Core ignores unknown messages.
    } catch (const net::LimitError& e) {
        // Core: a locator over 101 entries only disconnects; a version field over its limit is a
        // decoding failure (logged); other count limits (inv, headers, addr...) are Misbehaving.
        if (command == net::msg_type::GETHEADERS || command == net::msg_type::GETBLOCKS) {
            DisconnectPeer(id, command + " over its limit: " + e.what());
        } else if (command == net::msg_type::VERSION) {
            util::LogDebug(LogCategory::NET, "ProcessMessages(%s): Exception '%s' caught, peer=%lld\n", command.c_str(),
                           e.what(), static_cast<long long>(id));
        } else {
            Misbehaving(id, command + " over its limit: " + e.what());
        }
    } catch (const consensus::DecodeError& e) {
        // Core logs a message it cannot decode and goes on.
        util::LogDebug(LogCategory::NET, "ProcessMessages(%s, %zu bytes): Exception '%s' caught, peer=%lld\n",
                       command.c_str(), payload.size(), e.what(), static_cast<long long>(id));
    }
}

void PeerManager::OnVersion(net::NodeId id, consensus::ByteReader& r)
{
    net::VersionMessage v = net::VersionMessage::Deserialize(r);
    net::PeerAddress addr;
    bool inbound = false, send_version = false;
    {
        util::LockGuard lock(m_mutex);
        auto it = m_peers.find(id);
        if (it == m_peers.end()) return;
        Peer& p = it->second;
        if (p.got_version) return; // Core: a duplicate version is ignored (logged)
        // Connected to ourselves: an inbound version carrying the nonce of one of our outbound versions.
        bool self = false;
        inbound = p.addr.type == net::ConnectionType::INBOUND;
        if (inbound) {
            for (const auto& [other, q] : m_peers)
                self |= q.addr.type != net::ConnectionType::INBOUND && q.version_nonce == v.nonce;
        }
        if (self) {
            p.got_version = true;
            m_connman.Disconnect(id, "connected to self");
            return;
        }
        p.got_version = true;
        p.version = v;
        addr = p.addr;
        send_version = !p.sent_version;
        // BIP-37's relay flag (absent: true): whether the peer wants transaction announcements.
        if (m_txrelay) m_txrelay->SetPeerRelay(id, v.relay.value_or(true));
    }
    if (v.version < MIN_PEER_PROTO_VERSION) {
        m_connman.Disconnect(id, "peer using obsolete version " + std::to_string(v.version));
        return;
    }
    if (send_version) SendVersion(id, addr);
    m_connman.UpdateEvictionInfo(id, [&v](net::PeerEvictionInfo& e) {
        const uint64_t wanted = net::NODE_NETWORK | net::NODE_WITNESS;
        e.relevant_services = (v.services & wanted) == wanted;
        e.relay_txs = v.relay.value_or(true);
    });
    // BIP-339 and BIP-155 announcements go between version and verack.
    if (v.version >= 70016) Send(id, net::msg_type::WTXIDRELAY, net::EmptyMessage{});
    if (v.version >= 70016) Send(id, net::msg_type::SENDADDRV2, net::EmptyMessage{});
    Send(id, net::msg_type::VERACK, net::EmptyMessage{});
    util::LogPrintf("receive version message: %s: version %d, blocks=%d, peer=%lld\n", v.user_agent.c_str(), v.version,
                    v.start_height, static_cast<long long>(id));
}

void PeerManager::OnVerack(net::NodeId id)
{
    const BlockIndex* best = m_chain.BestHeader();
    bool inbound = false, addrv2 = false;
    net::Service seen_as;
    int32_t version = 0;
    const BlockIndex* announce = nullptr;
    {
        util::LockGuard lock(m_mutex);
        auto it = m_peers.find(id);
        if (it == m_peers.end() || it->second.handshake_done) return;
        it->second.handshake_done = true;
        announce = std::exchange(it->second.announce_on_verack, nullptr);
        inbound = it->second.addr.type == net::ConnectionType::INBOUND;
        addrv2 = it->second.addrv2;
        seen_as = it->second.version.addr_recv;
        version = it->second.version.version;
    }
    m_connman.MarkHandshakeDone(id);
    if (m_addr_relay) m_addr_relay.load()->OnHandshake(id, addrv2, seen_as);
    util::LogDebug(LogCategory::NET, "New %s peer connected: peer=%lld\n", inbound ? "inbound" : "outbound",
                   static_cast<long long>(id));
    // BIP-130: we prefer headers announcements.
    Send(id, net::msg_type::SENDHEADERS, net::EmptyMessage{});
    SendCompactNegotiation(id, version);
    // From our best header's parent, as Core: the answer then holds at least that header if
    // the peer has it, so we learn what it can serve even when we know its headers already.
    SendGetHeaders(id, best && best->prev ? best->prev : best);
    // A tip that changed during the handshake, by inv (the peer has not asked for headers yet).
    if (announce) {
        net::InvMessage inv;
        inv.items.push_back({net::MSG_BLOCK, announce->GetBlockHash()});
        Send(id, net::msg_type::INV, inv);
    }
}

bool PeerManager::SendGetHeaders(net::NodeId id, const BlockIndex* from)
{
    {
        util::LockGuard lock(m_mutex);
        auto it = m_peers.find(id);
        if (it == m_peers.end()) return false;
        const auto now = std::chrono::steady_clock::now();
        auto& last = it->second.last_getheaders;
        if (last && now - *last < HEADERS_RESPONSE_TIME) return false; // an inv flood gets one, as Core
        last = now;
    }
    net::GetHeadersMessage m;
    m.version = PROTOCOL_VERSION;
    m.locator = m_chain.GetLocator(from);
    Send(id, net::msg_type::GETHEADERS, m);
    return true;
}

void PeerManager::OnHeaders(net::NodeId id, consensus::ByteReader& r)
{
    net::HeadersMessage m = net::HeadersMessage::Deserialize(r);
    {
        // Core takes any headers message as the answer to our getheaders in flight.
        util::LockGuard lock(m_mutex);
        if (auto it = m_peers.find(id); it != m_peers.end()) it->second.last_getheaders.reset();
    }
    if (m.headers.empty()) return;
    // As Core while loading blocks from disk: peers' headers and blocks wait (they are re-read anyway).
    if (m_chain.IsImporting()) return;
    // They must form a chain, and connect to one we know.
    for (size_t i = 1; i < m.headers.size(); ++i) {
        if (m.headers[i].prev_block != m.headers[i - 1].GetHash())
            return Misbehaving(id, "non-continuous headers sequence");
    }
    const bool full = m.headers.size() == net::MAX_HEADERS_RESULTS;
    auto headers = std::make_shared<std::vector<consensus::BlockHeader>>(std::move(m.headers));
    // Whether they connect is decided on the owner, in queue order: an earlier headers message
    // (from this peer or another) still queued there may be the one they build on.
    JobQueued(id);
    m_owner.Post([this, headers]() { return AcceptIfConnects(*headers); },
                 [this, id, full](const HeadersOutcome& o) {
                     JobDone(id);
                     if (!o.connects) {
                         int count;
                         {
                             util::LockGuard lock(m_mutex);
                             auto it = m_peers.find(id);
                             if (it == m_peers.end()) return;
                             count = ++it->second.unconnecting_headers;
                         }
                         // Core: every MAX_UNCONNECTING_HEADERS-th such message is misbehaviour.
                         if (count % MAX_UNCONNECTING_HEADERS == 0)
                             return Misbehaving(id, "too many non-connecting headers messages");
                         // Perhaps we missed announcements: ask from our best header.
                         SendGetHeaders(id, m_chain.BestHeader());
                         return;
                     }
                     if (!o.result.IsValid()) return MaybePunish(id, o.result, "header");
                     {
                         util::LockGuard lock(m_mutex);
                         auto it = m_peers.find(id);
                         if (it == m_peers.end()) return;
                         it->second.unconnecting_headers = 0;
                         m_download.PeerHas(id, o.last);
                     }
                     if (full)
                         SendGetHeaders(id, o.last); // there may be more
                     else
                         AskAgainForUnplaced(id);
                     RequestBlocks(id);
                 },
                 [this, id] { JobDone(id); }); // a job that throws or is cancelled still frees its slot
}

PeerManager::HeadersOutcome PeerManager::AcceptIfConnects(const std::vector<consensus::BlockHeader>& headers)
{
    HeadersOutcome o;
    o.connects = m_chain.LookupBlockIndex(headers.front().prev_block) != nullptr;
    if (o.connects) o.result = m_chain.ProcessNewBlockHeaders(headers, &o.last);
    return o;
}

void PeerManager::OnBlock(net::NodeId id, consensus::ByteReader& r)
{
    if (m_chain.IsImporting()) return;
    auto block = std::make_shared<const consensus::Block>(consensus::Block::Deserialize(r));
    const consensus::Uint256 hash = block->GetHash();
    util::LogDebug(LogCategory::NET, "received block %s peer=%lld\n", hash.GetHex().c_str(),
                   static_cast<long long>(id));
    JobQueued(id);
    m_owner.PostBlock(block, [this, id, hash](const chain::BlockResult& done) {
        JobDone(id);
        {
            util::LockGuard lock(m_mutex);
            // A mutated copy cancels only its sender's request (Core's RemoveBlockRequest): an
            // honest peer's delivery of the real block stays in flight.
            if (!consensus::IsMutatedBlock(done.result) || m_download.IsRequestedFrom(hash, id))
                m_download.Received(hash);
            if (done.result.IsValid()) {
                if (const BlockIndex* b = m_chain.LookupBlockIndex(hash)) m_download.PeerHas(id, b);
                m_compact.ForgetBlock(hash); // no peer's blocktxn is needed for it now
            }
        }
        if (done.result.IsValid() && done.new_block) { // Core: only a block new to us counts
            const int64_t now = std::time(nullptr);
            m_connman.UpdateEvictionInfo(id, [now](net::PeerEvictionInfo& e) { e.last_block_time = now; });
        }
        if (done.result.IsInvalid()) MaybePunish(id, done.result, "block");
        if (done.result.IsValid() && done.new_block) MaybeSetHighBandwidth(id, hash);
        RequestBlocksFromAll();
    });
}

void PeerManager::MaybePunish(net::NodeId id, const consensus::ValidationResult& r, const std::string& what,
                              bool via_compact)
{
    switch (r.GetBlockResult()) {
    case BlockValidationResult::CONSENSUS:
    case BlockValidationResult::MUTATED:
        // Core: a compact block's contents are not punished (a full block is: mutated included).
        if (!via_compact) return Misbehaving(id, "invalid " + what + ": " + r.ToString());
        util::LogDebug(LogCategory::NET, "%s from peer=%lld not accepted: %s\n", what.c_str(),
                       static_cast<long long>(id), r.ToString().c_str());
        return;
    case BlockValidationResult::CACHED_INVALID:
        // Core: only an outbound peer on a chain we know is invalid is punished (an inbound one
        // may simply not know yet), and never for a compact block.
        if (!via_compact && !IsInbound(id)) return Misbehaving(id, "invalid " + what + ": " + r.ToString());
        util::LogDebug(LogCategory::NET, "%s from peer=%lld not accepted: %s\n", what.c_str(),
                       static_cast<long long>(id), r.ToString().c_str());
        return;
    case BlockValidationResult::INVALID_HEADER:
    case BlockValidationResult::INVALID_PREV:
    case BlockValidationResult::MISSING_PREV: return Misbehaving(id, "invalid " + what + ": " + r.ToString());
    case BlockValidationResult::TIME_FUTURE:
    case BlockValidationResult::HEADER_LOW_WORK:
    case BlockValidationResult::UNSET:
        // Core does not punish these (the peer may be right later, or it is our error).
        util::LogDebug(LogCategory::NET, "%s from peer=%lld not accepted: %s\n", what.c_str(),
                       static_cast<long long>(id), r.ToString().c_str());
        return;
    }
}

bool PeerManager::IsInbound(net::NodeId id) const
{
    util::LockGuard lock(m_mutex);
    auto it = m_peers.find(id);
    return it != m_peers.end() && it->second.addr.type == net::ConnectionType::INBOUND;
}

void PeerManager::DisconnectPeer(net::NodeId id, const std::string& why)
{
    util::LogDebug(LogCategory::NET, "%s, disconnecting peer=%lld\n", why.c_str(), static_cast<long long>(id));
    m_connman.Disconnect(id, why);
}

void PeerManager::Misbehaving(net::NodeId id, const std::string& why)
{
    net::PeerAddress addr;
    {
        util::LockGuard lock(m_mutex);
        auto it = m_peers.find(id);
        if (it == m_peers.end()) return;
        addr = it->second.addr;
    }
    util::LogPrintf("Misbehaving: peer=%lld: %s\n", static_cast<long long>(id), why.c_str());
    PunishMisbehaving(m_connman, id, addr.type, addr.permissions, why); // peer_policy.h
}

void PeerManager::RequestBlocks(net::NodeId id)
{
    net::InvMessage getdata;
    {
        util::LockGuard lock(m_mutex);
        auto it = m_peers.find(id);
        if (it == m_peers.end() || !it->second.handshake_done || m_chain.IsImporting()) return;
        // Blocks only from peers that serve them with witnesses (all blocks after segwit need them).
        const uint64_t services = it->second.version.services;
        // NETWORK_LIMITED peers keep only recent blocks: the initial download asks full nodes.
        if (!(services & net::NODE_WITNESS) || !(services & net::NODE_NETWORK)) return;
        const size_t in_flight = m_download.InFlight(id);
        if (in_flight >= MAX_BLOCKS_IN_TRANSIT_PER_PEER) return;
        net::NodeId staller = -1;
        const auto now = Clock::now();
        for (const BlockIndex* b : m_download.NextBlocks(id, MAX_BLOCKS_IN_TRANSIT_PER_PEER - in_flight, &staller)) {
            m_download.MarkRequested(id, b, now);
            getdata.items.push_back({net::MSG_WITNESS_BLOCK, b->GetBlockHash()});
        }
        if (staller != -1) m_download.MarkStalling(staller, now);
    }
    if (!getdata.items.empty()) Send(id, net::msg_type::GETDATA, getdata);
}

void PeerManager::RequestBlocksFromAll()
{
    std::vector<net::NodeId> ids;
    {
        util::LockGuard lock(m_mutex);
        for (const auto& [id, p] : m_peers)
            if (p.handshake_done) ids.push_back(id);
    }
    for (net::NodeId id : ids) RequestBlocks(id);
}

void PeerManager::OnGetHeaders(net::NodeId id, consensus::ByteReader& r, bool getblocks)
{
    const net::GetHeadersMessage m = net::GetHeadersMessage::Deserialize(r);
    // Core does not serve headers while in initial block download (its chain may be stale).
    if (m_chain.IsInitialBlockDownload()) {
        util::LogDebug(LogCategory::NET, "Ignoring %s from peer=%lld because node is in initial block download\n",
                       getblocks ? "getblocks" : "getheaders", static_cast<long long>(id));
        return;
    }
    if (m.locator.empty()) {
        // Core: no locator asks for the one header hash_stop names (none for getblocks).
        const BlockIndex* b = getblocks ? nullptr : m_chain.LookupBlockIndex(m.hash_stop);
        if (b && m_chain.IsInActiveChain(b)) {
            net::HeadersMessage one;
            one.headers.push_back(b->GetBlockHeader());
            Send(id, net::msg_type::HEADERS, one);
        }
        return;
    }
    const BlockIndex* fork = m_chain.FindForkInLocator(m.locator);
    if (getblocks) {
        // Old peers: an inv of up to 500 blocks after the fork (Core's getblocks answer).
        net::InvMessage inv;
        for (const auto& h : m_chain.ActiveHeadersAfter(fork, m.hash_stop, 500)) {
            inv.items.push_back({net::MSG_BLOCK, h.GetHash()});
        }
        if (!inv.items.empty()) Send(id, net::msg_type::INV, inv);
        return;
    }
    // Read, recorded in best_header_sent and queued under the lock (Core: all under cs_main), so
    // announcements and this answer reach the wire in the order the chain moved, and a
    // cmpctblock announced on the strength of best_header_sent cannot overtake these headers.
    util::LockGuard lock(m_mutex);
    auto it = m_peers.find(id);
    if (it == m_peers.end()) return;
    net::HeadersMessage out;
    out.headers = m_chain.ActiveHeadersAfter(fork, m.hash_stop, net::MAX_HEADERS_RESULTS);
    if (!out.headers.empty()) it->second.best_header_sent = m_chain.LookupBlockIndex(out.headers.back().GetHash());
    Send(id, net::msg_type::HEADERS, out);
}

void PeerManager::OnGetData(net::NodeId id, consensus::ByteReader& r)
{
    net::InvMessage m = net::InvMessage::Deserialize(r);
    {
        util::LockGuard lock(m_mutex);
        auto it = m_peers.find(id);
        if (it == m_peers.end()) return;
        it->second.getdata_queue.insert(it->second.getdata_queue.end(), m.items.begin(), m.items.end());
    }
    ServeGetData(id);
}

void PeerManager::SendRoom(net::NodeId peer) { ServeGetData(peer); }

void PeerManager::ServeGetData(net::NodeId id)
{
    net::InvMessage notfound;
    const auto conn = m_connman.Find(id);
    const net::NetPermissionFlags perms = conn ? conn->permissions : net::NetPermissionFlags::NONE;
    for (;;) {
        // One block at a time while the peer's send buffer has room (Core's ProcessGetData):
        // a getdata of 50,000 entries cannot queue 50,000 blocks.
        if (m_connman.SendBufferFullNotify(id)) break;
        net::Inv inv;
        {
            util::LockGuard lock(m_mutex);
            auto it = m_peers.find(id);
            if (it == m_peers.end() || it->second.getdata_queue.empty()) break;
            inv = it->second.getdata_queue.front();
            it->second.getdata_queue.pop_front();
        }
        if (notfound.items.size() == net::MAX_INV_SZ) {
            Send(id, net::msg_type::NOTFOUND, notfound);
            notfound.items.clear();
        }
        const uint32_t type = inv.type & ~net::MSG_WITNESS_FLAG;
        if (type == net::MSG_TX || type == net::MSG_WTX) {
            if (consensus::TransactionRef tx = TxForGetData(id, inv)) {
                // MSG_TX without the witness flag: the legacy encoding (Core); otherwise with witness.
                const bool witness = (inv.type & net::MSG_WITNESS_FLAG) || type == net::MSG_WTX;
                std::vector<uint8_t> bytes;
                consensus::ByteWriter w(bytes);
                tx->Serialize(w, witness ? consensus::TxWitness::WITH : consensus::TxWitness::WITHOUT);
                m_connman.Send(id, net::msg_type::TX, std::move(bytes));
            } else {
                notfound.items.push_back(inv);
            }
            continue;
        }
        if (type != net::MSG_BLOCK && type != net::MSG_CMPCT_BLOCK) {
            notfound.items.push_back(inv); // nothing else is served
            continue;
        }
        const BlockIndex* b = m_chain.LookupBlockIndex(inv.hash);
        const BlockIndex* best = m_chain.BestHeader();
        if (b && best && HistoricalServingLimited(m_connman.Upload(), b->GetBlockTime(), best->GetBlockTime(), perms)) {
            util::LogDebug(LogCategory::NET, "historical block serving limit reached, disconnect peer=%lld\n",
                           static_cast<long long>(id));
            m_connman.Disconnect(id, "historical block serving limit reached");
            return;
        }
        std::optional<std::vector<uint8_t>> raw;
        if (b && (b->status.load() & chain::BLOCK_HAVE_DATA)) raw = m_chain.ReadRawBlock(b);
        if (!raw) {
            notfound.items.push_back(inv);
            continue;
        }
        if (type == net::MSG_CMPCT_BLOCK && ServeCompactBlock(id, b)) continue;
        if ((inv.type & net::MSG_WITNESS_FLAG) || type == net::MSG_CMPCT_BLOCK) {
            m_connman.Send(id, net::msg_type::BLOCK, *raw);
        } else {
            consensus::ByteReader br(*raw);
            const consensus::Block block = consensus::Block::Deserialize(br);
            std::vector<uint8_t> stripped;
            consensus::ByteWriter w(stripped);
            block.Serialize(w, consensus::TxWitness::WITHOUT);
            m_connman.Send(id, net::msg_type::BLOCK, stripped);
        }
    }
    if (!notfound.items.empty()) Send(id, net::msg_type::NOTFOUND, notfound);
}

void PeerManager::JobQueued(net::NodeId id)
{
    // The hold is requested under the lock, so holds and releases reach the connection in
    // the order the count changed (a release posted before its hold left a peer unread).
    util::LockGuard lock(m_mutex);
    auto it = m_peers.find(id);
    if (it == m_peers.end()) return;
    if (++it->second.pending_jobs == MAX_PENDING_JOBS) m_connman.HoldReading(id, true);
}

void PeerManager::JobDone(net::NodeId id)
{
    util::LockGuard lock(m_mutex);
    auto it = m_peers.find(id);
    if (it == m_peers.end()) return;
    if (it->second.pending_jobs-- == MAX_PENDING_JOBS) m_connman.HoldReading(id, false);
}

void PeerManager::OnInv(net::NodeId id, consensus::ByteReader& r)
{
    const net::InvMessage m = net::InvMessage::Deserialize(r);
    OnTxInvs(id, m.items);
    for (const net::Inv& inv : m.items) {
        if ((inv.type & ~net::MSG_WITNESS_FLAG) != net::MSG_BLOCK) continue;
        if (!m_chain.LookupBlockIndex(inv.hash)) {
            // Headers first: ask for the headers up to it (Core's answer to a block inv).
            NoteUnplacedBlock(id, inv.hash);
            SendGetHeaders(id, m_chain.BestHeader());
            return;
        }
    }
}

void PeerManager::UpdatedBlockTip(const BlockIndex* new_tip, const BlockIndex* fork, bool initial_download)
{
    if (initial_download || !new_tip) return;
    // The new blocks, oldest first (at most MAX_BLOCKS_TO_ANNOUNCE; more: an inv of the tip).
    std::vector<const BlockIndex*> blocks;
    for (const BlockIndex* b = new_tip; b && b != fork && blocks.size() <= MAX_BLOCKS_TO_ANNOUNCE; b = b->prev) {
        blocks.insert(blocks.begin(), b);
    }
    if (blocks.empty()) return;
    // 0: inv, 1: headers, 2: cmpctblock (high-bandwidth peers, one new block: Core's NewPoWValidBlock).
    std::vector<std::pair<net::NodeId, int>> targets;
    std::shared_ptr<const net::HeaderAndShortIDs> cmpct;
    if (blocks.size() == 1) cmpct = CompactOf(new_tip);
    {
        util::LockGuard lock(m_mutex);
        for (auto& [id, p] : m_peers) {
            if (!p.handshake_done) {
                // Core queues the announcement for every peer and sends it once the handshake is
                // done: a peer that connects while we sync must still hear of our new tip.
                p.announce_on_verack = new_tip;
                continue;
            }
            const BlockIndex* known = m_download.BestKnown(id);
            if (known && known->GetAncestor(new_tip->height) == new_tip) continue; // it has it
            // Headers only if they connect for the peer (Core: it has, or we sent it, the first
            // one's parent); otherwise an inv, and the peer asks for the headers it lacks.
            const BlockIndex* parent = blocks.front()->prev;
            const auto has = [parent](const BlockIndex* b) {
                return b && parent && b->height >= parent->height && b->GetAncestor(parent->height) == parent;
            };
            if (p.fast_announced == new_tip) continue; // it got the cmpctblock before the connect
            const bool connects = has(known) || has(p.best_header_sent);
            const bool compact = cmpct && connects && m_compact.HighBandwidthFrom(id);
            const bool headers = p.prefers_headers && blocks.size() <= MAX_BLOCKS_TO_ANNOUNCE && connects;
            if (headers || compact) p.best_header_sent = new_tip;
            targets.emplace_back(id, compact ? 2 : headers ? 1 : 0);
        }
        // Queued under the lock that set best_header_sent (Core: under cs_main): a cmpctblock
        // of the next block, sent on its strength from the validation thread, comes after these.
        // Each message is serialized once for every peer.
        std::vector<uint8_t> cmpct_bytes, headers_bytes, inv_bytes;
        for (const auto& [id, kind] : targets) {
            if (kind == 2) {
                if (cmpct_bytes.empty()) cmpct_bytes = consensus::SerializeToBytes(*cmpct);
                m_connman.Send(id, net::msg_type::CMPCTBLOCK, cmpct_bytes);
            } else if (kind == 1) {
                if (headers_bytes.empty()) {
                    net::HeadersMessage m;
                    for (const BlockIndex* b : blocks) m.headers.push_back(b->GetBlockHeader());
                    headers_bytes = consensus::SerializeToBytes(m);
                }
                m_connman.Send(id, net::msg_type::HEADERS, headers_bytes);
            } else {
                if (inv_bytes.empty()) {
                    net::InvMessage inv;
                    inv.items.push_back({net::MSG_BLOCK, new_tip->GetBlockHash()});
                    inv_bytes = consensus::SerializeToBytes(inv);
                }
                m_connman.Send(id, net::msg_type::INV, inv_bytes);
            }
        }
    }
}

void PeerManager::PingAll()
{
    std::vector<std::pair<net::NodeId, uint64_t>> pings;
    {
        util::LockGuard lock(m_mutex);
        const auto now = std::chrono::steady_clock::now();
        for (auto& [id, p] : m_peers) {
            if (!p.handshake_done || p.ping_start) continue;
            p.ping_nonce = RandomU64();
            p.ping_start = now;
            p.last_ping = now;
            pings.emplace_back(id, p.ping_nonce);
        }
    }
    for (const auto& [id, nonce] : pings) Send(id, net::msg_type::PING, net::PingMessage{nonce});
}

void PeerManager::Tick()
{
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::pair<net::NodeId, std::string>> drop;
    std::vector<std::pair<net::NodeId, uint64_t>> pings;
    {
        util::LockGuard lock(m_mutex);
        for (auto& [id, p] : m_peers) {
            if (!p.handshake_done) continue;
            if (p.ping_start && now - *p.ping_start > PING_TIMEOUT) {
                drop.emplace_back(id, "ping timeout");
                continue;
            }
            if (!p.ping_start && (!p.last_ping || now - *p.last_ping > PING_INTERVAL)) {
                p.ping_nonce = RandomU64();
                p.ping_start = now;
                p.last_ping = now;
                pings.emplace_back(id, p.ping_nonce);
            }
        }
        for (net::NodeId id : m_download.StalledPeers(now)) drop.emplace_back(id, "Peer is stalling block download");
        const std::chrono::seconds interval{m_chain.Params().consensus.pow_target_spacing};
        for (const auto& [id, hash] : m_download.TimedOutPeers(now, interval))
            drop.emplace_back(id, "Timeout downloading block " + hash.GetHex());
    }
    for (const auto& [id, nonce] : pings) Send(id, net::msg_type::PING, net::PingMessage{nonce});
    for (const auto& [id, why] : drop) {
        util::LogPrintf("%s, disconnecting peer=%lld\n", why.c_str(), static_cast<long long>(id));
        m_connman.Disconnect(id, why);
    }
    RequestBlocksFromAll();
    if (m_addr_relay) m_addr_relay.load()->Tick();
    TxTick();
}

void PeerManager::TimerLoop()
{
    for (;;) {
        {
            util::UniqueLock lock(m_mutex);
            m_cv.wait_for(lock, std::chrono::milliseconds(500), [this]() REQUIRES(m_mutex) { return m_stopping; });
            if (m_stopping) return;
        }
        Tick();
    }
}

std::optional<PeerStats> PeerManager::GetPeerStats(net::NodeId id) const
{
    const auto addr = m_addr_relay ? m_addr_relay.load()->Stats(id) : std::nullopt;
    util::LockGuard lock(m_mutex);
    auto it = m_peers.find(id);
    if (it == m_peers.end()) return std::nullopt;
    const Peer& p = it->second;
    PeerStats s;
    s.id = id;
    s.version = p.version.version;
    s.services = p.version.services;
    s.user_agent = p.version.user_agent;
    s.start_height = p.version.start_height;
    s.relay = p.version.relay.value_or(true);
    s.handshake_done = p.handshake_done;
    s.prefers_headers = p.prefers_headers;
    if (addr) s.addr = *addr;
    s.bip152_hb_to = m_compact.HighBandwidthTo(id);
    s.bip152_hb_from = m_compact.HighBandwidthFrom(id);
    if (m_txrelay) {
        s.min_fee_filter = m_txrelay->PeerFeeFilter(id);
        s.last_transaction = m_txrelay->LastTxTime(id).count();
    }
    if (const BlockIndex* b = m_download.BestKnown(id)) s.synced_headers = b->height;
    if (const BlockIndex* b = m_download.LastCommon(id)) s.synced_blocks = b->height;
    s.inflight = m_download.InFlightHeights(id);
    const auto secs = [](std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1e6; };
    if (p.last_ping_time) s.ping_seconds = secs(*p.last_ping_time);
    if (p.min_ping_time) s.min_ping_seconds = secs(*p.min_ping_time);
    if (p.ping_start) {
        s.ping_wait_seconds = secs(
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - *p.ping_start));
    }
    return s;
}

} // namespace node::p2p
