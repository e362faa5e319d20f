package io.c2f.controller.broker;

import java.util.ArrayList;
import java.util.List;

/**
 * The PUBACK a QoS 1 publisher is owed, sent only once every subscriber the message went to has
 * acknowledged it, or no longer needs to be waited for: a clean session whose connection closed, a
 * device's session that is offline (the message is queued for it). The controller's (admin)
 * persistent session is waited for even while it reconnects. Nothing is stored on disk, so this is
 * what makes a PUBACK mean "the receiver has it": a device's telemetry is acknowledged once the
 * controller acknowledged it, and a crash of the controller process loses nothing a device was
 * told had arrived (the agent keeps it in its spool until the PUBACK).
 *
 * <p>A device that never acknowledges could hold the controller's PUBACKs back for ever, so its
 * holds are bounded ({@link #releaseBounded}); the controller's own holds are not: that is the
 * telemetry back-pressure.
 */
final class PublisherAck {
    private final Runnable acknowledge;
    private int holds;
    private boolean sealed;
    private boolean sent;
    private List<Delivery> bounded;

    /** @param acknowledge sends the PUBACK (runs at most once) */
    PublisherAck(Runnable acknowledge) {
        this.acknowledge = acknowledge;
    }

    /** A delivery that must be acknowledged first; {@code bounded}: one an untrusted client could stall. */
    void hold(Delivery delivery, boolean bounded) {
        holds++;
        if (bounded) {
            if (this.bounded == null) {
                this.bounded = new ArrayList<>();
            }
            this.bounded.add(delivery);
        }
    }

    /** One held delivery was acknowledged (or its connection closed). */
    void release() {
        holds--;
        fireIfDone();
    }

    /** Routing is over: no more holds come. */
    void seal() {
        sealed = true;
        fireIfDone();
    }

    boolean hasBoundedHolds() {
        return bounded != null && !sent;
    }

    /** Stops waiting for the untrusted subscribers (the messages stay in their sessions). */
    void releaseBounded() {
        if (bounded != null) {
            List.copyOf(bounded).forEach(Delivery::settle);
            bounded = null;
        }
    }

    private void fireIfDone() {
        if (sealed && holds == 0 && !sent) {
            sent = true;
            bounded = null;
            acknowledge.run();
        }
    }
}
