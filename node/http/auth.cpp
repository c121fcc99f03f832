// RPC credentials: cookie, rpcuser/rpcpassword, rpcauth (see auth.h).
#include "node/http/auth.h"

#include "consensus/hex.h"
#include "util/args.h"
#include "util/fs_util.h"
#include "util/logging.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>

namespace node::http {

bool TimingResistantEqual(std::string_view a, std::string_view b)
{
    if (b.empty()) return a.empty();
    // Time depends only on a's length, never on where the contents differ.
    size_t acc = a.size() ^ b.size();
    for (size_t i = 0; i < a.size(); ++i)
        acc |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i % b.size()]);
    return acc == 0;
}

std::string HmacSha256Hex(std::string_view key, std::string_view message)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
         message.size(), out, &len);
    return consensus::HexStr(std::span<const uint8_t>(out, len));
}

std::string RandomHex(size_t n_bytes)
{
    std::vector<uint8_t> buf(n_bytes);
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) throw std::runtime_error("RAND_bytes failed");
    std::string hex = consensus::HexStr(buf);
    OPENSSL_cleanse(buf.data(), buf.size());
    return hex;
}

void RpcAuthenticator::AddPlain(const std::string& user, const std::string& password)
{
    const std::string salt = RandomHex(16);
    m_entries.push_back(Entry{user, salt, HmacSha256Hex(salt, password)});
}

bool RpcAuthenticator::AddRpcAuth(const std::string& entry)
{
    const size_t colon = entry.find(':');
    if (colon == std::string::npos || entry.find(':', colon + 1) != std::string::npos) return false;
    const std::string rest = entry.substr(colon + 1);
    const size_t dollar = rest.find('$');
    if (dollar == std::string::npos || rest.find('$', dollar + 1) != std::string::npos) return false;
    m_entries.push_back(Entry{entry.substr(0, colon), rest.substr(0, dollar), rest.substr(dollar + 1)});
    return true;
}

bool RpcAuthenticator::Check(std::string_view authorization, std::string& user) const
{
    if (!authorization.starts_with("Basic ")) return false;
    std::string_view b64 = authorization.substr(6);
    // Core trims " \f\n\r\t\v" around the credentials; inside them the base64 must be strict.
    constexpr std::string_view SPACES = " \f\n\r\t\v";
    while (!b64.empty() && SPACES.find(b64.front()) != std::string_view::npos) b64.remove_prefix(1);
    while (!b64.empty() && SPACES.find(b64.back()) != std::string_view::npos) b64.remove_suffix(1);
    const std::optional<std::string> decoded = DecodeBase64(b64);
    if (!decoded) return false;
    const size_t colon = decoded->find(':');
    if (colon == std::string::npos) return false;
    const std::string name = decoded->substr(0, colon);
    const std::string pass = decoded->substr(colon + 1);
    bool ok = false;
    for (const Entry& e : m_entries) {
        if (!TimingResistantEqual(e.user, name)) continue;
        if (TimingResistantEqual(HmacSha256Hex(e.salt, pass), e.hmac_hex)) ok = true;
    }
    if (ok) user = name;
    return ok;
}

std::optional<unsigned> CookiePermsFromString(std::string_view readable_by)
{
    if (readable_by == "owner") return 0600;
    if (readable_by == "group") return 0640;
    if (readable_by == "all") return 0644;
    return std::nullopt;
}

bool WriteAuthCookie(const std::filesystem::path& path, const PendingCookie& cookie, std::string& error)
{
    if (!util::WriteFileAtomic(path, cookie.user_pass, error, cookie.mode)) {
        error = "Unable to open cookie authentication file " + path.string() + " for writing: " + error;
        return false;
    }
    util::LogPrintf("Generated RPC authentication cookie %s", path.string().c_str());
    return true;
}

void DeleteAuthCookie(const std::filesystem::path& path)
{
    std::error_code ec;
    std::filesystem::remove(path, ec);
}

bool InitRpcAuthentication(const util::ArgsManager& args, RpcAuthenticator& auth, std::optional<PendingCookie>& cookie,
                           std::string& error)
{
    cookie.reset();
    unsigned cookie_mode = 0600;
    if (args.IsArgSet("-rpccookieperms")) {
        const std::string perms = args.GetArg("-rpccookieperms", "");
        const auto mode = CookiePermsFromString(perms);
        if (!mode) {
            error = "Invalid -rpccookieperms=" + perms + "; must be one of 'owner', 'group', or 'all'.";
            return false;
        }
        cookie_mode = *mode;
    }
    if (args.GetArg("-rpcpassword", "").empty()) {
        if (!args.IsArgNegated("-rpccookiefile")) {
            const std::string password = RandomHex(32);
            auth.AddPlain(COOKIEAUTH_USER, password);
            cookie = PendingCookie{.user_pass = std::string(COOKIEAUTH_USER) + ":" + password, .mode = cookie_mode};
            util::LogPrintf("Using random cookie authentication.");
        } else {
            util::LogPrintf("RPC authentication cookie file generation is disabled.");
        }
    } else {
        util::LogPrintf("Using rpcuser/rpcpassword authentication.");
        auth.AddPlain(args.GetArg("-rpcuser", ""), args.GetArg("-rpcpassword", ""));
    }
    for (const std::string& entry : args.GetArgs("-rpcauth")) {
        if (!auth.AddRpcAuth(entry)) {
            error = "Invalid -rpcauth argument.";
            return false;
        }
    }
    auth.Whitelist().SetDefaultDeny(args.GetBoolArg("-rpcwhitelistdefault", args.IsArgSet("-rpcwhitelist")));
    for (const std::string& entry : args.GetArgs("-rpcwhitelist")) auth.Whitelist().Add(entry);
    return true;
}

void RpcWhitelist::Add(const std::string& entry)
{
    const size_t colon = entry.find(':');
    const std::string user = entry.substr(0, colon);
    std::set<std::string> methods;
    if (colon != std::string::npos) {
        // Core splits on both ',' and ' ', so "a, b" works (the empty piece names no method).
        std::string piece;
        for (char c : entry.substr(colon + 1)) {
            if (c == ',' || c == ' ') {
                methods.insert(std::move(piece));
                piece.clear();
            } else {
                piece += c;
            }
        }
        methods.insert(std::move(piece));
    }
    auto [it, inserted] = m_lists.try_emplace(user);
    if (inserted) {
        it->second = std::move(methods);
    } else {
        std::set<std::string> both;
        std::set_intersection(methods.begin(), methods.end(), it->second.begin(), it->second.end(),
                              std::inserter(both, both.end()));
        it->second = std::move(both);
    }
}

bool RpcWhitelist::Allows(const std::string& user, const std::string& method) const
{
    const auto it = m_lists.find(user);
    if (it == m_lists.end()) return !m_default_deny;
    return it->second.count(method) > 0;
}

} // namespace node::http
