// Punishments and the historical block serving limit (peer_policy.h).
#include "node/p2p/peer_policy.h"

#include "net/subnet.h"
#include "util/logging.h"

namespace node::p2p {

Punishment DecidePunishment(net::NetPermissionFlags permissions, net::ConnectionType type, const net::NetAddress& addr)
{
    if (net::HasPermission(permissions, net::NetPermissionFlags::NOBAN)) return Punishment::NONE;
    if (type == net::ConnectionType::MANUAL) return Punishment::NONE;
    if (addr.IsLocal()) return Punishment::DISCONNECT;
    return Punishment::DISCOURAGE;
}

void PunishMisbehaving(net::ConnectionManager& connman, net::NodeId id, net::ConnectionType type,
                       net::NetPermissionFlags permissions, const std::string& why)
{
    const auto peer = connman.Find(id);
    if (!peer) return; // gone already
    const net::NetAddress addr = net::ToNetAddress(peer->conn->Remote());
    const long long n = static_cast<long long>(id);
    switch (DecidePunishment(permissions, type, addr)) {
    case Punishment::NONE:
        util::LogPrintf(
            "Warning: not punishing %s peer %lld!\n",
            net::HasPermission(permissions, net::NetPermissionFlags::NOBAN) ? "noban" : "manually connected", n);
        return;
    case Punishment::DISCONNECT:
        util::LogPrintf("Warning: disconnecting but not discouraging local peer %lld!\n", n);
        connman.Disconnect(id, "Misbehaving: " + why);
        return;
    case Punishment::DISCOURAGE:
        util::LogDebug(util::LogCategory::NET, "Disconnecting and discouraging peer %lld!\n", n);
        if (net::BanMan* banman = connman.GetBanMan()) banman->Discourage(addr);
        connman.Disconnect(id, "Misbehaving: " + why);
        connman.DisconnectMatching(net::SubNet(addr)); // every connection from that address, as Core
        return;
    }
}

bool HistoricalServingLimited(const net::UploadTarget& upload, int64_t block_time, int64_t best_header_time,
                              net::NetPermissionFlags permissions)
{
    return upload.Reached(/*historical=*/true) && best_header_time - block_time > HISTORICAL_BLOCK_AGE_SECONDS &&
           !net::HasPermission(permissions, net::NetPermissionFlags::DOWNLOAD);
}

} // namespace node::p2p
