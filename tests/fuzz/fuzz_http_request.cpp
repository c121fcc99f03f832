// libFuzzer target: HTTP requests as the RPC server reads them, and their Authorization header.
//
// The input is a byte stream from a client: up to 4 pipelined requests go through Beast's
// request_parser with the server's limits (HttpServerOptions' body and header limits). A
// parsed request's body must respect the body limit; its Authorization header then goes
// through RpcAuthenticator::Check (node/http/auth.h), which may accept only the two known
// credentials and must name their user. The header's base64 payload and the raw input also
// go through the base64 codec: encoding then decoding gives the bytes back, and whatever
// decodes re-encodes to text that decodes to the same bytes.
//
// Only public functions are called, so the target keeps working while http_server.cpp and
// auth.cpp change underneath it.

#include "node/http/auth.h"
#include "node/http/http_options.h"
#include "tests/fuzz/fuzz_common.h"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>
#include <string>

namespace {

namespace http = boost::beast::http;

constexpr const char* USER = "alice";
constexpr const char* PASSWORD = "s3cr:t";
// -rpcauth=bob:<salt>$<HMAC-SHA256(salt, "hunter2")>, filled in by LLVMFuzzerInitialize.
constexpr const char* RPCAUTH_USER = "bob";
constexpr const char* RPCAUTH_PASSWORD = "hunter2";
constexpr const char* RPCAUTH_SALT = "cb77f0957de88ff388cf817ddbc7273";

node::http::RpcAuthenticator& Auth()
{
    static node::http::RpcAuthenticator auth;
    return auth;
}

void CheckBase64(std::string_view bytes)
{
    const std::string encoded = node::http::EncodeBase64(bytes);
    const std::optional<std::string> decoded = node::http::DecodeBase64(encoded);
    fuzz::Check(decoded && *decoded == bytes, "base64 encode/decode round trip failed", encoded);
    if (const std::optional<std::string> d = node::http::DecodeBase64(bytes)) {
        const std::optional<std::string> again = node::http::DecodeBase64(node::http::EncodeBase64(*d));
        fuzz::Check(again && *again == *d, "decoded base64 does not survive re-encoding", std::string(bytes));
    }
}

void CheckAuthorization(std::string_view header)
{
    std::string user = "unchanged";
    if (!Auth().Check(header, user)) {
        fuzz::Check(user == "unchanged", "a refused Authorization header set the user");
        return;
    }
    fuzz::Check(user == USER || user == RPCAUTH_USER, "accepted an unknown user", user);
    // Only the right password may get in: the header's credentials must be exactly the known ones.
    // Core's TrimString set around the credentials (" \f\n\r\t\v"), on both sides.
    constexpr std::string_view SPACES = " \f\n\r\t\v";
    std::string_view b64 = header.substr(header.find(' ') + 1);
    while (!b64.empty() && SPACES.find(b64.front()) != std::string_view::npos) b64.remove_prefix(1);
    while (!b64.empty() && SPACES.find(b64.back()) != std::string_view::npos) b64.remove_suffix(1);
    const std::optional<std::string> credentials = node::http::DecodeBase64(b64);
    const std::string expected =
        user == USER ? std::string(USER) + ":" + PASSWORD : std::string(RPCAUTH_USER) + ":" + RPCAUTH_PASSWORD;
    fuzz::Check(credentials && *credentials == expected, "accepted wrong credentials", std::string(header));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    Auth().AddPlain(USER, PASSWORD);
    const std::string hmac = node::http::HmacSha256Hex(RPCAUTH_SALT, RPCAUTH_PASSWORD);
    if (!Auth().AddRpcAuth(std::string(RPCAUTH_USER) + ":" + RPCAUTH_SALT + "$" + hmac)) fuzz::Fail("AddRpcAuth");
    std::string user;
    const std::string good = "Basic " + node::http::EncodeBase64(std::string(USER) + ":" + PASSWORD);
    if (!Auth().Check(good, user) || user != USER) fuzz::Fail("the known credentials are refused");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view input = fuzz::AsText(data, size);
    CheckBase64(input);
    CheckAuthorization(input);

    const node::http::HttpServerOptions options;
    std::string_view rest = input;
    for (int request = 0; request < 4 && !rest.empty(); ++request) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(options.max_body_size);
        parser.header_limit(static_cast<uint32_t>(options.max_header_size));
        parser.eager(true);
        boost::beast::error_code ec;
        // The parser takes what it can from the buffer; a partial header consumes nothing.
        while (!rest.empty() && !parser.is_done()) {
            const size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
            fuzz::Check(used <= rest.size(), "parser consumed more than it was given");
            rest.remove_prefix(used);
            if (ec == http::error::need_more && used > 0) {
                ec = {};
                continue;
            }
            if (ec) break;
        }
        if (ec == http::error::need_more || (!ec && !parser.is_done())) {
            // The client closed the connection: as the server's read would see it.
            ec = {};
            parser.put_eof(ec);
        }
        if (ec || !parser.is_done()) return 0;

        const http::request<http::string_body>& req = parser.get();
        fuzz::Check(req.body().size() <= options.max_body_size, "body over the limit");
        (void)req.keep_alive();
        (void)req.method_string();
        (void)req.target();
        const auto auth = req.find(http::field::authorization);
        if (auth != req.end()) {
            const std::string value(auth->value());
            CheckAuthorization(value);
            if (value.starts_with("Basic ")) CheckBase64(std::string_view(value).substr(6));
        }
        if (!req.keep_alive()) return 0;
    }
    return 0;
}
