#!/usr/bin/env bash
# Run a real distribution registry (Debian's docker-registry) on loopback for
# swiftbox's registry client tests.
#
# Usage:
#   registry.sh start DIR PORT MODE     MODE: anon | basic | token | tls
#   (tls: anonymous over HTTPS; DIR/ca.crt is the CA that signed its certificate for 127.0.0.1)
#   registry.sh stop DIR
#   registry.sh status DIR
#
# start writes DIR/config.yml (storage DIR/data, http 127.0.0.1:PORT, plain
# HTTP, deletes enabled, log level warn into DIR/registry.log) and starts
# /usr/bin/docker-registry in its own session (pid in DIR/registry.pid).
#   basic: DIR/htpasswd with swiftbox:s3cret (bcrypt)
#   token: DIR/token.key + DIR/token.crt (self-signed RSA) and token-server.py
#          on PORT+1 (pid in DIR/token-server.pid, log DIR/token-server.log);
#          realm http://127.0.0.1:PORT+1/token, service swiftbox-test-registry,
#          issuer swiftbox-test-issuer.
# It returns once GET /v2/ answers 200 (anon) or 401 (basic, token).
# start is idempotent: with the same PORT and MODE already running it only
# says so; with a different one it fails (stop first). Data in DIR/data is
# kept across stop/start.
#
# Environment: REGISTRY_START_TIMEOUT (seconds, default 30),
#              REGISTRY_BIN (default /usr/bin/docker-registry),
#              TOKEN_X5C=1 makes the token server sign with an x5c header
#              instead of a libtrust kid.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}
TIMEOUT=${REGISTRY_START_TIMEOUT:-30}

USER_NAME=swiftbox
USER_PASS=s3cret
SERVICE=swiftbox-test-registry
ISSUER=swiftbox-test-issuer

die() { echo "registry.sh: $*" >&2; exit 1; }
usage() {
    echo "usage: $0 start DIR PORT anon|basic|token" >&2
    echo "       $0 stop DIR" >&2
    echo "       $0 status DIR" >&2
    exit 2
}

# A pid counts as running if it exists, is not a zombie (nothing may reap a
# daemon whose parent exited) and is the program we started.
alive() { # PID EXPECTED_CMDLINE_SUBSTRING
    local pid=$1 want=$2 state cmd
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ "$state" != Z ] || return 1
    cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *"$want"* ]]
}

pid_of() { # PIDFILE
    [ -f "$1" ] && tr -dc '0-9' < "$1" || true
}

port_busy() {
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

http_code() { # URL
    curl -s -k -o /dev/null --max-time 2 -w '%{http_code}' "$1" 2>/dev/null || true
}

# Start "$@" in a new session, detached from our stdio, and record its pid.
# The child writes its own pid before exec'ing, so the pid file always names
# the real daemon (no setsid fork ambiguity).
spawn() { # PIDFILE LOGFILE CMD...
    local pidfile=$1 log=$2
    shift 2
    rm -f -- "$pidfile"
    setsid bash -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" \
        </dev/null >>"$log" 2>&1 &
    local deadline=$((SECONDS + 5))
    while [ ! -s "$pidfile" ]; do
        [ $SECONDS -lt $deadline ] || die "could not start $1"
        sleep 0.05
    done
}

stop_pid() { # PIDFILE NAME CMD_SUBSTRING
    local pidfile=$1 name=$2 want=$3 pid deadline
    pid=$(pid_of "$pidfile")
    if [ -z "$pid" ]; then
        rm -f -- "$pidfile"
        return 0
    fi
    if ! alive "$pid" "$want"; then
        echo "$name (pid $pid) was not running"
        rm -f -- "$pidfile"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while alive "$pid" "$want"; do
        if [ $SECONDS -ge $deadline ]; then
            echo "$name (pid $pid) ignored SIGTERM, sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
            deadline=$((SECONDS + 5))
            while alive "$pid" "$want"; do
                [ $SECONDS -lt $deadline ] || die "$name (pid $pid) does not exit"
                sleep 0.05
            done
            break
        fi
        sleep 0.05
    done
    # Dead now, but possibly a zombie until init reaps it (the daemon's
    # parent, an earlier registry.sh, is gone); give that a moment so that
    # callers checking the process table right after stop see it gone.
    deadline=$((SECONDS + 3))
    while [ -e "/proc/$pid" ] && [ $SECONDS -lt $deadline ]; do
        sleep 0.05
    done
    rm -f -- "$pidfile"
    echo "stopped $name (pid $pid)"
}

cmd_stop() {
    local dir=$1
    [ -d "$dir" ] || { echo "nothing to stop: $dir does not exist"; return 0; }
    stop_pid "$dir/registry.pid" docker-registry "$REGISTRY_BIN"
    stop_pid "$dir/token-server.pid" token-server token-server.py
    rm -f -- "$dir/state"
}

cmd_status() {
    local dir=$1 rc=0 pid
    if [ -f "$dir/state" ]; then
        echo "configured: $(cat "$dir/state")"
    fi
    pid=$(pid_of "$dir/registry.pid")
    if alive "$pid" "$REGISTRY_BIN"; then
        echo "docker-registry running (pid $pid)"
    else
        echo "docker-registry not running"; rc=1
    fi
    pid=$(pid_of "$dir/token-server.pid")
    if [ -n "$pid" ]; then
        if alive "$pid" token-server.py; then
            echo "token-server running (pid $pid)"
        else
            echo "token-server not running"; rc=1
        fi
    fi
    return $rc
}

write_config() { # DIR PORT MODE
    local dir=$1 port=$2 mode=$3
    {
        cat <<EOF
# Generated by swiftbox rootfs-fixtures/registry/registry.sh ($mode mode).
version: 0.1
log:
  level: warn
  formatter: text
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: swiftbox-test-registry-secret
  headers:
    X-Content-Type-Options: [nosniff]
EOF
        case $mode in
        basic)
            cat <<EOF
auth:
  htpasswd:
    realm: $SERVICE
    path: $dir/htpasswd
EOF
            ;;
        tls)
            cat <<EOF
  tls:
    certificate: $dir/server.crt
    key: $dir/server.key
EOF
            ;;
        token)
            cat <<EOF
auth:
  token:
    realm: http://127.0.0.1:$((port + 1))/token
    service: $SERVICE
    issuer: $ISSUER
    rootcertbundle: $dir/token.crt
EOF
            ;;
        esac
    } > "$dir/config.yml.tmp"
    mv -f -- "$dir/config.yml.tmp" "$dir/config.yml"
}

# Poll URL until it answers WANT; fail early if the daemon dies.
wait_for() { # URL WANT PIDFILE NAME LOG
    local url=$1 want=$2 pidfile=$3 name=$4 log=$5 code=
    local deadline=$((SECONDS + TIMEOUT))
    while :; do
        code=$(http_code "$url")
        [ "$code" = "$want" ] && return 0
        # Alive at all, not "running the expected command": during start-up the pid
        # file's process is still between bash and exec, and /proc/PID/cmdline can read
        # empty for that instant, which made a healthy server look dead.
        if ! alive "$(pid_of "$pidfile")" ""; then
            echo "registry.sh: $name exited during start-up; last lines of $log:" >&2
            tail -n 20 "$log" >&2 || true
            return 1
        fi
        if [ $SECONDS -ge $deadline ]; then
            echo "registry.sh: $url answered '${code:-nothing}', not $want, after ${TIMEOUT}s; last lines of $log:" >&2
            tail -n 20 "$log" >&2 || true
            return 1
        fi
        sleep 0.1
    done
}

cmd_start() {
    local dir=$1 port=$2 mode=$3 tport
    case $mode in anon|basic|token|tls) ;; *) die "MODE must be anon, basic, token or tls, not '$mode'" ;; esac
    [[ $port =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65534 ] ||
        die "PORT must be a number in 1..65534, not '$port'"
    [ -x "$REGISTRY_BIN" ] || die "$REGISTRY_BIN not found (apt-get install docker-registry)"
    command -v curl >/dev/null || die "curl not found"
    tport=$((port + 1))

    mkdir -p -- "$dir"
    dir=$(cd "$dir" && pwd -P)

    # Already running?
    local pid
    pid=$(pid_of "$dir/registry.pid")
    if alive "$pid" "$REGISTRY_BIN"; then
        if [ "$(cat "$dir/state" 2>/dev/null)" = "$port $mode" ]; then
            echo "registry already running: http://127.0.0.1:$port ($mode, pid $pid)"
            return 0
        fi
        die "a registry is already running from $dir ($(cat "$dir/state" 2>/dev/null || echo unknown)); run '$0 stop $dir' first"
    fi
    # Clean up leftovers of a crashed run (e.g. a lone token server).
    cmd_stop "$dir" >/dev/null

    port_busy "$port" && die "port $port on 127.0.0.1 is already in use"
    if [ "$mode" = token ]; then
        port_busy "$tport" && die "port $tport (token server, PORT+1) is already in use"
    fi

    mkdir -p -- "$dir/data"
    case $mode in
    basic)
        command -v htpasswd >/dev/null || die "htpasswd not found (apt-get install apache2-utils)"
        htpasswd -Bbn "$USER_NAME" "$USER_PASS" > "$dir/htpasswd"
        ;;
    tls)
        # A private CA and a server certificate for 127.0.0.1 (IP SAN) signed by it.
        if [ ! -s "$dir/server.crt" ]; then
            openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=swiftbox test CA" \
                -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null || die "openssl could not create the CA"
            openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=127.0.0.1" \
                -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null || die "openssl could not create the server key"
            printf 'subjectAltName=IP:127.0.0.1\n' > "$dir/san.ext"
            openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
                -days 3650 -sha256 -extfile "$dir/san.ext" -out "$dir/server.crt" 2>/dev/null || die "openssl could not sign the server certificate"
        fi
        ;;
    token)
        command -v openssl >/dev/null || die "openssl not found"
        command -v python3 >/dev/null || die "python3 not found"
        if [ ! -s "$dir/token.key" ] || [ ! -s "$dir/token.crt" ]; then
            openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
                -subj "/CN=$ISSUER" \
                -keyout "$dir/token.key" -out "$dir/token.crt" 2>/dev/null ||
                die "openssl could not create the token signing key"
            chmod 600 "$dir/token.key"
        fi
        ;;
    esac
    write_config "$dir" "$port" "$mode"
    echo "$port $mode" > "$dir/state"

    if [ "$mode" = token ]; then
        local x5c=()
        [ "${TOKEN_X5C:-0}" = 1 ] && x5c=(--x5c "$dir/token.crt")
        : > "$dir/token-server.log"
        spawn "$dir/token-server.pid" "$dir/token-server.log" \
            python3 "$here/token-server.py" --port "$tport" \
            --key "$dir/token.key" --issuer "$ISSUER" --service "$SERVICE" \
            --user "$USER_NAME" --password "$USER_PASS" "${x5c[@]}"
        if ! wait_for "http://127.0.0.1:$tport/healthz" 200 "$dir/token-server.pid" \
                token-server "$dir/token-server.log"; then
            cmd_stop "$dir" >/dev/null
            exit 1
        fi
    fi

    : > "$dir/registry.log"
    spawn "$dir/registry.pid" "$dir/registry.log" \
        "$REGISTRY_BIN" serve "$dir/config.yml"
    local want=401 scheme=http
    [ "$mode" = anon ] && want=200
    [ "$mode" = tls ] && want=200 && scheme=https
    if ! wait_for "$scheme://127.0.0.1:$port/v2/" "$want" "$dir/registry.pid" \
            docker-registry "$dir/registry.log"; then
        cmd_stop "$dir" >/dev/null
        exit 1
    fi

    echo "registry ready: http://127.0.0.1:$port ($mode, pid $(pid_of "$dir/registry.pid"))"
    case $mode in
    basic) echo "  credentials: $USER_NAME:$USER_PASS" ;;
    token) echo "  token realm: http://127.0.0.1:$tport/token service=$SERVICE (pid $(pid_of "$dir/token-server.pid"))"
           echo "  credentials: $USER_NAME:$USER_PASS (anonymous: pull only)" ;;
    esac
}

[ $# -ge 1 ] || usage
case $1 in
start)  [ $# -eq 4 ] || usage; cmd_start "$2" "$3" "$4" ;;
stop)   [ $# -eq 2 ] || usage; cmd_stop "$2" ;;
status) [ $# -eq 2 ] || usage; cmd_status "$2" ;;
*)      usage ;;
esac
