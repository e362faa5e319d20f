package io.c2f.agent.engine;

import io.c2f.agent.bundle.InstalledSlot;

/**
 * Turns an installed bundle into a running {@link ModelSession}. The real engine loads TFLite
 * through the delegate chain; the fleet simulator plugs in a synthetic one, so both share every
 * other part of the agent.
 */
@FunctionalInterface
public interface ModelEngine {
    /**
     * @throws Exception with a precise message when the bundle cannot run here (missing op,
     *     no usable delegate, bad manifest)
     */
    ModelSession open(InstalledSlot slot) throws Exception;
}
