// The "util" RPC category's address method, following Bitcoin Core's rpc/output_script.cpp:
// validateaddress (Core's DescribeAddress fields for a valid address; Core's decoding error
// and, for Bech32 strings, the located error positions otherwise), getdescriptorinfo and
// deriveaddresses (output descriptors, BIP-380..386). Pure; any RPC thread.
#include "node/chain/chainstate.h"
#include "common/descriptor.h"
#include "common/descriptor_util.h"
#include "common/key_io.h"
#include "common/message.h"
#include "node/rpc/register.h"
#include "common/rpc/util.h"

#include "consensus/hex.h"

namespace node::rpc {

namespace {

RpcResult Res(RpcResultType type, std::string key, std::string description, bool optional = false,
              std::vector<RpcResult> inner = {})
{
    return RpcResult{.type = type,
                     .key = std::move(key),
                     .description = std::move(description),
                     .inner = std::move(inner),
                     .optional = optional};
}

/** Core's DescribeAddress: what kind of output the address pays to. */
void DescribeAddress(Json& ret, const consensus::Script& script)
{
    std::vector<std::vector<uint8_t>> sol;
    const TxoutType type = SolveScript(script, sol);
    int version = 0;
    std::vector<uint8_t> program;
    script.IsWitnessProgram(version, program);
    switch (type) {
    case TxoutType::PUBKEYHASH:
        ret["isscript"] = false;
        ret["iswitness"] = false;
        break;
    case TxoutType::SCRIPTHASH:
        ret["isscript"] = true;
        ret["iswitness"] = false;
        break;
    case TxoutType::WITNESS_V0_KEYHASH:
    case TxoutType::WITNESS_V0_SCRIPTHASH:
    case TxoutType::WITNESS_V1_TAPROOT:
        ret["isscript"] = type != TxoutType::WITNESS_V0_KEYHASH;
        ret["iswitness"] = true;
        ret["witness_version"] = version;
        ret["witness_program"] = consensus::HexStr(program);
        break;
    case TxoutType::ANCHOR:
        ret["isscript"] = true;
        ret["iswitness"] = true;
        break;
    case TxoutType::WITNESS_UNKNOWN:
        ret["iswitness"] = true;
        ret["witness_version"] = version;
        ret["witness_program"] = consensus::HexStr(program);
        break;
    default: break; // addresses decode only to the kinds above
    }
}

Json ValidateAddress(const consensus::ChainParams& params, const RpcRequest& req)
{
    const std::string& address = GetStr(req.params[0]);
    std::string error;
    std::vector<int> error_locations;
    const auto script = DecodeAddress(address, params, &error, &error_locations);
    Json ret = Json::object();
    ret["isvalid"] = script.has_value();
    if (script) {
        ret["address"] = EncodeAddress(*script, params).value_or(address);
        ret["scriptPubKey"] = consensus::HexStr(*script);
        DescribeAddress(ret, *script);
    } else {
        ret["error_locations"] = Json::array();
        for (int i : error_locations) ret["error_locations"].push_back(i);
        ret["error"] = error;
    }
    return ret;
}

/**
 * Core's getdescriptorinfo: the canonical (public) form, the input's checksum and what the
 * descriptor is; for a BIP-389 multipath descriptor the first expansion, and all of them.
 */
Json GetDescriptorInfo(const consensus::ChainParams& params, const RpcRequest& req)
{
    const std::string& text = GetStr(req.params[0]);
    std::string error;
    const auto descs = ParseMultipathDescriptor(text, params, error);
    if (!descs || descs->empty()) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, error);
    const Descriptor* desc = &descs->front();
    std::string payload;
    CheckDescriptorChecksum(text, false, error, &payload); // passed already while parsing
    Json ret = Json::object();
    ret["descriptor"] = desc->ToString();
    if (descs->size() > 1) {
        Json expansion = Json::array();
        for (const Descriptor& d : *descs) expansion.push_back(d.ToString());
        ret["multipath_expansion"] = std::move(expansion);
    }
    ret["checksum"] = DescriptorChecksum(payload);
    ret["isrange"] = desc->IsRange();
    ret["issolvable"] = desc->IsSolvable();
    ret["hasprivatekeys"] = desc->HasPrivateKeys();
    return ret;
}

/** deriveaddresses' list for one descriptor over range (inclusive). */
Json AddressesOf(const Descriptor* desc, std::pair<int64_t, int64_t> range, const consensus::ChainParams& params)
{
    std::string error;
    Json addresses = Json::array();
    for (int64_t i = range.first; i <= range.second; ++i) {
        std::vector<consensus::Script> scripts;
        FlatSigningProvider provider;
        if (!desc->Expand(static_cast<uint32_t>(i), FlatSigningProvider{}, scripts, provider, error)) {
            throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Cannot derive script without private keys");
        }
        for (const consensus::Script& script : scripts) {
            const auto address = EncodeAddress(script, params);
            if (!address) {
                // combo() also gives P2PK, which has no address: Core skips it there.
                std::vector<std::vector<uint8_t>> sol;
                if (scripts.size() > 1 && SolveScript(script, sol) == TxoutType::PUBKEY) continue;
                throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Descriptor does not have a corresponding address");
            }
            addresses.push_back(*address);
        }
    }
    if (addresses.empty()) throw RpcError(RPC_MISC_ERROR, "Unexpected empty result");
    return addresses;
}

/**
 * Core's deriveaddresses: the addresses of a descriptor (with its checksum) over a range of
 * positions; for a BIP-389 multipath descriptor one list per expansion, in the specifier's order.
 */
Json DeriveAddresses(const consensus::ChainParams& params, const RpcRequest& req)
{
    const std::string& text = GetStr(req.params[0]);
    const bool has_range = req.params.size() > 1 && !req.params[1].is_null();
    std::pair<int64_t, int64_t> range{0, 0};
    if (has_range) range = ParseDescriptorRange(req.params[1]);
    std::string error;
    const auto descs = ParseMultipathDescriptor(text, params, error, /*require_checksum=*/true);
    if (!descs || descs->empty()) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, error);
    const Descriptor* desc = &descs->front();
    if (!desc->IsRange() && has_range) {
        throw RpcError(RPC_INVALID_PARAMETER, "Range should not be specified for an un-ranged descriptor");
    }
    if (desc->IsRange() && !has_range) {
        throw RpcError(RPC_INVALID_PARAMETER, "Range must be specified for a ranged descriptor");
    }
    if (descs->size() == 1) return AddressesOf(desc, range, params);
    Json lists = Json::array();
    for (const Descriptor& d : *descs) lists.push_back(AddressesOf(&d, range, params));
    return lists;
}

/** verifymessage: Core's errors for what is not a verdict, else true or false. */
Json VerifyMessage(const consensus::ChainParams& params, const RpcRequest& req)
{
    switch (MessageVerify(GetStr(req.params[0]), GetStr(req.params[1]), GetStr(req.params[2]), params)) {
    case MessageVerificationResult::ERR_INVALID_ADDRESS: throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid address");
    case MessageVerificationResult::ERR_ADDRESS_NO_KEY: throw RpcError(RPC_TYPE_ERROR, "Address does not refer to key");
    case MessageVerificationResult::ERR_MALFORMED_SIGNATURE:
        throw RpcError(RPC_TYPE_ERROR, "Malformed base64 encoding");
    case MessageVerificationResult::ERR_PUBKEY_NOT_RECOVERED:
    case MessageVerificationResult::ERR_NOT_SIGNED: return false;
    case MessageVerificationResult::OK: return true;
    }
    return false;
}

Json SignMessageWithPrivKey(const consensus::ChainParams& params, const RpcRequest& req)
{
    const auto key = DecodeSecret(GetStr(req.params[0]), params);
    if (!key) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key");
    const auto signature = MessageSign(*key, GetStr(req.params[1]));
    if (!signature) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Sign failed");
    return *signature;
}

} // namespace

void RegisterOutputScriptRpc(RpcTable& table, chain::Chainstate& cs)
{
    using T = RpcResultType;
    const consensus::ChainParams& params = cs.Params();
    table.Register(RpcMethod{
        .category = "util",
        .name = "validateaddress",
        .args = {RpcArg{"address", RpcArgType::STR, false, "", "The bitcoin address to validate"}},
        .description = "Return information about the given bitcoin address.",
        .examples = "> minicash-cli validateaddress \"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080\"",
        .handler = [&params](const RpcRequest& req) { return ValidateAddress(params, req); },
        .results = {Res(
            T::OBJ, "", "", false,
            {
                Res(T::BOOL, "isvalid", "If the address is valid or not"),
                Res(T::STR, "address", "The bitcoin address validated", true),
                Res(T::STR_HEX, "scriptPubKey", "The hex-encoded output script generated by the address", true),
                Res(T::BOOL, "isscript", "If the key is a script", true),
                Res(T::BOOL, "iswitness", "If the address is a witness address", true),
                Res(T::NUM, "witness_version", "The version number of the witness program", true),
                Res(T::STR_HEX, "witness_program", "The hex value of the witness program", true),
                Res(T::STR, "error", "Error message, if any", true),
                Res(T::ARR, "error_locations",
                    "Indices of likely error locations in address, if known (e.g. Bech32 errors)", true,
                    {Res(T::NUM, "index", "index of a potential error")}),
            })},
    });
    table.Register(RpcMethod{
        .category = "util",
        .name = "verifymessage",
        .args = {RpcArg{"address", RpcArgType::STR, false, "", "The bitcoin address to use for the signature."},
                 RpcArg{"signature", RpcArgType::STR, false, "",
                        "The signature provided by the signer in base 64 encoding (see signmessage)."},
                 RpcArg{"message", RpcArgType::STR, false, "", "The message that was signed."}},
        .description = "Verify a signed message.",
        .examples =
            HelpExampleCli("verifymessage", "\"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX\" \"signature\" \"my message\""),
        .handler = [&params](const RpcRequest& req) { return VerifyMessage(params, req); },
        .results = {Res(T::BOOL, "", "If the signature is verified or not.")},
    });
    table.Register(RpcMethod{
        .category = "util",
        .name = "signmessagewithprivkey",
        .args = {RpcArg{"privkey", RpcArgType::STR, false, "", "The private key to sign the message with."},
                 RpcArg{"message", RpcArgType::STR, false, "", "The message to create a signature of."}},
        .description = "Sign a message with the private key of an address",
        .examples = HelpExampleCli("signmessagewithprivkey", "\"privkey\" \"my message\""),
        .handler = [&params](const RpcRequest& req) { return SignMessageWithPrivKey(params, req); },
        .results = {Res(T::STR, "signature", "The signature of the message encoded in base 64")},
    });
    table.Register(RpcMethod{
        .category = "util",
        .name = "getdescriptorinfo",
        .args = {RpcArg{"descriptor", RpcArgType::STR, false, "", "The descriptor."}},
        .description = "Analyses a descriptor.\n",
        .examples = HelpExampleCli("getdescriptorinfo",
                                   "\"wpkh([d34db33f/84h/0h/0h]"
                                   "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)\""),
        .handler = [&params](const RpcRequest& req) { return GetDescriptorInfo(params, req); },
        .results = {Res(
            T::OBJ, "", "", false,
            {
                Res(T::STR, "descriptor",
                    "The descriptor in canonical form, without private keys. For a multipath descriptor, only the "
                    "first will be returned."),
                Res(T::ARR, "multipath_expansion",
                    "All descriptors produced by expanding multipath derivation elements. Only if the provided "
                    "descriptor specifies multipath derivation elements.",
                    true, {Res(T::STR, "", "")}),
                Res(T::STR, "checksum", "The checksum for the input descriptor"),
                Res(T::BOOL, "isrange", "Whether the descriptor is ranged"),
                Res(T::BOOL, "issolvable", "Whether the descriptor is solvable"),
                Res(T::BOOL, "hasprivatekeys", "Whether the input descriptor contained at least one private key"),
            })},
    });
    table.Register(RpcMethod{
        .category = "util",
        .name = "deriveaddresses",
        .args = {RpcArg{"descriptor", RpcArgType::STR, false, "", "The descriptor."},
                 RpcArg{.name = "range",
                        .type = RpcArgType::ANY,
                        .optional = true,
                        .description = "If a ranged descriptor is used, this specifies the end or the range (in "
                                       "[begin,end] notation) to derive.",
                        .type_str = "numeric or array"}},
        .description =
            "Derives one or more addresses corresponding to an output descriptor.\n"
            "Examples of output descriptors are:\n"
            "    pkh(<pubkey>)                                     P2PKH outputs for the given pubkey\n"
            "    wpkh(<pubkey>)                                    Native segwit P2PKH outputs for the given pubkey\n"
            "    sh(multi(<n>,<pubkey>,<pubkey>,...))              P2SH-multisig outputs for the given threshold and pubkeys\n"
            "    raw(<hex script>)                                 Outputs whose output script equals the specified hex-encoded bytes\n"
            "    tr(<pubkey>,multi_a(<n>,<pubkey>,<pubkey>,...))   P2TR-multisig outputs for the given threshold and pubkeys\n"
            "\n"
            "In the above, <pubkey> either refers to a fixed public key in hexadecimal notation, or to an xpub/xprv optionally followed by one\n"
            "or more path elements separated by \"/\", where \"h\" represents a hardened child key.\n",
        .examples = HelpExampleCli(
            "deriveaddresses",
            "\"wpkh([d34db33f/84h/0h/0h]xpub6DJ2dNUysrn5Vt36jH2KLBT2i1auw1tTSSomg8P"
            "hqNiUtx8QX2SvC9nrHu81fT41fvDUnhMjEzQgXnQjKEu3oaqMSzhSrHMxyyoEAmUHQbY/0/*)#cjjspncu\" \"[0,2]\""),
        .handler = [&params](const RpcRequest& req) { return DeriveAddresses(params, req); },
        .results = {{.type = T::ARR,
                     .inner = {Res(T::STR, "address", "the derived addresses")},
                     .cond = "for single derivation descriptors"},
                    {.type = T::ARR,
                     .description = "The derived addresses for each of the multipath expansions of the descriptor, in "
                                    "multipath specifier order",
                     .inner = {Res(T::ARR, "", "The derived addresses for a multipath descriptor expansion", false,
                                   {Res(T::STR, "address", "the derived address")})},
                     .cond = "for multipath descriptors"}},
    });
}

} // namespace node::rpc
