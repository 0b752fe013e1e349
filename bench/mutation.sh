#!/usr/bin/env bash
# Mutation testing of ONE module against the few tests that hold its rules
# (docs/mutation.md). Run by hand, like a benchmark; never in CI.
#
#   bench/mutation.sh hall_app/domain/case_rules.py            # run, then print the score
#   bench/mutation.sh hall_app/domain/case_rules.py NAME ...   # re-run only these mutants
#   bench/mutation.sh --again hall_app/domain/case_rules.py    # new mutants, then the last survivors
#   bench/mutation.sh --score hall_app/domain/case_rules.py    # the score of the last run
#   bench/mutation.sh --list                                   # the modules and their tests
#
# The module and its tests come from bench/mutation_targets.toml. The tree is copied
# to $HALL_MUTATION_DIR/<module> (default /tmp/hall-mutation), where mutmut keeps its
# results, so a second run re-checks only what changed. One worker at a time and
# `nice` by default: the machine is shared. JOBS=2 for an idle machine.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
py=$repo/.venv/bin/python
mutmut=$repo/.venv/bin/mutmut
[[ -x $mutmut ]] || { echo "mutmut is missing: $repo/.venv/bin/pip install -e '.[test,mutation]'" >&2; exit 2; }

score_only=0
again=0
case "${1:-}" in
  --list) exec "$py" - "$repo/bench/mutation_targets.toml" <<'PY'
import sys, tomllib
for module, t in tomllib.load(open(sys.argv[1], "rb"))["modules"].items():
    print(f"{module:38} {'(PostgreSQL) ' if t.get('pg') else ''}{' '.join(t['tests'])}")
PY
  ;;
  --score) score_only=1; shift ;;
  --again) again=1; shift ;;
  ""|-h|--help) sed -n 2,14p "$0"; exit 2 ;;
esac
module=${1#./}; shift
work=${HALL_MUTATION_DIR:-/tmp/hall-mutation}/$(echo "${module%.py}" | tr '/' '.')

if [[ $score_only == 0 ]]; then
  mkdir -p "$work"
  # the working tree as it is now (committed or not); mutmut's own results survive
  rsync -a --delete --exclude mutants/ --exclude .venv/ --exclude .git --exclude __pycache__ \
        --exclude .hypothesis/ --exclude '*.db' "$repo/" "$work/"
  # the per-module [tool.mutmut]: only this file, only its tests
  pg=$("$py" - "$repo/bench/mutation_targets.toml" "$module" "$work/pyproject.toml" <<'PY'
import json, re, sys, tomllib
targets, module, pyproject = sys.argv[1:]
entry = tomllib.load(open(targets, "rb"))["modules"].get(module)
if entry is None:
    sys.exit(f"{module} is not in bench/mutation_targets.toml (bench/mutation.sh --list)")
block = (
    "[tool.mutmut]\n"
    'source_paths = ["hall_app"]\n'
    f"only_mutate = {json.dumps([module])}\n"
    'also_copy = ["bundles", "screens", "printing"]\n'
    f"pytest_add_cli_args_test_selection = {json.dumps(entry['tests'])}\n"
    'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]\n'
)
text = open(pyproject, encoding="utf-8").read()
text, n = re.subn(r"^\[tool\.mutmut\]\n(?:(?!\[).*\n)*", block + "\n", text, flags=re.M)
assert n == 1, "no [tool.mutmut] in pyproject.toml"
open(pyproject, "w", encoding="utf-8").write(text)
print("1" if entry.get("pg") else "0")
PY
)
  if [[ $pg == 1 && -z ${HALL_TEST_PG_URL:-} ]]; then
    echo "$module's tests need PostgreSQL: export HALL_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test" >&2
    exit 2
  fi
  run() { (cd "$work" && nice -n 10 "$mutmut" run --max-children "${JOBS:-1}" "$@") | tr '\r' '\n' | grep -v '^ *$' | tail -n 2; }
  run "$@"  # every mutant not checked yet (all of them the first time, or after the config changed)
  if [[ $again == 1 ]]; then  # the survivors once more, against the tests written since
    mapfile -t names < <(cd "$work" && "$mutmut" results 2>/dev/null | grep -E ': (survived|no tests)$' | cut -d: -f1 | tr -d ' ')
    (( ${#names[@]} )) && run "${names[@]}"
  fi
fi
cd "$work"
"$py" "$repo/bench/mutation_score.py"
echo "survivors: (cd $work && $mutmut results)   one of them: (cd $work && $mutmut show NAME)"
