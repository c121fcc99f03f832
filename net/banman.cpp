// The ban list and discouraged addresses (banman.h).
#include "net/banman.h"

#include "util/fs_util.h"
#include "util/logging.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <ctime>

namespace net {

namespace {
/** Core's CBanEntry::CURRENT_VERSION. */
constexpr int BAN_ENTRY_VERSION = 1;
} // namespace

std::string BanMapToJson(const BanMap& bans)
{
    nlohmann::json nets = nlohmann::json::array();
    for (const auto& [subnet, entry] : bans) {
        nets.push_back({{"version", BAN_ENTRY_VERSION},
                        {"ban_created", entry.create_time},
                        {"banned_until", entry.ban_until},
                        {"address", subnet.ToString()}});
    }
    return nlohmann::json{{"banned_nets", nets}}.dump(4) + "\n";
}

std::optional<BanMap> BanMapFromJson(const std::string& text)
{
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object() || !j.contains("banned_nets") || !j["banned_nets"].is_array()) {
        return std::nullopt;
    }
    BanMap out;
    for (const nlohmann::json& e : j["banned_nets"]) {
        if (!e.is_object() || !e.contains("version") || !e["version"].is_number_integer() ||
            !e.contains("ban_created") || !e["ban_created"].is_number_integer() || !e.contains("banned_until") ||
            !e["banned_until"].is_number_integer() || !e.contains("address") || !e["address"].is_string()) {
            return std::nullopt;
        }
        if (e["version"].get<int64_t>() != BAN_ENTRY_VERSION) {
            util::LogPrintf("Dropping entry with unknown version (%lld) from ban list\n",
                            static_cast<long long>(e["version"].get<int64_t>()));
            continue;
        }
        const std::string address = e["address"].get<std::string>();
        const auto subnet = ParseSubNet(address);
        if (!subnet) {
            util::LogPrintf("Dropping entry with unparseable address or subnet (%s) from ban list\n", address.c_str());
            continue;
        }
        out[*subnet] = BanEntry{e["ban_created"].get<int64_t>(), e["banned_until"].get<int64_t>()};
    }
    return out;
}

BanMan::BanMan(std::filesystem::path file, int64_t default_ban_time, std::function<int64_t()> clock)
    : m_file(std::move(file)), m_default_ban_time(default_ban_time), m_clock(std::move(clock))
{
    if (m_file.empty()) return;
    std::error_code ec;
    if (!std::filesystem::exists(m_file, ec)) return; // nothing banned yet
    const auto text = util::ReadFileToString(m_file);
    std::optional<BanMap> bans;
    if (text) bans = BanMapFromJson(*text);
    util::LockGuard lock(m_mutex);
    if (!bans) {
        util::LogPrintf("Invalid or corrupt file %s: Recreating the banlist database\n", m_file.string().c_str());
        m_dirty = true;
        return;
    }
    m_banned = std::move(*bans);
    SweepBanned();
    util::LogPrintf("Loaded %zu banned node addresses/subnets\n", m_banned.size());
}

BanMan::~BanMan() { Save(); }

int64_t BanMan::Now() const { return m_clock ? m_clock() : static_cast<int64_t>(std::time(nullptr)); }

void BanMan::SweepBanned()
{
    const int64_t now = Now();
    for (auto it = m_banned.begin(); it != m_banned.end();) {
        if (now >= it->second.ban_until) {
            util::LogDebug(util::LogCategory::NET, "Removed banned node address/subnet: %s\n",
                           it->first.ToString().c_str());
            it = m_banned.erase(it);
            m_dirty = true;
        } else {
            ++it;
        }
    }
}

void BanMan::Ban(const SubNet& subnet, int64_t offset, bool absolute)
{
    const int64_t now = Now();
    if (offset <= 0) {
        offset = m_default_ban_time;
        absolute = false;
    }
    // Saturating: a relative ban time near INT64_MAX (an RPC argument) must not overflow.
    const int64_t until = absolute ? offset : (offset > INT64_MAX - now ? INT64_MAX : now + offset);
    const BanEntry entry{now, until};
    {
        util::LockGuard lock(m_mutex);
        auto it = m_banned.find(subnet);
        if (it != m_banned.end() && it->second.ban_until >= entry.ban_until) return;
        m_banned[subnet] = entry;
        m_dirty = true;
    }
    Save();
}

bool BanMan::Unban(const SubNet& subnet)
{
    {
        util::LockGuard lock(m_mutex);
        if (m_banned.erase(subnet) == 0) return false;
        m_dirty = true;
    }
    Save();
    return true;
}

bool BanMan::IsBanned(const NetAddress& addr) const
{
    const int64_t now = Now();
    util::LockGuard lock(m_mutex);
    for (const auto& [subnet, entry] : m_banned)
        if (now < entry.ban_until && subnet.Match(addr)) return true;
    return false;
}

bool BanMan::IsBanned(const SubNet& subnet) const
{
    const int64_t now = Now();
    util::LockGuard lock(m_mutex);
    auto it = m_banned.find(subnet);
    return it != m_banned.end() && now < it->second.ban_until;
}

BanMap BanMan::GetBanned()
{
    util::LockGuard lock(m_mutex);
    SweepBanned();
    return m_banned;
}

void BanMan::ClearBanned()
{
    {
        util::LockGuard lock(m_mutex);
        m_banned.clear();
        m_dirty = true;
    }
    Save();
}

void BanMan::Discourage(const NetAddress& addr)
{
    util::LockGuard lock(m_mutex);
    if (!m_discouraged.insert(addr).second) return;
    m_discouraged_order.push_back(addr);
    if (m_discouraged_order.size() > MAX_DISCOURAGED) {
        m_discouraged.erase(m_discouraged_order.front());
        m_discouraged_order.pop_front();
    }
}

bool BanMan::IsDiscouraged(const NetAddress& addr) const
{
    util::LockGuard lock(m_mutex);
    return m_discouraged.count(addr) > 0;
}

bool BanMan::Save()
{
    util::LockGuard save_lock(m_save_mutex);
    std::string text;
    {
        util::LockGuard lock(m_mutex);
        SweepBanned();
        if (!m_dirty || m_file.empty()) return true;
        text = BanMapToJson(m_banned);
        m_dirty = false;
    }
    std::string error;
    if (!util::WriteFileAtomic(m_file, text, error, 0644)) {
        util::LogPrintf("Failed to write the ban list %s: %s\n", m_file.string().c_str(), error.c_str());
        util::LockGuard lock(m_mutex);
        m_dirty = true;
        return false;
    }
    return true;
}

} // namespace net
