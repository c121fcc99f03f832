// RpcTable: registration, execution, help, warm-up and the built-in control methods.
#include "common/rpc/server.h"

#include "common/rpc/util.h"
#include "util/logging.h"
#include "util/version.h"

#include <algorithm>
#include <thread>

namespace common::rpc {

namespace {

std::vector<std::string> SplitAliases(const std::string& names)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        const size_t bar = names.find('|', start);
        out.push_back(names.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
        if (bar == std::string::npos) break;
        start = bar + 1;
    }
    return out;
}

/** Core's RPCArg::ExpectedType: the JSON type an argument must have, or nullopt for no check. */
std::optional<std::string> ExpectedTypeName(RpcArgType type)
{
    switch (type) {
    case RpcArgType::STR:
    case RpcArgType::STR_HEX: return "string";
    case RpcArgType::NUM: return "number";
    case RpcArgType::BOOL: return "bool";
    case RpcArgType::OBJ: return "object";
    case RpcArgType::ARR: return "array";
    case RpcArgType::AMOUNT:
    case RpcArgType::ANY: return std::nullopt;
    }
    return std::nullopt;
}

size_t RequiredArgCount(const std::vector<RpcArg>& args)
{
    size_t n = 0;
    for (size_t i = 0; i < args.size(); ++i) {
        if (!args[i].optional) n = i + 1;
    }
    return n;
}

} // namespace

void RpcRequest::Parse(const Json& request)
{
    if (!request.is_object()) throw RpcError(RPC_INVALID_REQUEST, "Invalid Request object");
    if (request.contains("id")) {
        id = request.at("id");
    } else {
        id.reset();
    }
    json_version = JsonRpcVersion::V1_LEGACY;
    if (auto it = request.find("jsonrpc"); it != request.end() && !it->is_null()) {
        if (!it->is_string()) throw RpcError(RPC_INVALID_REQUEST, "jsonrpc field must be a string");
        const std::string& v = it->get_ref<const std::string&>();
        if (v == "2.0") {
            json_version = JsonRpcVersion::V2;
        } else if (v != "1.0") {
            throw RpcError(RPC_INVALID_REQUEST, "JSON-RPC version not supported");
        }
    }
    auto m = request.find("method");
    if (m == request.end() || m->is_null()) throw RpcError(RPC_INVALID_REQUEST, "Missing method");
    if (!m->is_string()) throw RpcError(RPC_INVALID_REQUEST, "Method must be a string");
    method = m->get<std::string>();
    auto p = request.find("params");
    if (p == request.end() || p->is_null()) {
        params = Json::array();
    } else if (p->is_array() || p->is_object()) {
        params = *p;
    } else {
        throw RpcError(RPC_INVALID_REQUEST, "Params must be an array or object");
    }
}

std::optional<std::string> RpcRequest::WalletName() const
{
    static const std::string prefix = "/wallet/";
    if (!uri.starts_with(prefix)) return std::nullopt;
    const std::string enc = uri.substr(prefix.size());
    std::string out;
    for (size_t i = 0; i < enc.size(); ++i) {
        if (enc[i] == '%' && i + 2 < enc.size()) {
            auto hex = [](char c) -> int {
                if (c >= '0' && c <= '9') return c - '0';
                if (c >= 'a' && c <= 'f') return c - 'a' + 10;
                if (c >= 'A' && c <= 'F') return c - 'A' + 10;
                return -1;
            };
            const int hi = hex(enc[i + 1]);
            const int lo = hex(enc[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += enc[i];
    }
    return out;
}

Json NamedToPositional(const Json& named, const std::vector<RpcArg>& args)
{
    std::map<std::string, const Json*> in;
    for (const auto& [key, value] : named.items()) {
        if (!in.emplace(key, &value).second)
            throw RpcError(RPC_INVALID_PARAMETER, "Parameter " + key + " specified multiple times");
    }
    Json out = Json::array();
    // An "args" array (when no declared argument is called "args") supplies leading positional values.
    bool args_declared = std::any_of(args.begin(), args.end(), [](const RpcArg& a) {
        const auto names = SplitAliases(a.name);
        return std::find(names.begin(), names.end(), "args") != names.end();
    });
    size_t positional = 0;
    if (!args_declared) {
        if (auto it = in.find("args"); it != in.end()) {
            if (!it->second->is_array()) throw RpcError(RPC_INVALID_PARAMETER, "Parameter args must be an array");
            for (const auto& v : *it->second) out.push_back(v);
            positional = out.size();
            in.erase(it);
        }
    }
    size_t hole = 0;
    for (size_t i = 0; i < args.size(); ++i) {
        const Json* found = nullptr;
        std::string found_name;
        for (const auto& alias : SplitAliases(args[i].name)) {
            auto it = in.find(alias);
            if (it == in.end()) continue;
            if (found) throw RpcError(RPC_INVALID_PARAMETER, "Parameter " + alias + " specified multiple times");
            found = it->second;
            found_name = alias;
            in.erase(it);
        }
        if (i < positional) {
            if (found) {
                throw RpcError(RPC_INVALID_PARAMETER,
                               "Parameter " + found_name + " specified twice both as positional and named argument");
            }
            continue;
        }
        if (found) {
            for (; hole > 0; --hole) out.push_back(nullptr);
            out.push_back(*found);
        } else {
            ++hole;
        }
    }
    if (!in.empty()) throw RpcError(RPC_INVALID_PARAMETER, "Unknown named parameter " + in.begin()->first);
    return out;
}

RpcTable::RpcTable() { RegisterBuiltins(); }

bool RpcTable::Register(RpcMethod method)
{
    util::ExclusiveLock lock(m_table_mutex);
    const std::string name = method.name;
    if (m_methods.contains(name)) return false;
    m_methods.emplace(name, std::make_shared<const RpcMethod>(std::move(method)));
    return true;
}

bool RpcTable::Unregister(const std::string& name)
{
    util::ExclusiveLock lock(m_table_mutex);
    return m_methods.erase(name) > 0;
}

std::vector<std::string> RpcTable::ListCommands() const
{
    util::SharedLock lock(m_table_mutex);
    std::vector<std::string> out;
    for (const auto& [name, m] : m_methods) out.push_back(name);
    return out;
}

void RpcTable::SetWarmup(bool warmup, const std::string& status)
{
    util::LockGuard lock(m_state_mutex);
    m_warmup = warmup;
    m_warmup_status = status;
}

bool RpcTable::IsInWarmup(std::string* status) const
{
    util::LockGuard lock(m_state_mutex);
    if (status) *status = m_warmup_status;
    return m_warmup;
}

void RpcTable::SetShutdownCallback(std::function<void()> callback)
{
    util::LockGuard lock(m_state_mutex);
    m_shutdown = std::move(callback);
}

void RpcTable::SetLogPath(const std::filesystem::path& path)
{
    util::LockGuard lock(m_state_mutex);
    m_log_path = path;
}

void RpcTable::SetDocCheck(bool enabled)
{
    util::LockGuard lock(m_state_mutex);
    m_doc_check = enabled;
}

std::shared_ptr<const RpcMethod> RpcTable::Find(const RpcRequest& request) const
{
    if (request.method != "help" && request.method != "stop") {
        std::string status;
        if (IsInWarmup(&status)) throw RpcError(RPC_IN_WARMUP, status);
    }
    util::SharedLock lock(m_table_mutex);
    auto it = m_methods.find(request.method);
    if (it == m_methods.end()) throw RpcError(RPC_METHOD_NOT_FOUND, "Method not found");
    return it->second;
}

Json RpcTable::Execute(const RpcRequest& request) const { return ExecuteMethod(*Find(request), request); }

namespace {

/** request with positional parameters, checked against method's count and types (Core's messages). */
RpcRequest CheckedRequest(const RpcMethod& method, const RpcRequest& request)
{
    RpcRequest req = request;
    if (req.params.is_object() && !req.repeated_params.empty()) {
        throw RpcError(RPC_INVALID_PARAMETER, "Parameter " + req.repeated_params.front() + " specified multiple times");
    }
    if (req.params.is_object()) req.params = NamedToPositional(req.params, method.args);
    // Trailing nulls from named conversion or explicit nulls for optional args are allowed.
    const size_t n = req.params.size();
    if (n < RequiredArgCount(method.args) || n > method.args.size()) throw RpcError(RPC_MISC_ERROR, method.HelpText());

    Json mismatch = Json::object();
    for (size_t i = 0; i < method.args.size(); ++i) {
        const RpcArg& arg = method.args[i];
        const Json& value = i < n ? req.params[i] : Json();
        if (arg.skip_type_check || (arg.optional && value.is_null())) continue;
        const auto expected = ExpectedTypeName(arg.type);
        if (!expected) continue;
        if (JsonTypeName(value) != *expected) {
            mismatch["Position " + std::to_string(i + 1) + " (" + arg.name + ")"] =
                "JSON value of type " + JsonTypeName(value) + " is not of expected type " + *expected;
        }
    }
    if (!mismatch.empty()) throw RpcError(RPC_TYPE_ERROR, "Wrong type passed:\n" + WriteJson(mismatch, 4));
    return req;
}

/** A handler's (or a finish's) result; any exception but RpcError becomes RPC_MISC_ERROR. */
template <class F>
auto RunBody(F&& body) -> decltype(body())
{
    try {
        return body();
    } catch (const RpcError&) {
        throw;
    } catch (const std::exception& e) {
        throw RpcError(RPC_MISC_ERROR, e.what());
    }
}

} // namespace

class RpcTable::ActiveCall {
public:
    ActiveCall(const RpcTable& table, const std::string& method) EXCLUDES(table.m_state_mutex) : m_table(table)
    {
        util::LockGuard lock(m_table.m_state_mutex);
        m_it = m_table.m_active.insert(m_table.m_active.end(), ActiveCommand{method, std::chrono::steady_clock::now()});
    }
    ~ActiveCall() EXCLUDES(m_table.m_state_mutex)
    {
        util::LockGuard lock(m_table.m_state_mutex);
        m_table.m_active.erase(m_it);
    }
    ActiveCall(const ActiveCall&) = delete;
    ActiveCall& operator=(const ActiveCall&) = delete;

private:
    const RpcTable& m_table;
    std::list<ActiveCommand>::iterator m_it;
};

Json RpcTable::ExecuteMethod(const RpcMethod& method, const RpcRequest& request) const
{
    const RpcRequest req = CheckedRequest(method, request);
    const ActiveCall active(*this, method.name);
    util::LogDebug(util::LogCategory::RPC, "ThreadRPCServer method=%s user=%s", method.name.c_str(),
                   req.auth_user.c_str());
    return CheckedResult(method, RunBody([&] { return method.handler(req); }));
}

std::optional<RpcBegun> RpcTable::Begin(const RpcRequest& request) const
{
    std::shared_ptr<const RpcMethod> method = Find(request);
    if (!method->begin) return std::nullopt;
    const RpcRequest req = CheckedRequest(*method, request);
    auto active = std::make_shared<ActiveCall>(*this, method->name);
    util::LogDebug(util::LogCategory::RPC, "ThreadRPCServer method=%s user=%s", method->name.c_str(),
                   req.auth_user.c_str());
    RpcBegun begun = RunBody([&] { return method->begin(req); });
    return RpcBegun([this, method = std::move(method), active = std::move(active),
                     finish = std::move(begun.finish)] { return CheckedResult(*method, RunBody(finish)); },
                    std::move(begun.wait_ready));
}

Json RpcTable::CheckedResult(const RpcMethod& method, Json result) const
{
    bool doc_check;
    {
        util::LockGuard lock(m_state_mutex);
        doc_check = m_doc_check;
    }
    if (doc_check) {
        if (auto mismatch = method.CheckResult(result)) {
            // Core's STR_INTERNAL_BUG wording, so test frameworks written for Core recognise it.
            throw RpcError(RPC_MISC_ERROR, "Internal bug detected: RPC call \"" + method.name +
                                               "\" returned incorrect type:\n" + *mismatch + "\nminicash " +
                                               util::FormatVersion() +
                                               "\nPlease report this issue here: "
                                               "the minicash issue tracker\n");
        }
    }
    return result;
}

std::string RpcTable::Help(const std::string& command) const
{
    util::SharedLock lock(m_table_mutex);
    if (!command.empty()) {
        auto it = m_methods.find(command);
        // As Core: a hidden method is left out of the listing but its help answers when named.
        if (it == m_methods.end()) return "help: unknown command: " + command;
        return it->second->HelpText();
    }
    std::vector<const RpcMethod*> sorted;
    for (const auto& [name, m] : m_methods) {
        if (m->category != "hidden") sorted.push_back(m.get());
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const RpcMethod* a, const RpcMethod* b) { return a->category + a->name < b->category + b->name; });
    std::string out;
    std::string category;
    bool first = true;
    for (const RpcMethod* m : sorted) {
        if (first || m->category != category) {
            if (!first) out += "\n";
            category = m->category;
            std::string title = category;
            if (!title.empty()) title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
            out += "== " + title + " ==\n";
            first = false;
        }
        out += m->Signature() + "\n";
    }
    if (!out.empty()) out.pop_back();
    return out;
}

void RpcTable::RegisterBuiltins()
{
    Register(RpcMethod{.category = "control",
                       .name = "help",
                       .args = {{.name = "command",
                                 .type = RpcArgType::STR,
                                 .optional = true,
                                 .default_text = "all commands",
                                 .description = "The command to get help on"}},
                       .description = "List all commands, or get help for a specified command.",
                       .examples = "",
                       .handler = [this](const RpcRequest& req) -> Json {
                           const std::string cmd = req.params.size() > 0 && req.params[0].is_string()
                                                       ? req.params[0].get<std::string>()
                                                       : "";
                           return Help(cmd);
                       },
                       .results = {{.type = RpcResultType::STR, .description = "The help text"}}});
    Register(RpcMethod{
        .category = "control",
        .name = "stop",
        .args = {{.name = "wait",
                  .type = RpcArgType::NUM,
                  .optional = true,
                  .description = "how long to wait in ms",
                  .hidden = true}},
        .description = "Request a graceful shutdown of Minicash.",
        .examples = "",
        .handler = [this](const RpcRequest& req) -> Json {
            if (req.params.size() > 0 && !req.params[0].is_null()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(std::max<int64_t>(0, GetInt(req.params[0]))));
            }
            std::function<void()> cb;
            {
                util::LockGuard lock(m_state_mutex);
                cb = m_shutdown;
            }
            if (cb) cb();
            return "Minicash stopping";
        },
        .results = {{.type = RpcResultType::STR, .description = "A string with the content 'Minicash stopping'"}}});
    Register(RpcMethod{.category = "control",
                       .name = "uptime",
                       .args = {},
                       .description = "Returns the total uptime of the server.",
                       .examples = HelpExampleCli("uptime", "") + HelpExampleRpc("uptime", ""),
                       .handler = [this](const RpcRequest&) -> Json {
                           return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                                   m_start_time)
                               .count();
                       },
                       .results = {{.type = RpcResultType::NUM,
                                    .description = "The number of seconds that the server has been running"}}});
    Register(RpcMethod{
        .category = "control",
        .name = "getrpcinfo",
        .args = {},
        .description = "Returns details of the RPC server.",
        .examples = HelpExampleCli("getrpcinfo", "") + HelpExampleRpc("getrpcinfo", ""),
        .handler = [this](const RpcRequest&) -> Json {
            util::LockGuard lock(m_state_mutex);
            Json active = Json::array();
            const auto now = std::chrono::steady_clock::now();
            for (const auto& c : m_active) {
                Json entry = Json::object();
                entry["method"] = c.method;
                entry["duration"] = std::chrono::duration_cast<std::chrono::microseconds>(now - c.start).count();
                active.push_back(std::move(entry));
            }
            Json out = Json::object();
            out["active_commands"] = std::move(active);
            out["logpath"] = m_log_path.string();
            return out;
        },
        .results = {{.type = RpcResultType::OBJ,
                     .inner = {{.type = RpcResultType::ARR,
                                .key = "active_commands",
                                .description = "All active commands",
                                .inner = {{.type = RpcResultType::OBJ,
                                           .description = "Information about an active command",
                                           .inner = {{.type = RpcResultType::STR,
                                                      .key = "method",
                                                      .description = "The name of the RPC command"},
                                                     {.type = RpcResultType::NUM,
                                                      .key = "duration",
                                                      .description = "The running time in microseconds"}}}}},
                               {.type = RpcResultType::STR,
                                .key = "logpath",
                                .description = "The complete file path to the debug log"}}}}});
}

} // namespace common::rpc
