package io.c2f.controller.config;

/**
 * Who a controller is, for the parts that need nothing else of its config.
 *
 * @param fleet the fleet it manages
 * @param instanceId this instance among the fleet's controllers (leases, client ids, senders)
 */
public record ControllerIdentity(String fleet, String instanceId) {
}
