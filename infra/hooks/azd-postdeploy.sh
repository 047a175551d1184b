#!/bin/sh
# azd postdeploy hook (azure.yaml). Event Grid only accepts a subscription to a function that
# exists, so the first `azd up` provisions without it; once the app is deployed this turns the
# subscription on and provisions again. Later runs find it on and do nothing.
set -eu

if [ "${SWITCHBOARD_INCOMING_CALL_SUBSCRIPTION:-false}" != "true" ]; then
  echo "azd-postdeploy: subscribing the incoming-call function to IncomingCall events"
  azd env set SWITCHBOARD_INCOMING_CALL_SUBSCRIPTION true
  azd provision --no-prompt
fi
