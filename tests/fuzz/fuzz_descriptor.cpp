// libFuzzer target: output descriptors (common/descriptor.*, descriptor_util.*).
//
// Input: byte 0 selects the network (main or regtest: the extended-key prefixes differ) and
// whether a checksum is required; the rest is the descriptor. Checksums: a descriptor with
// its computed checksum appended must pass the check (and give the payload back), and any
// other 8 characters must fail. A descriptor that parses is expanded at a few positions
// (0, 1, 2^31 - 1 and one from the input); each script it yields must be inferred back
// (InferAt) to a descriptor with a valid checksum which, if it parses, is not ranged and
// expands to the same script. A non-ranged descriptor must give the same script at every
// position and through ParseDescriptorScript. Scripts with an address must infer to a
// descriptor that gives the script back too (InferDescriptor).

#include "consensus/params.h"
#include "common/descriptor.h"
#include "common/descriptor_util.h"
#include "tests/fuzz/fuzz_common.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

void CheckChecksum(const std::string& desc)
{
    const std::string sum = common::DescriptorChecksum(desc);
    if (sum.empty() || desc.find('#') != std::string::npos) return;
    fuzz::Check(sum.size() == 8, "checksum is not 8 characters", sum);
    std::string error;
    std::string payload;
    const std::string with = common::AddDescriptorChecksum(desc);
    fuzz::Check(with == desc + "#" + sum, "AddDescriptorChecksum differs from DescriptorChecksum", with);
    fuzz::Check(common::CheckDescriptorChecksum(with, true, error, &payload) && payload == desc,
                "the computed checksum is refused", with + ": " + error);
    std::string wrong = sum;
    wrong[0] = wrong[0] == 'q' ? 'p' : 'q';
    fuzz::Check(!common::CheckDescriptorChecksum(desc + "#" + wrong, false, error), "a wrong checksum passed", wrong);
    fuzz::Check(!common::CheckDescriptorChecksum(desc, true, error), "a missing required checksum passed", desc);
}

/** An inferred descriptor must carry a valid checksum and, if it parses, give script back. */
void CheckInferred(const std::string& inferred, const consensus::Script& script, const consensus::ChainParams& params)
{
    std::string error;
    fuzz::Check(common::CheckDescriptorChecksum(inferred, true, error), "inferred descriptor without a valid checksum",
                inferred);
    const auto parsed = common::ParseDescriptor(inferred, params, error, true);
    if (!parsed) return; // multi() and rawtr() are inferred but not parsed by the node
    fuzz::Check(!parsed->IsRange(), "inferred descriptor is ranged", inferred);
    const auto again = parsed->Expand(0, error);
    fuzz::Check(again && *again == script, "inferred descriptor gives another script", inferred);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1 || size > 2000) return 0;
    const consensus::ChainParams& params =
        consensus::Params((data[0] & 1) ? consensus::ChainType::REGTEST : consensus::ChainType::MAIN);
    const bool require_checksum = (data[0] & 2) != 0;
    const std::string desc(fuzz::AsText(data + 1, size - 1));

    CheckChecksum(desc);
    std::string error;
    const auto parsed = common::ParseDescriptor(desc, params, error, require_checksum);
    if (!parsed) {
        fuzz::Check(!error.empty(), "descriptor refused without an error", desc);
        return 0;
    }
    uint32_t fuzzed_pos = 0;
    std::memcpy(&fuzzed_pos, data + (size >= 5 ? size - 4 : 0), std::min<size_t>(4, size));
    const uint32_t positions[] = {0, 1, 0x7fffffff, fuzzed_pos & 0x7fffffff};
    std::optional<consensus::Script> first;
    for (const uint32_t pos : positions) {
        const auto script = parsed->Expand(pos, error);
        if (!script) {
            fuzz::Check(!error.empty(), "expansion failed without an error", desc);
            continue;
        }
        if (!parsed->IsRange()) {
            if (!first) first = script;
            fuzz::Check(*first == *script, "a non-ranged descriptor differs between positions", desc);
        }
        CheckInferred(parsed->InferAt(pos), *script, params);
        CheckInferred(common::InferDescriptor(*script, params), *script, params);
    }
    if (!parsed->IsRange()) {
        const auto one = common::ParseDescriptorScript(desc, params, error, require_checksum);
        fuzz::Check(one.has_value() == first.has_value() && (!one || *one == *first),
                    "ParseDescriptorScript disagrees with ParseDescriptor", desc);
    }
    return 0;
}
