#!/usr/bin/env python3
"""Minimal Docker registry token server for swiftbox's registry tests.

Implements the distribution token protocol
(https://distribution.github.io/distribution/spec/auth/token/ and .../jwt/):

    GET /token?service=S&scope=repository:NAME:pull,push[&scope=...]
        [Authorization: Basic base64(user:password)]

  * no credentials          -> 200, "pull" on any repository
  * valid credentials       -> 200, "pull", "push" and "delete" on any
                               repository, "*" on registry:catalog
  * wrong credentials       -> 401 (WWW-Authenticate: Basic)
  * service != --service    -> 400

    POST /token   (OAuth2 form: grant_type=password&username=..&password=..
                   &service=..&scope=..&client_id=..; refresh tokens are not
                   issued, grant_type=refresh_token is refused)

    GET /healthz  -> 200 "ok" (used by registry.sh to wait for start-up)

Only the actions that were both requested and allowed are granted, as the
spec says; a scope the client may not have at all is granted with an empty
action list rather than refused.

The answer is {"token", "access_token", "expires_in", "issued_at"}; the token
is an RS256 JWT whose header carries "kid" in libtrust's key ID format (what
distribution 2.x matches against the public keys of its rootcertbundle) or,
with --x5c CERT, the certificate chain instead.

Usage:
  token-server.py --port P --key KEY.pem --issuer I --service S
                  [--user swiftbox --password s3cret] [--x5c CERT.pem]
                  [--host 127.0.0.1] [--expires 300]
"""

import argparse
import base64
import binascii
import datetime
import hashlib
import hmac
import json
import secrets
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def libtrust_key_id(public_key) -> str:
    """libtrust's KeyID: sha256 of the DER SubjectPublicKeyInfo, first 240
    bits, base32 (48 characters), split into 12 groups of 4 joined by ':'."""
    der = public_key.public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    b32 = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode("ascii")
    return ":".join(b32[i:i + 4] for i in range(0, len(b32), 4))


def parse_scopes(values):
    """Parse scope strings "type:name:action1,action2" into
    [(type, name, [actions])]. Several scopes may share one parameter,
    separated by spaces (OAuth2 style). The name may itself contain ':'
    (e.g. a registry host with a port), so type is split off at the first
    ':' and the actions at the last one."""
    out = []
    for value in values:
        for item in value.split():
            first = item.find(":")
            last = item.rfind(":")
            if first < 0 or last == first:
                raise ValueError(f"malformed scope {item!r}")
            rtype, name = item[:first], item[first + 1:last]
            actions = [a for a in item[last + 1:].split(",") if a]
            if not rtype or not name:
                raise ValueError(f"malformed scope {item!r}")
            out.append((rtype, name, actions))
    return out


class TokenIssuer:
    def __init__(self, key_path, issuer, service, user, password, x5c_path,
                 expires):
        with open(key_path, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), None)
        if not isinstance(self.key, rsa.RSAPrivateKey):
            raise SystemExit(f"{key_path}: not an RSA private key")
        self.issuer = issuer
        self.service = service
        self.user = user
        self.password = password
        self.expires = expires
        self.header = {"typ": "JWT", "alg": "RS256"}
        if x5c_path:
            with open(x5c_path, "rb") as f:
                certs = x509.load_pem_x509_certificates(f.read())
            if certs[0].public_key().public_numbers() != \
                    self.key.public_key().public_numbers():
                raise SystemExit(f"{x5c_path}: leaf certificate does not "
                                 f"match {key_path}")
            self.header["x5c"] = [
                base64.b64encode(c.public_bytes(serialization.Encoding.DER))
                .decode("ascii") for c in certs
            ]
        else:
            self.header["kid"] = libtrust_key_id(self.key.public_key())

    def check_credentials(self, user, password):
        if self.user is None:
            return False
        ok_user = hmac.compare_digest(user.encode(), self.user.encode())
        ok_pass = hmac.compare_digest(password.encode(),
                                      self.password.encode())
        return ok_user and ok_pass

    def allowed(self, subject, rtype, name):
        if rtype == "repository":
            return {"pull", "push", "delete"} if subject else {"pull"}
        if rtype == "registry" and name == "catalog" and subject:
            return {"*"}
        return set()

    def issue(self, subject, scopes):
        now = int(time.time())
        access = []
        for rtype, name, requested in scopes:
            allowed = self.allowed(subject, rtype, name)
            granted = [a for a in requested if a in allowed or "*" in allowed]
            access.append({"type": rtype, "name": name, "actions": granted})
        claims = {
            "iss": self.issuer,
            "sub": subject,
            # distribution 2.x unmarshals "aud" into a string, so it must
            # not be an array.
            "aud": self.service,
            "exp": now + self.expires,
            "nbf": now - 1,
            "iat": now,
            "jti": secrets.token_hex(16),
            "access": access,
        }
        signing_input = (
            b64url(json.dumps(self.header, separators=(",", ":")).encode())
            + "."
            + b64url(json.dumps(claims, separators=(",", ":")).encode())
        )
        signature = self.key.sign(signing_input.encode("ascii"),
                                  padding.PKCS1v15(), hashes.SHA256())
        token = signing_input + "." + b64url(signature)
        issued = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
        return {
            "token": token,
            "access_token": token,
            "expires_in": self.expires,
            "issued_at": issued.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


class Handler(BaseHTTPRequestHandler):
    server_version = "swiftbox-token-server/1"
    protocol_version = "HTTP/1.1"
    issuer: TokenIssuer = None  # set in main()

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(),
                                      fmt % args))

    def send_json(self, status, body, extra_headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_error_json(self, status, code, message):
        headers = []
        if status == 401:
            headers.append(("WWW-Authenticate",
                            'Basic realm="swiftbox-token-server"'))
        self.send_json(status, {"errors": [{"code": code,
                                            "message": message}]}, headers)

    def basic_credentials(self):
        """None if no Authorization header, (user, password) if Basic,
        raises ValueError if present but unusable."""
        header = self.headers.get("Authorization")
        if header is None:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            raise ValueError("unsupported authorization scheme")
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise ValueError("malformed basic credentials")
        user, sep, password = decoded.partition(":")
        if not sep:
            raise ValueError("malformed basic credentials")
        return user, password

    def answer(self, service, scope_values, creds):
        iss = self.issuer
        if service is not None and service != iss.service:
            return self.send_error_json(400, "INVALID_REQUEST",
                                        f"unknown service {service!r}")
        try:
            scopes = parse_scopes(scope_values)
        except ValueError as e:
            return self.send_error_json(400, "INVALID_REQUEST", str(e))
        subject = ""
        if creds is not None:
            user, password = creds
            if not iss.check_credentials(user, password):
                return self.send_error_json(401, "UNAUTHORIZED",
                                            "invalid username or password")
            subject = user
        self.send_json(200, iss.issue(subject, scopes))

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/healthz":
            return self.send_json(200, {"status": "ok"})
        if url.path != "/token":
            return self.send_error_json(404, "NOT_FOUND", "not found")
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        try:
            creds = self.basic_credentials()
        except ValueError as e:
            return self.send_error_json(401, "UNAUTHORIZED", str(e))
        service = query.get("service", [None])[-1]
        self.answer(service, query.get("scope", []), creds)

    do_HEAD = do_GET

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            return self.send_error_json(404, "NOT_FOUND", "not found")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        form = urllib.parse.parse_qs(body, keep_blank_values=True)
        grant = form.get("grant_type", [""])[-1]
        if grant != "password":
            return self.send_error_json(
                400, "UNSUPPORTED_GRANT_TYPE",
                f"grant_type {grant!r} not supported (only 'password')")
        creds = (form.get("username", [""])[-1],
                 form.get("password", [""])[-1])
        service = form.get("service", [None])[-1]
        self.answer(service, form.get("scope", []), creds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--key", required=True, help="RSA private key (PEM)")
    ap.add_argument("--issuer", required=True)
    ap.add_argument("--service", required=True)
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--x5c", metavar="CERT",
                    help="put this PEM certificate chain in the JWT header "
                         "as 'x5c' instead of a libtrust 'kid'")
    ap.add_argument("--expires", type=int, default=300,
                    help="token lifetime in seconds (default 300)")
    args = ap.parse_args()
    if (args.user is None) != (args.password is None):
        ap.error("--user and --password go together")

    Handler.issuer = TokenIssuer(args.key, args.issuer, args.service,
                                 args.user, args.password, args.x5c,
                                 args.expires)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    sys.stderr.write(f"token server on http://{args.host}:{args.port}/token "
                     f"(header {json.dumps(Handler.issuer.header)[:120]})\n")
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
