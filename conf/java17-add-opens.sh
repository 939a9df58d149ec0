# The --add-opens flags Spark needs on Java 17, as the bash array ADD_OPENS, read from the one
# list in conf/java17-add-opens.properties (which Maven's surefire and failsafe use too).
# Sourced by spark-submit.sh and scripts/standalone-cluster.sh.
ADD_OPENS=()
while IFS= read -r flag; do
  ADD_OPENS+=("$flag")
done < <(grep -oE -- '(--add-opens=|-D)[^[:space:]\\]+' "$(dirname "${BASH_SOURCE[0]}")/java17-add-opens.properties")
if [[ ${#ADD_OPENS[@]} -eq 0 ]]; then
  echo "error: no JVM flags found in conf/java17-add-opens.properties" >&2
  exit 2
fi
