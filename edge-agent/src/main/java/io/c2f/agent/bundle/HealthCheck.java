package io.c2f.agent.bundle;

import io.c2f.proto.v1.QualityProbe;

/**
 * Proves a freshly written slot works before the device switches to it: loads and warms up its
 * model, generates the manifest's probe image and compares it with the reference.
 */
@FunctionalInterface
public interface HealthCheck {
    /**
     * @return the probe result; {@code passed == false} keeps the old slot running
     * @throws BundleOpenException when the bundle cannot even run (the message is reported to the
     *     controller)
     */
    QualityProbe probe(InstalledSlot candidate) throws BundleOpenException;
}
