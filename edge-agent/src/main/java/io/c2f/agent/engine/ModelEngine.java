package io.c2f.agent.engine;

import io.c2f.agent.bundle.BundleOpenException;
import io.c2f.agent.bundle.InstalledSlot;

/**
 * Turns an installed bundle into a running {@link ModelSession}. The real engine loads TFLite
 * through the delegate chain; the fleet simulator plugs in a synthetic one, so both share every
 * other part of the agent.
 */
@FunctionalInterface
public interface ModelEngine {
    /**
     * @throws BundleOpenException with a precise message when the model cannot run here (missing
     *     op, no usable delegate, a file that does not load)
     * @throws IllegalArgumentException when the manifest contradicts itself (no model file, a
     *     schedule the model cannot run)
     */
    ModelSession open(InstalledSlot slot) throws BundleOpenException;
}
