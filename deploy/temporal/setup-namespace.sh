#!/bin/sh
# Creates the namespace zdm uses and registers zdm's search attributes, once the server answers.
# The worker registers the attributes too; doing it here, before any worker or `zdm start`, gives
# the server's search-attribute cache time to learn them before the first migration sets them.
set -eu

address="${TEMPORAL_ADDRESS:?}"
namespace="${TEMPORAL_NAMESPACE:?}"
retention="${TEMPORAL_RETENTION:-30d}"

attempt=0
until temporal operator cluster health --address "$address" >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 60 ]; then
    echo "namespace: Temporal at $address did not become healthy" >&2
    exit 1
  fi
  sleep 2
done

if temporal operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; then
  echo "namespace: $namespace exists"
else
  temporal operator namespace create --address "$address" --namespace "$namespace" --retention "$retention"
  echo "namespace: $namespace created (retention $retention)"
fi

# The names are dev.zdm.temporal.ZdmSearchAttributes.ALL (DeploymentFilesTest keeps them equal).
for name in ZdmMigrationId ZdmTable ZdmStrategy ZdmPhase ZdmWaitingFor ZdmFlag ZdmFlagPercentage; do
  if temporal operator search-attribute list --address "$address" --namespace "$namespace" | grep -qw "$name"; then
    echo "namespace: search attribute $name exists"
  else
    temporal operator search-attribute create --address "$address" --namespace "$namespace" \
      --name "$name" --type Keyword
    echo "namespace: search attribute $name registered"
  fi
done
