#!/usr/bin/env bash
# google-firestore-emulator.sh: run a command against Google's Cloud Firestore
# emulator, as `firebase emulators:exec --only firestore` would.
#
#   scripts/google-firestore-emulator.sh [--check] [-- COMMAND [ARG...]]
#
# Starts the emulator jar from the Cloud SDK on a free 127.0.0.1 port, runs
# COMMAND with FIRESTORE_EMULATOR_HOST, FIREBASE_FIRESTORE_EMULATOR_ADDRESS
# and ROOMGATE_TEST_FIRESTORE pointing at it (and GCLOUD_PROJECT /
# GOOGLE_CLOUD_PROJECT set, keeping the caller's GCLOUD_PROJECT), stops it and
# exits with COMMAND's status. FIREBASE_AUTH_EMULATOR_HOST is passed through
# untouched: Google's Auth emulator is part of firebase-tools, so the caller
# supplies roomgate's (`roomgate-emulator exec --only auth -- ...`, which
# starts roomgate's Auth emulator alone and sets no Firestore variables).
# Any Firestore variables the caller has are replaced by this emulator's.
#
# --check exits 0 if the emulator is installed and 1 if not, starting nothing.
#
# The emulator is found at $ROOMGATE_GOOGLE_FIRESTORE_EMULATOR (the name
# test/fidelity reads too), else next to `gcloud`, else under
# /usr/lib/google-cloud-sdk. Its log goes to a temporary file that
# is printed if it fails to start.
set -euo pipefail

find_emulator() {
	local c
	# GOOGLE_FIRESTORE_EMULATOR is this script's old name for the setting,
	# still honoured so existing setups keep working; the new name wins.
	for c in "${ROOMGATE_GOOGLE_FIRESTORE_EMULATOR:-${GOOGLE_FIRESTORE_EMULATOR:-}}" \
		"$(dirname "$(readlink -f "$(command -v gcloud 2>/dev/null || echo /nonexistent)")")/../platform/cloud-firestore-emulator/cloud_firestore_emulator" \
		/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator; do
		if [[ -n "$c" && -x "$c" ]]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

check=0
if [[ "${1:-}" == "--check" ]]; then
	check=1
	shift
fi
if [[ "${1:-}" == "--" ]]; then
	shift
fi

emu="$(find_emulator)" || {
	echo "Google's Firestore emulator not installed" >&2
	exit 1
}
if ((check)); then
	command -v "${JAVA:-java}" >/dev/null || {
		echo "Google's Firestore emulator needs Java, which is not installed" >&2
		exit 1
	}
	exit 0
fi
if (($# == 0)); then
	echo "usage: $0 [--check] [-- COMMAND [ARG...]]" >&2
	exit 2
fi

project="${GCLOUD_PROJECT:-${GOOGLE_CLOUD_PROJECT:-demo-roomgate}}"
log="$(mktemp -t google-firestore-emulator.XXXXXX)"
pid=""

stop() {
	if [[ -n "$pid" ]]; then
		# The wrapper execs java in a subshell; end the whole process group
		# we started (setsid below), not anything found by name.
		kill -TERM -- "-$pid" 2>/dev/null || true
		for _ in $(seq 50); do
			kill -0 -- "-$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$pid" 2>/dev/null || true
		pid=""
	fi
	rm -f "$log"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# free_port picks an unused port; the emulator cannot be told to pick one
# itself (--port 0 binds but never says which), so a lost race is retried.
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

started=0
for attempt in 1 2 3; do
	port="$(free_port)"
	wsport="$(free_port)"
	: >"$log"
	setsid "$emu" --host 127.0.0.1 --port "$port" --websocket_port "$wsport" \
		--project_id "$project" >"$log" 2>&1 &
	pid=$!
	for _ in $(seq 600); do
		if grep -q "Dev App Server is now running" "$log"; then
			started=1
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	((started)) && break
	echo "google-firestore-emulator: start attempt $attempt failed:" >&2
	cat "$log" >&2
	stop
	log="$(mktemp -t google-firestore-emulator.XXXXXX)"
done
if ! ((started)); then
	echo "google-firestore-emulator: could not start $emu" >&2
	exit 1
fi

addr="127.0.0.1:$port"
echo "google-firestore-emulator: Google's Firestore emulator on $addr, project $project" >&2
# The command runs in the background so that a signal to this script (as
# roomgate-emulator exec sends SIGTERM) is handled at once: it is passed on
# to the command and the emulator is stopped, instead of waiting for the
# command to finish. stdin is handed over explicitly (a background job
# would otherwise read /dev/null).
FIRESTORE_EMULATOR_HOST="$addr" FIREBASE_FIRESTORE_EMULATOR_ADDRESS="$addr" \
	ROOMGATE_TEST_FIRESTORE="$addr" GCLOUD_PROJECT="$project" GOOGLE_CLOUD_PROJECT="$project" \
	"$@" <&0 &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' TERM
trap 'kill -INT "$child" 2>/dev/null; wait "$child"; exit 130' INT
set +e
wait "$child"
status=$?
exit "$status"
