// Subnet matching and HTTP server options from arguments.
#include "node/rpc/http_options.h"

#include "node/util/args.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace node::rpc {

namespace {

std::optional<std::array<uint8_t, 16>> ParseIp(std::string_view text)
{
    std::string s(text);
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
    std::array<uint8_t, 16> out{};
    in_addr v4{};
    if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
        out[10] = 0xff;
        out[11] = 0xff;
        std::memcpy(out.data() + 12, &v4, 4);
        return out;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
        std::memcpy(out.data(), &v6, 16);
        return out;
    }
    return std::nullopt;
}

bool IsV4Mapped(const std::array<uint8_t, 16>& a)
{
    for (int i = 0; i < 10; ++i) {
        if (a[i] != 0) return false;
    }
    return a[10] == 0xff && a[11] == 0xff;
}

std::optional<int> ParseSmallInt(std::string_view s)
{
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

} // namespace

std::optional<Subnet> Subnet::Parse(std::string_view text)
{
    Subnet sn;
    const size_t slash = text.find('/');
    const auto addr = ParseIp(text.substr(0, slash));
    if (!addr) return std::nullopt;
    sn.m_net = *addr;
    const bool v4 = IsV4Mapped(*addr);
    sn.m_mask.fill(0xff);
    if (slash != std::string_view::npos) {
        const std::string_view suffix = text.substr(slash + 1);
        if (auto bits = ParseSmallInt(suffix)) {
            const int max_bits = v4 ? 32 : 128;
            if (*bits < 0 || *bits > max_bits) return std::nullopt;
            const int total = (v4 ? 96 : 0) + *bits;
            for (int i = 0; i < 16; ++i) {
                const int b = std::clamp(total - i * 8, 0, 8);
                sn.m_mask[i] = static_cast<uint8_t>(b == 0 ? 0 : (0xff << (8 - b)) & 0xff);
            }
        } else {
            const auto mask = ParseIp(suffix);
            if (!mask || IsV4Mapped(*mask) != v4) return std::nullopt;
            sn.m_mask = *mask;
            if (v4) std::fill(sn.m_mask.begin(), sn.m_mask.begin() + 12, 0xff);
            // A netmask must be contiguous ones followed by zeros.
            bool zero_seen = false;
            for (uint8_t byte : sn.m_mask) {
                for (int bit = 7; bit >= 0; --bit) {
                    const bool one = (byte >> bit) & 1;
                    if (one && zero_seen) return std::nullopt;
                    if (!one) zero_seen = true;
                }
            }
        }
    }
    for (int i = 0; i < 16; ++i) sn.m_net[i] &= sn.m_mask[i];
    return sn;
}

bool Subnet::Contains(std::string_view address) const
{
    const auto addr = ParseIp(address);
    if (!addr) return false;
    for (int i = 0; i < 16; ++i) {
        if (((*addr)[i] & m_mask[i]) != m_net[i]) return false;
    }
    return true;
}

bool SplitHostPort(std::string_view in, uint16_t& port, std::string& host)
{
    host = std::string(in);
    const size_t colon = in.rfind(':');
    const bool bracketed = !in.empty() && in.front() == '[';
    const size_t close = in.find(']');
    // A port follows the last colon when it is "host:port" (one colon) or "[v6]:port".
    const bool has_port = colon != std::string_view::npos &&
                          ((bracketed && close != std::string_view::npos && colon == close + 1) ||
                           (!bracketed && in.find(':') == colon));
    if (has_port) {
        auto p = ParseSmallInt(in.substr(colon + 1));
        if (!p || *p < 1 || *p > 65535) return false;
        port = static_cast<uint16_t>(*p);
        host = std::string(in.substr(0, colon));
    }
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return true;
}

bool HttpServerOptionsFromArgs(const util::ArgsManager& args, uint16_t default_port, HttpServerOptions& options,
                               std::vector<std::string>& warnings, std::string& error)
{
    uint16_t port = default_port;
    if (auto port_arg = args.GetArg("-rpcport")) {
        auto p = ParseSmallInt(*port_arg);
        if (!p || *p < 1 || *p > 65535) {
            error = "Invalid port specified in -rpcport: '" + *port_arg + "'";
            return false;
        }
        port = static_cast<uint16_t>(*p);
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
        if (allowip) warnings.push_back("option -rpcallowip was specified without -rpcbind; this doesn't usually make sense");
        if (rpcbind) {
            warnings.push_back("option -rpcbind was ignored because -rpcallowip was not specified, refusing to allow "
                               "everyone to connect");
        }
    } else {
        for (const std::string& b : args.GetArgs("-rpcbind")) {
            uint16_t p = port;
            std::string host;
            if (!SplitHostPort(b, p, host) || host.empty()) {
                error = "Invalid port specified in -rpcbind: '" + b + "'";
                return false;
            }
            options.bind.emplace_back(host, p);
        }
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
    args.AddArg("-rpcbind=<addr>[:port]", "Bind to given address to listen for JSON-RPC connections. Do not expose the "
                "RPC server to untrusted networks such as the public internet! This option is ignored unless "
                "-rpcallowip is also passed. Port is optional and overrides -rpcport. Use [host]:port notation for "
                "IPv6. This option can be specified multiple times (default: 127.0.0.1 and ::1 i.e., localhost)",
                ArgsManager::ALLOW_ANY | ArgsManager::NETWORK_ONLY, OptionsCategory::RPC);
    args.AddArg("-rpcallowip=<ip>", "Allow JSON-RPC connections from specified source. Valid values for <ip> are a "
                "single IP (e.g. 1.2.3.4), a network/netmask (e.g. 1.2.3.4/255.255.255.0), a network/CIDR (e.g. "
                "1.2.3.4/24), all ipv4 (0.0.0.0/0), or all ipv6 (::/0). This option can be specified multiple times",
                ArgsManager::ALLOW_ANY, OptionsCategory::RPC);
    args.AddArg("-rpcport=<port>", "Listen for JSON-RPC connections on <port> (default: 8332, testnet3: 18332, "
                "testnet4: 48332, signet: 38332, regtest: 18443)",
                ArgsManager::ALLOW_ANY | ArgsManager::NETWORK_ONLY, OptionsCategory::RPC);
    args.AddArg("-rpcuser=<user>", "Username for JSON-RPC connections", ArgsManager::ALLOW_ANY | ArgsManager::SENSITIVE,
                OptionsCategory::RPC);
    args.AddArg("-rpcpassword=<pw>", "Password for JSON-RPC connections", ArgsManager::ALLOW_ANY | ArgsManager::SENSITIVE,
                OptionsCategory::RPC);
    args.AddArg("-rpcauth=<userpw>", "Username and HMAC-SHA-256 hashed password for JSON-RPC connections. The field "
                "<userpw> comes in the format: <USERNAME>:<SALT>$<HASH>. RPC clients connect using "
                "rpcuser=<USERNAME>/rpcpassword=<PASSWORD> arguments. This option can be specified multiple times",
                ArgsManager::ALLOW_ANY | ArgsManager::SENSITIVE, OptionsCategory::RPC);
    args.AddArg("-rpccookiefile=<loc>", "Location of the auth cookie. Relative paths will be prefixed by a net-specific "
                "datadir location. (default: data dir)", ArgsManager::ALLOW_ANY, OptionsCategory::RPC);
    args.AddArg("-rpccookieperms=<readable-by>", "Set permissions on the RPC auth cookie file so that it is readable "
                "by [owner|group|all] (default: owner [via umask 0077])", ArgsManager::ALLOW_ANY, OptionsCategory::RPC);
    args.AddArg("-rpcwhitelist=<whitelist>", "Set a whitelist to filter incoming RPC calls for a specific user. The "
                "field <whitelist> comes in the format: <USERNAME>:<rpc 1>,<rpc 2>,...,<rpc n>. If multiple whitelists "
                "are set for a given user, they are set-intersected. See -rpcwhitelistdefault documentation for "
                "information on default whitelist behavior.", ArgsManager::ALLOW_ANY, OptionsCategory::RPC);
    args.AddArg("-rpcwhitelistdefault", "Sets default behavior for rpc whitelisting. Unless rpcwhitelistdefault is set "
                "to 0, if any -rpcwhitelist is set, the rpc server acts as if all rpc users are subject to "
                "empty-unless-otherwise-specified whitelists. If rpcwhitelistdefault is set to 1 and no -rpcwhitelist "
                "is set, rpc server acts as if all rpc users are subject to empty whitelists.",
                ArgsManager::ALLOW_ANY, OptionsCategory::RPC);
    args.AddArg("-rpcthreads=<n>", "Set the number of threads to service RPC calls (default: 4)", ArgsManager::ALLOW_ANY,
                OptionsCategory::RPC);
    args.AddArg("-rpcworkqueue=<n>", "Set the maximum depth of the work queue to service RPC calls (default: 16)",
                ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::RPC);
    args.AddArg("-rpcservertimeout=<n>", "Timeout during HTTP requests (default: 30)",
                ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::RPC);
    args.AddArg("-rpcdoccheck", "Throw a non-fatal error at runtime if the documentation for an RPC is incorrect "
                "(default: 0)", ArgsManager::ALLOW_ANY | ArgsManager::DEBUG_ONLY, OptionsCategory::RPC);
}

} // namespace node::rpc
