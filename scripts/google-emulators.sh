#!/usr/bin/env bash
# google-emulators.sh: run a command against Google's complete emulator pair,
# the Auth emulator of firebase-tools and the Cloud Firestore emulator, as
# `firebase emulators:exec --only auth,firestore` starts them.
#
#   scripts/google-emulators.sh [--check] [-- COMMAND [ARG...]]
#
# firebase-tools comes from test/google-auth (installed by `make setup` from
# its committed lockfile). It needs Java 21 or newer for the Firestore
# emulator, which it runs as `java -jar $FIRESTORE_EMULATOR_BINARY_PATH`; the
# jar is not downloaded (this runs offline): a small launcher jar is made
# whose manifest starts the Cloud SDK's cloud-firestore-emulator.jar.
#
# COMMAND gets FIRESTORE_EMULATOR_HOST, FIREBASE_AUTH_EMULATOR_HOST and
# GCLOUD_PROJECT from firebase-tools, plus FIREBASE_FIRESTORE_EMULATOR_ADDRESS,
# ROOMGATE_TEST_FIRESTORE (= the Firestore address), ROOMGATE_TEST_AUTH
# (= the Auth address) and GOOGLE_CLOUD_PROJECT. All ports are picked free.
#
# --check exits 0 if everything is installed, else 1 saying what is missing.
#
# Java is $ROOMGATE_JAVA21_HOME/bin/java, else the newest JDK 21+ under
# /usr/lib/jvm, else `java` on PATH if it is 21+. The Cloud SDK jar is found
# as scripts/google-firestore-emulator.sh finds its launcher.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
firebase="$root/test/google-auth/node_modules/.bin/firebase"

java_major() {
	# Prints the major version of the java binary $1 (0 if unknown).
	"$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1 | grep . || echo 0
}

find_java() {
	local c
	for c in "${ROOMGATE_JAVA21_HOME:+$ROOMGATE_JAVA21_HOME/bin/java}" $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV) "$(command -v java 2>/dev/null || true)"; do
		if [[ -n "$c" && -x "$c" ]] && (($(java_major "$c") >= 21)); then
			echo "$c"
			return 0
		fi
	done
	return 1
}

find_jar() {
	local c
	for c in "${ROOMGATE_GOOGLE_FIRESTORE_EMULATOR:-${GOOGLE_FIRESTORE_EMULATOR:-}}" \
		"$(dirname "$(readlink -f "$(command -v gcloud 2>/dev/null || echo /nonexistent)")")/../platform/cloud-firestore-emulator/cloud_firestore_emulator" \
		/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator; do
		if [[ -n "$c" && -f "$(dirname "$c")/cloud-firestore-emulator.jar" ]]; then
			readlink -f "$(dirname "$c")/cloud-firestore-emulator.jar"
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

missing=""
[[ -x "$firebase" ]] || missing="firebase-tools (run make setup)"
java="$(find_java)" || missing="${missing:+$missing; }Java 21 or newer"
jar="$(find_jar)" || missing="${missing:+$missing; }the Cloud SDK's Firestore emulator"
[[ -n "$(command -v jar 2>/dev/null || true)" || -x "$(dirname "${java:-/x}")/jar" ]] || missing="${missing:+$missing; }the JDK's jar tool"
if [[ -n "$missing" ]]; then
	echo "Google's emulator pair not available: missing $missing" >&2
	exit 1
fi
if ((check)); then
	exit 0
fi
if (($# == 0)); then
	echo "usage: $0 [--check] [-- COMMAND [ARG...]]" >&2
	exit 2
fi

project="${GCLOUD_PROJECT:-${GOOGLE_CLOUD_PROJECT:-demo-roomgate}}"
tmp="$(mktemp -d -t google-emulators.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

# The launcher jar: a manifest naming the emulator's main class, with the
# Cloud SDK jar on its class path (an absolute file: URL).
jartool="$(dirname "$java")/jar"
[[ -x "$jartool" ]] || jartool="$(command -v jar)"
printf 'Main-Class: com.google.cloud.datastore.emulator.firestore.CloudFirestore\nClass-Path: file://%s\n' "$jar" >"$tmp/manifest.txt"
(cd "$tmp" && "$jartool" cfm launcher.jar manifest.txt)

free_port() {
	node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
cat >"$tmp/firebase.json" <<JSON
{
  "emulators": {
    "auth": {"host": "127.0.0.1", "port": $(free_port)},
    "firestore": {"host": "127.0.0.1", "port": $(free_port), "websocketPort": $(free_port)},
    "hub": {"host": "127.0.0.1", "port": $(free_port)},
    "logging": {"host": "127.0.0.1", "port": $(free_port)},
    "ui": {"enabled": false},
    "singleProjectMode": true
  }
}
JSON

# The command, quoted for the shell that firebase-tools runs it in (in the
# caller's directory; firebase-tools itself runs in $tmp, where the
# Firestore emulator writes its debug log), after the extra variables are
# derived from firebase-tools' own.
cmd="cd $(printf '%q' "$PWD");"
cmd+=' export FIREBASE_FIRESTORE_EMULATOR_ADDRESS="$FIRESTORE_EMULATOR_HOST" ROOMGATE_TEST_FIRESTORE="$FIRESTORE_EMULATOR_HOST" ROOMGATE_TEST_AUTH="$FIREBASE_AUTH_EMULATOR_HOST" GOOGLE_CLOUD_PROJECT="$GCLOUD_PROJECT";'
cmd+=" exec$(printf ' %q' "$@")"

export PATH="$(dirname "$java"):$PATH" JAVA_HOME="$(dirname "$(dirname "$java")")"
export FIRESTORE_EMULATOR_BINARY_PATH="$tmp/launcher.jar"
export NO_UPDATE_NOTIFIER=1 FIREBASE_CLI_DISABLE_UPDATE_CHECK=true
unset FIRESTORE_EMULATOR_HOST FIREBASE_AUTH_EMULATOR_HOST FIREBASE_FIRESTORE_EMULATOR_ADDRESS ROOMGATE_TEST_FIRESTORE ROOMGATE_TEST_AUTH
cd "$tmp"
"$firebase" emulators:exec --config "$tmp/firebase.json" --project "$project" --only auth,firestore "$cmd"
