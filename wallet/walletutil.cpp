#include "wallet/walletutil.h"

#include <algorithm>
#include <system_error>

namespace wallet {

bool IsWalletFolder(const std::filesystem::path& path)
{
    std::error_code ec;
    return std::filesystem::is_directory(path / WALLET_DB_DIR, ec);
}

std::vector<std::string> ListWalletDir(const std::filesystem::path& dir)
{
    std::vector<std::string> names;
    std::error_code ec;
    if (IsWalletFolder(dir)) names.emplace_back("");
    std::filesystem::recursive_directory_iterator it(dir, std::filesystem::directory_options::skip_permission_denied,
                                                     ec);
    for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_directory(ec)) continue;
        if (it->path().filename() == WALLET_DB_DIR) {
            it.disable_recursion_pending();
            continue;
        }
        if (IsWalletFolder(it->path())) {
            names.push_back(std::filesystem::relative(it->path(), dir, ec).generic_string());
            it.disable_recursion_pending(); // a wallet's own folder holds no other wallet
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace wallet
