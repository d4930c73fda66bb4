// Package systemd holds hardened systemd units for the relay and the milter
// (tenantgate-relay.service, tenantgate-milter.service); its test checks them with
// systemd-analyze.
package systemd
