// The RPC cookie file's location and reading (see cookie.h).
#include "common/rpc/cookie.h"

#include "util/args.h"
#include "util/fs_util.h"

namespace common::rpc {

std::filesystem::path GetAuthCookieFile(const util::ArgsManager& args, const std::filesystem::path& datadir_net)
{
    const std::string arg = args.GetArg("-rpccookiefile", COOKIEAUTH_FILE);
    return util::AbsPathForConfigVal(datadir_net, arg.empty() ? COOKIEAUTH_FILE : arg);
}

std::optional<std::string> ReadAuthCookie(const std::filesystem::path& path)
{
    auto content = util::ReadFileToString(path);
    if (!content) return std::nullopt;
    std::string line = content->substr(0, content->find('\n'));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find(':') == std::string::npos) return std::nullopt;
    return line;
}

} // namespace common::rpc
