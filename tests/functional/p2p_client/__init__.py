"""An independent Bitcoin P2P test client (Python 3 standard library only).

It serializes every message itself, from the protocol documentation and the BIPs, so a wire bug in
minicash's C++ code cannot cancel itself out in the tests (the same reason Core's functional tests
have their own Python P2P code). Modules:

- serialize: CompactSize, the v1 frame (magic, command, length, checksum), hashes, SipHash-2-4
- primitives: transactions (with/without witness), headers, blocks, merkle roots, block maker
- messages: every message's payload encoding (version ... cmpctblock/getblocktxn/blocktxn)
- connection: P2PConnection (connect/listen, reader thread, wait_for, handshake, sync_with_ping)
- key, script, wallet: the test signer (secp256k1, ECDSA/BIP-340, sighashes, MiniWallet); import
  them by module: `from p2p_client.wallet import MiniWallet`

Tests import from here: `from p2p_client import P2PConnection, MsgGetHeaders, make_block, ...`.
"""

from .connection import LOOPBACK, P2PConnection, P2PError, bad_frame  # noqa: F401
from .messages import *  # noqa: F401,F403
from .primitives import *  # noqa: F401,F403
from .serialize import *  # noqa: F401,F403
