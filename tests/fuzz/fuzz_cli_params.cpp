// libFuzzer target: minicash-cli's parameter conversion (common/rpc/client.*).
//
// Input: byte 0 selects positional or -named conversion; the rest is read as -stdin would
// give it, one argument per line: the method name, then its arguments. Positional: the
// result is an array with one value per argument, the argument's text where the conversion
// table has no entry, its JSON value where it has one (a failure must be the documented
// "Error parsing JSON" runtime_error, unless the entry accepts plain text). Named: an object
// whose members are the last value given for each name, plus "args" for the arguments without
// '='. Either way the request minicash-cli would send (method, params, id) must write and
// parse back to the same JSON, as the server will read it.

#include "common/rpc/client.h"
#include "common/rpc/json.h"
#include "tests/fuzz/fuzz_common.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using common::rpc::Json;

/** The value one argument may convert to: its text, or (if the table lists it) its JSON. */
void CheckConverted(const Json& value, const std::string& text, bool listed)
{
    if (!listed) {
        fuzz::Check(value.is_string() && value.get<std::string>() == text, "an unlisted argument is not sent as text",
                    text);
        return;
    }
    const std::optional<Json> json = common::rpc::ParseJson(text, true);
    if (json) {
        fuzz::Check(value == *json, "a listed argument is not sent as its JSON", text);
    } else {
        fuzz::Check(value.is_string() && value.get<std::string>() == text, "invalid JSON sent as something else", text);
    }
}

/** Nesting depth of containers (a scalar is 0). */
size_t Depth(const Json& v)
{
    size_t inner = 0;
    if (v.is_structured()) {
        for (const Json& e : v) inner = std::max(inner, Depth(e));
        return inner + 1;
    }
    return 0;
}

/**
 * The request is written and read back. As in Core, text that is not UTF-8 is sent as it is
 * (and refused by the server), and so is JSON nested deeper than the parser's limit of 512
 * once wrapped in the request: those are left out.
 */
void CheckRequest(const std::string& method, const Json& params, bool ascii)
{
    Json request = Json::object();
    request["method"] = method;
    request["params"] = params;
    request["id"] = 1;
    if (!ascii || Depth(request) > 512) return;
    const std::string written = common::rpc::WriteJson(request);
    const std::optional<Json> read = common::rpc::ParseJson(written, true);
    fuzz::Check(read && *read == request, "the request does not survive writing", written);
    fuzz::Check(common::rpc::ParseJson(written).has_value(), "the server cannot parse the request", written);
}

/** e is "Error parsing JSON: <text>" for an argument (or the value of a name=value one) that is not JSON. */
bool IsJsonParseError(const std::runtime_error& e, const std::vector<std::string>& args)
{
    const std::string what = e.what(); // a C string: the text ends at its first NUL
    const std::string prefix = "Error parsing JSON: ";
    const auto matches = [&](const std::string& text) {
        return std::string((prefix + text).c_str()) == what && !common::rpc::ParseJson(text, true);
    };
    for (const std::string& a : args) {
        const size_t eq = a.find('=');
        if (matches(a) || (eq != std::string::npos && matches(a.substr(eq + 1)))) return true;
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1) return 0;
    const bool named = (data[0] & 1) != 0;
    std::vector<std::string> lines = fuzz::Split(fuzz::AsText(data + 1, size - 1), '\n');
    if (lines.size() > 64) return 0;
    const std::string method = lines.front();
    const std::vector<std::string> args(lines.begin() + 1, lines.end());

    Json params;
    try {
        params = named ? common::rpc::RpcConvertNamedValues(method, args) : common::rpc::RpcConvertValues(method, args);
    } catch (const std::runtime_error& e) {
        fuzz::Check(IsJsonParseError(e, args), "conversion failed for another reason", e.what());
        return 0;
    }

    if (!named) {
        fuzz::Check(params.is_array() && params.size() == args.size(), "one value per argument expected");
        for (size_t i = 0; i < args.size(); ++i) {
            CheckConverted(params[i], args[i], common::rpc::RpcParamIsJson(method, static_cast<int>(i)));
        }
    } else {
        fuzz::Check(params.is_object(), "named parameters are not an object");
        std::map<std::string, std::string> last; // name -> text of its last value
        std::vector<std::string> positional;
        for (const std::string& a : args) {
            const size_t eq = a.find('=');
            if (eq == std::string::npos) {
                positional.push_back(a);
            } else {
                last[a.substr(0, eq)] = a.substr(eq + 1);
            }
        }
        const size_t expected = last.size() + (!positional.empty() && !last.contains("args") ? 1 : 0);
        fuzz::Check(params.size() == expected, "unexpected number of named parameters");
        for (const auto& [name, text] : last) {
            fuzz::Check(params.contains(name), "a named parameter is missing", name);
            // Named values are looked up by name, which the table does not expose: the value is
            // the text or its JSON.
            const Json& v = params[name];
            const std::optional<Json> json = common::rpc::ParseJson(text, true);
            fuzz::Check((v.is_string() && v.get<std::string>() == text) || (json && v == *json),
                        "a named value is neither its text nor its JSON", text);
        }
        if (!positional.empty() && !last.contains("args")) {
            const Json& list = params["args"];
            fuzz::Check(list.is_array() && list.size() == positional.size(),
                        "\"args\" does not hold the plain arguments");
            for (size_t i = 0; i < positional.size(); ++i) {
                CheckConverted(list[i], positional[i], common::rpc::RpcParamIsJson(method, static_cast<int>(i)));
            }
        }
    }
    const bool ascii = std::all_of(data + 1, data + size, [](uint8_t c) { return c < 0x80; });
    CheckRequest(method, params, ascii);
    return 0;
}
