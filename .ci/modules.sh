#!/usr/bin/env bash
# Supply-chain checks over every Go module of the repository (each go.mod,
# including .ci/testsvc and the .ci/tools modules):
#
#   1. no module in `go list -m all` (nor a replacement) is on
#      .ci/deny-modules.txt;
#   2. when the environment's list of approved module versions is present
#      ($REDLINE_APPROVED_MODULES, default
#      /work/.library/env/packages/go-partial.tsv), every direct requirement
#      it lists is at a version it lists as approved.
#
# Exits non-zero naming each offending module and the module that requires it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DENY=.ci/deny-modules.txt
APPROVED=${REDLINE_APPROVED_MODULES:-/work/.library/env/packages/go-partial.tsv}
failed=0

# denied PATH prints the deny-list line covering module PATH, if any.
denied() {
	awk -v m="$1" '!/^#/ && NF { if (m == $1 || index(m, $1 "/") == 1) { print; exit } }' "$DENY"
}

# approved PATH VERSION fails when the approved list names PATH but not
# VERSION among its approved releases: column 3 lists the versions served;
# where its note says to skip the newer ones, versions newer than column 2
# (the newest approved) are not approved either.
approved() {
	local path=$1 version=$2 row newest served
	row=$(awk -F'\t' -v m="$path" '$1 == m { print; exit }' "$APPROVED")
	[[ -z $row ]] && return 0
	newest=$(cut -f2 <<<"$row")
	served=$(cut -f3 <<<"$row")
	[[ " ${served%%(*} " == *" $version "* ]] || return 1
	if [[ $served == *"skip the newer versions"* ]]; then
		[[ $(printf '%s\n%s\n' "$version" "$newest" | sort -V | tail -n 1) == "$newest" ]] || return 1
	fi
}

for gomod in $(git ls-files '*go.mod' 'go.mod' | sort -u); do
	dir=$(dirname "$gomod")
	# Module path, version, replacement path, and whether it is required directly.
	if ! list=$(cd "$dir" && go list -m -f '{{.Path}} {{.Version}} {{with .Replace}}{{.Path}}{{else}}-{{end}} {{if .Main}}main{{else if .Indirect}}indirect{{else}}direct{{end}}' all); then
		echo "modules: go list -m all failed in $dir"
		failed=1
		continue
	fi
	count=0
	while read -r path version replacement kind; do
		count=$((count + 1))
		for m in "$path" "$replacement"; do
			[[ $m == - ]] && continue
			if rule=$(denied "$m") && [[ -n $rule ]]; then
				echo "modules: $dir requires $m, which is denied: $rule"
				failed=1
			fi
		done
		if [[ $kind == direct && -f $APPROVED ]] && ! approved "$path" "$version"; then
			echo "modules: $dir requires $path $version, not an approved version ($(basename "$APPROVED"))"
			failed=1
		fi
	done <<<"$list"
	echo "modules: $dir: $count modules checked"
done
[[ -f $APPROVED ]] || echo "modules: $APPROVED not found: approved versions not checked"
exit "$failed"
