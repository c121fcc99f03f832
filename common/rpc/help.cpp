// RPC help generated from the method table, and the result checker (-rpcdoccheck).
//
// Both read the same declarations the server executes with (RpcMethod::args and ::results),
// so `help <method>` cannot drift from what the method accepts and returns. The layout is
// Bitcoin Core's RPCHelpMan::ToString: a signature line, the description, "Arguments:" and
// "Result:" sections as two columns (the left column padded to the widest entry plus four
// spaces), and "Examples:".
#include "common/rpc/server.h"

#include <algorithm>
#include <map>

namespace common::rpc {

namespace {

std::string FirstName(const std::string& names) { return names.substr(0, names.find('|')); }

std::string Trim(const std::string& s)
{
    static const char* const ws = " \f\n\r\t\v";
    const size_t begin = s.find_first_not_of(ws);
    if (begin == std::string::npos) return "";
    return s.substr(begin, s.find_last_not_of(ws) - begin + 1);
}

/** Where a value sits: at the top, as a member of an object, or as an element of an array. */
enum class Outer { NONE, OBJ, ARR };

/** One help line: left column (a name or a brace) and right column (type and description). */
struct Section {
    std::string left;
    std::string right;
};

/** Core's Sections: collects lines, then pads the left column of all of them alike. */
struct Sections {
    std::vector<Section> lines;
    size_t max_pad{0};

    void Push(Section s)
    {
        max_pad = std::max(max_pad, s.left.size());
        lines.push_back(std::move(s));
    }

    std::string ToString() const
    {
        std::string out;
        const size_t pad = max_pad + 4;
        for (const auto& s : lines) {
            if (s.right.empty()) {
                out += s.left + "\n";
                continue;
            }
            std::string left = s.left;
            left.resize(pad, ' ');
            out += left;
            // Continuation lines of the right column start under its first character.
            size_t begin = 0;
            size_t nl = s.right.find('\n');
            while (true) {
                out += s.right.substr(begin, nl == std::string::npos ? std::string::npos : nl - begin);
                if (nl == std::string::npos) break;
                out += "\n" + std::string(pad, ' ');
                begin = s.right.find_first_not_of(' ', nl + 1);
                if (begin == std::string::npos) break;
                nl = s.right.find('\n', begin + 1);
            }
            out += "\n";
        }
        return out;
    }
};

std::string ArgTypeName(const RpcArg& arg)
{
    if (!arg.type_str.empty()) return arg.type_str;
    switch (arg.type) {
    case RpcArgType::STR:
    case RpcArgType::STR_HEX: return "string";
    case RpcArgType::NUM: return "numeric";
    case RpcArgType::AMOUNT: return "numeric or string";
    case RpcArgType::BOOL: return "boolean";
    case RpcArgType::OBJ: return "json object";
    case RpcArgType::ARR: return "json array";
    case RpcArgType::ANY: return "any";
    }
    return "any";
}

/** Core's RPCArg::ToDescriptionString: "(type, required|optional[, default=x]) description". */
std::string ArgDescription(const RpcArg& arg, bool is_named)
{
    std::string out = "(" + ArgTypeName(arg);
    if (arg.optional && !arg.default_text.empty()) {
        out += ", optional, default=" + arg.default_text;
    } else if (arg.optional) {
        if (is_named) out += ", optional";
    } else {
        out += ", required";
    }
    out += ")";
    if (!arg.description.empty()) out += " " + arg.description;
    return out;
}

std::string ArgOneline(const RpcArg& arg);

/** Core's RPCArg::ToStringObj: "\"name\": <type form>" (no space after the colon when oneline). */
std::string ArgObjMember(const RpcArg& arg, bool oneline)
{
    std::string out = "\"" + FirstName(arg.name) + (oneline ? "\":" : "\": ");
    switch (arg.type) {
    case RpcArgType::STR: return out + "\"str\"";
    case RpcArgType::STR_HEX: return out + "\"hex\"";
    case RpcArgType::NUM: return out + "n";
    case RpcArgType::AMOUNT: return out + "amount";
    case RpcArgType::BOOL: return out + "bool";
    case RpcArgType::ARR: {
        out += "[";
        for (const auto& i : arg.inner) out += ArgOneline(i) + ",";
        return out + "...]";
    }
    case RpcArgType::OBJ:
    case RpcArgType::ANY: return out + "...";
    }
    return out;
}

/** Core's RPCArg::ToString(oneline): how the argument appears in the signature line. */
std::string ArgOneline(const RpcArg& arg)
{
    switch (arg.type) {
    case RpcArgType::STR:
    case RpcArgType::STR_HEX: return "\"" + FirstName(arg.name) + "\"";
    case RpcArgType::OBJ: {
        if (arg.inner.empty()) return FirstName(arg.name);
        std::string out;
        for (const auto& i : arg.inner) out += (out.empty() ? "" : ",") + ArgObjMember(i, true);
        return "{" + out + "}";
    }
    case RpcArgType::ARR: {
        if (arg.inner.empty()) return FirstName(arg.name);
        std::string out;
        for (const auto& i : arg.inner) out += ArgOneline(i) + ",";
        return "[" + out + "...]";
    }
    case RpcArgType::NUM:
    case RpcArgType::AMOUNT:
    case RpcArgType::BOOL:
    case RpcArgType::ANY: return FirstName(arg.name);
    }
    return FirstName(arg.name);
}

/** Core's Sections::Push(RPCArg): the nested lines of object and array arguments. */
void PushArg(Sections& sections, const RpcArg& arg, size_t indent_n = 5, Outer outer = Outer::NONE)
{
    const std::string indent(indent_n, ' ');
    const std::string indent_next(indent_n + 2, ' ');
    const bool push_name = outer == Outer::OBJ;
    const bool top = outer == Outer::NONE;
    switch (arg.type) {
    case RpcArgType::OBJ:
    case RpcArgType::ARR: {
        if (arg.inner.empty()) {
            if (top) return;
            break; // an object or array without declared members is shown like a plain value
        }
        const bool obj = arg.type == RpcArgType::OBJ;
        sections.Push({indent + (push_name ? "\"" + FirstName(arg.name) + "\": " : "") + (obj ? "{" : "["),
                       top ? "" : ArgDescription(arg, push_name)});
        for (const auto& i : arg.inner) PushArg(sections, i, indent_n + 2, obj ? Outer::OBJ : Outer::ARR);
        if (!obj) sections.Push({indent_next + "...", ""});
        sections.Push({indent + (obj ? "}" : "]") + (top ? "" : ","), ""});
        return;
    }
    default:
        if (top) return;
        break;
    }
    std::string left = indent + (push_name ? ArgObjMember(arg, false) : ArgOneline(arg)) + ",";
    sections.Push({std::move(left), ArgDescription(arg, push_name)});
}

/** Core's RPCResult::ToSections. */
void PushResult(Sections& sections, const RpcResult& r, Outer outer = Outer::NONE, size_t indent_n = 0)
{
    const std::string indent(indent_n, ' ');
    const std::string indent_next(indent_n + 2, ' ');
    const std::string sep = outer != Outer::NONE ? "," : "";
    const std::string key = outer == Outer::OBJ ? "\"" + r.key + "\" : " : "";
    auto describe = [&](const std::string& type) {
        return "(" + type + (r.optional ? ", optional" : "") + ")" + (r.description.empty() ? "" : " " + r.description);
    };
    switch (r.type) {
    case RpcResultType::ELISION: sections.Push({indent + "..." + sep, r.description}); return;
    case RpcResultType::ANY: sections.Push({indent + key + "any" + sep, describe("any")}); return;
    case RpcResultType::NONE: sections.Push({indent + "null" + sep, describe("json null")}); return;
    case RpcResultType::STR: sections.Push({indent + key + "\"str\"" + sep, describe("string")}); return;
    case RpcResultType::STR_AMOUNT: sections.Push({indent + key + "n" + sep, describe("numeric")}); return;
    case RpcResultType::STR_HEX: sections.Push({indent + key + "\"hex\"" + sep, describe("string")}); return;
    case RpcResultType::NUM: sections.Push({indent + key + "n" + sep, describe("numeric")}); return;
    case RpcResultType::NUM_TIME: sections.Push({indent + key + "xxx" + sep, describe("numeric")}); return;
    case RpcResultType::BOOL: sections.Push({indent + key + "true|false" + sep, describe("boolean")}); return;
    case RpcResultType::ARR_FIXED:
    case RpcResultType::ARR: {
        sections.Push({indent + key + "[", describe("json array")});
        for (const auto& i : r.inner) PushResult(sections, i, Outer::ARR, indent_n + 2);
        if (r.type == RpcResultType::ARR && (r.inner.empty() || r.inner.back().type != RpcResultType::ELISION)) {
            sections.Push({indent_next + "...", ""});
        } else if (!r.inner.empty()) {
            sections.lines.back().left.pop_back(); // no comma after the last element
        }
        sections.Push({indent + "]" + sep, ""});
        return;
    }
    case RpcResultType::OBJ_DYN:
    case RpcResultType::OBJ: {
        if (r.inner.empty()) {
            sections.Push({indent + key + "{}", describe("empty JSON object")});
            return;
        }
        sections.Push({indent + key + "{", describe("json object")});
        for (const auto& i : r.inner) PushResult(sections, i, Outer::OBJ, indent_n + 2);
        if (r.type == RpcResultType::OBJ_DYN && r.inner.back().type != RpcResultType::ELISION) {
            sections.Push({indent_next + "...", ""});
        } else {
            sections.lines.back().left.pop_back(); // no comma after the last member
        }
        sections.Push({indent + "}" + sep, ""});
        return;
    }
    }
}

/** Core's uvTypeName of the JSON type a result type must have; nullopt for no check. */
std::optional<std::string> ExpectedJsonType(RpcResultType type)
{
    switch (type) {
    case RpcResultType::ELISION:
    case RpcResultType::ANY: return std::nullopt;
    case RpcResultType::NONE: return "null";
    case RpcResultType::STR:
    case RpcResultType::STR_HEX: return "string";
    case RpcResultType::NUM:
    case RpcResultType::STR_AMOUNT:
    case RpcResultType::NUM_TIME: return "number";
    case RpcResultType::BOOL: return "bool";
    case RpcResultType::ARR_FIXED:
    case RpcResultType::ARR: return "array";
    case RpcResultType::OBJ_DYN:
    case RpcResultType::OBJ: return "object";
    }
    return std::nullopt;
}

} // namespace

std::string HelpExampleCli(const std::string& method, const std::string& args)
{
    return "> minicash-cli " + method + " " + args + "\n";
}

std::string HelpExampleRpc(const std::string& method, const std::string& args)
{
    return "> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": \"curltest\", \"method\": \"" +
           method + "\", \"params\": [" + args + "]}' -H 'content-type: application/json' http://127.0.0.1:8332/\n";
}

std::string RpcMethod::Signature() const
{
    std::string sig = name;
    bool was_optional = false;
    for (const auto& arg : args) {
        if (arg.hidden) break;
        sig += " ";
        if (arg.optional) {
            if (!was_optional) sig += "( ";
            was_optional = true;
        } else {
            if (was_optional) sig += ") ";
            was_optional = false;
        }
        sig += ArgOneline(arg);
    }
    if (was_optional) sig += " )";
    return sig;
}

std::string RpcMethod::HelpText() const
{
    std::string out = Signature() + "\n\n" + Trim(description) + "\n";
    Sections arg_sections;
    for (size_t i = 0; i < args.size() && !args[i].hidden; ++i) {
        arg_sections.Push({std::to_string(i + 1) + ". " + FirstName(args[i].name), ArgDescription(args[i], true)});
        PushArg(arg_sections, args[i]);
    }
    if (!arg_sections.lines.empty()) out += "\nArguments:\n" + arg_sections.ToString();
    for (const auto& r : results) {
        if (r.type == RpcResultType::ANY) continue; // "not checked" has nothing to show (Core: tests only)
        out += r.cond.empty() ? "\nResult:\n" : "\nResult (" + r.cond + "):\n";
        Sections sections;
        PushResult(sections, r);
        out += sections.ToString();
    }
    if (!examples.empty()) out += "\nExamples:\n" + examples;
    return out;
}

Json RpcResult::MatchesType(const Json& value) const
{
    const auto expected = ExpectedJsonType(type);
    if (!expected) return true;
    const std::string actual = JsonTypeName(value);
    if (actual != *expected) return "returned type is " + actual + ", but declared as " + *expected + " in doc";

    if (value.is_array()) {
        Json errors = Json::object();
        if (inner.empty()) return true;
        for (size_t i = 0; i < value.size(); ++i) {
            const RpcResult& doc = inner[std::min(inner.size() - 1, i)]; // the last entry describes the rest
            Json match = doc.MatchesType(value[i]);
            if (match != Json(true)) errors[std::to_string(i)] = std::move(match);
        }
        if (errors.empty()) return true;
        return errors;
    }
    if (value.is_object()) {
        if (!inner.empty() && inner.front().type == RpcResultType::ELISION) return true;
        Json errors = Json::object();
        if (type == RpcResultType::OBJ_DYN) {
            if (inner.empty()) return true;
            for (const auto& [k, v] : value.items()) {
                Json match = inner.front().MatchesType(v);
                if (match != Json(true)) errors[k] = std::move(match);
            }
            if (errors.empty()) return true;
            return errors;
        }
        std::map<std::string, const Json*> members; // sorted, as Core's getObjMap
        for (const auto& [k, v] : value.items()) members.emplace(k, &v);
        for (const auto& member : members) {
            const std::string& k = member.first;
            const bool documented =
                std::any_of(inner.begin(), inner.end(), [&](const RpcResult& d) { return d.key == k; });
            if (!documented) errors[k] = "key returned that was not in doc";
        }
        for (const auto& doc : inner) {
            auto it = members.find(doc.key);
            if (it == members.end()) {
                if (!doc.optional) errors[doc.key] = "key missing, despite not being optional in doc";
                continue;
            }
            Json match = doc.MatchesType(*it->second);
            if (match != Json(true)) errors[doc.key] = std::move(match);
        }
        if (errors.empty()) return true;
        return errors;
    }
    return true;
}

std::optional<std::string> RpcMethod::CheckResult(const Json& result) const
{
    Json mismatch = Json::array();
    for (const auto& r : results) {
        Json match = r.MatchesType(result);
        if (match == Json(true)) return std::nullopt;
        mismatch.push_back(std::move(match));
    }
    if (mismatch.empty()) return std::string("no possible results defined");
    return WriteJson(mismatch.size() == 1 ? mismatch[0] : mismatch, 4);
}

} // namespace common::rpc
