#!/bin/sh
# Sets up Mosquitto's dynamic security plugin for c2f enrolment (controller broker.enrolment=dynsec).
# Run once, with the broker running on mosquitto-dynsec.conf, after
#   mosquitto_ctrl dynsec init /var/lib/mosquitto/dynamic-security.json c2f-controller
# (which makes the controller's login the plugin's admin: it may send $CONTROL commands and read
# every topic). This gives that login a role to publish on its fleet's topics; the controller
# creates every other client and role itself (bootstrap logins per token, a role per device).
#
# usage: dynsec-setup.sh FLEET CONTROLLER_USER CONNECT_OPTIONS...
#   e.g. dynsec-setup.sh default c2f-controller -h 127.0.0.1 -p 1883 -u c2f-controller -P "$PW"
#   (prefer TLS options, --cafile ..., on any network: the commands carry passwords)
set -eu
if [ $# -lt 3 ]; then
  sed -n '2,14p' "$0" >&2
  exit 2
fi
fleet="$1"
user="$2"
shift 2
# createRole fails when the role exists (a second run): that is fine
mosquitto_ctrl "$@" dynsec createRole c2f-controller || true
mosquitto_ctrl "$@" dynsec addRoleACL c2f-controller publishClientSend "c2f/v1/$fleet/#" allow
# the plugin disconnects the login whose roles change: the controller reconnects
mosquitto_ctrl "$@" dynsec addClientRole "$user" c2f-controller
