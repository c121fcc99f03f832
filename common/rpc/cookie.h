// The RPC cookie file that the server writes and clients read (Core's rpc/request.cpp): its
// location and how to read it. Below node and the CLI, so minicash-cli needs no server code.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace util {
class ArgsManager;
}

namespace common::rpc {

/** User name of cookie authentication. */
inline constexpr const char* COOKIEAUTH_USER = "__cookie__";
/** Default cookie file name inside the chain's data directory. */
inline constexpr const char* COOKIEAUTH_FILE = ".cookie";

/** Where the cookie lives: -rpccookiefile (relative to datadir_net) or datadir_net/.cookie. Any thread. */
std::filesystem::path GetAuthCookieFile(const util::ArgsManager& args, const std::filesystem::path& datadir_net);

/** Reads "user:password" from a cookie file; nullopt when absent or unreadable. Any thread. */
std::optional<std::string> ReadAuthCookie(const std::filesystem::path& path);

} // namespace common::rpc
