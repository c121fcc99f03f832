// libFuzzer target: the RPC layer's JSON parser and writer (common/rpc/json.*).
//
// The input is parsed with and without keep_number_text. Whatever parses must be written
// (compact and pretty-printed with an indent taken from the input) to text that parses
// again to the same shape. With keep_number_text, decimals travel as their literal text,
// so the compact text must be a fixpoint (written, parsed and written again, byte for
// byte) and the values equal; without it, a float may move by its last printed digit only.
// Separately, an input RawNumber accepts must parse to a number (unless it overflows a
// double, which the parser refuses), and RawNumber must write it back verbatim.
// Differentially: without keep_number_text ParseJson reads with simdjson (nlohmann when that
// refuses), with it nlohmann alone reads: both must accept the same inputs, give the same
// values (a kept literal read as a double) and report the same repeated keys.

#include "common/rpc/json.h"
#include "tests/fuzz/fuzz_common.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using common::rpc::Json;

/** Same structure: types (numbers of any kind alike, a non-finite float as null), sizes, keys. */
bool SameShape(const Json& a, const Json& b, bool exact_numbers)
{
    const auto is_nan_like = [](const Json& v) { return v.is_number_float() && !std::isfinite(v.get<double>()); };
    if (is_nan_like(a) || a.is_null()) return b.is_null() || is_nan_like(b);
    if (common::rpc::IsNumeric(a)) {
        if (!common::rpc::IsNumeric(b)) return false;
        if (exact_numbers) return a == b;
        const double x = common::rpc::NumericAsDouble(a);
        const double y = common::rpc::NumericAsDouble(b);
        return x == y || std::fabs(x - y) <= 1e-15 * std::fabs(x);
    }
    if (a.type() != b.type() || a.size() != b.size()) return false;
    if (a.is_array()) {
        for (size_t i = 0; i < a.size(); ++i) {
            if (!SameShape(a[i], b[i], exact_numbers)) return false;
        }
        return true;
    }
    if (a.is_object()) {
        auto ib = b.begin();
        for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib) {
            if (ia.key() != ib.key() || !SameShape(ia.value(), ib.value(), exact_numbers)) return false;
        }
        return true;
    }
    return a == b; // bool, string
}

/** fast (simdjson's reading) is slow (nlohmann's, literals kept) exactly: same types and values. */
bool SameValue(const Json& fast, const Json& slow)
{
    if (common::rpc::IsRawNumber(slow)) {
        return fast.is_number_float() &&
               fast.get<double>() == std::strtod(common::rpc::RawNumberText(slow).c_str(), nullptr);
    }
    if (fast.type() != slow.type() || fast.size() != slow.size()) return false;
    if (fast.is_array()) {
        for (size_t i = 0; i < fast.size(); ++i) {
            if (!SameValue(fast[i], slow[i])) return false;
        }
        return true;
    }
    if (fast.is_object()) {
        auto is = slow.begin();
        for (auto it = fast.begin(); it != fast.end(); ++it, ++is) {
            if (it.key() != is.key() || !SameValue(it.value(), is.value())) return false;
        }
        return true;
    }
    return fast == slow;
}

/** Calls the type queries on every value, checking that they agree with each other. */
void Walk(const Json& v)
{
    const std::string type = common::rpc::JsonTypeName(v);
    fuzz::Check((type == "number") == common::rpc::IsNumeric(v), "JsonTypeName disagrees with IsNumeric", type);
    if (common::rpc::IsRawNumber(v)) {
        const std::string text = common::rpc::RawNumberText(v);
        fuzz::Check(!text.empty() && common::rpc::WriteJson(v) == text, "raw number not written verbatim", text);
    }
    (void)common::rpc::NumericAsDouble(v);
    if (v.is_structured()) {
        for (const auto& e : v) Walk(e);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view text = fuzz::AsText(data, size);
    const unsigned indent = size > 0 ? 1 + data[0] % 4 : 2;

    std::vector<common::rpc::JsonDuplicateKey> fast_dups, slow_dups;
    const std::optional<Json> fast = common::rpc::ParseJson(text, false, &fast_dups);
    const std::optional<Json> slow = common::rpc::ParseJson(text, true, &slow_dups);
    fuzz::Check(fast.has_value() == slow.has_value(), "simdjson and nlohmann disagree on accepting", std::string(text));
    if (fast) {
        fuzz::Check(SameValue(*fast, *slow), "simdjson and nlohmann read different values", std::string(text));
        fuzz::Check(fast_dups.size() == slow_dups.size(), "repeated keys reported differently", std::string(text));
        for (size_t i = 0; i < fast_dups.size() && i < slow_dups.size(); ++i) {
            fuzz::Check(fast_dups[i].path == slow_dups[i].path && fast_dups[i].key == slow_dups[i].key,
                        "repeated keys reported differently", std::string(text));
        }
    }

    for (const bool keep : {false, true}) {
        const std::optional<Json> parsed = common::rpc::ParseJson(text, keep);
        if (!parsed) continue;
        Walk(*parsed);
        const std::string compact = common::rpc::WriteJson(*parsed);
        const std::optional<Json> again = common::rpc::ParseJson(compact, keep);
        fuzz::Check(again.has_value(), "written JSON does not parse", compact);
        fuzz::Check(SameShape(*parsed, *again, keep), "JSON changed in a write/parse round trip", compact);
        const std::string compact2 = common::rpc::WriteJson(*again);
        if (keep) fuzz::Check(compact2 == compact, "compact JSON is not a fixpoint", compact + " vs " + compact2);

        const std::string pretty = common::rpc::WriteJson(*parsed, indent);
        const std::optional<Json> from_pretty = common::rpc::ParseJson(pretty, keep);
        fuzz::Check(from_pretty.has_value(), "pretty JSON does not parse", pretty);
        fuzz::Check(common::rpc::WriteJson(*from_pretty) == compact2, "pretty and compact JSON differ", pretty);
    }

    // The raw-number grammar may accept only what the parser reads as a number, except literals
    // beyond the range of a double ("1e400"): nlohmann's parser refuses those (Core's UniValue
    // would keep them as text).
    try {
        const Json raw = common::rpc::RawNumber(text);
        fuzz::Check(common::rpc::WriteJson(raw) == text, "RawNumber not written verbatim");
        const std::optional<Json> parsed = common::rpc::ParseJson(text, true);
        const bool finite = std::isfinite(std::strtod(std::string(text).c_str(), nullptr));
        fuzz::Check(!finite || (parsed && common::rpc::IsNumeric(*parsed)),
                    "RawNumber accepts what ParseJson does not read as a number", std::string(text));
    } catch (const std::invalid_argument&) {}
    return 0;
}
