// Subnet matching and HTTP server options from arguments.
#include "node/http/http_options.h"

#include "util/args.h"
#include "util/strencodings.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace node::http {

namespace {

/** A numeric address: IPv4 (first 4 bytes) or IPv6 (16 bytes). */
struct IpAddress {
    bool ipv4{false};
    std::array<uint8_t, 16> bytes{};
};

/**
 * Parses a numeric IPv4 or IPv6 address ("[v6]" too). An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is IPv4, as Core's CNetAddr reads it, so families compare as Core's.
 */
std::optional<IpAddress> ParseIp(std::string_view text)
{
    std::string s(text);
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
    if (s.find('\0') != std::string::npos) return std::nullopt;
    IpAddress out;
    in_addr v4{};
    if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
        out.ipv4 = true;
        std::memcpy(out.bytes.data(), &v4, 4);
        return out;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
        std::memcpy(out.bytes.data(), &v6, 16);
        static constexpr uint8_t V4_MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(out.bytes.data(), V4_MAPPED, sizeof(V4_MAPPED)) == 0) {
            out.ipv4 = true;
            std::memmove(out.bytes.data(), out.bytes.data() + 12, 4);
            std::fill(out.bytes.begin() + 4, out.bytes.end(), 0);
        }
        return out;
    }
    return std::nullopt;
}

/**
 * False for the addresses Core's CNetAddr::IsValid refuses, which then match no subnet:
 * 0.0.0.0, 255.255.255.255, :: and the documentation range 2001:db8::/32.
 */
bool IsValidClient(const IpAddress& a)
{
    if (a.ipv4) {
        const uint32_t v =
            (uint32_t{a.bytes[0]} << 24) | (uint32_t{a.bytes[1]} << 16) | (uint32_t{a.bytes[2]} << 8) | a.bytes[3];
        return v != 0 && v != 0xffffffff;
    }
    if (std::all_of(a.bytes.begin(), a.bytes.end(), [](uint8_t b) { return b == 0; })) return false;
    return !(a.bytes[0] == 0x20 && a.bytes[1] == 0x01 && a.bytes[2] == 0x0d && a.bytes[3] == 0xb8);
}

} // namespace

std::optional<Subnet> Subnet::Parse(std::string_view text)
{
    // As Core, the last '/' separates the prefix length or netmask.
    const size_t slash = text.rfind('/');
    const auto addr = ParseIp(text.substr(0, slash));
    if (!addr) return std::nullopt;
    Subnet sn;
    sn.m_ipv4 = addr->ipv4;
    sn.m_net = addr->bytes;
    const size_t len = sn.m_ipv4 ? 4 : 16;
    std::fill(sn.m_mask.begin(), sn.m_mask.begin() + static_cast<std::ptrdiff_t>(len), 0xff);
    if (slash != std::string_view::npos) {
        const std::string_view suffix = text.substr(slash + 1);
        if (auto bits = util::ParseSmallInt(suffix); bits && *bits <= 255) {
            if (*bits > static_cast<int>(len * 8)) return std::nullopt;
            for (size_t i = 0; i < len; ++i) {
                const int b = std::clamp(*bits - static_cast<int>(i) * 8, 0, 8);
                sn.m_mask[i] = static_cast<uint8_t>((0xff00 >> b) & 0xff);
            }
        } else {
            const auto mask = ParseIp(suffix);
            if (!mask || mask->ipv4 != sn.m_ipv4) return std::nullopt;
            sn.m_mask = mask->bytes;
            // A netmask must be contiguous ones followed by zeros.
            bool zero_seen = false;
            for (size_t i = 0; i < len; ++i) {
                for (int bit = 7; bit >= 0; --bit) {
                    const bool one = (sn.m_mask[i] >> bit) & 1;
                    if (one && zero_seen) return std::nullopt;
                    if (!one) zero_seen = true;
                }
            }
        }
    }
    for (size_t i = 0; i < sn.m_net.size(); ++i) sn.m_net[i] &= sn.m_mask[i];
    return sn;
}

bool Subnet::Contains(std::string_view address) const
{
    const auto addr = ParseIp(address);
    if (!addr || addr->ipv4 != m_ipv4 || !IsValidClient(*addr)) return false;
    for (size_t i = 0; i < addr->bytes.size(); ++i) {
        if ((addr->bytes[i] & m_mask[i]) != m_net[i]) return false;
    }
    return true;
}

bool HttpServerOptionsFromArgs(const util::ArgsManager& args, uint16_t default_port, HttpServerOptions& options,
                               std::vector<std::string>& warnings, std::string& error)
{
    uint16_t port = default_port;
    if (auto port_arg = args.GetArg("-rpcport")) {
        const auto p = util::ParsePort(*port_arg);
        if (!p) {
            error = "Invalid port specified in -rpcport: '" + *port_arg + "'";
            return false;
        }
        port = *p;
    }
    // As Core's CheckHostPortOptions: every -rpcbind must have a valid port (if any), even
    // when it is then ignored for want of -rpcallowip.
    std::vector<std::pair<std::string, uint16_t>> binds;
    for (const std::string& b : args.GetArgs("-rpcbind")) {
        uint16_t p = port;
        std::string host;
        if (!SplitHostPort(b, p, host) || host.empty()) {
            error = "Invalid port specified in -rpcbind: '" + b + "'";
            return false;
        }
        binds.emplace_back(std::move(host), p);
    }
    options.allow.clear();
    for (const std::string& s : args.GetArgs("-rpcallowip")) {
        auto sn = Subnet::Parse(s);
        if (!sn) {
            error = "Invalid -rpcallowip subnet specification: " + s +
                    ". Valid values are a single IP (e.g. 1.2.3.4), a network/netmask (e.g. 1.2.3.4/255.255.255.0), a "
                    "network/CIDR (e.g. 1.2.3.4/24), all ipv4 (0.0.0.0/0), or all ipv6 (::/0).";
            return false;
        }
        options.allow.push_back(*sn);
    }
    options.bind.clear();
    const bool allowip = args.IsArgSet("-rpcallowip");
    const bool rpcbind = args.IsArgSet("-rpcbind");
    if (!(allowip && rpcbind)) {
        options.bind = {{"::1", port}, {"127.0.0.1", port}};
        options.bind_explicit = false;
        if (allowip)
            warnings.push_back("option -rpcallowip was specified without -rpcbind; this doesn't usually make sense");
        if (rpcbind) {
            warnings.push_back("option -rpcbind was ignored because -rpcallowip was not specified, refusing to allow "
                               "everyone to connect");
        }
    } else {
        options.bind = std::move(binds);
        options.bind_explicit = true;
    }
    options.threads = static_cast<int>(std::max<int64_t>(args.GetIntArg("-rpcthreads", 4), 1));
    options.work_queue = static_cast<int>(std::max<int64_t>(args.GetIntArg("-rpcworkqueue", 16), 1));
    options.idle_timeout = std::chrono::seconds(std::max<int64_t>(args.GetIntArg("-rpcservertimeout", 30), 1));
    return true;
}

void SetupRpcServerOptions(util::ArgsManager& args)
{
    using util::ArgsManager;
    using util::OptionsCategory;
    args.AddArg("-server", "Accept command line and JSON-RPC commands", ArgsManager::ALLOW_ANY, OptionsCategory::RPC);
    args.AddArg("-rpcbind=<addr>[:port]",
                "Bind to given address to listen for JSON-RPC connections. Do not expose the "
                "RPC server to untrusted networks such as the public internet! This option is ignored unless "
                "-rpcallowip is also passed. Port is optional and overrides -rpcport. Use [host]:port notation for "
                "IPv6. This option can be specified multiple times (default: 127.0.0.1 and ::1 i.e., localhost)",
                ArgsManager::ALLOW_ANY | ArgsManager::NETWORK_ONLY, OptionsCategory::RPC);
    args.AddArg("-rpcallowip=<ip>",
                "Allow JSON-RPC connections from specified source. Valid values for <ip> are a "
                "single IP (e.g. 1.2.3.4), a network/netmask (e.g. 1.2.3.4/255.255.255.0), a network/CIDR (e.g. "
                "1.2.3.4/24), all ipv4 (0.0.0.0/0), or all ipv6 (::/0). This option can be specified multiple times",
                ArgsManager::ALLOW_ANY, OptionsCategory::RPC);
    args.AddArg("-rpcport=<port>",
                "Listen for JSON-RPC connections on <port> (default: 8332, testnet3: 18332, "
                "testnet4: 48332, signet: 38332, regtest: 18443)",
                ArgsManager::ALLOW_ANY | ArgsManager::NETWORK_ONLY, OptionsCategory::RPC);
    args.AddArg("-rpcuser=<user>", "Username for JSON-RPC connections", ArgsManager::ALLOW_ANY | ArgsManager::SENSITIVE,
                OptionsCategory::RPC);
    args.AddArg("-rpcpassword=<pw>", "Password for JSON-RPC connections",
                ArgsManager::ALLOW_ANY | ArgsManager::SENSITIVE, OptionsCategory::RPC);
    args.AddArg("-rpcauth=<userpw>",
                "Username and HMAC-SHA-256 hashed password for JSON-RPC connections. The field "
                "<userpw> comes in the format: <USERNAME>:<SALT>$<HASH>. RPC clients connect using "
                "rpcuser=<USERNAME>/rpcpassword=<PASSWORD> arguments. This option can be specified multiple times",
                ArgsManager::ALLOW_ANY | ArgsManager::SENSITIVE, OptionsCategory::RPC);
    args.AddArg("-rpccookiefile=<loc>",
                "Location of the auth cookie. Relative paths will be prefixed by a net-specific "
                "datadir location. (default: data dir)",
                ArgsManager::ALLOW_ANY, OptionsCategory::RPC);
    args.AddArg("-rpccookieperms=<readable-by>",
                "Set permissions on the RPC auth cookie file so that it is readable "
                "by [owner|group|all] (default: owner [via umask 0077])",
                ArgsManager::ALLOW_ANY, OptionsCategory::RPC);
    args.AddArg("-rpcwhitelist=<whitelist>",
                "Set a whitelist to filter incoming RPC calls for a specific user. The "
                "field <whitelist> comes in the format: <USERNAME>:<rpc 1>,<rpc 2>,...,<rpc n>. If multiple whitelists "
                "are set for a given user, they are set-intersected. See -rpcwhitelistdefault documentation for "
                "information on default whitelist behavior.",
                ArgsManager::ALLOW_ANY, OptionsCategory::RPC);
    args.AddArg("-rpcwhitelistdefault",
                "Sets default behavior for rpc whitelisting. Unless rpcwhitelistdefault is set "
                "to 0, if any -rpcwhitelist is set, the rpc server acts as if all rpc users are subject to "
                "empty-unless-otherwise-specified whitelists. If rpcwhitelistdefault is set to 1 and no -rpcwhitelist "
                "is set, rpc server acts as if all rpc users are subject to empty whitelists.",
                ArgsManager::ALLOW_ANY, OptionsCategory::RPC);
    args.AddArg("-rpcthreads=<n>", "Set the number of threads to service RPC calls (default: 4)",
                ArgsManager::ALLOW_ANY, OptionsCategory::RPC);
    args.AddArg("-rpcworkqueue=<n>", "Set the maximum depth of the work queue to service RPC calls (default: 16)",
                ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::RPC);
    args.AddArg("-rpcservertimeout=<n>", "Timeout during HTTP requests (default: 30)",
                ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::RPC);
    args.AddArg("-rpcdoccheck",
                "Throw a non-fatal error at runtime if the documentation for an RPC is incorrect "
                "(default: 0)",
                ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::RPC);
}

} // namespace node::http
