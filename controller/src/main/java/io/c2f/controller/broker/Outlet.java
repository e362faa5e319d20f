package io.c2f.controller.broker;

/** Where a session's messages go while its client is connected: the client's network connection. */
interface Outlet {
    /** Writes one PUBLISH; {@code packetId} is 0 for QoS 0. */
    void send(Delivery delivery, boolean dup);
}
