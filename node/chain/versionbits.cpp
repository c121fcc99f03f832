// BIP-9 version bits on the block index: the pure state machine of consensus/versionbits.h
// evaluated over the chainstate's BlockIndex entries, with its per-period cache kept in the
// chainstate (under its own small lock, versionbits_mutex: a state depends only on headers, which never
// change, so these reads need nothing of the validation owner).
#include "node/chain/chainstate_impl.h"

namespace node::chain {

using consensus::DeploymentPos;
using consensus::ThresholdState;

consensus::ThresholdState Chainstate::VersionBitsState(const BlockIndex* prev, DeploymentPos pos) const
{
    util::LockGuard lock(m_impl->versionbits_mutex);
    return consensus::GetStateFor(prev, m_impl->params->consensus, pos,
                                  m_impl->versionbits_caches[static_cast<size_t>(pos)]);
}

DeploymentStatus Chainstate::GetDeploymentStatus(const BlockIndex* index, DeploymentPos pos) const
{
    util::LockGuard lock(m_impl->versionbits_mutex);
    const consensus::ConsensusParams& params = m_impl->params->consensus;
    auto& cache = m_impl->versionbits_caches[static_cast<size_t>(pos)];
    DeploymentStatus s;
    s.current = consensus::GetStateFor<BlockIndex>(index->prev, params, pos, cache);
    s.next = consensus::GetStateFor<BlockIndex>(index, params, pos, cache);
    s.since = consensus::GetStateSinceHeightFor<BlockIndex>(index->prev, params, pos, cache);
    s.next_since = consensus::GetStateSinceHeightFor<BlockIndex>(index, params, pos, cache);
    if (s.current == ThresholdState::STARTED || s.current == ThresholdState::LOCKED_IN) {
        s.stats = consensus::GetStateStatisticsFor<BlockIndex>(index, params, pos, &s.signalling);
    }
    return s;
}

int32_t Chainstate::ComputeBlockVersion(const BlockIndex* prev) const
{
    util::LockGuard lock(m_impl->versionbits_mutex);
    return consensus::ComputeBlockVersion<BlockIndex>(prev, m_impl->params->consensus, m_impl->versionbits_caches);
}

} // namespace node::chain
