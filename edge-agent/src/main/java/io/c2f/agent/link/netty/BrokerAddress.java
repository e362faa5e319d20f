package io.c2f.agent.link.netty;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where the Netty transport connects: {@code tcp://host[:port]} only (port 1883 by default). TLS
 * and WebSockets are Paho's: the simulator runs next to its broker, and a real device's TLS is
 * configured as an SSLSocketFactory, which Netty cannot use.
 */
record BrokerAddress(String host, int port) {
    static BrokerAddress parse(String serverUri) {
        URI uri;
        try {
            uri = new URI(serverUri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a broker URI: '" + serverUri + "'", e);
        }
        if (!"tcp".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("the Netty MQTT transport connects to tcp://host[:port] only, got '"
                    + serverUri + "' (use the Paho transport for ssl:// and ws://)");
        }
        return new BrokerAddress(uri.getHost(), uri.getPort() < 0 ? 1883 : uri.getPort());
    }
}
