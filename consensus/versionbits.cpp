// BIP-9 state names and deployment descriptions (the state machine is in versionbits.h).
#include "consensus/versionbits.h"

#include <charconv>
#include <limits>
#include <optional>

namespace consensus {

const std::array<VBDeploymentInfo, MAX_VERSION_BITS_DEPLOYMENTS> VERSION_BITS_DEPLOYMENT_INFO{{
    {"testdummy", true},
    {"taproot", true},
}};

namespace {
/** A whole decimal integer (optional sign), as Core's ToIntegral; nullopt otherwise or on overflow. */
std::optional<int64_t> ParseInt64(std::string_view s)
{
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}
} // namespace

std::string ApplyVersionBitsParameters(ConsensusParams& params, std::string_view spec)
{
    std::vector<std::string_view> parts;
    for (size_t start = 0;;) {
        const size_t colon = spec.find(':', start);
        parts.push_back(spec.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
        if (colon == std::string_view::npos) break;
        start = colon + 1;
    }
    if (parts.size() < 3 || parts.size() > 4) {
        return "Version bits parameters malformed, expecting deployment:start:end[:min_activation_height]";
    }
    const auto start_time = ParseInt64(parts[1]);
    if (!start_time) return "Invalid nStartTime (" + std::string(parts[1]) + ")";
    const auto timeout = ParseInt64(parts[2]);
    if (!timeout) return "Invalid nTimeout (" + std::string(parts[2]) + ")";
    int64_t min_height = 0;
    if (parts.size() == 4) {
        const auto h = ParseInt64(parts[3]);
        if (!h || *h < std::numeric_limits<int>::min() || *h > std::numeric_limits<int>::max()) {
            return "Invalid min_activation_height (" + std::string(parts[3]) + ")";
        }
        min_height = *h;
    }
    for (size_t i = 0; i < MAX_VERSION_BITS_DEPLOYMENTS; ++i) {
        if (parts[0] == VERSION_BITS_DEPLOYMENT_INFO[i].name) {
            Bip9Deployment& d = params.deployments[i];
            d.start_time = *start_time;
            d.timeout = *timeout;
            d.min_activation_height = static_cast<int>(min_height);
            return "";
        }
    }
    return "Invalid deployment (" + std::string(parts[0]) + ")";
}

std::string ThresholdStateName(ThresholdState state)
{
    switch (state) {
    case ThresholdState::DEFINED: return "defined";
    case ThresholdState::STARTED: return "started";
    case ThresholdState::LOCKED_IN: return "locked_in";
    case ThresholdState::ACTIVE: return "active";
    case ThresholdState::FAILED: return "failed";
    }
    return "invalid";
}

} // namespace consensus
