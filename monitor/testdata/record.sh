#!/bin/sh
# Records, with Pacemaker 2.1.5's crm_mon, the goldens of the inputs here
# (NAME.xml) that are missing: NAME.golden (-1), NAME-r.golden (-1 -r),
# NAME-f.golden (-1 -f), NAME-A.golden (-1 -A), NAME-rfA.golden
# (-1 -r -f -A), NAME-xml.golden (--output-as=xml) and NAME-X.golden (-X).
# Delete a golden to record it again. The test masks what legitimately
# differs: the stack, the DC's version, the time and the request line.
set -e
cd "$(dirname "$0")"
export TZ=UTC LC_ALL=C
record() {
	out=$1; shift
	[ -e "$out" ] || CIB_file=$cib crm_mon "$@" > "$out"
}
for cib in *.xml; do
	n=${cib%.xml}
	record "$n.golden" -1
	record "$n-r.golden" -1 -r
	record "$n-f.golden" -1 -f
	record "$n-A.golden" -1 -A
	record "$n-rfA.golden" -1 -r -f -A
	record "$n-xml.golden" --output-as=xml
	record "$n-X.golden" -X
done
