#!/usr/bin/env bash
# Prints the path of a Bicep CLI binary, installing it first if needed.
#   1. `bicep` on PATH wins.
#   2. Else <repo>/.tools/bicep/<version>/bicep, restored from the NuGet package
#      Azure.Bicep.CommandLine.linux-x64 with `dotnet restore` (no other download source is
#      reachable from CI). Idempotent: a second run only prints the path.
# Only the path goes to stdout, so callers can do: BICEP="$(infra/install-bicep.sh)".
# BICEP_VERSION overrides the pinned version.
set -euo pipefail

version="${BICEP_VERSION:-0.49.2}"
package="Azure.Bicep.CommandLine.linux-x64"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
install_dir="$repo_root/.tools/bicep/$version"
target="$install_dir/bicep"

if command -v bicep >/dev/null 2>&1; then
  command -v bicep
  exit 0
fi

if [[ -x "$target" ]] && "$target" --version >/dev/null 2>&1; then
  echo "$target"
  exit 0
fi

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "install-bicep.sh: only linux-x64 is packaged here; install Bicep yourself (az bicep install) and put it on PATH" >&2
  exit 1
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-bicep.sh: neither 'bicep' nor 'dotnet' is on PATH; install one of them" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# PackageDownload fetches a package without referencing it, so the project needs no code.
cat >"$work/fetch-bicep.csproj" <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net$(dotnet --version | cut -d. -f1-2)</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="$package" Version="[$version]" />
  </ItemGroup>
</Project>
CSPROJ

echo "install-bicep.sh: restoring $package $version with dotnet" >&2
DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
  dotnet restore "$work/fetch-bicep.csproj" --packages "$work/packages" >&2

source_binary="$(find "$work/packages" -type f -path '*/tools/bicep' | head -n 1)"
if [[ -z "$source_binary" ]]; then
  echo "install-bicep.sh: $package $version restored but holds no tools/bicep" >&2
  exit 1
fi

mkdir -p "$install_dir"
cp "$source_binary" "$target.partial"
chmod 755 "$target.partial"
mv "$target.partial" "$target"
"$target" --version >&2
echo "$target"
