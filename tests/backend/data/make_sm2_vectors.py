"""Makes tests/backend/data/sm2_vectors.json: SM2 signatures by two other implementations.

    cd tests/backend/data && ../../../.venv/bin/python make_sm2_vectors.py SM_CRYPTO_DIR > sm2_vectors.json

Needs the ``openssl`` command (Debian's openssl package) and node with the sm-crypto npm package
installed in SM_CRYPTO_DIR (``npm install sm-crypto`` there). Not run by the tests: they read the
stored vectors, so CI needs neither tool. Each vector says what a correct verifier must answer:
signatures with the default user id 1234567812345678 are valid; the same message changed, another
user id, or sm-crypto's raw mode (no Z, no SM3 of the message) are not. A vector's message is
``messages[message]`` followed by the bytes ``append`` (hex).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ID = "1234567812345678"
MESSAGES = [
    b"abc",
    b"",
    json.dumps(
        {"holder_name": "覃䶮", "name": "结婚证", "face": [{"label": "备注", "value": "测试数据"}]},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8"),
    ("政务服务" * 5000).encode("utf-8"),  # 60 KB, the size of a content bundle
]


def der_to_hex(der: bytes) -> str:
    assert der[0] == 0x30
    at, out = 2, []
    for _ in range(2):
        assert der[at] == 0x02
        n = der[at + 1]
        out.append(int.from_bytes(der[at + 2 : at + 2 + n], "big"))
        at += 2 + n
    return f"{out[0]:064x}{out[1]:064x}"


def openssl_vectors(tmp: Path) -> list[dict[str, object]]:
    key = tmp / "key.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "SM2", "-out", str(key)], check=True)
    der = subprocess.run(
        ["openssl", "pkey", "-in", str(key), "-pubout", "-outform", "DER"], check=True, capture_output=True
    ).stdout
    public = der[-65:].hex()  # the BIT STRING's 04 || x || y ends the SubjectPublicKeyInfo
    vectors = []
    for i, message in enumerate(MESSAGES):
        (tmp / "m").write_bytes(message)
        for distid, valid in ((ID, True), ("ALICE123@YAHOO.COM", False)):
            sig = subprocess.run(
                [
                    *("openssl", "pkeyutl", "-sign", "-rawin", "-in", str(tmp / "m"), "-inkey", str(key)),
                    *("-digest", "sm3", "-pkeyopt", f"distid:{distid}"),
                ],
                check=True,
                capture_output=True,
            ).stdout
            vectors.append(
                {
                    "by": f"openssl distid={distid}",
                    "public": public,
                    "message": i,
                    "append": "",
                    "signature": der_to_hex(sig),
                    "valid": valid,
                }
            )
            if valid and i == 2:
                vectors.append(
                    {
                        "by": "openssl, message changed",
                        "public": public,
                        "message": i,
                        "append": "20",
                        "signature": der_to_hex(sig),
                        "valid": False,
                    }
                )
    return vectors


NODE = """
const sm2 = require('sm-crypto').sm2;
const msgs = JSON.parse(process.argv[1]);
const k = sm2.generateKeyPairHex();
const out = [];
for (const [i, hex] of msgs.entries()) {
  const arr = Array.from(Buffer.from(hex, 'hex'));
  const push = (by, sig, valid, append) =>
    out.push({by, public: k.publicKey, message: i, append: append || '', signature: sig, valid});
  push('sm-crypto default', sm2.doSignature(arr, k.privateKey, {hash: true, publicKey: k.publicKey}), true);
  push('sm-crypto userId=other', sm2.doSignature(arr, k.privateKey, {hash: true, userId: 'other'}), false);
  push('sm-crypto hash:false', sm2.doSignature(arr, k.privateKey, {hash: false}), false);
  const again = sm2.doSignature(arr, k.privateKey, {hash: true});
  if (i === 2) push('sm-crypto, message changed', again, false, '20');
}
console.log(JSON.stringify(out));
"""


def sm_crypto_vectors(module_dir: Path) -> list[dict[str, object]]:
    done = subprocess.run(
        ["node", "-e", NODE, json.dumps([m.hex() for m in MESSAGES])],
        cwd=module_dir,
        check=True,
        capture_output=True,
        text=True,
    )
    return list(json.loads(done.stdout))


def main() -> int:
    module_dir = Path(sys.argv[1])
    version = json.loads((module_dir / "node_modules/sm-crypto/package.json").read_text())["version"]
    openssl = subprocess.run(
        ["openssl", "version"], check=True, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        vectors = openssl_vectors(Path(tmp)) + sm_crypto_vectors(module_dir)
    made_with = [openssl, f"sm-crypto {version}"]
    json.dump(
        {"made_with": made_with, "messages": [m.hex() for m in MESSAGES], "vectors": vectors},
        sys.stdout,
        indent=1,
    )
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
