// The address manager (addrman.h).
#include "net/addrman.h"

#include "consensus/hash.h"
#include "net/siphash.h"
#include "util/fs_util.h"

#include <algorithm>
#include <cmath>
#include <ctime>

namespace net {

namespace {

/** Core's ADDRMAN_HORIZON (30 days), ADDRMAN_RETRIES, ADDRMAN_MAX_FAILURES, ADDRMAN_MIN_FAIL (7 days). */
constexpr int64_t HORIZON = 30 * 24 * 3600, MIN_FAIL = 7 * 24 * 3600;
constexpr int RETRIES = 3, MAX_FAILURES = 10;

/** The peers file: "MCAM", a version byte, then the body; a double-SHA256 of it all last. */
constexpr std::array<uint8_t, 4> FILE_MAGIC{'M', 'C', 'A', 'M'};
constexpr uint8_t FILE_VERSION = 1;
constexpr size_t MAX_ENTRIES =
    static_cast<size_t>(ADDRMAN_NEW_BUCKET_COUNT + ADDRMAN_TRIED_BUCKET_COUNT) * ADDRMAN_BUCKET_SIZE;

/** The bytes that identify an address and port (Core's CService::GetKey). */
std::vector<uint8_t> KeyBytes(const Service& s)
{
    std::vector<uint8_t> out;
    out.push_back(static_cast<uint8_t>(s.Address().GetNetwork()));
    out.insert(out.end(), s.Address().Bytes().begin(), s.Address().Bytes().end());
    out.push_back(static_cast<uint8_t>(s.Port() >> 8));
    out.push_back(static_cast<uint8_t>(s.Port()));
    return out;
}

void PushU64(std::vector<uint8_t>& v, uint64_t x)
{
    for (int i = 0; i < 8; ++i) v.push_back(static_cast<uint8_t>(x >> (8 * i)));
}

} // namespace

AddrMan::AddrMan(AddrManOptions options) : m_options(std::move(options))
{
    util::LockGuard lock(m_mutex);
    m_rng.seed(m_options.seed ? *m_options.seed : std::random_device{}() ^ (uint64_t{std::random_device{}()} << 32));
    if (m_options.key) {
        m_key = *m_options.key;
    } else {
        std::random_device rd;
        m_key = {(uint64_t{rd()} << 32) | rd(), (uint64_t{rd()} << 32) | rd()};
    }
    Clear();
}

void AddrMan::Clear()
{
    m_info.clear();
    m_index.clear();
    m_random.clear();
    m_new.assign(static_cast<size_t>(ADDRMAN_NEW_BUCKET_COUNT) * ADDRMAN_BUCKET_SIZE, -1);
    m_tried.assign(static_cast<size_t>(ADDRMAN_TRIED_BUCKET_COUNT) * ADDRMAN_BUCKET_SIZE, -1);
    m_new_count = m_tried_count = 0;
}

int64_t AddrMan::Now() const { return m_options.clock ? m_options.clock() : static_cast<int64_t>(std::time(nullptr)); }

uint64_t AddrMan::Hash(std::span<const uint8_t> data) const
{
    return SipHasher(m_key[0], m_key[1]).Write(data).Finalize();
}

uint64_t AddrMan::Rand(uint64_t n) const
{
    return n == 0 ? 0 : std::uniform_int_distribution<uint64_t>(0, n - 1)(m_rng);
}

int AddrMan::NewBucketLocked(const Service& addr, const NetAddress& source) const
{
    // As Core: the source group picks one of 64 buckets for it, the address group which one.
    const std::vector<uint8_t> group = addr.Address().GetGroup(), src_group = source.GetGroup();
    std::vector<uint8_t> d{'N', '1'};
    d.insert(d.end(), group.begin(), group.end());
    d.push_back(0xff); // groups have different lengths: a separator keeps the concatenation unique
    d.insert(d.end(), src_group.begin(), src_group.end());
    const uint64_t h1 = Hash(d) % ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP;
    std::vector<uint8_t> e{'N', '2'};
    e.insert(e.end(), src_group.begin(), src_group.end());
    PushU64(e, h1);
    return static_cast<int>(Hash(e) % ADDRMAN_NEW_BUCKET_COUNT);
}

int AddrMan::TriedBucketLocked(const Service& addr) const
{
    // As Core: the address picks one of 8 buckets of its group.
    std::vector<uint8_t> d{'T', '1'};
    const std::vector<uint8_t> key = KeyBytes(addr), group = addr.Address().GetGroup();
    d.insert(d.end(), key.begin(), key.end());
    const uint64_t h1 = Hash(d) % ADDRMAN_TRIED_BUCKETS_PER_GROUP;
    std::vector<uint8_t> e{'T', '2'};
    e.insert(e.end(), group.begin(), group.end());
    PushU64(e, h1);
    return static_cast<int>(Hash(e) % ADDRMAN_TRIED_BUCKET_COUNT);
}

int AddrMan::Position(bool is_new, int bucket, const Service& addr) const
{
    std::vector<uint8_t> d{static_cast<uint8_t>(is_new ? 'N' : 'K')};
    PushU64(d, static_cast<uint64_t>(bucket));
    const std::vector<uint8_t> key = KeyBytes(addr);
    d.insert(d.end(), key.begin(), key.end());
    return static_cast<int>(Hash(d) % ADDRMAN_BUCKET_SIZE);
}

int AddrMan::NewBucket(const Service& addr, const NetAddress& source) const
{
    util::LockGuard lock(m_mutex);
    return NewBucketLocked(addr, source);
}

int AddrMan::TriedBucket(const Service& addr) const
{
    util::LockGuard lock(m_mutex);
    return TriedBucketLocked(addr);
}

std::array<uint64_t, 2> AddrMan::Key() const
{
    util::LockGuard lock(m_mutex);
    return m_key;
}

bool AddrMan::IsTerrible(const Info& info, int64_t now) const
{
    // Core's AddrInfo::IsTerrible.
    if (now - info.last_try <= 60) return false;              // tried in the last minute: keep
    if (int64_t{info.addr.time} > now + 10 * 60) return true; // from the future
    if (now - int64_t{info.addr.time} > HORIZON) return true; // not seen in 30 days
    if (info.last_success == 0 && info.attempts >= RETRIES) return true;
    if (now - info.last_success > MIN_FAIL && info.attempts >= MAX_FAILURES) return true;
    return false;
}

double AddrMan::Chance(const Info& info, int64_t now) const
{
    // Core's GetChance: a recent attempt 1%, each failure (up to 8) 66%.
    double chance = 1.0;
    if (now - info.last_try < 10 * 60) chance *= 0.01;
    return chance * std::pow(0.66, std::min(info.attempts, 8));
}

int AddrMan::Find(const Service& addr) const
{
    auto it = m_index.find(addr);
    return it == m_index.end() ? -1 : it->second;
}

int AddrMan::Create(const AddressEntry& addr, const NetAddress& source)
{
    const int id = m_next_id++;
    Info& info = m_info[id];
    info.addr = addr;
    info.source = source;
    info.random_pos = m_random.size();
    m_random.push_back(id);
    m_index[addr.service] = id;
    return id;
}

void AddrMan::Delete(int id)
{
    Info& info = m_info.at(id);
    // Swap it to the end of m_random and drop it there.
    const size_t pos = info.random_pos, last = m_random.size() - 1;
    std::swap(m_random[pos], m_random[last]);
    m_info.at(m_random[pos]).random_pos = pos;
    m_random.pop_back();
    m_index.erase(info.addr.service);
    m_info.erase(id);
}

void AddrMan::ClearNew(int bucket, int pos)
{
    int& slot = m_new[static_cast<size_t>(bucket) * ADDRMAN_BUCKET_SIZE + pos];
    if (slot == -1) return;
    Info& info = m_info.at(slot);
    const int id = slot;
    slot = -1;
    if (--info.ref_count == 0) {
        --m_new_count;
        Delete(id);
    }
}

bool AddrMan::Add(const std::vector<AddressEntry>& addrs, const NetAddress& source, int64_t time_penalty)
{
    const int64_t now = Now();
    util::LockGuard lock(m_mutex);
    int added = 0;
    for (const AddressEntry& a : addrs) added += AddSingle(a, source, time_penalty, now) ? 1 : 0;
    return added > 0;
}

bool AddrMan::AddSingle(const AddressEntry& addr, const NetAddress& source, int64_t penalty, int64_t now)
{
    const NetAddress& ip = addr.service.Address();
    if (!ip.IsValid()) return false;
    if (!ip.IsRoutable() && !(m_options.allow_unroutable && (ip.IsIPv4() || ip.IsIPv6()))) return false;
    if (ip == source) penalty = 0; // a peer announcing itself
    int id = Find(addr.service);
    if (id >= 0) {
        Info& info = m_info.at(id);
        // Core: refresh the time at most hourly (daily for an address not seen for a day).
        const int64_t interval = now - int64_t{addr.time} < 24 * 3600 ? 3600 : 24 * 3600;
        if (int64_t{info.addr.time} < int64_t{addr.time} - interval - penalty) {
            info.addr.time = static_cast<uint32_t>(std::max<int64_t>(0, int64_t{addr.time} - penalty));
        }
        info.addr.services |= addr.services;
        if (addr.time <= info.addr.time || info.in_tried || info.ref_count >= ADDRMAN_NEW_BUCKETS_PER_ADDRESS) {
            return false;
        }
        // Each further reference twice as unlikely as the previous one.
        if (info.ref_count > 0 && Rand(uint64_t{1} << info.ref_count) != 0) return false;
    } else {
        id = Create(addr, source);
        Info& info = m_info.at(id);
        info.addr.time = static_cast<uint32_t>(std::max<int64_t>(0, int64_t{addr.time} - penalty));
    }
    Info& info = m_info.at(id);
    const int bucket = NewBucketLocked(addr.service, source);
    const int pos = Position(true, bucket, addr.service);
    int& slot = m_new[static_cast<size_t>(bucket) * ADDRMAN_BUCKET_SIZE + pos];
    if (slot == id) return false;
    bool insert = slot == -1;
    if (!insert) {
        // Core: a terrible entry, or one also held elsewhere, gives way to a new address.
        const Info& other = m_info.at(slot);
        insert = IsTerrible(other, now) || (other.ref_count > 1 && info.ref_count == 0);
    }
    if (insert) {
        ClearNew(bucket, pos);
        if (info.ref_count++ == 0) ++m_new_count;
        m_new[static_cast<size_t>(bucket) * ADDRMAN_BUCKET_SIZE + pos] = id;
    } else if (info.ref_count == 0) {
        Delete(id);
    }
    return insert;
}

void AddrMan::MakeTried(int id)
{
    Info& info = m_info.at(id);
    // Out of every new bucket that holds it.
    for (int b = 0; b < ADDRMAN_NEW_BUCKET_COUNT && info.ref_count > 0; ++b) {
        int& slot = m_new[static_cast<size_t>(b) * ADDRMAN_BUCKET_SIZE + Position(true, b, info.addr.service)];
        if (slot == id) {
            slot = -1;
            --info.ref_count;
        }
    }
    info.ref_count = 0;
    --m_new_count;
    const int bucket = TriedBucketLocked(info.addr.service);
    const int pos = Position(false, bucket, info.addr.service);
    int& slot = m_tried[static_cast<size_t>(bucket) * ADDRMAN_BUCKET_SIZE + pos];
    if (slot != -1) {
        // Simplified eviction (Core first tests the old entry with a feeler): the old entry goes
        // back to the new table, where it replaces whatever held its slot.
        const int old_id = slot;
        Info& old = m_info.at(old_id);
        old.in_tried = false;
        slot = -1;
        --m_tried_count;
        const int nb = NewBucketLocked(old.addr.service, old.source);
        const int np = Position(true, nb, old.addr.service);
        ClearNew(nb, np);
        old.ref_count = 1;
        m_new[static_cast<size_t>(nb) * ADDRMAN_BUCKET_SIZE + np] = old_id;
        ++m_new_count;
    }
    slot = id;
    ++m_tried_count;
    info.in_tried = true;
}

bool AddrMan::Good(const Service& addr)
{
    const int64_t now = Now();
    util::LockGuard lock(m_mutex);
    m_last_good = now;
    const int id = Find(addr);
    if (id < 0) return false;
    Info& info = m_info.at(id);
    info.last_success = now;
    info.last_try = now;
    info.attempts = 0;
    if (info.in_tried) return true;
    if (info.ref_count == 0) return false;
    MakeTried(id);
    return true;
}

void AddrMan::Attempt(const Service& addr, bool count_failure)
{
    const int64_t now = Now();
    util::LockGuard lock(m_mutex);
    const int id = Find(addr);
    if (id < 0) return;
    Info& info = m_info.at(id);
    info.last_try = now;
    // Core: a failure counts once per Good anywhere (our own outage is not the address's fault).
    if (count_failure && info.last_count_attempt < m_last_good) {
        info.last_count_attempt = now;
        ++info.attempts;
    }
}

void AddrMan::Connected(const Service& addr)
{
    const int64_t now = Now();
    util::LockGuard lock(m_mutex);
    const int id = Find(addr);
    if (id < 0) return;
    Info& info = m_info.at(id);
    if (now - int64_t{info.addr.time} > 20 * 60) info.addr.time = static_cast<uint32_t>(now);
}

std::optional<AddrManEntry> AddrMan::Select(bool new_only)
{
    const int64_t now = Now();
    util::LockGuard lock(m_mutex);
    if (m_random.empty() || (new_only && m_new_count == 0)) return std::nullopt;
    bool tried;
    if (new_only || m_tried_count == 0) {
        tried = false;
    } else if (m_new_count == 0) {
        tried = true;
    } else {
        tried = Rand(2) == 0;
    }
    const int buckets = tried ? ADDRMAN_TRIED_BUCKET_COUNT : ADDRMAN_NEW_BUCKET_COUNT;
    const std::vector<int>& table = tried ? m_tried : m_new;
    double factor = 1.0;
    for (;;) {
        const auto bucket = static_cast<size_t>(Rand(static_cast<uint64_t>(buckets)));
        const auto start = static_cast<size_t>(Rand(ADDRMAN_BUCKET_SIZE));
        int id = -1;
        for (size_t i = 0; i < ADDRMAN_BUCKET_SIZE && id == -1; ++i) {
            id = table[bucket * ADDRMAN_BUCKET_SIZE + (start + i) % ADDRMAN_BUCKET_SIZE];
        }
        if (id == -1) continue;
        const Info& info = m_info.at(id);
        if (static_cast<double>(Rand(uint64_t{1} << 30)) < factor * Chance(info, now) * double(1 << 30)) {
            return AddrManEntry{info.addr, info.last_try, info.attempts, info.in_tried};
        }
        factor *= 1.2;
    }
}

std::vector<AddressEntry> AddrMan::GetAddr(size_t max_count, size_t max_pct, std::optional<Network> network) const
{
    const int64_t now = Now();
    util::LockGuard lock(m_mutex);
    size_t n = m_random.size();
    if (max_pct != 0) n = max_pct * n / 100;
    if (max_count != 0) n = std::min(n, max_count);
    std::vector<int> order = m_random; // shuffled copy: GetAddr does not change the tables
    std::vector<AddressEntry> out;
    for (size_t i = 0; i < order.size() && out.size() < n; ++i) {
        std::swap(order[i], order[i + Rand(order.size() - i)]);
        const Info& info = m_info.at(order[i]);
        if (network && info.addr.service.Address().GetNetwork() != *network) continue;
        if (IsTerrible(info, now)) continue;
        out.push_back(info.addr);
    }
    return out;
}

std::vector<AddrManEntry> AddrMan::All() const
{
    util::LockGuard lock(m_mutex);
    std::vector<AddrManEntry> out;
    for (int id : m_random) {
        const Info& info = m_info.at(id);
        out.push_back({info.addr, info.last_try, info.attempts, info.in_tried});
    }
    return out;
}

size_t AddrMan::Size(std::optional<Network> network, std::optional<bool> in_new) const
{
    util::LockGuard lock(m_mutex);
    if (!network && !in_new) return m_random.size();
    size_t n = 0;
    for (const auto& [id, info] : m_info) {
        if (network && info.addr.service.Address().GetNetwork() != *network) continue;
        if (in_new && *in_new == info.in_tried) continue;
        ++n;
    }
    return n;
}

std::vector<int> AddrMan::BucketsOf(const Service& addr) const
{
    util::LockGuard lock(m_mutex);
    std::vector<int> out;
    const int id = Find(addr);
    if (id < 0) return out;
    const Info& info = m_info.at(id);
    if (info.in_tried) return {TriedBucketLocked(addr)};
    for (int b = 0; b < ADDRMAN_NEW_BUCKET_COUNT; ++b) {
        if (m_new[static_cast<size_t>(b) * ADDRMAN_BUCKET_SIZE + Position(true, b, addr)] == id) out.push_back(b);
    }
    return out;
}

std::vector<uint8_t> AddrMan::Serialize(const MessageStart& magic) const
{
    std::vector<uint8_t> out;
    consensus::ByteWriter w(out);
    w.Write(FILE_MAGIC);
    consensus::WriteLE8(w, FILE_VERSION);
    w.Write(magic);
    {
        util::LockGuard lock(m_mutex);
        consensus::WriteLE64(w, m_key[0]);
        consensus::WriteLE64(w, m_key[1]);
        consensus::WriteCompactSize(w, m_random.size());
        for (int id : m_random) {
            const Info& info = m_info.at(id);
            info.addr.service.SerializeV2(w);
            consensus::WriteLE64(w, info.addr.services);
            consensus::WriteLE32(w, info.addr.time);
            info.source.SerializeV2(w);
            consensus::WriteLE64(w, static_cast<uint64_t>(info.last_try));
            consensus::WriteLE64(w, static_cast<uint64_t>(info.last_success));
            consensus::WriteLE32(w, static_cast<uint32_t>(info.attempts));
            consensus::WriteLE8(w, info.in_tried ? 1 : 0);
        }
    }
    const consensus::Uint256 sum = consensus::Hash256(out);
    w.Write(std::span<const uint8_t>(sum.data(), sum.size()));
    return out;
}

void AddrMan::Place(int id)
{
    // A loaded entry: its tried slot, else its new bucket for its source; dropped if both are taken.
    Info& info = m_info.at(id);
    if (info.in_tried) {
        info.in_tried = false;
        const int b = TriedBucketLocked(info.addr.service);
        int& slot = m_tried[static_cast<size_t>(b) * ADDRMAN_BUCKET_SIZE + Position(false, b, info.addr.service)];
        if (slot == -1) {
            slot = id;
            info.in_tried = true;
            ++m_tried_count;
            return;
        }
    }
    const int b = NewBucketLocked(info.addr.service, info.source);
    int& slot = m_new[static_cast<size_t>(b) * ADDRMAN_BUCKET_SIZE + Position(true, b, info.addr.service)];
    if (slot != -1) return Delete(id);
    slot = id;
    info.ref_count = 1;
    ++m_new_count;
}

bool AddrMan::Deserialize(std::span<const uint8_t> data, const MessageStart& magic, std::string& error)
{
    constexpr size_t SUM = 32;
    if (data.size() < FILE_MAGIC.size() + 1 + magic.size() + 16 + 1 + SUM) {
        error = "file too short";
        return false;
    }
    const auto body = data.first(data.size() - SUM);
    const consensus::Uint256 sum = consensus::Hash256(body);
    if (!std::equal(sum.begin(), sum.end(), data.end() - SUM)) {
        error = "checksum mismatch";
        return false;
    }
    std::vector<Info> entries;
    std::array<uint64_t, 2> key{};
    try {
        consensus::ByteReader r(body);
        std::array<uint8_t, 4> m{};
        r.Read(m);
        if (m != FILE_MAGIC) throw consensus::DecodeError("not a peers file");
        const uint8_t version = consensus::ReadLE8(r);
        if (version != FILE_VERSION) throw consensus::DecodeError("unsupported version " + std::to_string(version));
        MessageStart net_magic{};
        r.Read(net_magic);
        if (net_magic != magic) throw consensus::DecodeError("the file is for another network");
        key = {consensus::ReadLE64(r), consensus::ReadLE64(r)};
        const uint64_t count = consensus::ReadCompactSize(r, false);
        if (count > MAX_ENTRIES) throw consensus::DecodeError("too many entries");
        entries.reserve(static_cast<size_t>(count));
        for (uint64_t i = 0; i < count; ++i) {
            Info info;
            info.addr.service = Service::DeserializeV2(r);
            info.addr.services = consensus::ReadLE64(r);
            info.addr.time = consensus::ReadLE32(r);
            info.source = NetAddress::DeserializeV2(r);
            info.last_try = static_cast<int64_t>(consensus::ReadLE64(r));
            info.last_success = static_cast<int64_t>(consensus::ReadLE64(r));
            info.attempts = static_cast<int>(consensus::ReadLE32(r));
            info.in_tried = consensus::ReadLE8(r) != 0;
            entries.push_back(std::move(info));
        }
        if (!r.Empty()) throw consensus::DecodeError("trailing bytes");
    } catch (const consensus::DecodeError& e) {
        error = e.what();
        return false;
    }
    util::LockGuard lock(m_mutex);
    Clear();
    m_key = key;
    for (Info& info : entries) {
        if (!info.addr.service.Address().IsValid() || m_index.count(info.addr.service)) continue;
        const int id = Create(info.addr, info.source);
        Info& in = m_info.at(id);
        in.last_try = info.last_try;
        in.last_success = info.last_success;
        in.attempts = info.attempts;
        in.in_tried = info.in_tried;
        Place(id);
    }
    return true;
}

bool AddrMan::SaveFile(const std::filesystem::path& path, const MessageStart& magic, std::string& error) const
{
    const std::vector<uint8_t> bytes = Serialize(magic);
    return util::WriteFileAtomic(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                                 error);
}

AddrManLoad AddrMan::LoadFile(const std::filesystem::path& path, const MessageStart& magic, std::string& error)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return AddrManLoad::MISSING;
    const auto content = util::ReadFileToString(path);
    if (!content) {
        error = "cannot read " + path.string();
        return AddrManLoad::CORRUPT;
    }
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(content->data()), content->size());
    if (!Deserialize(bytes, magic, error)) return AddrManLoad::CORRUPT;
    return AddrManLoad::OK;
}

} // namespace net
