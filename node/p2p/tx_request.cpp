#include "node/p2p/tx_request.h"

#include "net/siphash.h"

#include <algorithm>
#include <random>

namespace node::p2p {

std::chrono::microseconds TxAnnouncementDelay(bool is_wtxid, bool have_wtxid_peers, bool preferred,
                                              bool relay_permission, size_t peer_in_flight)
{
    std::chrono::microseconds delay{0};
    if (!is_wtxid && have_wtxid_peers) delay += TXID_RELAY_DELAY;
    if (!preferred) delay += NONPREF_PEER_TX_DELAY;
    if (!relay_permission && peer_in_flight >= MAX_PEER_TX_REQUEST_IN_FLIGHT) delay += OVERLOADED_PEER_TX_DELAY;
    return delay;
}

TxRequestTracker::TxRequestTracker(std::optional<std::pair<uint64_t, uint64_t>> salt)
{
    if (salt) {
        m_k0 = salt->first;
        m_k1 = salt->second;
    } else {
        std::random_device rd;
        m_k0 = (uint64_t{rd()} << 32) | rd();
        m_k1 = (uint64_t{rd()} << 32) | rd();
    }
}

uint64_t TxRequestTracker::Priority(const consensus::Uint256& txhash, net::NodeId peer, bool preferred) const
{
    // Preferred announcers sort above all others; within a class the order is a keyed hash,
    // unpredictable to peers (Core's PriorityComputer).
    const uint64_t low = net::SipHashUint256Extra(m_k0, m_k1, txhash, static_cast<uint32_t>(peer)) >> 1;
    return low | (uint64_t{preferred} << 63);
}

bool TxRequestTracker::ReceivedInv(net::NodeId peer, const GenTxid& gtxid, bool preferred,
                                   std::chrono::microseconds reqtime)
{
    auto& anns = m_by_hash[gtxid.hash];
    for (const auto& a : anns)
        if (a.peer == peer) return false;
    Announcement a{
        peer, gtxid.is_wtxid, preferred, State::DELAYED, reqtime, m_sequence++, Priority(gtxid.hash, peer, preferred)};
    PeerInfo& pi = m_peers[peer];
    ++pi.total;
    ++pi.candidates;
    pi.hashes.insert(gtxid.hash);
    ++m_size;
    m_timed.emplace(a.time, a.sequence, gtxid.hash);
    anns.push_back(a);
    // Its time may already have come; GetRequestable's SetTimePoint promotes it.
    return true;
}

void TxRequestTracker::SetState(const consensus::Uint256& txhash, Announcement& a, State s)
{
    const bool timed_before = a.state == State::DELAYED || a.state == State::REQUESTED;
    if (timed_before) m_timed.erase({a.time, a.sequence, txhash});
    PeerInfo& pi = m_peers[a.peer];
    const auto candidate = [](State st) { return st == State::DELAYED || st == State::READY || st == State::BEST; };
    if (candidate(a.state)) --pi.candidates;
    if (a.state == State::REQUESTED) --pi.requested;
    if (candidate(s)) ++pi.candidates;
    if (s == State::REQUESTED) ++pi.requested;
    a.state = s;
    // The caller sets a.time and inserts into m_timed when the new state is timed (DELAYED, REQUESTED).
}

void TxRequestTracker::Erase(const consensus::Uint256& txhash, std::vector<Announcement>& anns, size_t i)
{
    Announcement& a = anns[i];
    SetState(txhash, a, State::COMPLETED);
    auto pit = m_peers.find(a.peer);
    if (--pit->second.total == 0) {
        m_peers.erase(pit);
    } else {
        pit->second.hashes.erase(txhash);
    }
    --m_size;
    anns.erase(anns.begin() + static_cast<std::ptrdiff_t>(i));
}

void TxRequestTracker::Reselect(const consensus::Uint256& txhash)
{
    auto it = m_by_hash.find(txhash);
    if (it == m_by_hash.end()) return;
    auto& anns = it->second;
    // Every announcement completed: nobody left to ask, forget the hash (Core).
    if (std::all_of(anns.begin(), anns.end(), [](const Announcement& a) { return a.state == State::COMPLETED; })) {
        while (!anns.empty()) Erase(txhash, anns, anns.size() - 1);
        m_by_hash.erase(it);
        return;
    }
    const bool requested =
        std::any_of(anns.begin(), anns.end(), [](const Announcement& a) { return a.state == State::REQUESTED; });
    Announcement* best = nullptr;
    for (auto& a : anns) {
        if (a.state == State::BEST) a.state = State::READY; // counters unchanged: both are candidates
        if (!requested && a.state == State::READY && (!best || a.priority > best->priority)) best = &a;
    }
    if (best) best->state = State::BEST;
}

void TxRequestTracker::SetTimePoint(std::chrono::microseconds now,
                                    std::vector<std::pair<net::NodeId, GenTxid>>* expired)
{
    std::set<consensus::Uint256> touched;
    while (!m_timed.empty() && std::get<0>(*m_timed.begin()) <= now) {
        const auto [time, seq, hash] = *m_timed.begin();
        auto& anns = m_by_hash[hash];
        auto a =
            std::find_if(anns.begin(), anns.end(), [seq = seq](const Announcement& x) { return x.sequence == seq; });
        if (a == anns.end()) { // cannot happen: the index follows every change
            m_timed.erase(m_timed.begin());
            continue;
        }
        if (a->state == State::REQUESTED) {
            if (expired) expired->emplace_back(a->peer, GenTxid{a->is_wtxid, hash});
            SetState(hash, *a, State::COMPLETED);
        } else {
            SetState(hash, *a, State::READY);
        }
        touched.insert(hash);
    }
    // The clock went back (Core handles it too): candidates whose time is again in the future wait.
    if (now < m_last_now) {
        for (auto& [hash, anns] : m_by_hash) {
            for (auto& a : anns) {
                if ((a.state == State::READY || a.state == State::BEST) && a.time > now) {
                    SetState(hash, a, State::DELAYED);
                    m_timed.emplace(a.time, a.sequence, hash);
                    touched.insert(hash);
                }
            }
        }
    }
    m_last_now = now;
    for (const auto& h : touched) Reselect(h);
}

std::vector<GenTxid> TxRequestTracker::GetRequestable(net::NodeId peer, std::chrono::microseconds now,
                                                      std::vector<std::pair<net::NodeId, GenTxid>>* expired)
{
    SetTimePoint(now, expired);
    std::vector<std::pair<uint64_t, GenTxid>> found;
    auto pit = m_peers.find(peer);
    if (pit == m_peers.end()) return {};
    for (const auto& hash : pit->second.hashes) {
        for (const auto& a : m_by_hash[hash]) {
            if (a.peer == peer && a.state == State::BEST) found.emplace_back(a.sequence, GenTxid{a.is_wtxid, hash});
        }
    }
    std::sort(found.begin(), found.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<GenTxid> out;
    out.reserve(found.size());
    for (auto& [seq, g] : found) out.push_back(g);
    return out;
}

void TxRequestTracker::RequestedTx(net::NodeId peer, const consensus::Uint256& txhash, std::chrono::microseconds expiry)
{
    auto it = m_by_hash.find(txhash);
    if (it == m_by_hash.end()) return;
    auto& anns = it->second;
    auto a = std::find_if(anns.begin(), anns.end(), [&](const Announcement& x) { return x.peer == peer; });
    if (a == anns.end() || a->state == State::REQUESTED || a->state == State::COMPLETED) return;
    // Only one request per hash in flight: an older one now counts as answered.
    for (auto& other : anns) {
        if (&other != &*a && other.state == State::REQUESTED) SetState(txhash, other, State::COMPLETED);
    }
    SetState(txhash, *a, State::REQUESTED);
    a->time = expiry;
    m_timed.emplace(a->time, a->sequence, txhash);
    Reselect(txhash);
}

void TxRequestTracker::ReceivedResponse(net::NodeId peer, const consensus::Uint256& txhash)
{
    auto it = m_by_hash.find(txhash);
    if (it == m_by_hash.end()) return;
    for (auto& a : it->second) {
        if (a.peer == peer && a.state != State::COMPLETED) {
            SetState(txhash, a, State::COMPLETED);
            Reselect(txhash);
            return;
        }
    }
}

void TxRequestTracker::ForgetTxHash(const consensus::Uint256& txhash)
{
    auto it = m_by_hash.find(txhash);
    if (it == m_by_hash.end()) return;
    auto& anns = it->second;
    while (!anns.empty()) Erase(txhash, anns, anns.size() - 1);
    m_by_hash.erase(it);
}

void TxRequestTracker::DisconnectedPeer(net::NodeId peer)
{
    auto pit = m_peers.find(peer);
    if (pit == m_peers.end()) return;
    const std::set<consensus::Uint256> hashes = pit->second.hashes;
    for (const auto& hash : hashes) {
        auto& anns = m_by_hash[hash];
        for (size_t i = 0; i < anns.size(); ++i) {
            if (anns[i].peer == peer) {
                Erase(hash, anns, i);
                break;
            }
        }
        if (anns.empty()) {
            m_by_hash.erase(hash);
        } else {
            Reselect(hash);
        }
    }
}

size_t TxRequestTracker::CountInFlight(net::NodeId peer) const
{
    auto it = m_peers.find(peer);
    return it == m_peers.end() ? 0 : it->second.requested;
}

size_t TxRequestTracker::CountCandidates(net::NodeId peer) const
{
    auto it = m_peers.find(peer);
    return it == m_peers.end() ? 0 : it->second.candidates;
}

size_t TxRequestTracker::Count(net::NodeId peer) const
{
    auto it = m_peers.find(peer);
    return it == m_peers.end() ? 0 : it->second.total;
}

} // namespace node::p2p
