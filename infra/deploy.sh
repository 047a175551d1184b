#!/usr/bin/env bash
# Deploys one Switchboard region with the Azure CLI. See infra/README.md.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
regions_dir="$repo_root/infra/regions"
incoming_call_function="incoming-call"

usage() {
  local regions="" file
  for file in "$regions_dir"/*.bicepparam; do
    [[ -e "$file" ]] && regions+="$(basename "$file" .bicepparam) "
  done
  cat <<USAGE
Usage: infra/deploy.sh <region> [options]

Deploys the region described by infra/regions/<region>.bicepparam into one resource group:
  1. az group create
  2. az deployment group create, holding back the Event Grid subscription (Event Grid requires the
     incoming-call function to exist)
  3. builds the Function app package (or takes --package) and publishes it
  4. waits for the incoming-call function, then deploys again with the Event Grid subscription

Regions: ${regions:-none found in infra/regions}

Options:
  --resource-group NAME  resource group (default: rg-switchboard-<region>)
  --subscription ID      subscription to deploy into (default: the az CLI's current one)
  --package ZIP          publish this Function app package instead of building one
  --infra-only           steps 1 and 2 only; an existing Event Grid subscription is kept
  --what-if              show what step 2 would change, deploy nothing
  -h, --help             this text
USAGE
}

die() {
  echo "deploy.sh: $*" >&2
  exit 1
}

usage_error() {
  echo "deploy.sh: $*" >&2
  echo >&2
  usage >&2
  exit 2
}

region=""
resource_group=""
subscription=""
package=""
infra_only=false
what_if=false

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --resource-group | --subscription | --package)
      [[ $# -ge 2 && -n "$2" && "$2" != --* ]] || usage_error "$1 needs a value"
      case "$1" in
        --resource-group) resource_group="$2" ;;
        --subscription) subscription="$2" ;;
        --package) package="$2" ;;
      esac
      shift 2
      ;;
    --infra-only)
      infra_only=true
      shift
      ;;
    --what-if)
      what_if=true
      shift
      ;;
    -*)
      usage_error "unknown option $1"
      ;;
    *)
      [[ -z "$region" ]] || usage_error "one region at a time (got '$region' and '$1')"
      region="$1"
      shift
      ;;
  esac
done

[[ -n "$region" ]] || usage_error "missing <region>"
param_file="$regions_dir/$region.bicepparam"
[[ -f "$param_file" ]] || usage_error "no parameter file for region '$region' ($param_file)"
if [[ -n "$package" ]]; then
  [[ -f "$package" ]] || usage_error "package '$package' does not exist"
  package="$(cd "$(dirname "$package")" && pwd)/$(basename "$package")"
fi

# The resource group lives where the cell does: the location parameter of the region's file.
location="$(sed -n "s/^param location = '\([a-z0-9]*\)'.*/\1/p" "$param_file" | head -n 1)"
location="${location:-$region}"
resource_group="${resource_group:-rg-switchboard-$region}"
deployment_name="switchboard-$region"

command -v az >/dev/null 2>&1 || die "the Azure CLI (az) is not installed: https://aka.ms/azure-cli"
if [[ -n "$subscription" ]]; then
  az account set --subscription "$subscription" || die "cannot select subscription '$subscription'"
fi
az account show --output none 2>/dev/null || die "not signed in to Azure: run 'az login' first"

# The operator gets Key Vault Secrets Officer on the region's vault to store the Graph secrets.
operator_id=""
operator_type="User"
if [[ "$(az account show --query user.type --output tsv)" == "servicePrincipal" ]]; then
  operator_type="ServicePrincipal"
  operator_id="$(az ad sp show --id "$(az account show --query user.name --output tsv)" --query id --output tsv 2>/dev/null || true)"
else
  operator_id="$(az ad signed-in-user show --query id --output tsv 2>/dev/null || true)"
fi
[[ -n "$operator_id" ]] || echo "deploy.sh: could not read your Entra object id; no Key Vault role for you (see infra/README.md)" >&2

deploy_infra() {
  local subscription_enabled="$1"
  echo "deploy.sh: deploying $param_file to $resource_group (Event Grid subscription: $subscription_enabled)" >&2
  az deployment group create \
    --resource-group "$resource_group" \
    --name "$deployment_name" \
    --parameters "$param_file" \
    --parameters incomingCallSubscriptionEnabled="$subscription_enabled" \
      operatorPrincipalId="$operator_id" operatorPrincipalType="$operator_type" \
    --output none
}

output() {
  az deployment group show --resource-group "$resource_group" --name "$deployment_name" \
    --query "properties.outputs.$1.value" --output tsv
}

build_package() {
  local target="$1"
  [[ -f "$repo_root/host.json" ]] || die "no host.json in $repo_root: nothing to publish as a Functions app (or pass --package)"
  command -v npm >/dev/null 2>&1 || die "npm is needed to build the app (or pass --package)"
  command -v zip >/dev/null 2>&1 || die "zip is needed to package the app (or pass --package)"
  echo "deploy.sh: building the Function app" >&2
  (
    cd "$repo_root"
    [[ -d node_modules ]] || npm ci --no-audit --no-fund
    npm run build
  ) >&2
  local stage
  stage="$(mktemp -d)"
  cp "$repo_root/host.json" "$repo_root/package.json" "$repo_root/package-lock.json" "$stage/"
  cp -R "$repo_root/dist" "$stage/dist"
  if [[ -d "$repo_root/config" ]]; then cp -R "$repo_root/config" "$stage/config"; fi
  (cd "$stage" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund && zip -qr "$target" .) >&2
  rm -rf "$stage"
}

wait_for_function() {
  local app="$1" attempt
  for attempt in $(seq 1 30); do
    if az functionapp function show --resource-group "$resource_group" --name "$app" \
      --function-name "$incoming_call_function" --query name --output tsv >/dev/null 2>&1; then
      return 0
    fi
    echo "deploy.sh: waiting for function $incoming_call_function to be listed ($attempt/30)" >&2
    sleep 10
  done
  die "function $incoming_call_function never appeared in $app; check the package and the app's logs"
}

if [[ "$what_if" == true ]]; then
  az deployment group what-if --resource-group "$resource_group" --name "$deployment_name" \
    --parameters "$param_file" --parameters incomingCallSubscriptionEnabled=true \
      operatorPrincipalId="$operator_id" operatorPrincipalType="$operator_type"
  exit 0
fi

az group create --name "$resource_group" --location "$location" \
  --tags workload=switchboard region="$region" --output none
deploy_infra false

if [[ "$infra_only" == false ]]; then
  app="$(output AZURE_FUNCTION_APP_NAME)"
  [[ -n "$app" ]] || die "the deployment did not report the Function app name"
  if [[ -z "$package" ]]; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    package="$work/switchboard.zip"
    build_package "$package"
  fi
  echo "deploy.sh: publishing $package to $app" >&2
  az functionapp deployment source config-zip --resource-group "$resource_group" --name "$app" \
    --src "$package" --output none
  wait_for_function "$app"
  deploy_infra true
fi

echo "deploy.sh: done. Outputs of $deployment_name:" >&2
az deployment group show --resource-group "$resource_group" --name "$deployment_name" \
  --query "properties.outputs" --output json
echo "deploy.sh: next, the one-time steps in infra/README.md (phone number, Teams, Graph consent)." >&2
