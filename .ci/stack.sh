#!/usr/bin/env bash
# Integration stack for redline, all on 127.0.0.1: Debian's Prometheus 2.42
# (scraping, sending its alerts to Debian's Alertmanager 0.25), one
# Prometheus 3 per OTLP translation strategy (OTLP push), Jaeger v2,
# VictoriaLogs (two tenants) and the instrumented test service.
#
#   bash .ci/stack.sh up      build what is missing, start what is not running,
#                             wait until every server is ready and holds data,
#                             then print the REDLINE_IT_* exports on stdout
#   bash .ci/stack.sh down    stop everything this script started
#   bash .ci/stack.sh env     print the exports only
#   bash .ci/stack.sh build   build the tools (.ci/tools/*) and the test service only
#
# VictoriaLogs holds every log line twice: in the default tenant (AccountID 0,
# ProjectID 0) and in tenant $VLOGS_ACCOUNT:$VLOGS_PROJECT; every other tenant
# is empty. The test service pushes its OTel metrics to each Prometheus 3,
# as explicit-bucket histograms to the *WithSuffixes strategies and as
# exponential (native) histograms to the others; Jaeger pushes its span
# metrics to each of them too.
#
# Progress and errors go to stderr, so `eval "$(bash .ci/stack.sh up)"` works.
# State (pids, logs, data) lives in $REDLINE_CI_STATE (default
# ${TMPDIR:-/tmp}/redline-ci); binaries are cached in $REDLINE_CI_BIN (default
# ${XDG_CACHE_HOME:-~/.cache}/redline-ci/bin) and rebuilt only when their module changes.
set -euo pipefail

CI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${REDLINE_CI_STATE:-${TMPDIR:-/tmp}/redline-ci}
BIN=${REDLINE_CI_BIN:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/redline-ci/bin}
LOAD=${REDLINE_IT_LOAD:-30m}   # how long the test service drives its routes
RPS=${REDLINE_IT_RPS:-20}
VLOGS_ACCOUNT=42
VLOGS_PROJECT=7

PROMETHEUS=http://127.0.0.1:9090
ALERTMANAGER=http://127.0.0.1:9093
JAEGER_HTTP=http://127.0.0.1:16686
JAEGER_GRPC=127.0.0.1:16685
VLOGS=http://127.0.0.1:9428
TESTSVC=http://127.0.0.1:18080

# PROMETHEUS3 maps each OTLP translation strategy of Prometheus 3 to the port
# of its instance; HISTOGRAMS says which histograms the test service pushes.
declare -A PROMETHEUS3=(
	[UnderscoreEscapingWithSuffixes]=9191
	[NoUTF8EscapingWithSuffixes]=9192
	[UnderscoreEscapingWithoutSuffixes]=9193
	[NoTranslation]=9194
)
declare -A HISTOGRAMS=(
	[UnderscoreEscapingWithSuffixes]=explicit
	[NoUTF8EscapingWithSuffixes]=explicit
	[UnderscoreEscapingWithoutSuffixes]=exponential
	[NoTranslation]=exponential
)
# strategies lists PROMETHEUS3's keys in a stable order.
strategies() { printf '%s\n' "${!PROMETHEUS3[@]}" | sort; }

say() { printf 'stack: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# lock FILE serialises concurrent runs of this script (several people may
# share one machine): the lock is held until the script exits.
lock() {
	local file=$1
	mkdir -p "$(dirname "$file")"
	exec 9>"$file"
	if ! flock -n 9; then
		say "waiting for another stack.sh holding $file"
		flock 9
	fi
}

# ---------------------------------------------------------------- installing

# need_packages installs Debian packages whose command is missing.
need_packages() {
	local missing=()
	command -v curl >/dev/null || missing+=(curl)
	command -v jq >/dev/null || missing+=(jq)
	[[ -x /usr/bin/prometheus ]] || missing+=(prometheus)
	[[ -x /usr/bin/prometheus-alertmanager ]] || missing+=(prometheus-alertmanager)
	((${#missing[@]} == 0)) && return 0
	say "installing Debian packages: ${missing[*]}"
	# Keep the packages' init scripts from starting servers of their own:
	# policy-rc.d exit 101 denies every service start during the install.
	local policy=/usr/sbin/policy-rc.d created_policy=
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1
	fi
	local status=0
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2 || status=$?
	[[ -n $created_policy ]] && rm -f "$policy"
	((status == 0)) || die "apt-get install ${missing[*]} failed (exit $status)"
	stop_packaged prometheus /usr/bin/prometheus "$CI_DIR/config/prometheus.yml"
	stop_packaged prometheus-alertmanager /usr/bin/prometheus-alertmanager "$CI_DIR/config/alertmanager.yml"
}

# stop_packaged SERVICE BINARY CONFIG stops a server a Debian package may
# have started with its own configuration (it would hold the stack's port).
stop_packaged() {
	local service=$1 binary=$2 config=$3 pid
	for pid in $(pgrep -f "^$binary( |\$)" || true); do
		if ! grep -qa -- "$config" "/proc/$pid/cmdline" 2>/dev/null; then
			say "stopping the $service the Debian package started (pid $pid)"
			invoke-rc.d "$service" stop >&2 2>/dev/null || kill "$pid" 2>/dev/null || true
		fi
	done
}

# ---------------------------------------------------------------- building

# module_hash identifies the sources of a Go module, the toolchain and the
# extra build arguments.
module_hash() {
	local dir=$1
	shift
	{ go version; echo "$@"; cat "$dir/go.mod" "$dir/go.sum"; find "$dir" -name '*.go' ! -name '*_test.go' | sort | xargs cat; } | sha256sum | cut -d' ' -f1
}

# build NAME MODULE_DIR PACKAGE [GO-BUILD-ARGS...] builds PACKAGE of
# MODULE_DIR to $BIN/NAME unless the binary exists and was built from the same
# module state with the same arguments.
build() {
	local name=$1 dir=$2 pkg=$3 hash stamp="$BIN/$1.stamp"
	shift 3
	hash=$(module_hash "$dir" "$@")
	if [[ -x $BIN/$name && -f $stamp && $(cat "$stamp") == "$hash" ]]; then
		say "$name: cached binary $BIN/$name"
		return 0
	fi
	mkdir -p "$BIN"
	say "$name: building $pkg (this takes a while the first time)"
	local start=$SECONDS
	(cd "$dir" && GOFLAGS="${GOFLAGS:-} -mod=readonly" go build "$@" -o "$BIN/$name.tmp.$$" "$pkg") >&2 9>&- ||
		die "$name: go build $pkg in $dir failed"
	mv "$BIN/$name.tmp.$$" "$BIN/$name"
	echo "$hash" >"$stamp"
	say "$name: built in $((SECONDS - start))s"
}

# prometheus3_ldflags stamps the version Prometheus reports on
# /api/v1/status/buildinfo (its release builds set it with -X; a plain go
# build leaves it empty): module v0.316.0 is Prometheus 3.16.0.
prometheus3_ldflags() {
	local version pkg=github.com/prometheus/common/version
	version=$(cd "$CI_DIR/tools/prometheus3" && GOFLAGS="${GOFLAGS:-} -mod=readonly" go list -m -f '{{.Version}}' github.com/prometheus/prometheus)
	version=${version#v0.}                                   # 316.0
	version="${version:0:1}.$((10#${version:1:2})).${version#*.}" # 3.16.0
	echo "-X $pkg.Version=$version -X $pkg.BuildUser=redline-ci"
}

# build_all builds every tool and the test service; go build uses both
# cores, so one build at a time is as fast as several.
build_all() {
	build jaeger "$CI_DIR/tools/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger
	build victoria-logs "$CI_DIR/tools/victorialogs" github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs
	build prometheus3 "$CI_DIR/tools/prometheus3" github.com/prometheus/prometheus/cmd/prometheus \
		-ldflags "$(prometheus3_ldflags)"
	build testsvc "$CI_DIR/testsvc" .
}

# ---------------------------------------------------------------- processes

pidfile() { echo "$STATE/$1.pid"; }
logfile() { echo "$STATE/$1.log"; }

# running NAME is true while the process of NAME's pidfile lives and is still
# that server (its command line names it), not a recycled pid.
running() {
	local pid
	pid=$(cat "$(pidfile "$1")" 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$1"
}

# start NAME CMD... runs CMD in the background unless NAME is already
# running the same command from the same build; a server started from an
# older build or with other arguments is restarted.
start() {
	local name=$1 signature
	shift
	signature=$(printf '%s\n' "$@"; cat "$1.stamp" 2>/dev/null || true)
	if running "$name"; then
		if [[ $signature == "$(cat "$STATE/$name.signature" 2>/dev/null)" ]]; then
			say "$name: already running (pid $(cat "$(pidfile "$name")"))"
			return 0
		fi
		say "$name: rebuilt or started differently: restarting"
		stop "$name"
	fi
	say "$name: starting"
	# fd 9 is the lock: the server must not keep it.
	nohup "$@" >"$(logfile "$name")" 2>&1 </dev/null 9>&- &
	echo $! >"$(pidfile "$name")"
	echo "$signature" >"$STATE/$name.signature"
}

stop() {
	local name=$1 pid
	pid=$(cat "$(pidfile "$name")" 2>/dev/null) || return 0
	if running "$name"; then
		say "$name: stopping (pid $pid)"
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$(pidfile "$name")" "$STATE/$name.signature"
}

# fail_with_log NAME MESSAGE reports a server that did not come up.
fail_with_log() {
	say "ERROR: $1: $2"
	say "last lines of $(logfile "$1"):"
	tail -n 40 "$(logfile "$1")" >&2 2>/dev/null || true
	exit 1
}

# wait_until NAME TIMEOUT WHAT CHECK... retries CHECK every second until it
# succeeds, NAME's process dies or TIMEOUT seconds pass.
wait_until() {
	local name=$1 timeout=$2 what=$3
	shift 3
	local deadline=$((SECONDS + timeout))
	until "$@" >/dev/null 2>&1; do
		running "$name" || fail_with_log "$name" "exited while waiting for $what"
		((SECONDS < deadline)) || fail_with_log "$name" "no $what after ${timeout}s"
		sleep 1
	done
	say "$name: $what"
}

http_ok() { curl -fsS --max-time 3 "$@" -o /dev/null; }
tcp_open() { (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null; }

# has_result URL JQ-FILTER [CURL-ARGS...] is true when the JSON at URL makes
# the jq filter true.
has_result() {
	local url=$1 filter=$2
	shift 2
	curl -fsS --max-time 5 "$@" "$url" | jq -e "$filter" >/dev/null
}

prometheus_has() {
	has_result "$PROMETHEUS/api/v1/query" '.data.result | length > 0' -G --data-urlencode "query=$1"
}

# vlogs_has_lines ACCOUNT PROJECT is true when that VictoriaLogs tenant holds
# error or slow (warn) lines of service shop from the last ten minutes.
vlogs_has_lines() {
	curl -fsS --max-time 5 -H "AccountID: $1" -H "ProjectID: $2" "$VLOGS/select/logsql/query" \
		--data-urlencode 'query=_time:10m _stream:{service_name="shop"} level:in(error, warn) | limit 1' | grep -q trace_id
}

# ---------------------------------------------------------------- up / down

start_servers() {
	mkdir -p "$STATE"
	# Alertmanager first, so Prometheus' first alerts find it. Clustering is
	# off: it would listen on every interface.
	if ! running alertmanager; then rm -rf "$STATE/alertmanager-data"; fi
	start alertmanager /usr/bin/prometheus-alertmanager \
		--config.file="$CI_DIR/config/alertmanager.yml" \
		--storage.path="$STATE/alertmanager-data" \
		--web.listen-address=127.0.0.1:9093 \
		--cluster.listen-address=
	if ! running prometheus; then rm -rf "$STATE/prometheus-data"; fi
	start prometheus /usr/bin/prometheus \
		--config.file="$CI_DIR/config/prometheus.yml" \
		--storage.tsdb.path="$STATE/prometheus-data" \
		--storage.tsdb.retention.time=1d \
		--web.listen-address=127.0.0.1:9090 \
		--enable-feature=exemplar-storage
	local strategy
	for strategy in $(strategies); do start_prometheus3 "$strategy"; done
	start jaeger "$BIN/jaeger" --config "$CI_DIR/config/jaeger.yaml"
	if ! running victoria-logs; then rm -rf "$STATE/victoria-logs-data"; fi
	start victoria-logs "$BIN/victoria-logs" -httpListenAddr=127.0.0.1:9428 \
		-storageDataPath="$STATE/victoria-logs-data" -retentionPeriod=1d -loggerLevel=WARN
}

# start_prometheus3 STRATEGY starts the Prometheus 3 of that OTLP translation
# strategy: .ci/config/prometheus3.yml with the strategy filled in.
start_prometheus3() {
	local strategy=$1 name=prometheus3-$1
	if ! running "$name"; then rm -rf "${STATE:?}/$name-data"; fi
	sed "s/@TRANSLATION_STRATEGY@/$strategy/; s|@CONFIG_DIR@|$CI_DIR/config|" \
		"$CI_DIR/config/prometheus3.yml" >"$STATE/$name.yml"
	start "$name" "$BIN/prometheus3" \
		--config.file="$STATE/$name.yml" \
		--storage.tsdb.path="$STATE/$name-data" \
		--storage.tsdb.retention.time=1d \
		--web.listen-address="127.0.0.1:${PROMETHEUS3[$strategy]}" \
		--web.enable-otlp-receiver \
		--enable-feature=exemplar-storage
}

prometheus3_url() { echo "http://127.0.0.1:${PROMETHEUS3[$1]}"; }

wait_ready() {
	wait_until alertmanager 60 "ready" http_ok "$ALERTMANAGER/-/ready"
	wait_until prometheus 60 "ready" http_ok "$PROMETHEUS/-/ready"
	local strategy
	for strategy in $(strategies); do
		wait_until "prometheus3-$strategy" 60 "ready" http_ok "$(prometheus3_url "$strategy")/-/ready"
	done
	wait_until jaeger 60 "query API ready" http_ok "$JAEGER_HTTP/api/services"
	wait_until jaeger 30 "gRPC query port open" tcp_open "$JAEGER_GRPC"
	wait_until victoria-logs 60 "healthy" http_ok "$VLOGS/health"
}

# otlp_targets KIND lists host:port of the Prometheus 3 instances that get
# KIND (explicit or exponential) histograms, comma-separated.
otlp_targets() {
	local strategy out=()
	for strategy in $(strategies); do
		[[ ${HISTOGRAMS[$strategy]} == "$1" ]] && out+=("127.0.0.1:${PROMETHEUS3[$strategy]}")
	done
	(IFS=,; echo "${out[*]}")
}

start_testsvc() {
	start testsvc "$BIN/testsvc" -listen 127.0.0.1:18080 -payments-listen 127.0.0.1:18081 \
		-otlp 127.0.0.1:4318 -otlp-metrics "$(otlp_targets explicit)" \
		-otlp-metrics-exponential "$(otlp_targets exponential)" \
		-victorialogs "$VLOGS" -victorialogs-tenants "0:0,$VLOGS_ACCOUNT:$VLOGS_PROJECT" \
		-load "$LOAD" -rps "$RPS"
	wait_until testsvc 30 "serving /metrics" http_ok "$TESTSVC/metrics"
}

# wait_data waits until every backend holds what the integration tests query:
# all three routes (so at least one slow checkout), its spans in both
# services, and error or slow log lines with structured metadata.
wait_data() {
	wait_until prometheus 90 "scraped a non-zero request rate of job shop" \
		prometheus_has 'sum(rate(http_server_request_duration_seconds_count{job="shop"}[30s])) > 0'
	wait_until prometheus 90 "scraped all three routes of job shop" \
		prometheus_has 'count(count by (http_route) (http_server_request_duration_seconds_count{job="shop"})) >= 3'
	wait_until prometheus 90 "scraped span metrics of charge-card (shop) and POST /charge (payments)" \
		prometheus_has 'count(count by (service_name) (traces_span_metrics_calls_total{span_name=~"charge-card|POST /charge"})) >= 2'
	wait_until jaeger 90 "holds traces of service shop" \
		has_result "$JAEGER_HTTP/api/traces?service=shop&limit=1&lookback=1h" '.data | length > 0'
	wait_until jaeger 90 "holds traces of service payments" \
		has_result "$JAEGER_HTTP/api/traces?service=payments&limit=1&lookback=1h" '.data | length > 0'
	local strategy
	for strategy in $(strategies); do
		wait_until "prometheus3-$strategy" 90 "received OTLP metrics of job shop and span metrics of payments" \
			prometheus3_has "$strategy"
	done
	wait_until victoria-logs 90 "holds error/slow lines of service shop (tenant 0:0)" vlogs_has_lines 0 0
	wait_until victoria-logs 90 "holds error/slow lines of service shop (tenant $VLOGS_ACCOUNT:$VLOGS_PROJECT)" \
		vlogs_has_lines "$VLOGS_ACCOUNT" "$VLOGS_PROJECT"
}

# prometheus3_has STRATEGY is true when that Prometheus 3 holds series of job
# shop and of job payments (the span metrics Jaeger pushes), whatever the
# strategy made of their names.
prometheus3_has() {
	has_result "$(prometheus3_url "$1")/api/v1/query" '.data.result | length >= 2' -G \
		--data-urlencode 'query=count by (job) ({job=~"shop|payments"})'
}

print_env() {
	cat <<EOF
export REDLINE_INTEGRATION=1
export REDLINE_IT_PROMETHEUS=$PROMETHEUS
export REDLINE_IT_ALERTMANAGER=$ALERTMANAGER
export REDLINE_IT_JAEGER_GRPC=$JAEGER_GRPC
export REDLINE_IT_JAEGER_HTTP=$JAEGER_HTTP
export REDLINE_IT_PROMETHEUS3=$(for s in $(strategies); do printf '%s=%s,' "$s" "$(prometheus3_url "$s")"; done | sed 's/,$//')
export REDLINE_IT_VICTORIALOGS=$VLOGS
export REDLINE_IT_VICTORIALOGS_ACCOUNT_ID=$VLOGS_ACCOUNT
export REDLINE_IT_VICTORIALOGS_PROJECT_ID=$VLOGS_PROJECT
export REDLINE_IT_TESTSVC=$TESTSVC
EOF
}

# ports_free fails, naming the holder, when a port the stack binds is taken
# by a process this stack did not start (a leftover from another run): the
# server would exit at once and the stack would wait in vain.
ports_free() {
	local name port holder
	local entries=(alertmanager:9093 prometheus:9090 jaeger:16685 jaeger:16686 jaeger:4317 jaeger:4318 jaeger:8888 jaeger:8889
		victoria-logs:9428 testsvc:18080 testsvc:18081 testsvc:18082 testsvc:18083)
	local strategy
	for strategy in $(strategies); do entries+=("prometheus3-$strategy:${PROMETHEUS3[$strategy]}"); done
	for entry in "${entries[@]}"; do
		name=${entry%%:*} port=${entry##*:}
		running "$name" && continue
		if tcp_open "127.0.0.1:$port"; then
			holder=$(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'users:.*' | head -n 1)
			say "ERROR: port $port (for $name) is already taken${holder:+ by $holder}; stop that process and run again"
			exit 1
		fi
	done
}

up() {
	need_packages
	build_all
	ports_free
	start_servers
	wait_ready
	start_testsvc
	wait_data
	say "up: logs and pids in $STATE"
	print_env
}

down() {
	local name
	for name in testsvc victoria-logs jaeger $(strategies | sed 's/^/prometheus3-/') prometheus alertmanager; do stop "$name"; done
	rm -rf "${STATE:?}"/*-data
	say "down"
}

case ${1:-} in
up) lock "$STATE.lock" && up ;;
down) lock "$STATE.lock" && down ;;
env) print_env ;;
build) lock "$STATE.lock" && build_all ;;
*)
	echo "usage: bash .ci/stack.sh up|down|env|build" >&2
	exit 2
	;;
esac
