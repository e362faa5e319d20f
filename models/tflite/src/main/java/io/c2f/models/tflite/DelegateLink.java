package io.c2f.models.tflite;

import java.util.Optional;

/**
 * One strategy of the {@link DelegateChain}: how to build an interpreter that runs the model on
 * some backend (a native delegate, XNNPACK, plain CPU kernels).
 */
interface DelegateLink {
    /** Short stable name, reported in telemetry ("gpu", "xnnpack", "cpu"). */
    String name();

    /**
     * Prepares one attempt: interpreter options (threads set) and any native delegate they carry.
     * Called once per {@link DelegateChain#open}; the chain closes the attempt when it is done with it.
     *
     * @param threads CPU threads the interpreter may use (at least 1)
     * @throws LinkException saying why this link cannot run here
     */
    LinkAttempt prepare(int threads) throws LinkException;

    /**
     * A cheap side-effect-free check, for links the chain never tried: the reason this link could
     * not run here, or empty when it looks usable.
     */
    default Optional<String> unavailableReason() {
        return Optional.empty();
    }
}
