#include "node/chain/block_index.h"

#include <algorithm>

namespace node::chain {

consensus::BlockHeader BlockIndex::GetBlockHeader() const
{
    consensus::BlockHeader h;
    h.version = version;
    if (prev) h.prev_block = prev->GetBlockHash();
    h.merkle_root = merkle_root;
    h.time = time;
    h.bits = bits;
    h.nonce = nonce;
    return h;
}

int64_t BlockIndex::GetMedianTimePast() const
{
    int64_t times[11];
    int n = 0;
    for (const BlockIndex* p = this; p && n < 11; p = p->prev) times[n++] = p->GetBlockTime();
    std::sort(times, times + n);
    return times[n / 2];
}

// The skip list of Core: jump heights chosen so that GetAncestor takes O(log n) steps.
static int InvertLowestOne(int n) { return n & (n - 1); }
static int GetSkipHeight(int height)
{
    if (height < 2) return 0;
    return (height & 1) ? InvertLowestOne(InvertLowestOne(height - 1)) + 1 : InvertLowestOne(height);
}

const BlockIndex* BlockIndex::GetAncestor(int h) const
{
    if (h > height || h < 0) return nullptr;
    const BlockIndex* walk = this;
    int height_walk = height;
    while (height_walk > h) {
        const int height_skip = GetSkipHeight(height_walk);
        const int height_skip_prev = GetSkipHeight(height_walk - 1);
        if (walk->skip != nullptr &&
            (height_skip == h || (height_skip > h && !(height_skip_prev < height_skip - 2 && height_skip_prev >= h)))) {
            walk = walk->skip;
            height_walk = height_skip;
        } else {
            walk = walk->prev;
            height_walk--;
        }
    }
    return walk;
}

BlockIndex* BlockIndex::GetAncestor(int h)
{
    return const_cast<BlockIndex*>(static_cast<const BlockIndex*>(this)->GetAncestor(h));
}

void BlockIndex::BuildSkip()
{
    if (prev) skip = prev->GetAncestor(GetSkipHeight(height));
}

bool BlockIndex::IsValid(BlockStatus level) const
{
    const uint32_t s = status.load(); // one load: another thread may be the writer
    if (s & BLOCK_FAILED_MASK) return false;
    return (s & BLOCK_VALID_MASK) >= level;
}

bool BlockIndex::RaiseValidity(BlockStatus level)
{
    const uint32_t s = status.load(); // the validation owner is the only writer
    if (s & BLOCK_FAILED_MASK) return false;
    if ((s & BLOCK_VALID_MASK) < level) {
        status = (s & ~BLOCK_VALID_MASK) | level;
        return true;
    }
    return false;
}

std::string BlockIndex::ToString() const
{
    return "BlockIndex(height=" + std::to_string(height) + ", hash=" + GetBlockHash().GetHex() + ")";
}

const BlockIndex* LastCommonAncestor(const BlockIndex* a, const BlockIndex* b)
{
    if (a->height > b->height) {
        a = a->GetAncestor(b->height);
    } else if (b->height > a->height) {
        b = b->GetAncestor(a->height);
    }
    while (a != b && a && b) {
        a = a->prev;
        b = b->prev;
    }
    return a;
}

void Chain::SetTip(BlockIndex* tip)
{
    if (!tip) {
        m_chain.clear();
        return;
    }
    m_chain.resize(tip->height + 1);
    while (tip && m_chain[tip->height] != tip) {
        m_chain[tip->height] = tip;
        tip = tip->prev;
    }
}

const BlockIndex* Chain::FindFork(const BlockIndex* index) const
{
    if (!index) return nullptr;
    if (index->height > Height()) index = index->GetAncestor(Height());
    while (index && !Contains(index)) index = index->prev;
    return index;
}

std::vector<consensus::Uint256> Chain::GetLocator(const BlockIndex* index) const
{
    if (!index) index = Tip();
    std::vector<consensus::Uint256> have;
    int step = 1;
    while (index) {
        have.push_back(index->GetBlockHash());
        if (index->height == 0) break;
        const int h = std::max(index->height - step, 0);
        // Walk the active chain when we can (O(1)), else the skip list.
        index = Contains(index) ? (*this)[h] : index->GetAncestor(h);
        if (have.size() > 10) step *= 2;
    }
    return have;
}

} // namespace node::chain
