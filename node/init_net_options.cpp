// The ban list, permission and limit options (init_net_options.h).
#include "node/init_net_options.h"

#include "util/args.h"
#include "util/logging.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace node {

void SetupBanAndLimitOptions(util::ArgsManager& args)
{
    using util::ArgsManager;
    using util::OptionsCategory;
    args.AddArg("-bantime=<n>", "Default duration (in seconds) of manually configured bans (default: 86400)",
                ArgsManager::ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-whitebind=<[permissions@]addr>",
                "Bind to the given address and add permission flags to the peers connecting to it. Use [host]:port "
                "notation for IPv6. Allowed permissions: bloomfilter (allow requesting BIP37 filtered blocks and "
                "transactions), noban (do not ban for misbehavior; implies download), forcerelay (relay transactions "
                "that are already in the mempool; implies relay), relay (relay even in -blocksonly mode, and "
                "unlimited transaction announcements), mempool (allow requesting BIP35 mempool contents), download "
                "(allow getheaders during IBD, no disconnect after maxuploadtarget limit), addr (responses to GETADDR "
                "avoid hitting the cache and contain random records with the most up-to-date info). Specify multiple "
                "permissions separated by commas (default: download,noban,mempool,relay). Can be specified multiple "
                "times.",
                ArgsManager::ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-whitelist=<[permissions@]IP address or network>",
                "Add permission flags to the peers using the given IP address (e.g. 1.2.3.4) or CIDR-notated network "
                "(e.g. 1.2.3.0/24). Uses the same permissions as -whitebind. Can be specified multiple times.",
                ArgsManager::ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-networkactive",
                "Enable all P2P network activity (default: 1). Can be changed by the setnetworkactive RPC command",
                ArgsManager::ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-maxuploadtarget=<n>",
                "Tries to keep outbound traffic under the given target per 24h. Limit does not apply to peers with "
                "'download' permission or blocks created within past week. 0 = no limit (default: 0). Optional "
                "suffix units [k|K|m|M|g|G|t|T] (default: M). Lowercase is 1000 base while uppercase is 1024 base",
                ArgsManager::ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-timeout=<n>",
                "Specify socket connection timeout in milliseconds. If an initial attempt to connect is unsuccessful "
                "after this amount of time, drop it (minimum: 1, default: 5000)",
                ArgsManager::ALLOW_ANY, OptionsCategory::CONNECTION);
    args.AddArg("-onlynet=<net>",
                "Make automatic outbound connections only to network <net> (ipv4, ipv6, onion, i2p, cjdns). Inbound "
                "and manual connections are not affected by this option. It can be specified multiple times to allow "
                "multiple networks.",
                ArgsManager::ALLOW_ANY, OptionsCategory::CONNECTION);
}

std::optional<uint64_t> ParseByteUnits(const std::string& text)
{
    if (text.empty()) return std::nullopt;
    uint64_t multiplier = 1024 * 1024; // no suffix: MiB, as Core's default for -maxuploadtarget
    std::string digits = text;
    const char last = text.back();
    if (!std::isdigit(static_cast<unsigned char>(last))) {
        digits.pop_back();
        switch (last) {
        case 'k': multiplier = 1000ULL; break;
        case 'K': multiplier = 1ULL << 10; break;
        case 'm': multiplier = 1000ULL * 1000; break;
        case 'M': multiplier = 1ULL << 20; break;
        case 'g': multiplier = 1000ULL * 1000 * 1000; break;
        case 'G': multiplier = 1ULL << 30; break;
        case 't': multiplier = 1000ULL * 1000 * 1000 * 1000; break;
        case 'T': multiplier = 1ULL << 40; break;
        default: return std::nullopt;
        }
    }
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    uint64_t n = 0;
    const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc{} || p != digits.data() + digits.size()) return std::nullopt;
    if (n > UINT64_MAX / multiplier) return std::nullopt;
    return n * multiplier;
}

std::optional<net::Network> ParseNetworkName(const std::string& name)
{
    std::string n = name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (n == "ipv4") return net::Network::IPV4;
    if (n == "ipv6") return net::Network::IPV6;
    if (n == "onion") return net::Network::ONION;
    if (n == "i2p") return net::Network::I2P;
    if (n == "cjdns") return net::Network::CJDNS;
    return std::nullopt;
}

bool ReadBanAndLimitOptions(const util::ArgsManager& args, bool listen, net::ConnmanOptions& o, std::string& error)
{
    for (const std::string& w : args.GetArgs("-whitebind")) {
        net::WhitebindPermissions wb;
        if (!net::ParseWhitebind(w, wb, error)) return false;
        if (!listen) continue;
        boost::system::error_code ec;
        const auto addr = boost::asio::ip::make_address(wb.service.Address().ToString(), ec);
        if (ec) {
            error = "Cannot resolve -whitebind address: '" + w + "'";
            return false;
        }
        o.listen_permissions.resize(o.listen.size(), net::NetPermissionFlags::NONE);
        o.listen.emplace_back(addr, wb.service.Port());
        o.listen_permissions.push_back(wb.flags);
    }
    for (const std::string& w : args.GetArgs("-whitelist")) {
        net::WhitelistPermissions wl;
        if (!net::ParseWhitelist(w, wl, error)) return false;
        o.whitelist.push_back(wl);
    }
    o.network_active = args.GetBoolArg("-networkactive", true);
    const std::string upload = args.GetArg("-maxuploadtarget", "0");
    const auto target = ParseByteUnits(upload);
    if (!target) {
        error = "Unable to parse -maxuploadtarget: '" + upload + "'";
        return false;
    }
    o.max_upload_target = *target;
    int64_t timeout = args.GetIntArg("-timeout", 5000);
    if (timeout <= 0) timeout = 5000; // Core falls back to the default
    o.connect_timeout = std::chrono::milliseconds(timeout);
    if (args.IsArgSet("-onlynet")) {
        o.onlynet.clear();
        for (const std::string& name : args.GetArgs("-onlynet")) {
            const auto n = ParseNetworkName(name);
            if (!n) {
                error = "Unknown network specified in -onlynet: '" + name + "'";
                return false;
            }
            // No proxy, I2P SAM or CJDNS support: Core's errors for those without their option.
            if (*n == net::Network::ONION) {
                error = "Outbound connections restricted to Tor (-onlynet=onion) but the proxy for reaching the Tor "
                        "network is not provided: none of -proxy, -onion or -listenonion is given";
                return false;
            }
            if (*n == net::Network::I2P) {
                error = "Outbound connections restricted to i2p (-onlynet=i2p) but -i2psam is not provided";
                return false;
            }
            if (*n == net::Network::CJDNS) {
                error = "Outbound connections restricted to CJDNS (-onlynet=cjdns) but -cjdnsreachable is not provided";
                return false;
            }
            o.onlynet.insert(*n);
        }
    }
    return true;
}

} // namespace node
