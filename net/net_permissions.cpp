// Peer permissions (net_permissions.h).
#include "net/net_permissions.h"

namespace net {

std::vector<std::string> PermissionStrings(NetPermissionFlags flags)
{
    std::vector<std::string> out;
    const std::pair<NetPermissionFlags, const char*> names[] = {{NetPermissionFlags::BLOOMFILTER, "bloomfilter"},
                                                                {NetPermissionFlags::NOBAN, "noban"},
                                                                {NetPermissionFlags::FORCERELAY, "forcerelay"},
                                                                {NetPermissionFlags::RELAY, "relay"},
                                                                {NetPermissionFlags::MEMPOOL, "mempool"},
                                                                {NetPermissionFlags::DOWNLOAD, "download"},
                                                                {NetPermissionFlags::ADDR, "addr"}};
    for (const auto& [f, name] : names)
        if (HasPermission(flags, f)) out.emplace_back(name);
    return out;
}

NetPermissionFlags ApplyImplicit(NetPermissionFlags flags)
{
    if (!HasPermission(flags, NetPermissionFlags::IMPLICIT)) return flags;
    const auto bits = static_cast<uint32_t>(flags) & ~static_cast<uint32_t>(NetPermissionFlags::IMPLICIT);
    return static_cast<NetPermissionFlags>(bits) | NetPermissionFlags::RELAY | NetPermissionFlags::MEMPOOL |
           NetPermissionFlags::NOBAN;
}

bool ParsePermissionFlags(const std::string& str, NetPermissionFlags& flags, size_t& offset, std::string& error)
{
    flags = NetPermissionFlags::NONE;
    const size_t at = str.find('@');
    if (at == std::string::npos) {
        flags = NetPermissionFlags::IMPLICIT;
        offset = 0;
        return true;
    }
    const std::string permissions = str.substr(0, at);
    size_t pos = 0;
    while (pos <= permissions.size()) {
        const size_t comma = permissions.find(',', pos);
        const std::string p = permissions.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (p == "bloomfilter" || p == "bloom") {
            flags = flags | NetPermissionFlags::BLOOMFILTER;
        } else if (p == "noban") {
            flags = flags | NetPermissionFlags::NOBAN;
        } else if (p == "forcerelay") {
            flags = flags | NetPermissionFlags::FORCERELAY;
        } else if (p == "mempool") {
            flags = flags | NetPermissionFlags::MEMPOOL;
        } else if (p == "download") {
            flags = flags | NetPermissionFlags::DOWNLOAD;
        } else if (p == "all") {
            flags = flags | NetPermissionFlags::ALL;
        } else if (p == "relay") {
            flags = flags | NetPermissionFlags::RELAY;
        } else if (p == "addr") {
            flags = flags | NetPermissionFlags::ADDR;
        } else if (!p.empty()) { // empty entries are allowed, as Core
            error = "Invalid P2P permission: '" + p + "'";
            return false;
        }
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    offset = at + 1;
    return true;
}

bool ParseWhitebind(const std::string& str, WhitebindPermissions& out, std::string& error)
{
    size_t offset = 0;
    if (!ParsePermissionFlags(str, out.flags, offset, error)) return false;
    const std::string bind = str.substr(offset);
    const auto service = ParseService(bind, 0);
    if (!service || !(service->Address().IsIPv4() || service->Address().IsIPv6())) {
        error = "Cannot resolve -whitebind address: '" + bind + "'";
        return false;
    }
    if (service->Port() == 0) {
        error = "Need to specify a port with -whitebind: '" + bind + "'";
        return false;
    }
    out.service = *service;
    return true;
}

bool ParseWhitelist(const std::string& str, WhitelistPermissions& out, std::string& error)
{
    size_t offset = 0;
    if (!ParsePermissionFlags(str, out.flags, offset, error)) return false;
    const std::string net = str.substr(offset);
    const auto subnet = ParseSubNet(net);
    if (!subnet) {
        error = "Invalid netmask specified in -whitelist: '" + net + "'";
        return false;
    }
    out.subnet = *subnet;
    return true;
}

} // namespace net
