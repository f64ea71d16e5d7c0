"""Oracle for tests/integration/sdk_conformance.rs: signs cases with Baidu's official Python SDK.

Reads a JSON list of cases on stdin and prints, on its first line, `sdk <version>`, then
for each case one line with the signature (the last `/` field of the Authorization value
`baidubce.auth.bce_v1_signer.sign` returns).

Each case is an object of strings: access_key_id, secret_access_key, method, path (raw,
decoded: encoded here with `utils.normalize_string(path, False)` as the SDK's HTTP client
does), query and headers (lists of [name, value]; the headers as sent, including host and
x-bce-date), timestamp (epoch seconds), expiration (seconds) and headers_to_sign (null for
the default set, else a list of lowercase names). Text is passed as UTF-8 bytes, as the
SDK's client does.
"""
import json
import sys

import baidubce
from baidubce import utils
from baidubce.auth import bce_v1_signer
from baidubce.auth.bce_credentials import BceCredentials


def utf8(text):
    return text.encode("utf-8")


def sign(case):
    credentials = BceCredentials(case["access_key_id"], case["secret_access_key"])
    headers = {utf8(name): utf8(value) for name, value in case["headers"]}
    params = {utf8(name): utf8(value) for name, value in case["query"]}
    headers_to_sign = case["headers_to_sign"]
    if headers_to_sign is not None:
        headers_to_sign = [utf8(name) for name in headers_to_sign]
    authorization = bce_v1_signer.sign(
        credentials,
        utf8(case["method"]),
        utils.normalize_string(utf8(case["path"]), False),
        headers,
        params,
        int(case["timestamp"]),
        int(case["expiration"]),
        headers_to_sign,
    )
    return authorization.decode("ascii").rsplit("/", 1)[1]


def main():
    cases = json.load(sys.stdin)
    version = baidubce.SDK_VERSION
    if isinstance(version, bytes):
        version = version.decode("ascii")
    lines = ["sdk " + version]
    lines.extend(sign(case) for case in cases)
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
