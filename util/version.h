// The program version, from CMake's project(VERSION) (one place to change it).
#pragma once

#include <string>

#ifndef MINICASH_VERSION_MAJOR
#error "MINICASH_VERSION_* come from util/CMakeLists.txt (project VERSION)"
#endif

namespace util {

inline constexpr int CLIENT_VERSION_MAJOR = MINICASH_VERSION_MAJOR;
inline constexpr int CLIENT_VERSION_MINOR = MINICASH_VERSION_MINOR;
inline constexpr int CLIENT_VERSION_BUILD = MINICASH_VERSION_PATCH;
/** As Core's CLIENT_VERSION (getnetworkinfo "version"): 10000 * major + 100 * minor + build. */
inline constexpr int CLIENT_VERSION = 10000 * CLIENT_VERSION_MAJOR + 100 * CLIENT_VERSION_MINOR + CLIENT_VERSION_BUILD;

/** "0.1.0". */
inline std::string FormatVersion()
{
    return std::to_string(CLIENT_VERSION_MAJOR) + "." + std::to_string(CLIENT_VERSION_MINOR) + "." +
           std::to_string(CLIENT_VERSION_BUILD);
}

/** The BIP-14 user agent, "/minicash:0.1.0/" (getnetworkinfo "subversion", and the P2P version message). */
inline std::string UserAgent() { return "/minicash:" + FormatVersion() + "/"; }

} // namespace util
